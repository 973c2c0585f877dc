// Dashboard: a hearing's notices — preview what will be sent, confirm to send, and the notice
// log (delivery status per participant and channel, send a failed one again).
import { api, el, errorText, fill, formatDateTime, showError } from "./common.js";
import { roleLabel, t } from "./i18n.js";
import { apiAll } from "./paging.js";

const LOG_REFRESH_MS = 3000; // while a notice is pending, the log follows the dispatcher

// One previewed notice: who, how, and the text exactly as it will be sent.
export function previewCard(item) {
  return el("article", { class: "ntc-preview", "data-participant": item.participant_id, "data-channel": item.channel },
    el("div", { class: "ntc-head" },
      el("span", { class: "role-tag" }, roleLabel(item.court_role)), el("strong", {}, item.participant_name),
      el("span", { class: "ntc-channel" }, `${t(`staff_channel_${item.channel}`)} · ${item.recipient}`)),
    item.channel === "email" ? el("div", { class: "ntc-subject" }, item.subject) : null,
    el("pre", { class: "ntc-text" }, item.text));
}

// Previews with a confirm button; ``onConfirm`` does the change (and so sends the notices).
export function previewBox(items, { confirmLabel, onConfirm, onDismiss }) {
  const error = el("p", { class: "error", role: "alert", hidden: true });
  const confirm = el("button", { class: "small ntc-confirm", type: "button" }, confirmLabel);
  const dismiss = el("button", { class: "small secondary", type: "button" }, t("staff_dismiss"));
  confirm.onclick = async () => {
    confirm.disabled = true;
    try { await onConfirm(); } catch (exc) { showError(error, errorText(exc)); confirm.disabled = false; }
  };
  dismiss.onclick = onDismiss;
  return el("div", { class: "ntc-box" },
    el("h4", {}, t("staff_preview_title")),
    items.length ? null : el("p", { class: "hint" }, t("staff_preview_none")),
    ...items.map(previewCard),
    items.some((i) => i.text.includes("/join/…")) ? el("p", { class: "hint" }, t("staff_link_note")) : null,
    error,
    el("div", { class: "ntc-buttons" }, confirm, dismiss));
}

function logRow(n, participants, refresh) {
  const who = participants.get(n.participant_id);
  const retry = n.status === "failed" ? el("button", { class: "small secondary", type: "button" }, t("staff_retry")) : null;
  if (retry) retry.onclick = async () => { await api("POST", `/api/notices/${n.id}/retry`); await refresh(); };
  return el("tr", { "data-notice": n.id, "data-status": n.status, "data-channel": n.channel },
    el("td", {}, `${who ? roleLabel(who.court_role) : ""} ${n.participant_name}`.trim()),
    el("td", {}, t(`staff_channel_${n.channel}`)),
    el("td", {}, t(`staff_kind_${n.kind}`)),
    el("td", {}, n.recipient),
    el("td", {}, el("span", { class: `ntc-status ${n.status}` }, t(`staff_status_${n.status}`))),
    el("td", {}, String(n.attempts)),
    el("td", {}, formatDateTime(n.updated_at)),
    el("td", {}, retry));
}

// The notice log of a hearing; reloads itself while something is pending.
export function noticeLog(hearing) {
  const body = el("tbody");
  const empty = el("p", { class: "hint" }, t("staff_log_empty"));
  const table = el("table", { class: "ntc-log", hidden: true },
    el("thead", {}, el("tr", {}, ...["who", "channel", "kind", "to", "status", "attempts", "updated"]
      .map((c) => el("th", {}, t(`staff_col_${c}`))), el("th", {}))),
    body);
  let timer = null;
  const refresh = async () => {
    clearTimeout(timer);
    const [notices, people] = await Promise.all([
      apiAll(`/api/hearings/${hearing.id}/notices`),
      apiAll(`/api/hearings/${hearing.id}/participants`),
    ]);
    const participants = new Map(people.map((p) => [p.id, p]));
    body.replaceChildren(...notices.slice().reverse().map((n) => logRow(n, participants, refresh)));
    table.hidden = !notices.length;
    empty.hidden = !!notices.length;
    if (notices.some((n) => n.status === "pending") && table.isConnected !== false) {
      timer = setTimeout(() => refresh().catch(() => {}), LOG_REFRESH_MS);
    }
  };
  return { node: el("div", { class: "ntc-logbox" }, el("h4", {}, t("staff_log")), empty, table), refresh };
}

// The "通知" panel of a hearing: preview → confirm → sent, and the log.
export function noticesPanel(hearing) {
  const log = noticeLog(hearing);
  const status = el("p", { class: "hint ok", role: "status", hidden: true });
  const slot = el("div");
  const error = el("p", { class: "error", role: "alert", hidden: true });
  const preview = el("button", { class: "small", type: "button" }, t("staff_preview"));
  preview.hidden = hearing.status !== "scheduled";
  preview.onclick = async () => {
    showError(error, "");
    status.hidden = true;
    try {
      const items = await api("GET", `/api/hearings/${hearing.id}/notices/preview`);
      slot.replaceChildren(previewBox(items, {
        confirmLabel: t("staff_send_confirm"),
        onConfirm: async () => {
          const sent = await api("POST", `/api/hearings/${hearing.id}/notices`);
          slot.replaceChildren();
          status.textContent = fill(t("staff_sent_n"), { n: sent.length });
          status.hidden = false;
          await log.refresh();
        },
        onDismiss: () => slot.replaceChildren(),
      }));
    } catch (exc) { showError(error, errorText(exc)); }
  };
  const node = el("div", { class: "ntc-panel" }, el("h3", {}, t("staff_notices")), preview, error, slot, status, log.node);
  log.refresh().catch((exc) => showError(error, errorText(exc)));
  return node;
}
