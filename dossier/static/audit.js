// A case's audit trail (/dossier/audit.html?case=N), for the court's administrators and the
// case's judge: newest first, 50 a page with "more" (the Link header), filtered by a part of a
// person's name and by action, exported as CSV with the same filters. Who acted is shown by role
// and name, a material by its title; times in court time (Asia/Shanghai).
import { api, COURT_TIME_ZONE, el, errorText, setupHeader, showError } from "/common.js";
import { lang, roleLabel, t } from "/i18n.js";
import { courtDate, fetchPage, label } from "/dossier/register-common.js";

// Every action the dossier records (dossier/audit_trail.py ACTIONS, in its order).
const ACTIONS = [
  "case.filed", "case.closed", "court_code.set",
  "time_limit.extension", "time_limit.suspension", "time_limit.resumption",
  "material.added", "material.version_added", "materials.listed", "material.viewed",
  "material.downloaded", "material.not_filed_archived",
  "publication.created", "publication.withdrawn", "grant.created", "grant.revoked", "comment.added",
  "archive.arranged", "archive.submitted", "archive.evolume_read", "archive.borrow_requested",
  "archive.borrow_approved", "archive.borrow_refused", "archive.fixity_checked",
  "audit.read", "audit.exported",
];
// Coded details whose words other parts of the dossier already have; the rest are aud_v_<key>_.
const PREFIXES = {
  outcome: "reg_oc_", ground: "reg_g_", approver: "reg_tl_",
  purpose: "dpub_grants_purpose_", review_body: "dpub_grants_body_",
};

const caseId = Number(new URLSearchParams(location.search).get("case"));
const form = document.getElementById("filters");
const body = document.querySelector("#trail tbody");
const more = document.getElementById("more");
const failure = document.getElementById("audit-error");
let next = null;

function actionLabel(action) {
  return label("aud_a_", action.replaceAll(".", "_")) || action;
}

function person(kind, role, name) {
  if (kind === "system") return t("aud_system");
  return role ? `${roleLabel(role)} ${name}` : name;
}

function courtTime(iso) {
  return new Date(iso).toLocaleString(lang(), {
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
    second: "2-digit", hour12: false, timeZone: COURT_TIME_ZONE,
  });
}

function factValue(f) {
  if (f.kind === "person") return person("staff", f.role, f.value);
  if (f.kind === "date") return courtDate(f.value);
  if (f.kind === "code") {
    if (f.key === "filter_action") return actionLabel(f.value);
    return label(PREFIXES[f.key] || `aud_v_${f.key}_`, f.value);
  }
  return f.value;
}

function details(facts) {
  const [colon, semicolon] = lang() === "en" ? [": ", "; "] : ["：", "；"];
  return facts.map((f) => `${t(`aud_d_${f.key}`)}${colon}${factValue(f)}`).join(semicolon);
}

function row(entry) {
  return el("tr", {},
    el("td", { class: "num" }, courtTime(entry.at)),
    el("td", {}, person(entry.actor_kind, entry.actor_role, entry.actor_name)),
    el("td", {}, actionLabel(entry.action)),
    el("td", {}, entry.material_title || ""),
    el("td", { class: "aud-details" }, details(entry.details)),
  );
}

function filters() {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(form)) {
    if (String(value).trim()) params.set(name, String(value).trim());
  }
  return params;
}

async function load(url, append) {
  showError(failure, "");
  try {
    const page = await fetchPage(url);
    if (!append) body.replaceChildren();
    body.append(...page.items.map(row));
    next = page.next;
    more.hidden = !next;
    document.getElementById("empty").hidden = body.children.length > 0;
    document.getElementById("trail-card").hidden = false;
  } catch (exc) {
    showError(failure, errorText(exc));
  }
}

function search() {
  const params = filters();
  const query = params.toString();
  document.getElementById("csv").href = `/api/dossier/cases/${caseId}/audit.csv${query ? `?${query}` : ""}`;
  params.set("limit", "50");
  return load(`/api/dossier/cases/${caseId}/audit?${params}`, false);
}

async function start() {
  setupHeader();
  const select = document.getElementById("f-action");
  select.append(...ACTIONS.map((a) => el("option", { value: a }, actionLabel(a))));
  document.getElementById("back").href = `/dossier/case.html?id=${caseId}`;
  try {
    const info = await api("GET", `/api/dossier/cases/${caseId}`);
    setupHeader({ court: info.court_name, caseNumber: info.case_number });
    document.title = `${t("aud_title")} · ${info.case_number}`;
  } catch (exc) {
    showError(failure, errorText(exc));
    form.hidden = true;
    return;
  }
  form.addEventListener("submit", (event) => { event.preventDefault(); search(); });
  more.addEventListener("click", () => { if (next) load(next, true); });
  await search();
  if (!failure.hidden) {
    form.hidden = true;
    return;
  }
  document.getElementById("csv").hidden = false;
}

start();
