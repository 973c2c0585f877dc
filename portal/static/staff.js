// A judge's or clerk's decisions: file review applications (hours, downloads) and lawyers'
// requests to act for a party (confirmed against the power of attorney).
import { api, el, errorText, formatDateTime, setupHeader, showError } from "/common.js";
import { t } from "/i18n.js";
import { apiAll } from "/paging.js";

const $ = (id) => document.getElementById(id);

function decide(path, approve) {
  return async () => {
    try {
      await api("POST", path, { approve, hours: Number($("hours").value) || 24, allow_download: $("allow-download").checked });
      await show();
    } catch (exc) {
      showError($("page-error"), errorText(exc));
    }
  };
}

function buttons(path, status, yes) {
  if (status !== "requested") return el("span", { class: "state" }, t(`ptl_status_${status}`));
  const ok = el("button", { type: "button" }, t(yes));
  ok.onclick = decide(path, true);
  const no = el("button", { type: "button" }, t("ptl_refuse"));
  no.onclick = decide(path, false);
  return el("span", {}, ok, " ", no);
}

function table(heads, rows) {
  if (!rows.length) return el("p", { class: "hint" }, t("ptl_none"));
  return el("table", {}, el("thead", {}, el("tr", {}, ...heads.map((h) => el("th", {}, t(h))))), el("tbody", {}, ...rows));
}

async function show() {
  // Every one, a bounded page at a time (portal/paging.py): none older is out of reach.
  const [reviews, reps] = await Promise.all([apiAll("/api/portal/staff/reviews"), apiAll("/api/portal/staff/representations")]);
  $("reviews").replaceChildren(table(["ptl_case_number", "ptl_applicant", "ptl_review_reason", "ptl_sent_at", ""],
    reviews.map((r) => el("tr", {}, el("td", {}, r.case_number), el("td", {}, r.party_name), el("td", {}, r.reason),
      el("td", {}, formatDateTime(r.requested_at)),
      el("td", {}, buttons(`/api/portal/staff/reviews/${r.id}/decision`, r.status, "ptl_approve"))))));
  $("reps").replaceChildren(table(["ptl_case_number", "ptl_lawyer", "ptl_licence_short", "ptl_represent_party", ""],
    reps.map((r) => el("tr", {}, el("td", {}, r.case_number), el("td", {}, r.lawyer_name), el("td", {}, r.licence_number),
      el("td", {}, r.party_name),
      el("td", {}, buttons(`/api/portal/staff/representations/${r.id}/decision`, r.status, "ptl_confirm"))))));
}

setupHeader();
show().catch((exc) => showError($("page-error"), errorText(exc)));
