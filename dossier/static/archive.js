// The electronic archive of one case (/dossier/archive.html?case=N): the clerk arranges the
// closed case's main volume (drag a row, or the up/down buttons), checks the catalogue and
// submits it; readers open the sealed e-volume; other staff ask to borrow it; the court's
// administrators answer its borrowing requests and see its package's latest fixity check (the
// court's packages, the check run and every request awaiting an answer: archive-admin.html).
import { COURT_TIME_ZONE, api, el, errorText, fill, formatDateTime, formatDay, setupHeader, showError } from "/common.js";
import { t } from "/i18n.js";
import { apiAll } from "/paging.js";
import { PAGE_LIMIT } from "/dossier/register-common.js";
import { borrowerName, problemLines } from "/dossier/archive-common.js";

const caseId = Number(new URLSearchParams(location.search).get("case"));
const $ = (id) => document.getElementById(id);
let view = null;
let order = [];

function status(message) {
  showError($("archive-status"), message);
}

function fail(exc) {
  status("");
  showError($("archive-error"), errorText(exc));
}

function fact(label, value) {
  return [el("dt", {}, label), el("dd", {}, value ?? "—")];
}

// A catalogue date as people read it (2026年12月6日), in the court's time zone.
function day(iso) {
  return new Date(iso).toLocaleDateString(document.documentElement.lang || "zh-CN",
    { year: "numeric", month: "long", day: "numeric", timeZone: COURT_TIME_ZONE });
}

function pages(item) {
  if (item.item_number === null) return t("archive_no_pdf");
  return item.first_page === item.last_page ? String(item.first_page) : `${item.first_page}–${item.last_page}`;
}

function renderFacts() {
  const facts = $("facts");
  facts.replaceChildren(
    ...fact(t("archive_case"), `${view.case_number}（${view.cause_name}）`),
    ...fact(t("archive_status"), t(`archive_status_${view.status}`)),
    ...fact(t("archive_retention"), view.retention_label),
    ...fact(t("archive_number"), view.archive_number),
    ...fact(t("archive_arranged_by"),
      view.arranged_by ? `${t("archive_clerk")} ${view.arranged_by} · ${formatDateTime(view.arranged_at)}` : null),
    ...fact(t("archive_submitted_by"),
      view.submitted_by ? `${t("archive_clerk")} ${view.submitted_by} · ${formatDateTime(view.submitted_at)}` : null),
  );
}

function move(from, to) {
  if (to < 0 || to >= order.length || from === to) return;
  const [id] = order.splice(from, 1);
  order.splice(to, 0, id);
  renderItems();
}

function renderItems() {
  const byId = new Map(view.items.map((item) => [item.material_id, item]));
  const arranging = view.may_arrange;
  const rows = order.map((id, index) => {
    const item = byId.get(id);
    const row = el("tr", { "data-id": String(id), draggable: arranging ? "true" : null },
      el("td", { class: "num" }, String(index + 1)),
      el("td", {}, item.title),
      el("td", {}, item.author),
      el("td", {}, day(item.added_on)),
      el("td", { class: "num" }, pages(item)),
      arranging ? el("td", {},
        el("button", { type: "button", class: "secondary", "aria-label": `${t("archive_up")} ${item.title}`,
          onclick: () => move(index, index - 1), disabled: index === 0 }, "↑"),
        el("button", { type: "button", class: "secondary", "aria-label": `${t("archive_down")} ${item.title}`,
          onclick: () => move(index, index + 1), disabled: index === order.length - 1 }, "↓"),
      ) : null,
    );
    if (arranging) {
      row.addEventListener("dragstart", (e) => {
        e.dataTransfer.setData("text/plain", String(index));
        row.classList.add("dragging");
      });
      row.addEventListener("dragend", () => row.classList.remove("dragging"));
      row.addEventListener("dragover", (e) => { e.preventDefault(); row.classList.add("drop-target"); });
      row.addEventListener("dragleave", () => row.classList.remove("drop-target"));
      row.addEventListener("drop", (e) => {
        e.preventDefault();
        move(Number(e.dataTransfer.getData("text/plain")), index);
      });
    }
    return row;
  });
  $("items").replaceChildren(...rows);
  const numbered = view.items.filter((item) => item.item_number !== null);
  const last = numbered.reduce((max, item) => Math.max(max, item.last_page), 0);
  $("totals").textContent = fill(t("archive_pages_total"), { items: numbered.length, pages: last });
}

// Back to the case page (any staff of the court reads its register entry).
function caseLink() {
  $("to-case").href = `/dossier/case.html?id=${caseId}`;
  $("to-case").hidden = false;
}

function render() {
  setupHeader({ court: view.court_name, caseNumber: view.case_number });
  caseLink();
  document.body.classList.toggle("may-arrange", view.may_arrange);
  $("volume").hidden = false;
  order = view.items.map((item) => item.material_id);
  renderFacts();
  renderItems();
  const read = $("read");
  read.hidden = !view.may_read;
  read.href = `/api/dossier/cases/${caseId}/archive/evolume.pdf`;
  read.textContent = view.borrowing_ends_on
    ? fill(t("archive_read_watermarked"), { date: formatDay(view.borrowing_ends_on) })
    : t("archive_read");
  read.target = "_blank";
  read.rel = "noopener";
}

async function load() {
  try {
    view = await api("GET", `/api/dossier/cases/${caseId}/archive`);
    render();
  } catch (exc) {
    if (exc.status !== 404) throw exc;
    const found = await api("GET", `/api/dossier/cases/${caseId}`);
    setupHeader({ court: found.court_name, caseNumber: found.case_number });
    caseLink();
    $("borrow").hidden = found.status !== "archived";
    if (found.status !== "archived") fail(exc);
  }
}

async function act(work, done) {
  showError($("archive-error"), "");
  try {
    await work();
    status(typeof done === "function" ? done() : done);
  } catch (exc) {
    fail(exc);
  }
}

$("save").addEventListener("click", () => act(async () => {
  view = await api("PUT", `/api/dossier/cases/${caseId}/archive/arrangement`, { material_ids: order });
  render();
}, () => t("archive_saved")));

$("default-order").addEventListener("click", () => act(async () => {
  view = await api("PUT", `/api/dossier/cases/${caseId}/archive/arrangement`, {});
  render();
}, () => t("archive_saved")));

$("submit").addEventListener("click", () => {
  if (!confirm(t("archive_submit_confirm"))) return;
  act(async () => {
    view = await api("POST", `/api/dossier/cases/${caseId}/archive/submit`);
    render();
  }, () => fill(t("archive_submitted"), { number: view.archive_number }));
});

$("borrow").addEventListener("submit", (e) => {
  e.preventDefault();
  act(async () => {
    await api("POST", `/api/dossier/cases/${caseId}/archive/borrowings`,
      { reason: $("borrow-reason").value, days: Number($("borrow-days").value) });
    $("borrow").hidden = true;
  }, () => t("archive_borrow_sent"));
});

function borrowingLine(b) {
  const state = t(`archive_borrow_${b.status}`);
  const until = b.ends_on ? ` ${fill(t("archive_until"), { date: formatDay(b.ends_on) })}` : "";
  const item = el("li", { "data-borrowing": String(b.id) },
    `${t("archive_borrower")} ${borrowerName(b)} · ${b.reason} · ${fill(t("archive_days_n"), { days: b.days })} · ${state}${until}`);
  if (b.status === "requested") {
    for (const [label, approve] of [["archive_approve", true], ["archive_refuse", false]]) {
      item.append(el("button", { type: "button", class: approve ? "" : "secondary",
        onclick: () => act(async () => {
          await api("POST", `/api/dossier/archive/borrowings/${b.id}/decision`, { approve });
          await loadAdmin();
        }, "") }, t(label)));
    }
  }
  return item;
}

// This case's package: its latest check (the court's packages are on archive-admin.html).
function renderFixity(report) {
  const [row] = report.latest;
  $("fixity-summary").textContent = row ? t("archive_case_package") : t("archive_case_unchecked");
  $("fixity-summary").className = report.failures ? "error" : "hint";
  $("fixity").replaceChildren(...report.latest.map((r) => el("li", {},
    el("span", { class: r.ok ? "good" : "bad" }, r.ok ? t("archive_fixity_ok") : t("archive_fixity_bad")),
    ` ${r.archive_number} · ${t("archive_checked_at")} ${formatDateTime(r.checked_at)}`,
    ...problemLines(r.problems).map((text) => el("div", { class: "bad" }, text)),
  )));
}

// The court's administrators: this case's borrowing requests (to answer) and its package's
// latest fixity check, with the way to the court's archive page.
async function loadAdmin() {
  let report;
  try {
    report = await api("GET", `/api/dossier/archive/fixity?case=${caseId}`);
  } catch (exc) {
    return; // not an administrator: no approvals, no fixity
  }
  $("to-archive-admin").hidden = false;
  if (!view || view.status !== "archived") return; // nothing archived: nothing to borrow or check
  $("admin").hidden = false;
  renderFixity(report);
  const borrowings = await apiAll(`/api/dossier/archive/borrowings?case=${caseId}`, PAGE_LIMIT);
  $("borrowings").replaceChildren(...(borrowings.length ? borrowings.map(borrowingLine)
    : [el("li", {}, t("archive_none"))]));
}

setupHeader();
load().catch(fail).then(loadAdmin).catch(fail);
