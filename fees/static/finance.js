// The finance officer's page (财务): refunds to approve or reject, bank and cash refunds to mark
// paid, reconciliation with the provider's bill, provider notifications flagged for a look.
import { api, el, setupHeader, showError } from "/common.js";
import { roleLabel, t } from "/i18n.js";
import { chip, colon, day, feeApi, feeError, label, when, yuan } from "/fees/fees-common.js";

const $ = (id) => document.getElementById(id);
let me = null;
const cursors = { applied: null, runs: null, flagged: null };

function cell(content, cls) {
  return el("td", cls ? { class: cls } : {}, content ?? "");
}

function actor(name) {
  const known = { 系统: "fee_actor_system", 微信支付: "fee_actor_provider" }[name];
  return known ? t(known) : name;
}

function caseLink(number) {
  return el("a", { href: `/fees/?q=${encodeURIComponent(number)}` }, number);
}

// ---------------------------------------------------------------- refunds

function decisionCell(r) {
  if (me.role !== "finance") return cell("—");
  const note = el("input", { maxlength: "500", "aria-label": t("fee_decision_note"),
    placeholder: t("fee_decision_note") });
  const approve = el("button", { type: "button", class: "small" }, t("fee_approve"));
  const reject = el("button", { type: "button", class: "small secondary" }, t("fee_reject"));
  const decide = async (yes) => {
    if (!yes && !note.value.trim()) { showError($("applied-error"), t("fee_reject_note_needed")); note.focus(); return; }
    approve.disabled = reject.disabled = true;
    showError($("applied-error"), "");
    try {
      await feeApi("POST", `/api/fees/refunds/${r.id}/decision`, { approve: yes, note: note.value.trim() });
      showError($("applied-status"), (yes ? t("fee_approved_ok") : t("fee_rejected_ok"))
        .replace("{case}", r.case_number).replace("{amount}", yuan(r.amount_fen)));
      await Promise.all([loadApplied(), loadApproved()]);
    } catch (exc) {
      showError($("applied-error"), feeError(exc));
      approve.disabled = reject.disabled = false;
    }
  };
  approve.addEventListener("click", () => decide(true));
  reject.addEventListener("click", () => decide(false));
  return el("td", {}, el("div", { class: "fee-actions" }, note, approve, reject));
}

async function loadApplied(more = false) {
  showError($("applied-error"), "");
  const params = new URLSearchParams({ status: "applied", limit: "20" });
  if (more && cursors.applied) params.set("cursor", cursors.applied);
  try {
    const page = await feeApi("GET", `/api/fees/refunds?${params}`);
    const rows = page.items.map((r) => el("tr", { "data-refund-case": r.case_number },
      cell(caseLink(r.case_number)), cell(yuan(r.amount_fen), "num"), cell(label("fee_rch_", r.channel)),
      cell(`${actor(r.applied_by)} ${when(r.applied_at)}`), decisionCell(r)));
    const body = $("applied").querySelector("tbody");
    if (more) body.append(...rows); else body.replaceChildren(...rows);
    cursors.applied = page.next_cursor;
    $("r-more").hidden = !page.next_cursor;
    $("applied-none").hidden = body.children.length > 0;
    $("applied").hidden = body.children.length === 0;
  } catch (exc) {
    showError($("applied-error"), feeError(exc));
  }
}

async function loadApproved() {
  showError($("approved-error"), "");
  try {
    const [approved, processing] = await Promise.all([
      feeApi("GET", "/api/fees/refunds?status=approved&limit=100"),
      feeApi("GET", "/api/fees/refunds?status=processing&limit=100"),
    ]);
    const rows = [...approved.items, ...processing.items].map((r) => {
      const byHand = r.channel !== "original" && r.status === "approved" && me.role === "finance";
      const paid = el("button", { type: "button", class: "small" }, t("fee_mark_paid"));
      paid.addEventListener("click", async () => {
        if (!confirm(t("fee_mark_paid_confirm").replace("{case}", r.case_number).replace("{amount}", yuan(r.amount_fen)))) return;
        paid.disabled = true;
        try {
          await feeApi("POST", `/api/fees/refunds/${r.id}/paid`);
          await loadApproved();
        } catch (exc) {
          showError($("approved-error"), feeError(exc));
          paid.disabled = false;
        }
      });
      return el("tr", {}, cell(caseLink(r.case_number)), cell(yuan(r.amount_fen), "num"),
        cell(label("fee_rch_", r.channel)), cell(chip("fee_refund_", r.status)),
        cell(`${actor(r.decided_by || "")} ${when(r.decided_at)}${r.decision_note ? `${colon()}${r.decision_note}` : ""}`),
        cell(byHand ? paid : r.channel === "original" ? t("fee_by_provider") : ""));
    });
    $("approved").querySelector("tbody").replaceChildren(...rows);
    $("approved").hidden = rows.length === 0;
    $("approved-none").hidden = rows.length > 0;
  } catch (exc) {
    showError($("approved-error"), feeError(exc));
  }
}

// ---------------------------------------------------------------- reconciliation

// Discrepancies as the server lists them: a list, or lists by category.
function discrepancies(items) {
  if (Array.isArray(items)) return items;
  const out = [];
  for (const [category, list] of Object.entries(items || {})) {
    if (Array.isArray(list)) for (const item of list) out.push({ category, ...item });
  }
  return out;
}

function firstOf(item, names) {
  for (const name of names) if (item[name] !== undefined && item[name] !== null) return item[name];
  return null;
}

function amountText(value) {
  if (value === null) return "—";
  return typeof value === "number" ? yuan(value) : String(value);
}

function showRun(run) {
  const s = run.summary || {};
  $("recon-title").textContent = t("fee_recon_of").replace("{date}", day(run.bill_date));
  const box = (key, value, cls = "") => el("div", { class: cls }, el("dt", {}, t(`fee_rc_${key}`)), el("dd", {}, value));
  $("recon-summary").replaceChildren(
    box("matched", String(s.matched ?? 0)),
    box("missing", String(s.missing ?? 0), s.missing ? "due" : ""),
    box("extra", String(s.extra ?? 0), s.extra ? "due" : ""),
    box("mismatched", String(s.mismatched ?? 0), s.mismatched ? "due" : ""),
    box("boundary", String(s.boundary ?? 0)),
    box("bill_total", yuan(s.bill_total_fen ?? 0)),
    box("local_total", yuan(s.local_total_fen ?? 0)),
    ...(s.booked_now ? [box("booked_now", String(s.booked_now), "back")] : []));
  const rows = discrepancies(run.items).map((item) => {
    const category = item.category || item.type || item.kind_of || "";
    const problem = [category ? label("fee_rc_cat_", category) : null,
      item.kind ? label("fee_kind_", item.kind) : null,
      item.reason ? label("fee_rc_reason_", item.reason) : null,
      item.field ? label("fee_rc_field_", item.field) : null,
      item.expected_in ? t("fee_rc_expected_in").replace("{date}", day(item.expected_in)) : null,
    ].filter(Boolean).join(" · ");
    const bill = firstOf(item, ["bill_fen", "bill_amount_fen", "bill_value"]) ?? (category === "extra" ? firstOf(item, ["amount_fen"]) : null);
    const local = firstOf(item, ["local_fen", "local_amount_fen", "local_value"]) ?? (category !== "extra" ? firstOf(item, ["amount_fen"]) : null);
    return el("tr", {}, cell(problem), cell(el("span", { class: "mono" }, item.reference || "")),
      cell(amountText(bill), "num"), cell(amountText(local), "num"));
  });
  $("recon-items").querySelector("tbody").replaceChildren(...rows);
  $("recon-items").hidden = rows.length === 0;
  $("recon-clean").hidden = !(s.clean ?? rows.length === 0);
  $("recon-result").hidden = false;
}

function runOutcome(s) {
  const problems = (s.missing || 0) + (s.extra || 0) + (s.mismatched || 0);
  return problems ? t("fee_recon_problems").replace("{n}", problems) : t("fee_recon_ok");
}

async function loadRuns(more = false) {
  const params = new URLSearchParams({ limit: "10" });
  if (more && cursors.runs) params.set("cursor", cursors.runs);
  try {
    const page = await feeApi("GET", `/api/fees/reconciliations?${params}`);
    const rows = page.items.map((run) => {
      const open = el("button", { type: "button", class: "small secondary" }, t("fee_view"));
      open.addEventListener("click", async () => {
        try { showRun(await feeApi("GET", `/api/fees/reconciliations/${run.id}`)); }
        catch (exc) { showError($("recon-error"), feeError(exc)); }
      });
      return el("tr", {}, cell(day(run.bill_date)), cell(`${when(run.created_at)} ${actor(run.created_by || "")}`),
        cell(String(run.bill_lines ?? ""), "num"), cell(runOutcome(run.summary || {})), cell(open));
    });
    const body = $("runs").querySelector("tbody");
    if (more) body.append(...rows); else body.replaceChildren(...rows);
    cursors.runs = page.next_cursor;
    $("rec-more").hidden = !page.next_cursor;
    $("runs-none").hidden = body.children.length > 0;
    $("runs").hidden = body.children.length === 0;
  } catch (exc) {
    $("runs").hidden = true;
    $("runs-none").hidden = true;
    showError($("recon-error"), feeError(exc));
  }
}

// ---------------------------------------------------------------- notifications

async function loadFlagged(more = false) {
  const params = new URLSearchParams({ flagged: "true", limit: "20" });
  if (more && cursors.flagged) params.set("cursor", cursors.flagged);
  try {
    const page = await feeApi("GET", `/api/fees/notifications?${params}`);
    const rows = page.items.map((n) => el("tr", {},
      cell(when(n.received_at)), cell(el("span", { class: "mono" }, n.reference || "—")),
      cell(label("fee_nt_", n.outcome)),
      cell(n.detail ? el("details", {}, el("summary", {}, t("fee_detail_raw")), el("span", { class: "mono" }, n.detail)) : "")));
    const body = $("flagged").querySelector("tbody");
    if (more) body.append(...rows); else body.replaceChildren(...rows);
    cursors.flagged = page.next_cursor;
    $("n-more").hidden = !page.next_cursor;
    $("flagged-none").hidden = body.children.length > 0;
    $("flagged").hidden = body.children.length === 0;
  } catch (exc) {
    $("flagged").hidden = true;
    showError($("flagged-error"), feeError(exc));
  }
}

function yesterday() {
  // The court's calendar day (Beijing), one day back.
  const now = new Date(Date.now() + 8 * 3600 * 1000 - 24 * 3600 * 1000);
  return now.toISOString().slice(0, 10);
}

async function main() {
  try {
    me = await api("GET", "/api/auth/me");
  } catch {
    location.href = `/login.html?next=${encodeURIComponent(location.pathname)}`;
    return;
  }
  setupHeader({ court: me.court_name });
  $("who").textContent = `${roleLabel(me.role)} ${me.display_name}`;
  if (!["judge", "clerk", "filing_clerk", "court_admin", "finance"].includes(me.role)) {
    showError($("page-error"), t("fee_no_access"));
    for (const section of document.querySelectorAll("main section")) section.hidden = true;
    return;
  }
  // Reconciliation and the provider's notifications are the finance officer's alone.
  const finance = me.role === "finance";
  $("readonly").hidden = finance;
  $("h-recon").closest("section").hidden = !finance;
  $("h-flagged").closest("section").hidden = !finance;
  $("bill-date").value = yesterday();
  $("bill-date").max = yesterday();
  $("recon-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    showError($("recon-error"), "");
    const button = $("recon-form").querySelector("button");
    button.disabled = true;
    try {
      showRun(await feeApi("POST", "/api/fees/reconciliations", { bill_date: $("bill-date").value }));
      await loadRuns();
    } catch (exc) {
      showError($("recon-error"), feeError(exc));
    } finally {
      button.disabled = false;
    }
  });
  $("r-more").addEventListener("click", () => loadApplied(true));
  $("rec-more").addEventListener("click", () => loadRuns(true));
  $("n-more").addEventListener("click", () => loadFlagged(true));
  await Promise.all([loadApplied(), loadApproved(), ...(finance ? [loadRuns(), loadFlagged()] : [])]);
}

main();
