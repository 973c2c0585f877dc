// The filing page (立案登记): a filing clerk registers a case; the server allocates its number.
import { api, el, errorText, fill, setupHeader, showError } from "/common.js";
import { t } from "/i18n.js";
import { yuanToFen } from "/dossier/register-common.js";

const $ = (id) => document.getElementById(id);
const ROLES = ["plaintiff", "defendant", "third_party", "agent"];
const KINDS = ["person", "organisation", "lawyer"];
const ID_FIELD = { person: "id_number", organisation: "credit_code", lawyer: "licence_number" };
let caseTypes = [];
let cause = null;

function option(value, label) {
  return el("option", { value }, label);
}

function rows() {
  return [...document.querySelectorAll("#parties .party")];
}

function field(row, name) {
  return row.querySelector(`[data-field="${name}"]`);
}

function renumber() {
  rows().forEach((row, i) => {
    row.querySelector("legend").textContent = `${t("filing_party_n")} ${i + 1}`;
  });
  for (const row of rows()) {
    const select = field(row, "represents");
    const current = select.value;
    select.replaceChildren(option("", t("filing_choose")));
    rows().forEach((other, i) => {
      if (other === row || field(other, "role").value === "agent") return;
      select.append(option(String(i), `${i + 1}. ${field(other, "name").value || ""}`));
    });
    select.value = [...select.options].some((o) => o.value === current) ? current : "";
  }
}

function syncRow(row) {
  const kind = field(row, "kind").value;
  const idLabel = row.querySelector(".id-label");
  idLabel.textContent = t(`filing_${ID_FIELD[kind]}`);
  const isAgent = field(row, "role").value === "agent";
  row.querySelector(".represents").hidden = !isAgent;
}

function labelled(text, control) {
  const id = `f${Math.random().toString(36).slice(2)}`;
  control.id = id;
  return el("div", {}, el("label", { for: id }, text), control);
}

function addParty(role = "plaintiff", kind = "person") {
  const roleSel = el("select", { "data-field": "role" },
    ...ROLES.map((r) => option(r, t(`filing_role_${r}`))));
  const kindSel = el("select", { "data-field": "kind" },
    ...KINDS.map((k) => option(k, t(`filing_kind_${k}`))));
  roleSel.value = role;
  kindSel.value = kind;
  const idInput = el("input", { "data-field": "identifier", maxlength: "32", autocomplete: "off" });
  const idBox = el("div", {}, el("label", { class: "id-label" }), idInput);
  idBox.querySelector("label").setAttribute("for", idInput.id = `id${Math.random().toString(36).slice(2)}`);
  const represents = labelled(t("filing_represents"), el("select", { "data-field": "represents" }));
  represents.className = "represents";
  const remove = el("button", { type: "button", class: "secondary small" }, t("filing_remove_party"));
  const row = el("fieldset", { class: "party" }, el("legend"),
    el("div", { class: "row" },
      labelled(t("filing_role"), roleSel), labelled(t("filing_kind"), kindSel),
      labelled(t("filing_name"), el("input", { "data-field": "name", maxlength: "200" })),
      idBox, represents),
    el("div", { class: "row" },
      labelled(t("filing_phone"), el("input", { "data-field": "phone", maxlength: "32", inputmode: "tel" })),
      labelled(t("filing_email"), el("input", { "data-field": "email", maxlength: "254", type: "email" })),
      labelled(t("filing_address"), el("input", { "data-field": "address", maxlength: "300" }))),
    el("p", { class: "error party-error", role: "alert", hidden: "hidden" }),
    el("p", {}, remove));
  roleSel.addEventListener("change", () => { syncRow(row); renumber(); });
  kindSel.addEventListener("change", () => {
    if (kindSel.value === "lawyer") roleSel.value = "agent";
    syncRow(row);
    renumber();
  });
  field(row, "name").addEventListener("input", renumber);
  remove.addEventListener("click", () => { row.remove(); renumber(); });
  $("parties").append(row);
  syncRow(row);
  renumber();
  return row;
}

function partyBody(row, index) {
  const value = (name) => field(row, name).value.trim() || null;
  const kind = field(row, "kind").value;
  const body = { role: field(row, "role").value, kind, name: value("name") || "" };
  body[ID_FIELD[kind]] = value("identifier");
  for (const name of ["phone", "email", "address"]) if (value(name)) body[name] = value(name);
  if (body.role === "agent") {
    const target = field(row, "represents").value;
    body.represents = target === "" ? null : Number(target);
  }
  return body;
}

function syncType() {
  const type = caseTypes.find((c) => c.code === $("type").value);
  const civil = !type || type.category === "civil";
  $("cause-civil").hidden = !civil;
  $("cause-other").hidden = civil;
}

async function searchCauses() {
  const q = $("cause-q").value.trim();
  const list = $("cause-results");
  if (!q) { list.hidden = true; return; }
  const found = await api("GET", `/api/dossier/causes?q=${encodeURIComponent(q.slice(0, 50))}`);
  list.replaceChildren(...found.items.map((item) => el("li", {},
    el("button", { type: "button", onclick: () => chooseCause(item) }, item.name,
      el("span", { class: "path" }, item.path.slice(0, -1).join(" / "))))));
  list.hidden = found.items.length === 0;
}

function chooseCause(item) {
  cause = item;
  $("cause-chosen").textContent = `${item.name}（${item.path.slice(0, -1).join(" / ")}）`;
  $("cause-chosen").hidden = false;
  $("cause-results").hidden = true;
  $("cause-q").value = item.name;
}

function clearErrors() {
  showError($("error"), "");
  showError($("amount-error"), "");
  for (const row of rows()) {
    row.classList.remove("invalid");
    showError(row.querySelector(".party-error"), "");
  }
}

function markParty(index, message) {
  const row = rows()[index];
  if (!row) return;
  row.classList.add("invalid");
  showError(row.querySelector(".party-error"), message);
}

// What is missing before anything is sent: the pickers and each party's name.
function missing() {
  for (const id of ["judge", "clerk"]) {
    if (!$(id).value) return fill(t("err_field_required"), { field: t(`filing_${id}`) });
  }
  let problem = null;
  rows().forEach((row, i) => {
    if (field(row, "name").value.trim()) return;
    const text = fill(t("filing_party_prefix"), { party: i + 1 })
      + fill(t("err_field_required"), { field: t("filing_name") });
    markParty(i, text);
    problem = problem || text;
  });
  return problem;
}

// The server's own message for a party's field ("parties.1.phone"), put beside that party.
function partyFieldError(exc) {
  const match = /^parties\.(\d+)\.(\w+)/.exec(String((exc.params && exc.params.field) || ""));
  if (!exc.reason.startsWith("field_") || !match) return null;
  const name = match[2] === "identifier" ? "id_number" : match[2];
  const label = t(`filing_${name}`);
  const text = fill(t("filing_party_prefix"), { party: Number(match[1]) + 1 })
    + fill(t(`err_${exc.reason}`), { field: label === `filing_${name}` ? name : label });
  return { index: Number(match[1]), text };
}

async function submit(event) {
  event.preventDefault();
  clearErrors();
  const lacking = missing();
  if (lacking) {
    showError($("error"), lacking);
    return;
  }
  const amountText = $("amount").value.trim();
  const amount = amountText ? yuanToFen(amountText) : null;
  if (amountText && amount === null) {
    showError($("amount-error"), t("filing_amount_invalid"));
    return;
  }
  const type = caseTypes.find((c) => c.code === $("type").value);
  const body = {
    type_code: $("type").value,
    procedure: $("procedure").value,
    claim_amount_fen: amount,
    judge_user_id: Number($("judge").value) || 0,
    clerk_user_id: Number($("clerk").value) || 0,
    parties: rows().map(partyBody),
  };
  if (type && type.category !== "civil") body.cause_name = $("cause-name").value.trim() || null;
  else body.cause_code = cause ? cause.code : null;
  $("submit").disabled = true;
  try {
    const filed = await api("POST", "/api/dossier/cases", body);
    $("filing").hidden = true;
    $("case-number").textContent = filed.case_number;
    $("case-link").href = `/dossier/case.html?id=${filed.id}`;
    $("done").hidden = false;
  } catch (exc) {
    const fieldError = partyFieldError(exc);
    const message = fieldError ? fieldError.text : errorText(exc);
    const party = exc.params && exc.params.party;
    const index = fieldError ? fieldError.index : party ? party - 1 : -1;
    if (index >= 0 && rows()[index]) {
      markParty(index, message);
      field(rows()[index], "identifier").focus();
    }
    showError($("error"), message);
  } finally {
    $("submit").disabled = false;
  }
}

async function main() {
  setupHeader();
  try {
    const [code, types, people] = await Promise.all([
      api("GET", "/api/dossier/court-code"),
      api("GET", "/api/dossier/case-types"),
      api("GET", "/api/dossier/assignees"),
    ]);
    $("hdr-court").textContent = code.code ? `${code.court_name}（${code.code}）` : code.court_name;
    $("no-code").hidden = Boolean(code.code);
    caseTypes = types.items;
    $("type").replaceChildren(...caseTypes.map((c) => option(c.code, `${c.code} · ${c.name}`)));
    $("type").value = "民初";
    $("judge").replaceChildren(option("", t("filing_choose")),
      ...people.judges.map((p) => option(String(p.user_id), p.display_name)));
    $("clerk").replaceChildren(option("", t("filing_choose")),
      ...people.clerks.map((p) => option(String(p.user_id), p.display_name)));
  } catch (exc) {
    showError($("error"), errorText(exc));
    $("submit").disabled = true;
    return;
  }
  syncType();
  $("type").addEventListener("change", syncType);
  let timer = null;
  $("cause-q").addEventListener("input", () => {
    cause = null;
    $("cause-chosen").hidden = true;
    clearTimeout(timer);
    timer = setTimeout(() => searchCauses().catch((exc) => showError($("error"), errorText(exc))), 200);
  });
  $("add-party").addEventListener("click", () => addParty());
  $("filing").addEventListener("submit", submit);
  addParty("plaintiff", "person");
  addParty("defendant", "person");
}

main();
