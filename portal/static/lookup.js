// The public look-up (司法送达): all three of case number, name and ID number must match; the
// answer never says which one did not. It lists the newest documents waiting and says how many
// more there are to read after logging in.
import { api, el, errorText, fill, formatDateTime, setupHeader, showError } from "/common.js";
import { t } from "/i18n.js";

const result = document.getElementById("result");
const pageError = document.getElementById("page-error");

document.getElementById("lookup-form").onsubmit = async (e) => {
  e.preventDefault();
  showError(pageError, "");
  result.replaceChildren();
  try {
    const body = Object.fromEntries(new FormData(e.target).entries());
    const { documents, total } = await api("POST", "/api/portal/lookup", body);
    if (!documents.length) {
      result.replaceChildren(el("p", { class: "hint" }, t("ptl_lookup_none")));
      return;
    }
    // The answer lists the newest few (portal/lookup.py); the rest are only counted.
    const more = total - documents.length;
    result.replaceChildren(el("p", {}, t("ptl_lookup_found")),
      el("ul", {}, ...documents.map((d) => el("li", {}, `${d.title}（${t("ptl_sent_at")} ${formatDateTime(d.sent_at)}）`))),
      ...(more > 0 ? [el("p", { id: "lookup-more", class: "hint" }, fill(t("ptl_lookup_more"), { n: more }))] : []),
      el("a", { href: "/portal/" }, t("ptl_login")));
  } catch (exc) {
    showError(pageError, errorText(exc));
  }
};

setupHeader();
