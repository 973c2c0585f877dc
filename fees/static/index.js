// The fee office's page (诉讼费): find a case's fee account by notice code or case number, see
// everything about it in real time, and do what the viewer's role may (fees/api/deps.py).
import { api, el, setupHeader, showError } from "/common.js";
import { roleLabel, t } from "/i18n.js";
import {
  breakdownRows, chip, colon, day, feeApi, feeError, label, noticeReason, paren, toFen, when, yuan,
} from "/fees/fees-common.js";

const $ = (id) => document.getElementById(id);
const ADJUSTERS = ["judge", "clerk", "filing_clerk", "finance"];
const CASHIERS = ["filing_clerk", "finance"];
const PENDING_REFUND = ["applied", "approved", "processing"];
let me = null;
let account = null;
let cursor = null;

function cell(content, cls) {
  return el("td", cls ? { class: cls } : {}, content ?? "");
}

function fact(key, value) {
  return [el("dt", {}, t(key)), el("dd", {}, value ?? "")];
}

function actor(name) {
  const known = { 系统: "fee_actor_system", 微信支付: "fee_actor_provider" }[name];
  return known ? t(known) : name;
}

function fill(tableId, rows, emptyId) {
  $(tableId).querySelector("tbody").replaceChildren(...rows);
  $(tableId).hidden = rows.length === 0;
  if (emptyId) $(emptyId).hidden = rows.length > 0;
}

// The token of the account's payment link: staff open the party's receipts through it.
function payToken(a) {
  const match = /[?&]t=([A-Za-z0-9_-]+)/.exec(a.pay_link || "");
  return match ? match[1] : "";
}

function renderHead(a) {
  $("a-title").replaceChildren(`${a.case_number} · ${a.cause_name} `, chip("fee_status_", a.status));
  const payer = a.parties.find((p) => p.is_payer);
  $("a-facts").replaceChildren(
    ...fact("fee_notice_code", a.notice_code_display),
    ...fact("fee_court", a.court_name),
    ...fact("fee_col_filed", day(a.filed_on)),
    ...(a.deadline ? fact("fee_deadline_label", el("span", {}, day(a.deadline), " ",
      a.overdue ? chip("fee_", "overdue") : null)) : []),
    ...fact("fee_procedure", label("fee_proc_", a.procedure)),
    ...fact("fee_claim", a.claim_amount_fen === null ? t("fee_no_claim") : yuan(a.claim_amount_fen)),
    ...fact("fee_payer", payer ? `${roleLabel(payer.role)} ${payer.name}` : t("fee_no_payer")),
    ...(a.closed_on ? fact("fee_closed", `${day(a.closed_on)}${paren(label("fee_outcome_", a.outcome))}`) : []),
  );
  const b = a.balances;
  const box = (key, fen, cls = "") => el("div", { class: cls, "data-balance": key },
    el("dt", {}, t(`fee_${key}`)), el("dd", {}, yuan(fen)));
  $("a-balances").replaceChildren(
    box("assessed", b.assessed_fen), box("paid", b.paid_fen), box("refunded", b.refunded_fen),
    box("outstanding", b.outstanding_fen, b.outstanding_fen > 0 ? "due" : ""),
    box("refundable", b.refundable_fen, b.refundable_fen > 0 ? "back" : ""));
}

function renderParties(a) {
  fill("a-parties", a.parties.map((p) => el("tr", {},
    cell(`${roleLabel(p.role)} ${p.name}`), cell(p.phone || "—"), cell(p.email || "—"),
    cell(p.is_payer ? chip("fee_", "payer_mark") : ""))));
}

function breakdownTable(breakdown) {
  const rows = breakdownRows(breakdown);
  return el("table", { class: "fee-table" },
    el("thead", {}, el("tr", {}, el("th", {}, t("fee_bd_item")), el("th", {}, t("fee_bd_calc")),
      el("th", {}, t("fee_bd_article")), el("th", { class: "num" }, t("fee_col_amount")))),
    el("tbody", {}, ...rows.map((r) => el("tr", { class: r.step === "total" || r.step === "subtotal" ? "sum" : "" },
      cell(r.step === "tier" ? r.what : r.step_text), cell(r.part), cell(r.article), cell(r.amount, "num")))));
}

function renderNotices(a) {
  const last = a.notices.length - 1;
  $("a-notices").replaceChildren(...a.notices.map((n, i) => el("div", { class: `fee-notice${i === last ? " current" : ""}` },
    el("h3", {}, `${t("fee_version").replace("{v}", n.version)} · ${yuan(n.amount_fen)}`,
      i === last ? chip("fee_", "current") : null),
    el("p", { class: "meta" },
      [noticeReason(n.reason, n.reason_text),
        `${t("fee_deadline")}${day(n.deadline)}`,
        n.payer_name ? `${t("fee_payer")}${colon()}${n.payer_name}` : null,
        `${when(n.issued_at)} ${actor(n.issued_by)}`].filter(Boolean).join(" · ")),
    el("details", { open: i === last ? "open" : null }, el("summary", {}, t("fee_breakdown")),
      el("div", { class: "fee-scroll" }, breakdownTable(n.breakdown))),
    el("p", { class: "meta" }, el("a", { href: `/api/fees/accounts/${a.id}/notices/${n.version}/pdf`,
      target: "_blank", rel: "noopener" }, t("fee_notice_pdf"))))));
}

function renderSends(a) {
  fill("a-sends", a.sends.slice().reverse().map((s) => el("tr", {},
    cell(when(s.sent_at || s.created_at), "when"),
    cell(`${label("fee_purpose_", s.purpose)}${s.notice_version ? paren(t("fee_version").replace("{v}", s.notice_version)) : ""}`),
    cell(label("fee_ch_", s.channel)),
    cell(s.channel === "express" ? `${s.party_name || ""} ${t("fee_waybill_no")}${s.address}`.trim()
      : `${s.party_name || ""} ${s.address}`.trim()),
    el("td", {}, chip("fee_send_", s.status),
      s.status === "failed" && s.last_error ? el("div", { class: "fee-meta" }, s.last_error) : null),
    cell(actor(s.created_by)))), "a-no-sends");
}

function renderPayments(a) {
  fill("a-orders", a.orders.slice().reverse().map((o) => el("tr", {},
    cell(when(o.paid_at || o.created_at), "when"), cell(o.payer_name), cell(yuan(o.amount_fen), "num"),
    cell(label("fee_pch_", o.channel || "wechat")), cell(chip("fee_order_", o.status)),
    cell(el("span", { class: "mono" }, [o.out_trade_no, o.transaction_id].filter(Boolean).join(" / "))))), "a-no-orders");
  const token = payToken(a);
  fill("a-receipts", a.receipts.map((r) => el("tr", {},
    cell(r.number), cell(yuan(r.amount_fen), "num"), cell(when(r.issued_at)),
    cell(r.ready && token ? el("a", { href: `/api/fees/pay/${token}/receipt?number=${r.number}`, target: "_blank", rel: "noopener" }, t("fee_receipt_open"))
      : t("fee_receipt_pending")))), "a-no-receipts");
}

function renderRefunds(a) {
  fill("a-refunds", a.refunds.slice().reverse().map((r) => el("tr", {},
    cell(`${when(r.applied_at)} ${actor(r.applied_by)}`), cell(yuan(r.amount_fen), "num"),
    cell(label("fee_rch_", r.channel)), cell(chip("fee_refund_", r.status)),
    cell(r.decided_by ? `${actor(r.decided_by)} ${when(r.decided_at)}${r.decision_note ? `${colon()}${r.decision_note}` : ""}`
      : "—"))), "a-no-refunds");
}

function renderLedger(a) {
  fill("a-ledger", a.movements.map((m) => el("tr", {},
    cell(when(m.at), "when"), cell(`${label("fee_kind_", m.kind)}${colon()}${m.memo}`),
    cell(el("ul", { class: "fee-postings" }, ...m.postings.map((p) => el("li", {},
      `${label("fee_ledger_", p.ledger)} ${p.amount_fen > 0 ? "+" : ""}${yuan(p.amount_fen)}`)))),
    cell(actor(m.actor)))));
}

function renderActions(a) {
  const open = a.status === "open";
  const adjust = ADJUSTERS.includes(me.role) && open && a.notices.length > 0;
  const pending = a.refunds.some((r) => PENDING_REFUND.includes(r.status));
  const refund = CASHIERS.includes(me.role) && a.balances.refundable_fen > 0 && !pending;
  const take = CASHIERS.includes(me.role) && open && a.balances.outstanding_fen > 0;
  $("payment-form").hidden = !take;
  if (take && !$("pm-amount").value) $("pm-amount").value = yuan(a.balances.outstanding_fen, { sign: false });
  const payer = a.parties.find((p) => p.is_payer);
  if (take && !$("pm-payer").value && payer) $("pm-payer").value = payer.name;
  $("send-form").hidden = !adjust;
  $("notice-form").hidden = !adjust;
  $("refund-form").hidden = !refund;
  $("rf-amount").textContent = t("fee_refundable_now").replace("{amount}", yuan(a.balances.refundable_fen));
  $("actions").hidden = !ADJUSTERS.includes(me.role) && !CASHIERS.includes(me.role);
  $("actions-none").hidden = adjust || refund || take;
}

function render(a) {
  account = a;
  renderHead(a);
  renderParties(a);
  renderNotices(a);
  renderSends(a);
  renderPayments(a);
  renderRefunds(a);
  renderLedger(a);
  renderActions(a);
  $("account").hidden = false;
}

async function lookup(q) {
  showError($("search-error"), "");
  try {
    const a = await feeApi("GET", `/api/fees/lookup?q=${encodeURIComponent(q)}`);
    render(a);
    history.replaceState(null, "", `?q=${encodeURIComponent(a.case_number)}`);
  } catch (exc) {
    $("account").hidden = true;
    showError($("search-error"), feeError(exc));
  }
}

async function reload() {
  render(await feeApi("GET", `/api/fees/accounts/${account.id}`));
}

// A form of the actions panel: its error and status lines, its button disabled meanwhile.
function action(form, work) {
  const error = form.querySelector(".error");
  const status = form.querySelector(".fee-status");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, "");
    showError(status, "");
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const done = await work();
      if (done && done.problem) { showError(error, done.problem); return; }
      await reload();
      showError(status, done && done.ok ? done.ok : t("fee_done"));
    } catch (exc) {
      showError(error, feeError(exc));
    } finally {
      button.disabled = false;
    }
  });
}

function syncReason() {
  const reason = $("n-reason").value;
  for (const box of $("notice-form").querySelectorAll("[data-for]")) box.hidden = box.dataset.for !== reason;
}

function setupActions() {
  action($("send-form"), async () => {
    const form = $("send-form");
    const channels = ["sms", "email"].filter((c) => form.elements[c].checked);
    const waybill = $("waybill").value.trim();
    if (!channels.length && !waybill) return { problem: t("fee_send_choose") };
    await feeApi("POST", `/api/fees/accounts/${account.id}/sends`,
      { channels, express_waybill: waybill || null });
    $("waybill").value = "";
    return { ok: t("fee_sent_ok") };
  });
  $("n-reason").addEventListener("change", syncReason);
  syncReason();
  action($("notice-form"), async () => {
    const reason = $("n-reason").value;
    const body = { reason, note: $("n-note").value.trim(), send: $("n-send").checked };
    if (reason === "claim_changed") {
      body.claim_amount_fen = toFen($("n-claim").value);
      if (body.claim_amount_fen === null) return { problem: t("fee_amount_invalid") };
    } else if (reason === "reduced") {
      body.amount_fen = toFen($("n-amount").value);
      if (body.amount_fen === null) return { problem: t("fee_amount_invalid") };
    } else if (reason === "deferred") {
      if (!$("n-deadline").value) return { problem: t("fee_deadline_needed") };
      body.deadline = $("n-deadline").value;
    }
    if (!confirm(t("fee_reissue_confirm"))) return { problem: "" };
    await feeApi("POST", `/api/fees/accounts/${account.id}/notices`, body);
    $("n-note").value = "";
    return { ok: t("fee_reissued_ok") };
  });
  action($("payment-form"), async () => {
    const amount = toFen($("pm-amount").value);
    if (!amount) return { problem: t("fee_amount_invalid") };
    const reference = $("pm-reference").value.trim();
    if (!/^[0-9A-Za-z-]{4,64}$/.test(reference)) return { problem: t("fee_reference_invalid") };
    const payerName = $("pm-payer").value.trim();
    if (!payerName) return { problem: t("fee_payer_needed") };
    await feeApi("POST", `/api/fees/accounts/${account.id}/payments`,
      { amount_fen: amount, channel: $("pm-channel").value, reference, payer_name: payerName });
    $("pm-reference").value = "";
    $("pm-amount").value = "";
    return { ok: t("fee_payment_recorded_ok") };
  });
  $("rf-channel").addEventListener("change", () => { $("rf-bank").hidden = $("rf-channel").value !== "bank"; });
  action($("refund-form"), async () => {
    const applicant = $("rf-applicant").value.trim();
    if (!applicant) return { problem: t("fee_applicant_needed") };
    const channel = $("rf-channel").value;
    const body = { channel, applicant };
    if (channel === "bank") {
      body.bank = { bank: $("rf-bank-name").value.trim(), account_name: $("rf-account-name").value.trim(),
        account_no: $("rf-account-no").value.trim() };
      if (!body.bank.bank || !body.bank.account_name || !body.bank.account_no) return { problem: t("fee_bank_needed") };
    }
    await feeApi("POST", `/api/fees/accounts/${account.id}/refunds`, body);
    $("rf-applicant").value = "";
    return { ok: t("fee_refund_applied_ok") };
  });
}

async function loadAccounts(more = false) {
  showError($("list-error"), "");
  const status = $("list-status").value;
  const params = new URLSearchParams({ limit: "20" });
  if (status) params.set("status", status);
  if (more && cursor) params.set("cursor", cursor);
  try {
    const page = await feeApi("GET", `/api/fees/accounts?${params}`);
    const rows = page.items.map((a) => el("tr", {},
      cell(el("a", { href: `?q=${encodeURIComponent(a.case_number)}`, "data-case": a.case_number,
        onclick: (event) => { event.preventDefault(); $("q").value = a.case_number; lookup(a.case_number); scrollTo(0, 0); } },
      a.case_number)),
      cell(a.cause_name), cell(day(a.filed_on)), cell(yuan(a.balances.assessed_fen), "num"),
      cell(yuan(a.balances.paid_fen), "num"), cell(yuan(a.balances.outstanding_fen), "num"),
      el("td", {}, chip("fee_status_", a.status), " ", a.overdue ? chip("fee_", "overdue") : null)));
    const body = $("accounts").querySelector("tbody");
    if (more) body.append(...rows); else body.replaceChildren(...rows);
    cursor = page.next_cursor;
    $("more").hidden = !cursor;
    $("empty").hidden = body.children.length > 0;
  } catch (exc) {
    showError($("list-error"), feeError(exc));
  }
}

async function main() {
  try {
    me = await api("GET", "/api/auth/me");
  } catch {
    location.href = `/login.html?next=${encodeURIComponent(location.pathname + location.search)}`;
    return;
  }
  setupHeader({ court: me.court_name });
  $("who").textContent = `${roleLabel(me.role)} ${me.display_name}`;
  $("finance-link").hidden = me.role !== "finance";
  if (!["judge", "clerk", "filing_clerk", "court_admin", "finance"].includes(me.role)) {
    showError($("page-error"), t("fee_no_access"));
    $("search").hidden = true;
    return;
  }
  setupActions();
  $("search").addEventListener("submit", (event) => {
    event.preventDefault();
    const q = $("q").value.trim();
    if (q) lookup(q);
  });
  $("list-status").addEventListener("change", () => loadAccounts());
  $("more").addEventListener("click", () => loadAccounts(true));
  const q = new URLSearchParams(location.search).get("q");
  if (q) {
    $("q").value = q;
    await lookup(q);
  }
  await loadAccounts();
}

main();
