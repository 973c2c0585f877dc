// The transcript editor (笔录校对): clerks, recorders and the judge correct the live transcript
// together; parties and lawyers watch it here read-only and download their copy.
import { api, el, setupHeader } from "./common.js";
import { errorText } from "./common.js"; // server errors in the page's language
import { DocSync } from "./doc-sync.js";
import { apiAll } from "./paging.js";
import { socketClosedText } from "./socket-close.js";
import {
  insertNote, looksLikeTerm, mergeWithPrevious, replaceAll, setLocked, setSpeaker, splitSegment,
} from "./editor-commands.js";
import { roleLabel, t } from "./i18n.js";
import { setupSuggestions } from "./editor-suggestions.js";
import { TranscriptEditor, presenceClass } from "./transcript-editor.js";

const hearingId = Number(new URLSearchParams(location.search).get("h")
  || (location.pathname.match(/^\/transcript\/(\d+)/) || [])[1]);
const page = { me: null, sync: null, editor: null, current: null, speakers: [] };
window.tingshenEditor = page; // for the browser tests

function notice(text) {
  const box = document.getElementById("ed-notice");
  box.textContent = text || "";
  box.hidden = !text;
}

// Staff or party, in one request (GET /api/session: 401 only without a session).
async function whoAmI() {
  const me = await api("GET", "/api/session");
  if (me.kind === "staff") {
    const canEdit = ["judge", "clerk", "recorder"].includes(me.role);
    return { key: `user-${me.id}`, name: me.display_name, role: me.role, canEdit, canLock: me.role === "judge" };
  }
  return { key: `participant-${me.participant_id}`, name: me.display_name, role: me.court_role, canEdit: false, canLock: false };
}

function currentTextarea() {
  return page.current ? document.querySelector(`.seg[data-id="${CSS.escape(page.current)}"] textarea`) : null;
}

function focusSegment(id, at = null) {
  const ta = document.querySelector(`.seg[data-id="${CSS.escape(id)}"] textarea`);
  if (!ta) return;
  ta.focus();
  if (at !== null) ta.setSelectionRange(at, at);
}

function move(step) {
  const rows = [...document.querySelectorAll(".seg textarea")];
  const index = rows.indexOf(document.activeElement);
  const next = rows[Math.max(0, Math.min(rows.length - 1, index + step))];
  if (next) next.focus();
}

// Keystrokes are stored one by one; show a burst of typing by one person as one change.
export function coalesce(revisions, windowMs = 60000) {
  const out = [];
  for (const r of revisions) {
    const last = out[out.length - 1];
    if (last && last.field === "text" && r.field === "text" && last.author === r.author
        && last.detail !== false && r.detail !== false
        && new Date(r.at) - new Date(last.at_last) < windowMs) {
      last.after = r.after;
      last.at_last = r.at;
    } else {
      out.push({ ...r, at_last: r.at });
    }
  }
  return out;
}

function formatTime(iso) {
  return new Date(iso).toLocaleTimeString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" });
}

async function showHistory(id) {
  page.current = id;
  const list = document.getElementById("history");
  const items = await apiAll(`/api/hearings/${hearingId}/transcript/revisions?segment=${encodeURIComponent(id)}`).catch(() => []);
  list.replaceChildren(...coalesce(items).slice(-12).reverse().map((r) => el("li", {},
    el("div", { class: "h-meta" }, `${r.author === "asr" ? t("asr") : r.author_name || r.author} · ${formatTime(r.at)}`),
    r.detail === false ? el("div", {}, t("history_no_detail").replace("{before}", r.before_chars).replace("{after}", r.after_chars))
      : r.field === "text" ? el("div", {}, el("del", {}, r.before), " → ", el("ins", {}, r.after))
      : el("div", {}, `${t("field_" + r.field)}: ${r.after || r.before}`))));
}

// Who is editing: the server's presence entries (name and role from each socket's session).
function renderEditors() {
  const list = document.getElementById("editors");
  const people = [...page.sync.peers.values()];
  list.replaceChildren(...people.map((u) => el("li", {},
    el("span", { class: `dot ${presenceClass(u.colour)}` }), `${roleLabel(u.role)} ${u.name}`)));
}

function offerHotword(term) {
  if (!looksLikeTerm(term) || !confirm(t("offer_hotword").replace("{term}", term))) return;
  api("POST", `/api/hearings/${hearingId}/hotwords`, { words: [term] })
    .then(() => notice(t("hotword_added").replace("{term}", term)))
    .catch((exc) => notice(errorText(exc)));
}

// An empty row (a speaker with no words): removed on the server, audited; every tab sees it go.
function deleteEmptyRow(id, who) {
  api("DELETE", `/api/hearings/${hearingId}/transcript/segments/${encodeURIComponent(id)}`)
    .then(() => notice(t("record_deleted_empty").replace("{who}", who)))
    .catch((exc) => notice(exc.message));
}

function setupTools() {
  const doc = () => page.sync.doc;
  const find = document.getElementById("find");
  const replace = document.getElementById("replace");
  find.addEventListener("input", () => page.editor.setQuery(find.value));
  find.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    const hits = [...document.querySelectorAll(".seg")].filter((row) => row.querySelector("textarea")?.value.includes(find.value));
    const after = hits.find((row) => row.dataset.id !== page.current && row.compareDocumentPosition(document.querySelector(`.seg[data-id="${CSS.escape(page.current || "")}"]`) || row) & Node.DOCUMENT_POSITION_PRECEDING) || hits[0];
    if (after) focusSegment(after.dataset.id, after.querySelector("textarea").value.indexOf(find.value));
  });
  document.getElementById("replace-all").onclick = () => {
    const count = replaceAll(doc(), find.value, replace.value);
    notice(t("replaced").replace("{n}", count));
    if (count) offerHotword(replace.value);
  };
  document.getElementById("b-note").onclick = () => {
    const text = prompt(t("note_prompt"));
    if (text) focusSegment(insertNote(doc(), page.current, text));
  };
  document.getElementById("b-split").onclick = () => {
    const ta = currentTextarea();
    if (ta) { const id = splitSegment(doc(), page.current, ta.selectionStart); if (id) focusSegment(id, 0); }
  };
  document.getElementById("b-merge").onclick = () => {
    const merged = page.current && mergeWithPrevious(doc(), page.current);
    if (merged) focusSegment(merged.id, merged.at);
  };
  const speaker = document.getElementById("b-speaker");
  speaker.replaceChildren(el("option", { value: "" }, t("change_speaker")),
    ...page.speakers.map((s, i) => el("option", { value: String(i) }, `${roleLabel(s.role)} ${s.name}`)));
  speaker.onchange = () => {
    const choice = page.speakers[Number(speaker.value)];
    if (choice && page.current) setSpeaker(doc(), page.current, choice);
    speaker.value = "";
    focusSegment(page.current);
  };
  const lock = document.getElementById("b-lock");
  lock.hidden = !page.me.canLock;
  lock.onclick = () => {
    const map = page.editor.find(page.current || "");
    if (map) setLocked(doc(), page.current, !map.get("locked"));
  };
  document.addEventListener("keydown", (event) => {
    const ta = currentTextarea();
    if (event.altKey && (event.key === "ArrowDown" || event.key === "ArrowUp")) { event.preventDefault(); move(event.key === "ArrowDown" ? 1 : -1); }
    else if (event.ctrlKey && event.key === "Enter") { event.preventDefault(); document.getElementById("b-split").click(); }
    else if (event.ctrlKey && event.key === "Backspace" && ta && ta.selectionStart === 0 && ta.selectionEnd === 0) { event.preventDefault(); document.getElementById("b-merge").click(); }
    else if (event.altKey && (event.key === "n" || event.key === "N")) { event.preventDefault(); document.getElementById("b-note").click(); }
    else if (event.altKey && (event.key === "s" || event.key === "S")) { event.preventDefault(); speaker.focus(); }
    else if (event.ctrlKey && (event.key === "f" || event.key === "F")) { event.preventDefault(); find.focus(); }
    else if (event.ctrlKey && (event.key === "l" || event.key === "L") && page.me.canLock) { event.preventDefault(); lock.click(); }
  });
}

// What the ASR is still recognising: shown below the record, never editable (not in the document).
function followPartials(url) {
  const box = document.getElementById("recognising");
  const list = document.getElementById("partials");
  const partials = new Map();
  const render = () => {
    const lines = [...partials.values()].filter((p) => p.text);
    box.hidden = lines.length === 0;
    list.replaceChildren(...lines.map((p) => el("div", { class: "partial", "data-speaker": p.speaker },
      el("span", { class: "seg-speaker" }, `${roleLabel(p.role)} ${p.display_name}`), " ", el("span", {}, p.text))));
  };
  const ws = new WebSocket(url);
  ws.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "snapshot") {
      partials.clear();
      for (const p of Object.values(message.partials || {})) partials.set(p.speaker, p);
    } else if (message.type === "partial") {
      partials.set(message.partial.speaker, message.partial);
    } else return;
    render();
  };
  ws.onclose = (event) => {
    partials.clear();
    render();
    if (event.code === 1012 || event.code === 4408 || event.code === 1006) setTimeout(() => followPartials(url), 2000);
    else if (event.code === 4409) setTimeout(() => followPartials(url), 10000);
  };
}

// Once the hearing is closed its recording exists: a segment's time plays the audio from there.
async function setupPlayer() {
  let manifest;
  try {
    manifest = await api("GET", `/api/hearings/${hearingId}/recordings`);
  } catch {
    return; // not recorded, or not closed yet
  }
  const origin = Date.parse(manifest.origin_utc);
  const audio = document.getElementById("player");
  const select = document.getElementById("player-track");
  // Staff off the participant list are named by the manifest (never by their key).
  for (const [key, s] of Object.entries(manifest.speakers || {})) {
    if (!page.speakers.some((p) => p.key === key)) page.speakers.push({ key, role: s.role, name: s.display_name });
  }
  const label = (name) => {
    const p = page.speakers.find((s) => s.key === name);
    return name === "mix" ? t("recording_mix") : p ? `${roleLabel(p.role)} ${p.name}` : t("staff_unknown_speaker");
  };
  select.replaceChildren(...["mix", ...manifest.tracks.map((f) => f.name)].map((name) =>
    el("option", { value: name }, label(name))));
  const load = () => { audio.src = `/api/hearings/${hearingId}/recordings/${select.value}.flac`; };
  select.onchange = load;
  load();
  document.getElementById("player-zip").href = `/api/hearings/${hearingId}/recordings.zip`;
  document.getElementById("player-box").hidden = false;
  page.editor.setPlayer((startUtc) => {
    const seconds = Math.max(0, (Date.parse(startUtc) - origin) / 1000);
    const seek = () => { audio.currentTime = seconds; audio.play().catch(() => {}); };
    if (audio.readyState >= 1) seek();
    else audio.addEventListener("loadedmetadata", seek, { once: true });
    audio.load && audio.readyState < 1 && audio.load();
  });
}

async function main() {
  let hearing, participants = [];
  try {
    hearing = await api("GET", `/api/hearings/${hearingId}`);
    participants = await apiAll(`/api/hearings/${hearingId}/participants`).catch(() => []);
    page.me = await whoAmI();
  } catch (exc) {
    setupHeader();
    if (exc.status === 401) location.href = `/login.html?next=${encodeURIComponent(location.pathname)}`;
    notice(errorText(exc));
    return;
  }
  setupHeader({ court: hearing.court_name, caseNumber: `${hearing.case_number}　${hearing.cause_of_action}` });
  document.getElementById("who").textContent = `${roleLabel(page.me.role)} ${page.me.name}`;
  if (["closed", "signed"].includes(hearing.status)) document.getElementById("who").before(el("a", { class: "hdr-link", id: "to-sign", href: `/sign/${hearingId}` }, t("sign_link")));
  for (const fmt of ["pdf", "txt", "json", "srt", "vtt"]) document.getElementById(`x-${fmt}`).href = `/api/hearings/${hearingId}/transcript.${fmt}`;
  // Edits are taken while the hearing is open and after it closed (the clerk proofreads the
  // record before the parties sign); before it opens, or once cancelled, the record is read.
  if (!["open", "closed"].includes(hearing.status)) { page.me.canEdit = false; page.me.canLock = false; }
  page.speakers = participants.map((p) => ({ key: `participant-${p.id}`, role: p.court_role, name: p.display_name }));
  // Everyone who took part, the judge and clerk too (not on the participant list): for 更改发言人.
  page.speakers = await apiAll(`/api/hearings/${hearingId}/took-part`).catch(() => page.speakers);
  document.getElementById("tools").hidden = !page.me.canEdit;
  document.getElementById("keys-help").hidden = !page.me.canEdit;
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const status = document.getElementById("save-state");
  page.editor = new TranscriptEditor(document.getElementById("segments"), {
    canEdit: page.me.canEdit, canLock: page.me.canLock, onFocusSegment: showHistory,
    onDeleteEmpty: deleteEmptyRow,
  });
  page.sync = new DocSync({
    url: `${scheme}://${location.host}/ws/hearings/${hearingId}/document`,
    onStatus: (s, event) => {
      status.textContent = !page.me.canEdit && s !== "offline" && s !== "connecting" ? t("read_only") : t(`sync_${s}`);
      status.dataset.state = s;
      if (s === "offline" && event && event.code >= 4400 && event.code < 4500) notice(socketClosedText(event) || t("sync_offline"));
    },
    onRefused: (reason) => notice(`${t("edit_refused")}: ${reason}`),
    onReset: () => { page.editor.attach(page.sync); watchAwareness(); },
  });
  const watchAwareness = () => {
    page.sync.onPresence(renderEditors);
    renderEditors();
  };
  page.editor.attach(page.sync);
  watchAwareness();
  setupPlayer();
  followPartials(`${scheme}://${location.host}/ws/hearings/${hearingId}/transcript`);
  if (page.me.canEdit) setupTools();
  if (page.me.canEdit && hearing.status === "closed") page.suggestions = setupSuggestions({ hearingId, speakers: page.speakers, onFocus: focusSegment, notice });
  page.sync.connect();
}

main();
