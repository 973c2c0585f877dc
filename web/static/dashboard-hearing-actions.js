// Dashboard: reschedule or cancel a scheduled hearing. Each shows the notices the change will
// send (rendered by the server) and is made only when the judge or clerk confirms.
import { COURT_UTC_OFFSET, api, el, errorText, showError } from "./common.js";
import { t } from "./i18n.js";
import { previewBox } from "./dashboard-notices.js";

// A datetime-local value ("YYYY-MM-DDTHH:MM[:SS]") read as the court's local time.
export function courtTimeToIso(value) {
  const withSeconds = value.length === 16 ? `${value}:00` : value;
  return new Date(`${withSeconds}${COURT_UTC_OFFSET}`).toISOString();
}

// The hearing's time as a datetime-local value in the court's time zone.
function courtLocalValue(iso) {
  const shifted = new Date(Date.parse(iso) + 8 * 3600 * 1000); // Asia/Shanghai has no DST
  return shifted.toISOString().slice(0, 16);
}

function rescheduleForm(h, slot, onDone) {
  const when = el("input", { type: "datetime-local", class: "hx-time", "aria-label": t("staff_new_time"), required: true,
    value: courtLocalValue(h.scheduled_at) });
  const duration = el("input", { type: "number", min: "5", max: "1440", class: "hx-dur", "aria-label": t("duration"),
    value: String(h.duration_minutes) });
  const place = el("input", { class: "hx-place", "aria-label": t("place"), value: h.place });
  const error = el("p", { class: "error", role: "alert", hidden: true });
  const previewSlot = el("div");
  const preview = el("button", { class: "small", type: "submit" }, t("staff_preview"));
  const form = el("form", { class: "hx-form" },
    el("h4", {}, t("staff_reschedule_title")),
    el("div", { class: "row" },
      el("div", {}, el("label", {}, t("staff_new_time")), when),
      el("div", {}, el("label", {}, t("duration")), duration),
      el("div", {}, el("label", {}, t("place")), place)),
    error,
    el("div", { class: "ntc-buttons" }, preview,
      el("button", { class: "small secondary", type: "button", onclick: () => slot.replaceChildren() }, t("staff_dismiss"))),
    previewSlot);
  form.onsubmit = async (event) => {
    event.preventDefault();
    showError(error, "");
    const change = {
      scheduled_at: when.value ? courtTimeToIso(when.value) : "",
      duration_minutes: Number(duration.value),
      place: place.value.trim(),
    };
    try {
      const query = new URLSearchParams({ kind: "rescheduled", ...change });
      const items = await api("GET", `/api/hearings/${h.id}/notices/preview?${query}`);
      previewSlot.replaceChildren(previewBox(items, {
        confirmLabel: t("staff_reschedule_confirm"),
        onConfirm: async () => {
          await api("POST", `/api/hearings/${h.id}/reschedule`, { ...change, expected_version: h.version });
          await onDone(t("staff_rescheduled"));
        },
        onDismiss: () => previewSlot.replaceChildren(),
      }));
    } catch (exc) { showError(error, errorText(exc)); }
  };
  return form;
}

async function cancelBox(h, slot, onDone) {
  const items = await api("GET", `/api/hearings/${h.id}/notices/preview?kind=cancelled`);
  return el("div", { class: "hx-form" }, el("h4", {}, t("staff_cancel_title")),
    previewBox(items, {
      confirmLabel: t("staff_cancel_confirm"),
      onConfirm: async () => {
        await api("POST", `/api/hearings/${h.id}/cancel`, { expected_version: h.version });
        await onDone(t("staff_cancelled"));
      },
      onDismiss: () => slot.replaceChildren(),
    }));
}

// Buttons for the hearing's action bar and the slot where their forms open (under the title).
export function hearingActions(h, me, onDone) {
  const slot = el("div", { class: "hx-slot" });
  if (h.status !== "scheduled" || !["judge", "clerk"].includes(me.role)) return { buttons: [], slot };
  const error = el("p", { class: "error", role: "alert", hidden: true });
  const reschedule = el("button", { class: "small secondary", type: "button" }, t("staff_reschedule"));
  reschedule.onclick = () => slot.replaceChildren(rescheduleForm(h, slot, onDone));
  const cancel = el("button", { class: "small danger", type: "button" }, t("staff_cancel"));
  cancel.onclick = async () => {
    try { slot.replaceChildren(await cancelBox(h, slot, onDone)); } catch (exc) {
      slot.replaceChildren(error);
      showError(error, errorText(exc));
    }
  };
  return { buttons: [reschedule, cancel], slot };
}
