// Online file review: each document of an approved review, page by page as watermarked images
// (the server renders and audits each page); a download link only where the judge allowed it.
import { api, el, errorText, fill, formatDateTime, setupHeader, showError } from "/common.js";
import { t } from "/i18n.js";

const review = Number(new URLSearchParams(location.search).get("review"));

async function show() {
  const data = await api("GET", `/api/portal/reviews/${review}/documents`);
  document.getElementById("until").textContent =
    `${t("ptl_review_until")}：${formatDateTime(data.review.valid_until)}`;
  const base = `/api/portal/reviews/${review}/documents`;
  document.getElementById("documents").replaceChildren(...data.documents.map((doc) => el("section", { class: "card" },
    el("h2", {}, doc.title),
    data.review.allow_download ? el("a", { href: `${base}/${doc.id}/download` }, t("ptl_download")) : "",
    el("div", { class: "pages" }, ...Array.from({ length: doc.pages }, (_, i) =>
      el("img", { src: `${base}/${doc.id}/pages/${i + 1}`, alt: fill(t("ptl_page"), { n: i + 1 }), loading: "lazy" }))))));
}

setupHeader();
show().catch((exc) => showError(document.getElementById("page-error"), errorText(exc)));
