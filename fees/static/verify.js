// Checking a fee receipt (the QR code on it opens /fees/verify.html?n=<number>&c=<code>): anyone
// may, with no login; the page says plainly whether the court issued it.
import { el, setupHeader, showError } from "/common.js";
import { t } from "/i18n.js";
import { feeApi, feeError, when, yuan } from "/fees/fees-common.js";

const $ = (id) => document.getElementById(id);

function fact(key, value) {
  return [el("dt", {}, t(key)), el("dd", {}, value ?? "")];
}

async function check(number, code) {
  showError($("error"), "");
  if (!/^\d{16}$/.test(number) || !/^[0-9A-Z]{8}$/.test(code)) {
    showError($("error"), t("fee_verify_format"));
    return;
  }
  try {
    const r = await feeApi("GET", `/api/fees/receipts/verify?number=${number}&code=${code}`);
    const verdict = $("verdict");
    verdict.className = `verdict ${r.valid ? "valid" : "invalid"}`;
    verdict.textContent = r.valid ? t("fee_verify_valid") : t("fee_verify_invalid");
    $("verdict-text").textContent = r.valid ? t("fee_verify_valid_text") : t("fee_verify_invalid_text");
    $("facts").replaceChildren(...(r.valid ? [
      ...fact("fee_receipt_no", number),
      ...fact("fee_court", r.court_name),
      ...fact("fee_col_case", r.case_number),
      ...fact("fee_col_amount", yuan(r.amount_fen)),
      ...fact("fee_paid_at", when(r.paid_at)),
      ...fact("fee_col_payer", r.payer_name),
      ...fact("fee_sha256", el("span", { class: "mono" }, r.sha256 || "")),
    ] : fact("fee_receipt_no", number)));
    $("result").hidden = false;
    history.replaceState(null, "", `?n=${number}&c=${code}`);
  } catch (exc) {
    $("result").hidden = true;
    showError($("error"), feeError(exc));
  }
}

function main() {
  setupHeader();
  const params = new URLSearchParams(location.search);
  const number = (params.get("n") || "").trim();
  const code = (params.get("c") || "").trim().toUpperCase();
  $("number").value = number;
  $("vcode").value = code;
  $("check").addEventListener("submit", (event) => {
    event.preventDefault();
    check($("number").value.replace(/\s/g, ""), $("vcode").value.trim().toUpperCase());
  });
  if (number || code) check(number, code);
}

main();
