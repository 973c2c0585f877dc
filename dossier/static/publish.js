// The judge's publishing page: pick main-volume materials and parties, publish, see what each
// party sees, withdraw. Others who may read the dossier see the same, without the controls.
import { api, el, errorText, formatDateTime, setupHeader, showError } from "/common.js";
import { roleLabel, t } from "/i18n.js";

const caseId = Number(new URLSearchParams(location.search).get("case"));
const errorBox = document.getElementById("error");

function partyName(p) {
  return `${roleLabel(p.role || p.party_role)} ${p.name || p.party_name}`;
}

async function load() {
  showError(errorBox, "");
  let info;
  let page;
  try {
    info = await api("GET", `/api/dossier/cases/${caseId}`);
    page = await api("GET", `/api/dossier/cases/${caseId}/publications`);
  } catch (exc) {
    setupHeader();
    showError(errorBox, errorText(exc));
    return;
  }
  setupHeader({ court: info.court_name, caseNumber: info.case_number });
  document.getElementById("to-case").href = `/dossier/case.html?id=${caseId}`;
  document.getElementById("to-case").hidden = false;
  document.getElementById("judge-only").hidden = page.may_publish;
  document.getElementById("chooser").hidden = !page.may_publish;
  const materials = document.getElementById("materials");
  materials.replaceChildren(...page.materials.map((m) => el("li", {},
    el("label", { class: "check" }, el("input", { type: "checkbox", name: "material", value: m.id }),
      el("span", { class: "grow" }, m.title),
      el("span", { class: "meta" }, formatDateTime(m.created_at))))));
  if (!page.materials.length) materials.append(el("li", { class: "hint" }, t("dpub_pub_no_materials")));
  document.getElementById("parties").replaceChildren(...page.parties.map((p) => el("li", {},
    el("label", { class: "check" }, el("input", { type: "checkbox", name: "party", value: p.party_ref }),
      el("span", {}, partyName(p))))));
  renderSeen(page);
}

function renderSeen(page) {
  const seen = document.getElementById("seen");
  const columns = page.parties.map((party) => {
    const mine = page.publications.filter((p) => p.party_ref === party.party_ref);
    const items = mine.map((p) => el("li", { class: p.withdrawn_at ? "dp-withdrawn" : "" },
      el("span", { class: "grow dp-title" }, p.material_title),
      el("span", { class: "meta" }, p.withdrawn_at
        ? `${t("dpub_pub_withdrawn")} ${formatDateTime(p.withdrawn_at)}`
        : `${t("dpub_pub_published_at")} ${formatDateTime(p.published_at)} · ${roleLabel("judge")} ${p.published_by_name}`),
      page.may_publish && !p.withdrawn_at
        ? el("button", { type: "button", class: "secondary", "data-withdraw": p.id,
          onclick: () => withdraw(p.id) }, t("dpub_pub_withdraw"))
        : null));
    return el("div", { class: "dp-party" }, el("h3", {}, partyName(party)),
      items.length ? el("ul", { class: "dp-list" }, ...items) : el("p", { class: "hint" }, t("dpub_pub_nothing")));
  });
  seen.replaceChildren(...columns);
}

async function withdraw(id) {
  try {
    await api("POST", `/api/dossier/cases/${caseId}/publications/${id}/withdraw`);
  } catch (exc) {
    showError(errorBox, errorText(exc));
  }
  await load();
}

document.getElementById("publish").addEventListener("click", async () => {
  const picked = (name) => [...document.querySelectorAll(`input[name=${name}]:checked`)].map((i) => i.value);
  const materialIds = picked("material").map(Number);
  const partyRefs = picked("party");
  const done = document.getElementById("done");
  done.hidden = true;
  if (!materialIds.length || !partyRefs.length) {
    showError(errorBox, t("dpub_pub_pick"));
    return;
  }
  try {
    await api("POST", `/api/dossier/cases/${caseId}/publications`,
      { material_ids: materialIds, party_refs: partyRefs });
  } catch (exc) {
    showError(errorBox, errorText(exc));
    return;
  }
  await load();
  done.hidden = false;
});

load();
