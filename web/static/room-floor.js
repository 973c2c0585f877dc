// Asking to speak (举手) and the floor, and the recording indicator: live state from the server
// (the transcript socket's snapshot and its `floor` messages; docs/protocol.md). A party raises or
// lowers their hand; the judge sees the queue in order, grants the floor or lowers a hand, and
// takes the floor back; everybody sees who has the floor (panel and tile).
import { api, el } from "./common.js";
import { roleLabel, t } from "./i18n.js";
import { hearingId, reportError, state } from "./room-state.js";

const floor = { queue: [], holder: null };

const who = (p) => `${roleLabel(p.role)} ${p.display_name}`;

function judgeButton(label, cls, body) {
  const button = el("button", { class: `small ${cls}`, type: "button" }, label);
  button.onclick = () => api("POST", `/api/hearings/${hearingId}/floor`, body).catch(reportError);
  return button;
}

function renderPanel() {
  const box = document.getElementById("roomctl-floor");
  const judge = state.me && state.me.isJudge;
  const holder = floor.holder
    ? el("p", { class: "floor-holder", id: "roomctl-holder" },
      el("span", { class: "floor-label" }, t("roomctl_floor_holder")), who(floor.holder),
      judge ? judgeButton(t("roomctl_floor_end"), "secondary", { action: "end" }) : null)
    : el("p", { class: "floor-holder none", id: "roomctl-holder" },
      el("span", { class: "floor-label" }, t("roomctl_floor_holder")), t("roomctl_floor_nobody"));
  const items = floor.queue.map((p, i) => el("li", { "data-speaker": p.speaker },
    el("span", { class: "floor-n" }, `${i + 1}.`), el("span", { class: "floor-who" }, who(p)),
    judge ? el("span", { class: "floor-actions" },
      judgeButton(t("roomctl_floor_grant"), "", { action: "grant", speaker: p.speaker }),
      judgeButton(t("roomctl_floor_lower"), "secondary", { action: "lower", speaker: p.speaker }))
      : null));
  const queue = floor.queue.length
    ? el("ol", { class: "floor-queue", id: "roomctl-queue" }, ...items)
    : el("p", { class: "floor-empty" }, t("roomctl_hands_none"));
  box.replaceChildren(
    el("header", {}, el("h2", {}, t("roomctl_floor_title")),
      el("span", { class: "count" }, t("roomctl_hands_count").replace("{n}", floor.queue.length))),
    holder, queue);
  box.hidden = false;
}

function renderHandButton() {
  const button = document.getElementById("roomctl-hand");
  if (!button || !state.me) return;
  button.hidden = state.me.isJudge;
  const raised = floor.queue.some((p) => p.speaker === state.me.key);
  button.textContent = raised ? t("roomctl_hand_lower") : t("roomctl_hand_raise");
  button.setAttribute("aria-pressed", String(raised));
  button.classList.toggle("raised", raised);
}

function markTiles() {
  for (const [key, tile] of state.tiles) {
    const mark = tile.dataset.floor || "";
    const raised = floor.queue.some((p) => p.speaker === key);
    const holds = floor.holder && floor.holder.speaker === key;
    const next = holds ? "holder" : raised ? "raised" : "";
    if (mark === next && tile.querySelector(".floor-badge")) continue;
    tile.dataset.floor = next;
    let badge = tile.querySelector(".floor-badge");
    if (!badge) { badge = el("span", { class: "floor-badge" }); tile.append(badge); }
    badge.textContent = holds ? t("roomctl_tile_holder") : raised ? t("roomctl_tile_raised") : "";
    badge.hidden = !holds && !raised;
  }
}

export function applyFloor(next) {
  floor.queue = (next && next.queue) || [];
  floor.holder = (next && next.holder) || null;
  renderPanel();
  renderHandButton();
  markTiles();
}

export function showRecording(on) {
  const badge = document.getElementById("roomctl-rec");
  badge.hidden = !on;
  badge.textContent = t("roomctl_recording");
}

export function setupFloor() {
  // A tile made after the last floor change (someone's media arrived later) is marked too.
  new MutationObserver(markTiles).observe(document.getElementById("tiles"), { childList: true });
  const button = document.getElementById("roomctl-hand");
  button.onclick = () => {
    const raised = button.getAttribute("aria-pressed") === "true";
    api("POST", `/api/hearings/${hearingId}/floor/hand`, { raised: !raised }).catch(reportError);
  };
  renderHandButton();
}
