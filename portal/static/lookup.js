// The public look-up (司法送达): all three of case number, name and ID number must match; the
// answer never says which one did not.
import { api, el, errorText, formatDateTime, setupHeader, showError } from "/common.js";
import { t } from "/i18n.js";

const result = document.getElementById("result");
const pageError = document.getElementById("page-error");

document.getElementById("lookup-form").onsubmit = async (e) => {
  e.preventDefault();
  showError(pageError, "");
  result.replaceChildren();
  try {
    const body = Object.fromEntries(new FormData(e.target).entries());
    const { documents } = await api("POST", "/api/portal/lookup", body);
    if (!documents.length) {
      result.replaceChildren(el("p", { class: "hint" }, t("ptl_lookup_none")));
      return;
    }
    result.replaceChildren(el("p", {}, t("ptl_lookup_found")),
      el("ul", {}, ...documents.map((d) => el("li", {}, `${d.title}（${t("ptl_sent_at")} ${formatDateTime(d.sent_at)}）`))),
      el("a", { href: "/portal/" }, t("ptl_login")));
  } catch (exc) {
    showError(pageError, errorText(exc));
  }
};

setupHeader();
