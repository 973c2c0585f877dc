// Live transcript over the WebSocket of docs/protocol.md: snapshot, then diffs; reconnect with
// since and live_id; presence and hearing messages go to the participants panel and exit card.
import { el, routeTo, routed } from "./common.js";
import { roleLabel, t } from "./i18n.js";
import { lineNotes } from "./interpreting.js";
import { ensureMedia, maybeReoffer, reconnectMedia } from "./room-media.js";
import { applyFloor, showRecording } from "./room-floor.js";
import { attempting, restored } from "./room-reconnect.js";
import { applyPresence, exitRoom, renderPeople } from "./room-people.js";
import { noteEvidence } from "./room-evidence.js";
import { noteScreen } from "./room-screen.js";
import { noteSegment } from "./room-stages.js";
import { sessionEnd, socketClosedText } from "./socket-close.js";
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
      ...lineNotes(item, state.participants),
      ...(item.edited ? [el("span", { class: "edited" }, t("edited"))] : []),
      el("span", { class: "at" }, clock(item.start_at)));
  const text = kind === "gap" ? gapText(item) : item.text;
  const attrs = { class: `line ${kind}`, "data-speaker": item.speaker };
  if (kind === "committed") {
    attrs["data-id"] = item.id;
    if (item.edited) attrs.class += " edited";
  }
  if (item.start_ms !== null && item.start_ms !== undefined) attrs["data-start"] = String(item.start_ms);
  if (kind === "partial") attrs["data-pending"] = item.speaker;
  return el("div", attrs, who, el("div", { class: "text" }, text));
}

// Ordering and grouping (issue 13): every row sits at the time its utterance started (data-start),
// whatever order the messages came in; one utterance is one row that grows. The segment a speaker's
// current utterance grows (`open`) carries the words still being recognised (`pending`) inline, so a
// speaker mid-utterance has a single row; a partial without such a segment has its own row, also
// in order of time (in #committed with the rest: #partials stays empty). An empty partial (the utterance ended) closes the row.
const open = new Map();    // speaker key -> id of the segment their current utterance grows
const pending = new Map(); // speaker key -> their partial (words not committed yet)

function placeByStart(box, node) {
  const start = Number(node.dataset.start);
  const later = Number.isNaN(start) ? null : [...box.children].find(
    (n) => n !== node && n.dataset.start !== undefined && Number(n.dataset.start) > start);
  if (later) box.insertBefore(node, later); else box.append(node);
}

const segmentRow = (id) => committedEl().querySelector(`.line.committed[data-id="${CSS.escape(id)}"]`);

function latestOf(speaker) {
  const rows = [...committedEl().querySelectorAll(".line.committed")]
    .filter((n) => n.dataset.speaker === speaker);
  return rows.length ? rows[rows.length - 1].dataset.id : null;
}

function renderPending(speaker) {
  for (const old of document.querySelectorAll(`#lines [data-pending="${CSS.escape(speaker)}"]`)) old.remove();
  for (const row of committedEl().querySelectorAll(`.line.growing[data-speaker="${CSS.escape(speaker)}"]`)) row.classList.remove("growing");
  const partial = pending.get(speaker);
  if (!partial) return;
  const row = open.has(speaker) ? segmentRow(open.get(speaker)) : null;
  if (row) {
    row.classList.add("growing");
    row.append(el("span", { class: "pending", "data-pending": speaker }, partial.text));
  } else {
    placeByStart(committedEl(), lineEl(partial, "partial")); // among the others, by time
  }
}

// A segment of the transcript document (new, or changed: more words, a clerk's correction):
// in place when it is there and its time is unchanged, else at its place in time.
function upsertSegment(segment) {
  const line = lineEl(segment, "committed");
  const existing = segmentRow(segment.id);
  if (existing && existing.dataset.start === line.dataset.start) existing.replaceWith(line);
  else {
    if (existing) existing.remove();
    placeByStart(committedEl(), line);
  }
  const speaker = segment.speaker;
  if (!speaker || segment.kind === "note") return;
  // The speaker's newest segment is the one their utterance grows: a new one, or one that gets
  // words while they are still speaking.
  const growing = !existing || open.get(speaker) === segment.id || pending.has(speaker);
  if (growing && latestOf(speaker) === segment.id) open.set(speaker, segment.id);
  renderPending(speaker);
}

export function keepScrolled(fn) {
  const box = document.getElementById("lines");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  fn();
  if (atBottom) box.scrollTop = box.scrollHeight;
}

export function setPartial(partial) {
  if (partial.text) pending.set(partial.speaker, partial);
  else { pending.delete(partial.speaker); open.delete(partial.speaker); }
  renderPending(partial.speaker);
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
      open.clear();
      pending.clear();
      for (const partial of Object.values(message.partials)) setPartial(partial);
      const previous = state.presence;
      state.presence = new Map();
      for (const p of Object.values(message.presence || {})) applyPresence(p, previous.get(p.speaker));
      renderPeople();
      applyFloor(message.floor);
      showRecording(Boolean(message.recording));
      if (newSession && state.pc) reconnectMedia(); else ensureMedia();
    } else if (message.type === "presence") {
      applyPresence(message.presence);
      renderPeople();
    } else if (message.type === "floor") {
      applyFloor(message.floor);
    } else if (message.type === "hearing" && message.status === "closed") {
      exitRoom("closed");
    } else if (message.type === "segment") {
      upsertSegment(message.segment);
      noteSegment(message.segment);
      noteEvidence(message.segment);
      noteScreen(message.segment);
      if (message.segment.speaker) maybeReoffer(message.segment.speaker);
    } else if (message.type === "segment_removed") {
      const gone = segmentRow(message.id);
      if (gone) gone.remove();
      for (const [speaker, id] of open) if (id === message.id) { open.delete(speaker); renderPending(speaker); }
    } else if (message.type === "partial") {
      setPartial(message.partial);
      if (message.partial.text) maybeReoffer(message.partial.speaker);
    } else if (message.type === "gap") {
      placeByStart(committedEl(), lineEl(message, "gap"));
    }
  });
  state.seq = message.seq;
}

export function connectTranscript() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  if (state.exited) return;
  const query = new URLSearchParams({ tab: state.tab });
  if (state.seq && state.liveId) { query.set("since", state.seq); query.set("live_id", state.liveId); }
  const path = routed(`/ws/hearings/${hearingId}/transcript?${query}`);
  const ws = new WebSocket(`${scheme}://${location.host}${path}`);
  state.ws = ws;
  const notice = document.getElementById("tr-notice");
  ws.onopen = () => { notice.hidden = true; restored("transcript"); };
  ws.onmessage = (event) => applyMessage(JSON.parse(event.data));
  ws.onclose = (event) => {
    if (state.exited) return;
    if (event.code === 4411) { exitRoom("removed"); return; }
    const ended = sessionEnd(event); // logged out, expired or link withdrawn: stop, say which
    if (ended) { exitRoom(ended); return; }
    if ([4400, 4413, 4422].includes(event.code)) { // refused for good: do not come back
      notice.textContent = socketClosedText(event); notice.hidden = false; return;
    }
    if (event.code === 4403) { notice.textContent = event.reason; notice.hidden = false; return; }
    if (event.code === 4410) { exitRoom("closed"); return; }
    if (event.code === 4412) { exitRoom("taken"); return; } // a newer page of ours has the seat
    // Another server process runs this hearing: go there at once (or, when that process is the
    // one already asked for and is gone, wait for its lease to run out and a new owner).
    if (event.code === 4421 && routeTo(event.reason)) { connectTranscript(); return; }
    notice.textContent = event.code === 4409 ? t("not_open") : t("reconnecting");
    notice.hidden = false;
    if (event.code !== 4409) attempting("transcript"); // the banner says what happens
    setTimeout(connectTranscript, event.code === 4409 || event.code === 4429 ? 5000 : 1000);
  };
}
