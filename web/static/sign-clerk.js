// The signer slots of the record, in signing order (participants, then the bench, then the court
// seal), with each one's status. Everyone sees the list: a party sees whom the record still waits
// for. The clerk (me.may_manage) can, per pending participant, record a refusal or that they cannot
// sign (always with the reason, which the record carries) and send the signing request again.
import { api, el, formatDateTime } from "./common.js";
import { errorText } from "./common.js"; // server errors in the page's language
import { roleLabel, t } from "./i18n.js";

function slotLabel(slot) {
  if (slot.group === "seal") return t("sign_court_seal");
  return `${roleLabel(slot.role)} ${slot.name}`.trim();
}

function statusText(slot) {
  const base = t(`sign_status_${slot.status}`);
  if (slot.status === "signed" && slot.signed_at) return `${base} ${formatDateTime(slot.signed_at)}`;
  return base;
}

function resolveForm(hearingId, slot, after) {
  const status = el("select", { class: "resolve-status", "aria-label": t("sign_resolve") },
    el("option", { value: "refused" }, t("sign_status_refused")),
    el("option", { value: "excused" }, t("sign_status_excused")));
  const note = el("input", { class: "resolve-note", type: "text", maxlength: "500", required: true, placeholder: t("sign_resolve_note") });
  const error = el("p", { class: "error", hidden: true });
  const form = el("form", { class: "resolve-form", hidden: true }, status, note,
    el("button", { class: "small danger", type: "submit" }, t("sign_resolve_confirm")), error);
  form.onsubmit = async (event) => {
    event.preventDefault();
    if (!note.value.trim()) return;
    try {
      await api("POST", `/api/hearings/${hearingId}/closing/slots/${encodeURIComponent(slot.key)}/resolve`,
        { status: status.value, note: note.value.trim() });
      await after();
    } catch (exc) {
      error.textContent = errorText(exc);
      error.hidden = false;
    }
  };
  return form;
}

function clerkActions(hearingId, slot, myKey, after, flash) {
  if (slot.status !== "pending" || slot.group === "seal") return [];
  const out = [];
  let form = null;
  if (slot.group === "participant") {
    form = resolveForm(hearingId, slot, after);
    out.push(el("button", {
      class: "small secondary resolve", type: "button",
      onclick: () => { form.hidden = !form.hidden; if (!form.hidden) form.querySelector("input").focus(); },
    }, t("sign_resolve")));
  }
  if (slot.key !== myKey) {
    out.push(el("button", {
      class: "small secondary remind", type: "button",
      onclick: async (event) => {
        const button = event.currentTarget;
        button.disabled = true;
        try {
          await api("POST", `/api/hearings/${hearingId}/closing/slots/${encodeURIComponent(slot.key)}/remind`);
          flash(button, t("sign_reminded"));
        } catch (exc) {
          flash(button, errorText(exc));
        }
      },
    }, t("sign_remind")));
  }
  return form ? [el("span", { class: "slot-actions" }, ...out), form] : [el("span", { class: "slot-actions" }, ...out)];
}

/**
 * Render the slots into ``list``. The open resolve form of a slot survives a refresh (the poll
 * must not wipe what the clerk is typing): a list whose statuses did not change is left alone.
 */
export function renderSlots(list, status, hearingId, after) {
  const signature = JSON.stringify([status.slots, status.me.may_manage, status.me.key]);
  if (list.dataset.rendered === signature) return;
  list.dataset.rendered = signature;
  const flash = (button, text) => {
    const original = button.textContent;
    button.textContent = text;
    setTimeout(() => { button.textContent = original; button.disabled = false; }, 2500);
  };
  list.replaceChildren(...status.slots.map((slot) => el("li", {
    class: `slot ${slot.status}${slot.key === status.me.key ? " mine" : ""}`, "data-slot": slot.key, "data-group": slot.group,
  },
  el("span", { class: "slot-who" }, slotLabel(slot)),
  el("span", { class: `slot-status ${slot.status}` }, statusText(slot)),
  slot.note ? el("div", { class: "slot-note" }, slot.note) : null,
  ...(status.me.may_manage ? clerkActions(hearingId, slot, status.me.key, after, flash) : []))));
}
