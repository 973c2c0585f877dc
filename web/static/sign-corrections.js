// Correction requests (更正申请) and the court's answers (issue 13). A party's request stays open
// until the clerk or a judge answers it — accepted (the text is then corrected by an erratum) or
// rejected, always with a reason — and while one is open the bench cannot sign, so the record is
// not finalised. Every request is listed with its state for everyone (the party sees theirs), and
// the bench gets the answer form. The form is built once and kept across the page's polls, so a
// reason being typed is never wiped by a refresh.
import { el, formatDateTime } from "./common.js";
import { roleLabel, t } from "./i18n.js";

const BENCH = new Set(["presiding_judge", "judge", "clerk"]);

export function isOpenCorrection(o) {
  return o.kind === "correction" && !o.answer;
}

/** "被告 李娜、原告 张伟": who waits for an answer. */
export function waitingNames(objections) {
  return [...new Set(objections.filter(isOpenCorrection).map((o) => `${roleLabel(o.role)} ${o.author_name}`))].join("、");
}

/** Why the bench cannot sign while a correction request is open, naming who waits. */
export function blockingText(status) {
  return t("record_corr_blocking").replace("{who}", waitingNames(status.objections || []));
}

/** The state of a request as a line of its entry (null for an objection: it needs no answer). */
export function answerLine(o) {
  if (o.kind !== "correction") return null;
  if (!o.answer) return el("div", { class: "corr-state corr-open" }, t("record_corr_open"));
  const who = `${roleLabel(o.answered_role || "")} ${o.answered_by || ""}`.trim();
  const text = t("record_corr_answer_line")
    .replace("{decision}", t(`record_corr_${o.answer}`))
    .replace("{reason}", o.answer_reason || "")
    .replace("{who}", who)
    .replace("{at}", formatDateTime(o.answered_at));
  return el("div", { class: `corr-state corr-${o.answer}` }, text);
}

// An accepted request is carried out as an erratum of the frozen record: the errata form opens on
// the request's segment, its text ready to correct.
function openErratum(segmentId) {
  const form = document.getElementById("errata-form");
  const select = document.getElementById("err-segment");
  if (!form || form.hidden || !select) return;
  if (segmentId && [...select.options].some((o) => o.value === segmentId)) {
    select.value = segmentId;
    select.dispatchEvent(new Event("change"));
  }
  document.getElementById("err-after")?.focus();
}

function mayAnswer(status) {
  return status.state === "signing" && status.me.key.startsWith("staff-") && BENCH.has(status.me.role);
}

/** The bench's answer form after ``list``: one select of open requests, a reason, two buttons. */
export function renderAnswerBox(list, status, { answer, done }) {
  let box = document.getElementById("answer-box");
  const open = (status.objections || []).filter(isOpenCorrection);
  if (!mayAnswer(status) || !open.length) {
    if (box) box.hidden = true;
    return;
  }
  if (!box) {
    box = el("form", { id: "answer-box", class: "answer-box" },
      el("h4", {}, t("record_corr_answer_title")),
      el("select", { id: "answer-request", "aria-label": t("record_corr_answer_title") }),
      el("label", { for: "answer-reason" }, t("record_corr_reason")),
      el("textarea", { id: "answer-reason", rows: "2", maxlength: "500" }),
      el("p", { class: "hint" }, t("record_corr_accept_hint")),
      el("div", { class: "answer-buttons" },
        el("button", { type: "button", id: "answer-accept", class: "secondary", "data-decision": "accepted" }, t("record_corr_accept")),
        el("button", { type: "button", id: "answer-reject", class: "secondary", "data-decision": "rejected" }, t("record_corr_reject"))),
      el("p", { id: "answer-error", class: "error", hidden: "" }));
    list.after(box);
    const error = box.querySelector("#answer-error");
    for (const button of box.querySelectorAll("button[data-decision]")) {
      button.onclick = async () => {
        const reason = box.querySelector("#answer-reason").value.trim();
        const id = box.querySelector("#answer-request").value;
        if (!reason) { error.textContent = t("record_corr_need_reason"); error.hidden = false; return; }
        button.disabled = true;
        try {
          const answered = await answer(id, { decision: button.dataset.decision, reason });
          box.querySelector("#answer-reason").value = "";
          error.hidden = true;
          await done();
          if (answered.answer === "accepted") openErratum(answered.segment_id);
        } catch (exc) {
          error.textContent = exc.message;
          error.hidden = false;
        } finally {
          button.disabled = false;
        }
      };
    }
  }
  box.hidden = false;
  const select = box.querySelector("#answer-request");
  const ids = open.map((o) => String(o.id)).join(",");
  if (select.dataset.ids !== ids) { // only when the open requests changed: keep the choice
    const chosen = select.value;
    select.replaceChildren(...open.map((o) => el("option", { value: String(o.id) },
      `${roleLabel(o.role)} ${o.author_name}：${o.text.slice(0, 30)}${o.text.length > 30 ? "…" : ""}`)));
    if (open.some((o) => String(o.id) === chosen)) select.value = chosen;
    select.dataset.ids = ids;
  }
}
