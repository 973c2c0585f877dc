// The court's archive (/dossier/archive-admin.html), for its administrators: the fixity check of
// every archival package (when it last ran, how many packages, the failures with their archive
// and case numbers, a check run now) and the borrowing requests (调阅) awaiting an answer.
import { api, el, errorText, fill, formatDateTime, setupHeader, showError } from "/common.js";
import { roleLabel, t } from "/i18n.js";
import { apiAll } from "/paging.js";
import { PAGE_LIMIT } from "/dossier/register-common.js";
import { borrowerName, problemLines } from "/dossier/archive-common.js";

const $ = (id) => document.getElementById(id);

function status(message) {
  showError($("admin-error"), "");
  showError($("admin-status"), message);
}

function fail(exc) {
  showError($("admin-status"), "");
  showError($("admin-error"), errorText(exc));
}

function fact(label, value) {
  return [el("dt", {}, label), el("dd", {}, value)];
}

function caseLink(id, number, page = "case") {
  const href = page === "archive" ? `/dossier/archive.html?case=${id}` : `/dossier/case.html?id=${id}`;
  return el("a", { href }, number);
}

function renderFixity(report) {
  $("fixity-how").textContent = fill(t("archive_fixity_how"), { hours: report.interval_hours });
  $("fixity-facts").replaceChildren(
    ...fact(t("archive_last_checked"),
      report.last_checked_at ? formatDateTime(report.last_checked_at) : t("archive_never_checked")),
    ...fact(t("archive_fixity_result"), el("span", { id: "fixity-summary", class: report.failures ? "error" : "" },
      fill(t("archive_fixity_summary"), report))),
    ...(report.unchecked ? fact(t("archive_unchecked"), String(report.unchecked)) : []),
  );
  const failing = report.latest.filter((row) => !row.ok);
  $("failures").hidden = failing.length === 0;
  $("no-failures").hidden = failing.length > 0 || report.packages === 0;
  $("failures").querySelector("tbody").replaceChildren(...failing.map((row) =>
    el("tr", { "data-archive-number": row.archive_number },
      el("td", { class: "num" }, el("span", { class: "bad" }, t("archive_fixity_bad")), ` ${row.archive_number}`),
      el("td", { class: "num" }, caseLink(row.case_id, row.case_number)),
      el("td", { class: "num" }, formatDateTime(row.checked_at)),
      el("td", {}, ...problemLines(row.problems).map((text) => el("div", { class: "bad" }, text))),
    )));
}

function decisionButtons(b) {
  return [["archive_approve", true], ["archive_refuse", false]].map(([label, approve]) =>
    el("button", { type: "button", class: approve ? "" : "secondary",
      "aria-label": `${t(label)} ${borrowerName(b)} ${b.case_number}`,
      onclick: () => decide(b, approve) }, t(label)));
}

async function decide(b, approve) {
  try {
    const answered = await api("POST", `/api/dossier/archive/borrowings/${b.id}/decision`, { approve });
    status(fill(t("archive_decided"), {
      state: t(`archive_borrow_${answered.status}`), case: answered.case_number, who: borrowerName(answered),
    }));
    await loadAwaiting();
  } catch (exc) {
    fail(exc);
  }
}

async function loadAwaiting() {
  const awaiting = await apiAll("/api/dossier/archive/borrowings?status=requested", PAGE_LIMIT);
  $("awaiting").hidden = awaiting.length === 0;
  $("no-awaiting").hidden = awaiting.length > 0;
  $("awaiting").querySelector("tbody").replaceChildren(...awaiting.map((b) =>
    el("tr", { "data-borrowing": String(b.id) },
      el("td", { class: "num" }, caseLink(b.case_id, b.case_number, "archive")),
      el("td", {}, borrowerName(b)),
      el("td", {}, b.reason),
      el("td", { class: "num" }, fill(t("archive_days_n"), { days: b.days })),
      el("td", { class: "num" }, formatDateTime(b.requested_at)),
      el("td", { class: "decide" }, ...decisionButtons(b)),
    )));
  $("awaiting-card").hidden = false;
}

async function start() {
  setupHeader();
  let me;
  try {
    me = await api("GET", "/api/auth/me");
  } catch (exc) {
    fail(exc);
    return;
  }
  setupHeader({ court: me.court_name, caseNumber: t("archive_admin_title") });
  $("who").textContent = `${roleLabel(me.role)} ${me.display_name}`;
  let report;
  try {
    report = await api("GET", "/api/dossier/archive/fixity?failing=true");
  } catch (exc) {
    fail(exc); // not a court administrator: the page says so, and shows nothing
    return;
  }
  renderFixity(report);
  $("fixity-card").hidden = false;
  await loadAwaiting();
}

$("fixity-run").addEventListener("click", async () => {
  const button = $("fixity-run");
  button.disabled = true;
  status(t("archive_fixity_running"));
  try {
    const report = await api("POST", "/api/dossier/archive/fixity/run?failing=true");
    renderFixity(report);
    status(t("archive_fixity_done"));
  } catch (exc) {
    fail(exc);
  } finally {
    button.disabled = false;
  }
});

start().catch(fail);
