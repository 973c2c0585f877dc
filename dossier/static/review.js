// Review comments (评卷) on one material: the case's judge and holders of a review grant write
// them; nobody edits or deletes one (a later comment may correct an earlier one).
import { api, el, errorText, fill, formatDateTime, setupHeader, showError } from "/common.js";
import { roleLabel, t } from "/i18n.js";

const materialId = Number(new URLSearchParams(location.search).get("material"));
const errorBox = document.getElementById("error");
const corrects = document.getElementById("corrects");
const correcting = document.getElementById("correcting");

function correct(id) {
  corrects.value = String(id);
  correcting.textContent = fill(t("dpub_review_corrects"), { id });
  correcting.hidden = false;
  document.getElementById("body").focus();
}

async function load() {
  let review;
  try {
    review = await api("GET", `/api/dossier/materials/${materialId}/comments`);
  } catch (exc) {
    setupHeader();
    showError(errorBox, errorText(exc));
    document.getElementById("comment-form").hidden = true;
    return;
  }
  setupHeader({ court: review.court_name, caseNumber: review.case_number });
  document.getElementById("material").textContent = review.material_title;
  const pageInput = document.getElementById("page");
  if (review.page_count) pageInput.max = String(review.page_count);
  const comments = review.comments;
  const list = document.getElementById("comments");
  list.replaceChildren(...comments.map((c) => el("div", { class: "dp-comment", id: `comment-${c.id}` },
    el("div", {}, el("span", { class: "who" }, `${roleLabel(c.author_role)} ${c.author_name}`),
      c.review_body ? ` · ${t(`dpub_grants_body_${c.review_body}`)}` : "",
      el("span", { class: "meta" }, ` · ${formatDateTime(c.created_at)}`),
      c.page ? el("span", { class: "meta" }, ` · ${fill(t("dpub_review_on_page"), { page: c.page })}`) : ""),
    c.corrects_id ? el("div", { class: "corrects" }, fill(t("dpub_review_corrects"), { id: c.corrects_id })) : null,
    el("div", { class: "body" }, c.body),
    el("button", { type: "button", class: "dp-correct", onclick: () => correct(c.id) }, t("dpub_review_correct_this")))));
  if (!comments.length) list.append(el("p", { class: "hint" }, t("dpub_review_none")));
}

document.getElementById("comment-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = { body: document.getElementById("body").value };
  const page = document.getElementById("page").value;
  if (page) body.page = Number(page);
  if (corrects.value) body.corrects_id = Number(corrects.value);
  try {
    await api("POST", `/api/dossier/materials/${materialId}/comments`, body);
  } catch (exc) {
    showError(errorBox, errorText(exc));
    return;
  }
  showError(errorBox, "");
  document.getElementById("body").value = "";
  document.getElementById("page").value = "";
  corrects.value = "";
  correcting.hidden = true;
  await load();
});

load();
