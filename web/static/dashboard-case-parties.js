// The add-participant form's choice of a party of the case (filed in the dossier): choosing one
// fills the name, role, phone and e-mail, and the participant is invited as that party
// (case_party_ref); the clerk may still change what was filled in. A case entered by hand has
// no parties: the choice is not shown.
import { el } from "./common.js";
import { roleLabel, t } from "./i18n.js";
import { apiAll } from "./paging.js";

function optionText(party) {
  const who = `${roleLabel(party.role)} ${party.name}`;
  return party.represents_name
    ? `${who}（${t("case_party_represents").replace("{name}", party.represents_name)}）`
    : who;
}

// fields: { name, role, phone, email } (the form's inputs). Returns { node, ref(), clear() }.
export function casePartyChoice(hearing, fields) {
  const select = el("select", { "aria-label": t("case_party"), "data-case-party": "", hidden: true },
    el("option", { value: "" }, t("case_party_by_hand")));
  const parties = new Map();
  apiAll(`/api/cases/${hearing.case_id}/parties`).then((rows) => {
    for (const party of rows) {
      parties.set(party.party_ref, party);
      select.append(el("option", { value: party.party_ref }, optionText(party)));
    }
    select.hidden = rows.length === 0;
  }, () => { select.hidden = true; }); // the form still adds people by hand
  select.onchange = () => {
    const party = parties.get(select.value);
    if (!party) return;
    fields.name.value = party.name;
    if ([...fields.role.options].some((o) => o.value === party.role)) fields.role.value = party.role;
    fields.role.dispatchEvent(new Event("change"));
    fields.phone.value = party.phone ?? "";
    fields.email.value = party.email ?? "";
  };
  return {
    node: select,
    // The chosen party's reference, while the name still is theirs (else: added by hand).
    ref: () => {
      const party = parties.get(select.value);
      return party && fields.name.value.trim() ? party.party_ref : null;
    },
    clear: () => { select.value = ""; },
  };
}
