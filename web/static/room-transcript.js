// Live transcript over the WebSocket of docs/protocol.md: snapshot, then diffs; reconnect with
// since and live_id; presence and hearing messages go to the participants panel and exit card.
import { el, routeTo, routed } from "./common.js";
import { roleLabel, t } from "./i18n.js";
import { ensureMedia, maybeReoffer, reconnectMedia } from "./room-media.js";
import { applyPresence, exitRoom, renderPeople } from "./room-people.js";
import { noteEvidence } from "./room-evidence.js";
import { noteScreen } from "./room-screen.js";
import { noteSegment } from "./room-stages.js";
import { hearingId, state } from "./room-state.js";
import { learn } from "./room-tiles.js";

const committedEl = () => document.getElementById("committed");

const partialsEl = () => document.getElementById("partials");

function clock(iso) {
  return iso
    ? new Date(iso).toLocaleTimeString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" })
    : "";
}

// A stretch of the speaker's audio that has no text, and why (docs/protocol.md "gap").
function gapText(item) {
  const seconds = Math.max(1, Math.round((item.end_ms - item.start_ms) / 1000));
  const key = item.reason === "unrecognised" ? "asr_gap_unrecognised" : "asr_gap_backlog";
  return t(key).replace("{s}", String(seconds));
}

function lineEl(item, kind) {
  if (item.kind === "marker") { // a court stage, an identity check: a heading, not speech
    return el("div", { class: "line committed marker", "data-id": item.id, "data-start": String(item.start_ms) },
      el("div", { class: "text" }, item.text));
  }
  if (item.speaker) learn(item);
  const who = item.kind === "note"
    ? el("div", { class: "who" }, el("span", { class: "r" }, t("note")))
    : el("div", { class: "who" },
      el("span", { class: "r" }, roleLabel(item.role)), el("span", {}, item.display_name),
      ...(item.edited ? [el("span", { class: "edited" }, t("edited"))] : []),
      el("span", { class: "at" }, clock(item.start_at)));
  const text = kind === "gap" ? gapText(item) : item.text;
  const attrs = { class: `line ${kind}`, "data-speaker": item.speaker };
  if (kind === "committed") {
    attrs["data-id"] = item.id;
    attrs["data-start"] = String(item.start_ms);
    if (item.edited) attrs.class += " edited";
  }
  return el("div", attrs, who, el("div", { class: "text" }, text));
}

// A segment of the transcript document (new, or changed: more words, a clerk's correction):
// in place when it is there, else at its place in time among the others.
function upsertSegment(segment) {
  const box = committedEl();
  const line = lineEl(segment, "committed");
  const existing = box.querySelector(`.line.committed[data-id="${CSS.escape(segment.id)}"]`);
  if (existing) { existing.replaceWith(line); return; }
  const later = [...box.children].find(
    (n) => n.dataset.start !== undefined && Number(n.dataset.start) > segment.start_ms);
  if (later) box.insertBefore(line, later); else box.append(line);
}

export function keepScrolled(fn) {
  const box = document.getElementById("lines");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  fn();
  if (atBottom) box.scrollTop = box.scrollHeight;
}

export function setPartial(partial) {
  const existing = partialsEl().querySelector(`[data-speaker="${CSS.escape(partial.speaker)}"]`);
  if (existing) existing.remove();
  if (partial.text) partialsEl().append(lineEl(partial, "partial"));
}

function applyMessage(message) {
  keepScrolled(() => {
    if (message.type === "snapshot") {
      // A new live session (the server restarted) no longer has our media: offer again now
      // rather than when the browser notices the dead connection (7 s or more).
      const newSession = state.liveId !== null && state.liveId !== message.live_id;
      state.liveId = message.live_id;
      committedEl().replaceChildren(...message.segments.map((s) => lineEl(s, "committed")));
      message.segments.forEach(noteSegment);
      message.segments.forEach(noteEvidence);
      message.segments.forEach(noteScreen);
      partialsEl().replaceChildren();
      for (const partial of Object.values(message.partials)) setPartial(partial);
      const previous = state.presence;
      state.presence = new Map();
      for (const p of Object.values(message.presence || {})) applyPresence(p, previous.get(p.speaker));
      renderPeople();
      if (newSession && state.pc) reconnectMedia(); else ensureMedia();
    } else if (message.type === "presence") {
      applyPresence(message.presence);
      renderPeople();
    } else if (message.type === "hearing" && message.status === "closed") {
      exitRoom("closed");
    } else if (message.type === "segment") {
      upsertSegment(message.segment);
      noteSegment(message.segment);
      noteEvidence(message.segment);
      noteScreen(message.segment);
      if (message.segment.speaker) maybeReoffer(message.segment.speaker);
    } else if (message.type === "segment_removed") {
      const gone = committedEl().querySelector(`.line.committed[data-id="${CSS.escape(message.id)}"]`);
      if (gone) gone.remove();
    } else if (message.type === "partial") {
      setPartial(message.partial);
      if (message.partial.text) maybeReoffer(message.partial.speaker);
    } else if (message.type === "gap") {
      committedEl().append(lineEl(message, "gap"));
    }
  });
  state.seq = message.seq;
}

export function connectTranscript() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  if (state.exited) return;
  const since = state.seq && state.liveId ? `?since=${state.seq}&live_id=${state.liveId}` : "";
  const path = routed(`/ws/hearings/${hearingId}/transcript${since}`);
  const ws = new WebSocket(`${scheme}://${location.host}${path}`);
  state.ws = ws;
  const notice = document.getElementById("tr-notice");
  ws.onopen = () => { notice.hidden = true; };
  ws.onmessage = (event) => applyMessage(JSON.parse(event.data));
  ws.onclose = (event) => {
    if (state.exited) return;
    if (event.code === 4411) { exitRoom("removed"); return; }
    if (event.code === 4403) { notice.textContent = event.reason; notice.hidden = false; return; }
    if (event.code === 4410) { exitRoom("closed"); return; }
    // Another server process runs this hearing: go there at once (or, when that process is the
    // one already asked for and is gone, wait for its lease to run out and a new owner).
    if (event.code === 4421 && routeTo(event.reason)) { connectTranscript(); return; }
    notice.textContent = event.code === 4409 ? t("not_open") : t("reconnecting");
    notice.hidden = false;
    setTimeout(connectTranscript, event.code === 4409 ? 5000 : 1000);
  };
}
