// The case page (/dossier/case.html?id=N): staff see the register entry, parties (ID numbers
// masked), hearings, the time limit with its record, closing; a party sees a reduced page.
import { api, el, errorText, formatDateTime, setupHeader, showError } from "/common.js";
import { applyI18n, t } from "/i18n.js";
import { courtDate, label, yuan } from "/dossier/register-common.js";

const id = Number(new URLSearchParams(location.search).get("id"));
const failure = document.getElementById("case-error");
const OUTCOMES = ["judgment", "mediation", "withdrawal", "dismissal", "transfer", "termination", "other"];
const GROUNDS = ["announcement", "appraisal", "jurisdiction", "suspension", "settlement", "higher_court", "other"];

function fact(term, ...value) {
  return [el("dt", {}, t(term)), el("dd", {}, ...value)];
}

function todayInBeijing() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

function showFacts(s) {
  const c = s.case;
  document.getElementById("h-case").textContent = c.case_number;
  document.getElementById("hdr-court").textContent = c.court_name;
  document.getElementById("hdr-case").textContent = c.case_number;
  document.title = `${c.case_number} · ${t("dossier_title")}`;
  const rows = [
    fact("reg_cause", c.cause_name),
    c.procedure ? fact("reg_procedure", label("reg_proc_", c.procedure)) : [],
    c.claim_amount_fen !== null ? fact("reg_amount", yuan(c.claim_amount_fen)) : [],
    fact("reg_judge", c.judge_name || "—"),
    fact("reg_clerk", c.clerk_name || "—"),
    fact("reg_filed_on", courtDate(c.filed_on)),
    fact("reg_status_label", el("span", { class: `status ${c.status}` }, label("reg_status_", c.status))),
    c.closed_on ? fact("reg_closed_on", courtDate(c.closed_on)) : [],
    s.outcome_name ? fact("reg_outcome", label("reg_oc_", s.outcome) || s.outcome_name) : [],
  ];
  document.getElementById("facts").replaceChildren(...rows.flat());
}

function showParties(s) {
  const names = Object.fromEntries(s.parties.map((p) => [p.party_ref, p.name]));
  const rows = s.parties.map((p) => el("tr", {},
    el("td", {}, el("span", { class: "role-tag" }, label("reg_role_", p.role))),
    el("td", {}, p.name, p.represents_ref && names[p.represents_ref]
      ? el("div", { class: "hint" }, `${t("reg_represents")} ${names[p.represents_ref]}`) : null),
    el("td", { class: "num" },
      p.id_number_masked ? `${t("reg_id_number")} ${p.id_number_masked}` : "",
      p.credit_code ? `${t("reg_credit_code")} ${p.credit_code}` : ""),
  ));
  document.querySelector("#parties tbody").replaceChildren(...rows);
}

// A hearing's state: the hearing server's (已排期 … 已闭庭), then 笔录已签署 once its record is
// signed and sealed (transcript.signed), with when.
function hearingState(h) {
  if (!h.record_signed_at) return [el("span", { class: `status ${h.status}` }, label("reg_hs_", h.status))];
  return [el("span", { class: "status signed" }, t("reg_hs_record_signed")),
    el("div", { class: "hint" }, formatDateTime(h.record_signed_at))];
}

function showHearings(s) {
  document.getElementById("no-hearings").hidden = s.hearings.length > 0;
  const rows = s.hearings.map((h) => el("tr", {},
    el("td", { class: "num" }, formatDateTime(h.scheduled_at)),
    el("td", {}, h.place),
    el("td", { class: "num" }, `${h.duration_minutes} ${t("reg_hearing_minutes")}`),
    el("td", {}, ...hearingState(h)),
  ));
  document.querySelector("#hearings tbody").replaceChildren(...rows);
}

function showLinks(s) {
  const c = s.case.id;
  const links = s.viewer === "party"
    ? [["/dossier/my.html", "reg_my_materials"]]
    : [
      s.may_read_dossier ? [`/dossier/materials.html?case=${c}`, "reg_materials"] : null,
      s.may_read_dossier ? [`/dossier/publish.html?case=${c}`, "reg_publish"] : null,
      [`/dossier/grants.html?case=${c}`, "reg_grants"],
      s.may_read_dossier ? [`/dossier/archive.html?case=${c}`, "reg_archive"] : null,
      s.may_read_audit ? [`/dossier/audit.html?case=${c}`, "aud_link"] : null,
    ].filter(Boolean);
  document.getElementById("links").replaceChildren(
    ...links.map(([href, key]) => el("li", {}, el("a", { href }, t(key)))));
}

function eventText(e) {
  if (e.kind === "extension") {
    return `${t("reg_tl_extension")} ${e.months} ${t("reg_tl_months_unit")} · ${label("reg_tl_", e.approver)} ${e.approved_by_name || ""}`;
  }
  if (e.kind === "suspension") {
    const until = e.until ? ` — ${courtDate(e.until)}` : "";
    return `${label("reg_g_", e.ground)}: ${courtDate(e.on_date)}${until}`;
  }
  return `${t("reg_tl_resumption")}: ${courtDate(e.on_date)}`;
}

// The rule's name: the page's own words for the first-instance civil procedures, else the
// law's name of the rule as the data gives it (民事二审, 行政一审, 执行 …).
function ruleName(tl) {
  const own = label("reg_proc_", tl.procedure);
  return own === tl.procedure ? tl.procedure_name : own;
}

function showTimeLimit(s) {
  const card = document.getElementById("tl-card");
  card.hidden = s.viewer !== "staff";
  if (card.hidden) return;
  const tl = s.time_limit;
  const box = document.getElementById("tl");
  if (!tl) {
    box.replaceChildren(el("p", { class: "hint" }, t("reg_tl_none")));
  } else {
    const stateKey = tl.state === "suspended" ? "reg_tl_suspended_now" : `reg_tl_${tl.state}`;
    box.replaceChildren(el("dl", { class: "facts" },
      ...fact("reg_procedure", `${ruleName(tl)}（${tl.article}）`),
      ...fact("reg_tl_due", courtDate(tl.due_on)),
      ...fact("reg_tl_days_left", String(tl.days_left)),
      ...fact("reg_tl_extended", String(tl.extended_months)),
      ...fact("reg_tl_suspended", String(tl.suspended_days)),
      ...fact("reg_status", el("span", { class: `tl-state ${tl.state}` }, t(stateKey))),
    ));
  }
  document.getElementById("tl-events").replaceChildren(...s.time_limit_events.map((e) =>
    el("li", {}, eventText(e), el("span", { class: "hint" }, ` ${e.recorded_by_name} ${formatDateTime(e.recorded_at)}`))));
  document.getElementById("tl-form").hidden = !s.may_record_time_limit;
  document.getElementById("close-card").hidden = !s.may_close;
}

function show(s) {
  showFacts(s);
  showParties(s);
  showHearings(s);
  showLinks(s);
  showTimeLimit(s);
  document.getElementById("back").hidden = s.viewer !== "staff";
  document.getElementById("case-page").hidden = false;
}

function kindChanged() {
  const kind = document.getElementById("tl-kind").value;
  for (const part of document.querySelectorAll("#tl-form [data-for]")) {
    part.hidden = !part.dataset.for.split(" ").includes(kind);
  }
}

function formBody(form) {
  const body = {};
  for (const [name, value] of new FormData(form)) {
    const text = String(value).trim();
    const part = form.querySelector(`[name="${name}"]`).closest("[data-for]");
    if (!text || (part && part.hidden)) continue;
    body[name] = name === "months" ? Number(text) : text;
  }
  return body;
}

function setupForms() {
  const outcome = document.getElementById("c-outcome");
  outcome.append(...OUTCOMES.map((o) => el("option", { value: o }, t(`reg_oc_${o}`))));
  document.getElementById("tl-ground").append(...GROUNDS.map((g) => el("option", { value: g }, t(`reg_g_${g}`))));
  document.getElementById("c-date").value = todayInBeijing();
  document.getElementById("tl-kind").addEventListener("change", kindChanged);
  kindChanged();
  document.getElementById("tl-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = document.getElementById("tl-error");
    showError(error, "");
    try {
      show(await api("POST", `/api/dossier/cases/${id}/time-limit-events`, formBody(event.target)));
      event.target.reset();
      kindChanged();
    } catch (exc) {
      showError(error, errorText(exc));
    }
  });
  document.getElementById("close-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = document.getElementById("close-error");
    showError(error, "");
    try {
      show(await api("POST", `/api/dossier/cases/${id}/close`, formBody(event.target)));
    } catch (exc) {
      showError(error, errorText(exc));
    }
  });
}

async function start() {
  setupHeader();
  applyI18n();
  setupForms();
  try {
    show(await api("GET", `/api/dossier/cases/${id}/summary`));
  } catch (exc) {
    showError(failure, errorText(exc));
  }
}

start();
