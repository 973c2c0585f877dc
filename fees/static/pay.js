// The party's payment page (the link in the notice's SMS, e-mail and QR code; no login): what is
// due and by when; an SMS code, then the WeChat Pay QR code; the payment's outcome and the
// receipt; after the case ends, a refund application confirmed by a new code, and its progress.
import { el, setupHeader, showError } from "/common.js";
import { t } from "/i18n.js";
import {
  colon, day, feeApi, feeError, label, noticeReason, paren, svgNode, when, yuan,
} from "/fees/fees-common.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const TOKEN = params.get("t") || "";
const WANTED_RECEIPT = params.get("receipt") || "";
const BASE = `/api/fees/pay/${encodeURIComponent(TOKEN)}`;
const POLL_ORDER_MS = 2000;
const POLL_VIEW_MS = 3000;
const CODE_COOLDOWN_S = 60;
const PENDING_REFUND = ["applied", "approved", "processing"];
let view = null;
let order = null;
let orderTimer = null;
let viewTimer = null;

function fact(key, value) {
  return [el("dt", {}, t(key)), el("dd", {}, value ?? "")];
}

function show(id, visible) {
  $(id).hidden = !visible;
}

// ---------------------------------------------------------------- what the link shows

function renderDue(v) {
  const b = v.balances;
  const amount = $("due-amount");
  amount.classList.toggle("settled", b.outstanding_fen <= 0);
  if (b.outstanding_fen > 0) {
    $("due-label").textContent = t("fee_due_now");
    amount.textContent = yuan(b.outstanding_fen);
    $("due-by").textContent = v.deadline ? t("fee_due_by").replace("{date}", day(v.deadline)) : "";
  } else if (b.refundable_fen > 0) {
    // A refund under way: the money is on its way back, not to be applied for again.
    const pending = v.refunds.some((r) => PENDING_REFUND.includes(r.status));
    $("due-label").textContent = pending ? t("fee_refund_under_way") : t("fee_refundable_label");
    amount.textContent = yuan(b.refundable_fen);
    $("due-by").textContent = pending ? t("fee_refund_under_way_hint")
      : v.status === "closed" ? t("fee_refundable_closed") : "";
  } else {
    $("due-label").textContent = b.paid_fen > 0 ? t("fee_settled") : t("fee_nothing_due");
    amount.textContent = yuan(b.paid_fen - b.refunded_fen);
    $("due-by").textContent = v.status === "closed" ? t("fee_case_closed") : "";
  }
  show("due", true);
}

function renderFacts(v) {
  const b = v.balances;
  const last = v.notices[v.notices.length - 1];
  $("facts").replaceChildren(
    ...fact("fee_col_case", v.case_number),
    ...fact("fee_col_cause", v.cause_name),
    ...(v.payer_name ? fact("fee_payer", v.payer_name) : []),
    ...fact("fee_notice_code", v.notice_code_display),
    ...fact("fee_assessed", yuan(b.assessed_fen)),
    ...fact("fee_paid", yuan(b.paid_fen)),
    ...(b.refunded_fen ? fact("fee_refunded", yuan(b.refunded_fen)) : []),
    ...(last && last.version > 1 ? fact("fee_notice_now", `${t("fee_version").replace("{v}", last.version)}${last.reason_text ? paren(noticeReason(null, last.reason_text)) : ""}`) : []),
    ...fact("fee_case_status", label("fee_pstatus_", v.status)));
  $("notice-pdf").href = `${BASE}/notice`;
  $("notice-pdf").hidden = v.notices.length === 0;
  show("case", true);
}

function renderReceipts(v) {
  const list = v.receipts.map((r) => {
    const item = el("li", { "data-receipt": r.number, class: r.number === WANTED_RECEIPT ? "highlight" : "" },
      el("span", {}, `${t("fee_receipt_no")} ${r.number}`), el("span", { class: "amt" }, yuan(r.amount_fen)),
      r.ready
        ? el("a", { class: "go", href: `${BASE}/receipt?number=${r.number}`, target: "_blank", rel: "noopener" }, t("fee_receipt_view"))
        : el("span", { class: "go hint" }, t("fee_receipt_making")),
      el("span", { class: "meta" }, when(r.issued_at)));
    return item;
  });
  $("receipt-list").replaceChildren(...list);
  show("receipts", list.length > 0 || Boolean(WANTED_RECEIPT));
  show("receipt-missing", Boolean(WANTED_RECEIPT) && !v.receipts.some((r) => r.number === WANTED_RECEIPT));
  show("receipt-retry", v.receipts.some((r) => !r.ready));
  const wanted = $("receipt-list").querySelector("li.highlight");
  if (wanted && !renderReceipts.scrolled) {
    renderReceipts.scrolled = true;
    wanted.scrollIntoView({ block: "center" });
  }
}

function refundLine(r) {
  const state = label("fee_prefund_", r.status);
  const whenText = r.completed_at ? `${t("fee_refund_done_at")}${when(r.completed_at)}`
    : r.decided_at ? `${label("fee_prefund_", r.status)} ${when(r.decided_at)}` : `${t("fee_refund_applied_at")}${when(r.applied_at)}`;
  return el("li", { "data-refund-status": r.status },
    el("span", {}, label("fee_rch_", r.channel)), el("span", { class: "amt" }, yuan(r.amount_fen)),
    el("span", { class: `go fee-chip fee_refund-${r.status}` }, state),
    el("span", { class: "meta" }, whenText + (r.status === "rejected" && r.decision_note ? `${colon()}${r.decision_note}` : "")));
}

function renderRefunds(v) {
  const pending = v.refunds.some((r) => PENDING_REFUND.includes(r.status));
  $("refund-list").replaceChildren(...v.refunds.slice().reverse().map(refundLine));
  show("refunds", v.refunds.length > 0);
  const may = v.status === "closed" && v.balances.refundable_fen > 0 && !pending;
  show("refund", may);
  $("refund-amount").textContent = t("fee_refund_amount").replace("{amount}", yuan(v.balances.refundable_fen));
  $("rf-code-to").textContent = v.payer_phone ? t("fee_code_to").replace("{phone}", v.payer_phone) : "";
  return pending;
}

function renderPay(v) {
  const due = v.status === "open" && v.balances.outstanding_fen > 0;
  show("offline", due && !v.online);
  $("offline-text").textContent = t("fee_offline_text").replace("{code}", v.notice_code_display);
  const paying = order && order.status !== "closed";
  show("pay", (due && v.online) || Boolean(paying && order.status === "created"));
  if (v.payer_phone) {
    $("code-to").textContent = t("fee_code_to").replace("{phone}", v.payer_phone);
    show("phone-box", false);
  } else {
    $("code-to").textContent = t("fee_code_no_phone");
    show("phone-box", true);
  }
}

function render(v) {
  view = v;
  show("loading", false);
  renderDue(v);
  renderFacts(v);
  renderPay(v);
  renderReceipts(v);
  const pending = renderRefunds(v);
  // Things still moving on the server: a receipt being made, a refund under way.
  const moving = pending || v.receipts.some((r) => !r.ready);
  clearTimeout(viewTimer);
  if (moving) viewTimer = setTimeout(refresh, POLL_VIEW_MS);
}

async function refresh() {
  try {
    render(await feeApi("GET", BASE));
    if (order && order.status === "paid") showPaid(order);
  } catch (exc) {
    if (exc.status === 404 || exc.status === 401) {
      showError($("page-error"), feeError(exc));
      return;
    }
    viewTimer = setTimeout(refresh, POLL_VIEW_MS * 2); // a passing network failure
  }
}

// ---------------------------------------------------------------- the SMS code

function cooldown(button) {
  let left = CODE_COOLDOWN_S;
  const text = t("fee_get_code");
  button.disabled = true;
  const tick = () => {
    if (left <= 0) { button.disabled = false; button.textContent = text; return; }
    button.textContent = t("fee_code_again").replace("{s}", left);
    left -= 1;
    setTimeout(tick, 1000);
  };
  tick();
}

async function askCode(button, errorEl, sentEl, after) {
  showError(errorEl, "");
  const body = {};
  if (!view.payer_phone) {
    const phone = $("phone").value.trim();
    if (!/^1\d{10}$/.test(phone)) { showError(errorEl, t("fee_phone_invalid")); return; }
    body.phone = phone;
  }
  button.disabled = true;
  try {
    await feeApi("POST", `${BASE}/code`, body);
    sentEl.textContent = t("fee_code_sent").replace("{phone}", view.payer_phone || body.phone);
    cooldown(button);
    after();
  } catch (exc) {
    showError(errorEl, feeError(exc));
    button.disabled = false;
  }
}

// ---------------------------------------------------------------- paying

function showQr(o) {
  order = o;
  const svg = o.qr_svg ? svgNode(o.qr_svg) : null;
  $("qr").replaceChildren(...(svg ? [svg] : []));
  $("qr").setAttribute("role", "img");
  $("qr").setAttribute("aria-label", t("fee_scan"));
  $("qr-amount").textContent = yuan(o.amount_fen);
  $("qr-expires").textContent = t("fee_qr_expires").replace("{time}", when(o.expires_at));
  show("step-code", false);
  show("step-confirm", false);
  show("step-qr", true);
  show("pay", true);
  $("step-qr").scrollIntoView({ block: "center" });
  pollOrder();
}

function showPaid(o) {
  const first = $("paid").hidden;
  clearTimeout(orderTimer);
  show("pay", false);
  show("due", true);
  $("paid-text").textContent = t("fee_paid_text").replace("{amount}", yuan(o.amount_fen))
    + (o.receipt_number ? t("fee_paid_receipt").replace("{number}", o.receipt_number) : "");
  const receipt = view && view.receipts.find((r) => r.number === o.receipt_number);
  const ready = Boolean(receipt && receipt.ready);
  $("receipt-link").href = `${BASE}/receipt?number=${o.receipt_number || ""}`;
  show("receipt-link", ready);
  show("receipt-wait", !ready);
  show("paid", true);
  if (first) $("paid").scrollIntoView({ block: "center" });
}

function expired(o) {
  return o.status === "closed" || new Date(o.expires_at).getTime() <= Date.now();
}

function backToCode(message) {
  clearTimeout(orderTimer);
  order = null;
  show("step-qr", false);
  show("step-confirm", false);
  show("step-code", true);
  showError($("pay-error"), message);
}

async function pollOrder() {
  clearTimeout(orderTimer);
  if (!order) return;
  try {
    const o = await feeApi("GET", `${BASE}/orders/${encodeURIComponent(order.out_trade_no)}`);
    if (o.status === "paid") {
      order = o;
      await refresh();
      showPaid(o);
      return;
    }
    if (expired(o)) { backToCode(t("fee_qr_expired")); return; }
    showError($("pay-error"), "");
  } catch (exc) {
    if (exc.status === 404) { backToCode(feeError(exc)); return; }
    showError($("pay-error"), t("fee_network_retry")); // keep asking: the page says so
  }
  orderTimer = setTimeout(pollOrder, POLL_ORDER_MS);
}

async function confirmPay(event) {
  event.preventDefault();
  showError($("pay-error"), "");
  const code = $("code").value.trim();
  if (!/^\d{6}$/.test(code)) { showError($("pay-error"), t("fee_code_invalid")); return; }
  $("confirm").disabled = true;
  try {
    showQr(await feeApi("POST", `${BASE}/orders`, { code }));
    $("code").value = "";
  } catch (exc) {
    showError($("pay-error"), feeError(exc));
  } finally {
    $("confirm").disabled = false;
  }
}

// ---------------------------------------------------------------- refunds

function refundChannel() {
  return document.querySelector("input[name=rchannel]:checked").value;
}

async function applyRefund() {
  showError($("refund-error"), "");
  const code = $("rf-code").value.trim();
  if (!/^\d{6}$/.test(code)) { showError($("refund-error"), t("fee_code_invalid")); return; }
  const body = { code, channel: refundChannel() };
  if (body.channel === "bank") {
    body.bank = { bank: $("rb-bank").value.trim(), account_name: $("rb-name").value.trim(),
      account_no: $("rb-no").value.trim() };
    if (!body.bank.bank || !body.bank.account_name || !/^[0-9 ]{8,40}$/.test(body.bank.account_no)) {
      showError($("refund-error"), t("fee_bank_needed"));
      return;
    }
  }
  $("rf-submit").disabled = true;
  try {
    await feeApi("POST", `${BASE}/refunds`, body);
    $("rf-code").value = "";
    show("rf-confirm", false);
    await refresh();
  } catch (exc) {
    showError($("refund-error"), feeError(exc));
  } finally {
    $("rf-submit").disabled = false;
  }
}

// ---------------------------------------------------------------- start

async function main() {
  setupHeader();
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(TOKEN)) {
    show("loading", false);
    showError($("page-error"), t("fee_link_invalid"));
    return;
  }
  try {
    view = await feeApi("GET", BASE);
  } catch (exc) {
    show("loading", false);
    showError($("page-error"), feeError(exc));
    return;
  }
  document.title = `${t("fee_pay_title")} · ${view.court_name}`;
  $("hdr-court").textContent = view.court_name;
  render(view);
  $("get-code").addEventListener("click", () => askCode($("get-code"), $("pay-error"), $("code-sent"), () => {
    show("step-confirm", true);
    $("code").focus();
  }));
  $("step-confirm").addEventListener("submit", confirmPay);
  $("rf-get-code").addEventListener("click", () => askCode($("rf-get-code"), $("refund-error"), $("rf-code-sent"), () => {
    show("rf-confirm", true);
    $("rf-code").focus();
  }));
  $("rf-submit").addEventListener("click", applyRefund);
  for (const radio of document.querySelectorAll("input[name=rchannel]")) {
    radio.addEventListener("change", () => show("refund-bank", refundChannel() === "bank"));
  }
  $("receipt-retry").addEventListener("click", refresh);
  // A reload while an order waits: the same QR code again.
  if (view.waiting_order) {
    try {
      const o = await feeApi("GET", `${BASE}/orders/${encodeURIComponent(view.waiting_order)}`);
      if (o.status === "paid") { order = o; showPaid(o); } else if (!expired(o)) showQr(o);
    } catch (exc) {
      showError($("pay-error"), feeError(exc));
    }
  }
}

main();
