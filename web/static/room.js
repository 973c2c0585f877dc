// Hearing room: WebRTC media (SDP over HTTP, no trickle), speaking indicator, mute, and the
// live transcript over the WebSocket of docs/protocol.md (snapshot, then diffs; reconnect with since).
import { api, el, setupHeader } from "./common.js";
import { roleLabel, t } from "./i18n.js";

const hearingId = Number(new URLSearchParams(location.search).get("h")
  || (location.pathname.match(/^\/room\/(\d+)/) || [])[1]);
const state = {
  me: null,            // {key, role, name, staff: bool, isJudge: bool}
  people: new Map(),   // speaker key -> {role, name, participantId}
  tiles: new Map(),    // speaker key -> tile element
  pc: null,
  localStream: null,
  forwarded: {},
  selfMuted: false,
  judgeMuted: new Set(),
  seq: 0,
  lastReoffer: 0,
};
window.tingshen = state; // for the browser tests and for support staff in the console

const audioContext = new AudioContext();

function person(key) {
  return state.people.get(key) || { role: key.startsWith("staff-") ? "court_staff" : "", name: "" };
}

function initials(name) {
  return (name || "?").trim().slice(-2);
}


// ---------------------------------------------------------------- tiles
function tileFor(key) {
  let tile = state.tiles.get(key);
  if (tile) return tile;
  const p = person(key);
  const isMe = key === state.me.key;
  const video = el("video", { autoplay: true, playsinline: true });
  video.muted = true; // sound comes from the <audio> element (own sound never played back)
  const label = el("div", { class: "label" },
    el("span", { class: "r" }, roleLabel(p.role)), el("span", {}, p.name),
    isMe ? el("span", {}, `(${t("you")})`) : null);
  tile = el("div", { class: "tile", "data-speaker": key },
    el("div", { class: "avatar" }, initials(p.name)), video, label,
    el("span", { class: "badge-muted", hidden: true }, t("muted")));
  tile.video = video;
  if (state.me.isJudge && !isMe && p.participantId) {
    const button = el("button", { class: "small danger", type: "button" }, t("mute_other"));
    button.onclick = () => judgeMute(key, button);
    tile.append(el("div", { class: "tile-actions" }, button));
  }
  if (isMe) document.getElementById("tiles").prepend(tile);
  else document.getElementById("tiles").append(tile);
  state.tiles.set(key, tile);
  return tile;
}

// Staff who are not on the participant list are named by the transcript once they speak.
function learn(item) {
  const known = state.people.get(item.speaker);
  if (known && known.name) return;
  state.people.set(item.speaker, {
    role: item.role, name: item.display_name, participantId: item.participant_id,
  });
  const tile = state.tiles.get(item.speaker);
  if (!tile) return;
  const [role, name] = tile.querySelectorAll(".label span");
  role.textContent = roleLabel(item.role);
  name.textContent = item.display_name;
  tile.querySelector(".avatar").textContent = initials(item.display_name);
}

function setMutedBadge(key, muted) {
  tileFor(key).querySelector(".badge-muted").hidden = !muted;
}

function attachTrack(key, track) {
  const tile = tileFor(key);
  if (track.kind === "video") {
    tile.video.srcObject = new MediaStream([track]);
    // Show the picture only once frames arrive; until then the initials stay visible.
    tile.video.hidden = true;
    tile.video.addEventListener("loadeddata", () => {
      tile.video.hidden = false;
      tile.querySelector(".avatar").hidden = true;
    }, { once: true });
    return;
  }
  if (key !== state.me.key) {
    const audio = el("audio", { autoplay: true });
    audio.srcObject = new MediaStream([track]);
    tile.append(audio);
  }
  watchLevel(tile, track);
}

function watchLevel(tile, track) {
  const analyser = audioContext.createAnalyser();
  analyser.fftSize = 512;
  audioContext.createMediaStreamSource(new MediaStream([track])).connect(analyser);
  const data = new Float32Array(analyser.fftSize);
  let loud = 0;
  setInterval(() => {
    analyser.getFloatTimeDomainData(data);
    let sum = 0;
    for (const v of data) sum += v * v;
    const rms = Math.sqrt(sum / data.length);
    loud = rms > 0.02 ? 4 : Math.max(0, loud - 1); // hold briefly so the frame does not flicker
    const muted = tile.dataset.speaker === state.me.key && state.selfMuted;
    tile.classList.toggle("speaking", loud > 0 && !muted);
  }, 100);
}

// ---------------------------------------------------------------- media
function setConn(text) {
  document.getElementById("conn").textContent = text;
}

async function waitGathered(pc) {
  if (pc.iceGatheringState === "complete") return;
  await new Promise((resolve) => {
    const done = () => { if (pc.iceGatheringState === "complete") resolve(); };
    pc.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, 3000); // send what we have: host candidates come first
  });
}

async function connectMedia() {
  state.lastReoffer = Date.now();
  const pc = new RTCPeerConnection();
  const stream = state.localStream;
  const audio = stream.getAudioTracks()[0];
  const video = stream.getVideoTracks()[0];
  const audioSender = pc.addTransceiver(audio, { direction: "sendonly", streams: [stream] }).sender;
  if (state.selfMuted) await audioSender.replaceTrack(null);
  if (video) pc.addTransceiver(video, { direction: "sendonly", streams: [stream] });
  const others = Math.max(1, state.people.size + 1); // participants plus staff not on the list
  for (let i = 0; i < others; i++) {
    pc.addTransceiver("audio", { direction: "recvonly" });
    pc.addTransceiver("video", { direction: "recvonly" });
  }
  await pc.setLocalDescription(await pc.createOffer());
  await waitGathered(pc);
  const answer = await api("POST", `/api/hearings/${hearingId}/rtc/offer`, {
    sdp: pc.localDescription.sdp, type: "offer",
  });
  await pc.setRemoteDescription({ sdp: answer.sdp, type: "answer" });
  for (const transceiver of pc.getTransceivers()) {
    const key = answer.forwarded[transceiver.mid];
    if (key) attachTrack(key, transceiver.receiver.track);
  }
  pc.addEventListener("connectionstatechange", () => {
    if (pc !== state.pc) return;
    if (pc.connectionState === "connected") setConn(t("connected"));
    if (pc.connectionState === "failed" || pc.connectionState === "disconnected") {
      setConn(t("reconnecting"));
      setTimeout(() => { if (pc === state.pc) reconnectMedia(); }, 2000);
    }
  });
  const previous = state.pc;
  state.pc = pc;
  state.audioSender = audioSender;
  // The mute button may have been pressed while this offer was in flight.
  await audioSender.replaceTrack(state.selfMuted ? null : audio);
  state.forwarded = answer.forwarded;
  if (previous) previous.close();
}

async function reconnectMedia() {
  try { await connectMedia(); } catch (exc) { setConn(`${t("error")}: ${exc.message}`); }
}

// Someone we do not receive is speaking (joined after our offer): offer again, at most every 5 s.
function maybeReoffer(key) {
  if (!state.pc || key === state.me.key) return;
  if (Object.values(state.forwarded).includes(key)) return;
  if (Date.now() - state.lastReoffer < 5000) return;
  reconnectMedia();
}

async function toggleSelfMute() {
  state.selfMuted = !state.selfMuted;
  const track = state.localStream.getAudioTracks()[0];
  track.enabled = !state.selfMuted;
  // No audio leaves the browser at all while muted (not even silence): nothing is transcribed.
  if (state.audioSender) await state.audioSender.replaceTrack(state.selfMuted ? null : track);
  const button = document.getElementById("mute");
  button.textContent = state.selfMuted ? t("unmute") : t("mute");
  button.classList.toggle("on", state.selfMuted);
  button.setAttribute("aria-pressed", String(state.selfMuted));
  setMutedBadge(state.me.key, state.selfMuted);
}

async function judgeMute(key, button) {
  const muted = !state.judgeMuted.has(key);
  const p = person(key);
  await api("POST", `/api/hearings/${hearingId}/participants/${p.participantId}/mute`, { muted });
  if (muted) state.judgeMuted.add(key); else state.judgeMuted.delete(key);
  button.textContent = muted ? t("unmute_other") : t("mute_other");
  setMutedBadge(key, muted);
}

// ---------------------------------------------------------------- transcript
const committedEl = () => document.getElementById("committed");
const partialsEl = () => document.getElementById("partials");

function clock(iso) {
  return iso
    ? new Date(iso).toLocaleTimeString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" })
    : "";
}

function lineEl(item, kind) {
  learn(item);
  const who = el("div", { class: "who" },
    el("span", { class: "r" }, roleLabel(item.role)), el("span", {}, item.display_name),
    el("span", { class: "at" }, clock(item.start_at)));
  const text = kind === "gap" ? "……（识别中断）" : item.text;
  return el("div", { class: `line ${kind}`, "data-speaker": item.speaker }, who,
    el("div", { class: "text" }, text));
}

function keepScrolled(fn) {
  const box = document.getElementById("lines");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  fn();
  if (atBottom) box.scrollTop = box.scrollHeight;
}

function setPartial(partial) {
  const existing = partialsEl().querySelector(`[data-speaker="${CSS.escape(partial.speaker)}"]`);
  if (existing) existing.remove();
  if (partial.text) partialsEl().append(lineEl(partial, "partial"));
}

function applyMessage(message) {
  keepScrolled(() => {
    if (message.type === "snapshot") {
      committedEl().replaceChildren(...message.segments.map((s) => lineEl(s, "committed")));
      partialsEl().replaceChildren();
      for (const partial of Object.values(message.partials)) setPartial(partial);
    } else if (message.type === "commit") {
      committedEl().append(lineEl(message.segment, "committed"));
      if (message.segment.end_of_utterance) setPartial({ ...message.segment, text: "" });
      maybeReoffer(message.segment.speaker);
    } else if (message.type === "partial") {
      setPartial(message.partial);
      if (message.partial.text) maybeReoffer(message.partial.speaker);
    } else if (message.type === "gap") {
      committedEl().append(lineEl(message, "gap"));
    }
  });
  state.seq = message.seq;
}

function connectTranscript() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const since = state.seq ? `?since=${state.seq}` : "";
  const ws = new WebSocket(`${scheme}://${location.host}/ws/hearings/${hearingId}/transcript${since}`);
  const notice = document.getElementById("tr-notice");
  ws.onopen = () => { notice.hidden = true; };
  ws.onmessage = (event) => applyMessage(JSON.parse(event.data));
  ws.onclose = (event) => {
    if (event.code === 4403) { notice.textContent = event.reason; notice.hidden = false; return; }
    if (event.code === 4410) { notice.textContent = t("session_ended"); notice.hidden = false; return; }
    notice.textContent = event.code === 4409 ? t("not_open") : t("reconnecting");
    notice.hidden = false;
    setTimeout(connectTranscript, event.code === 4409 ? 5000 : 1000);
  };
}

// ---------------------------------------------------------------- start
async function whoAmI(participants) {
  try {
    const staff = await api("GET", "/api/auth/me");
    const own = participants.find((p) => p.staff_user_id === staff.id);
    return {
      key: own ? `participant-${own.id}` : `staff-${staff.id}`,
      role: own ? own.court_role : staff.role, name: staff.display_name,
      isJudge: staff.role === "judge",
    };
  } catch {
    const me = await api("GET", "/api/join/me");
    return {
      key: `participant-${me.participant_id}`, role: me.court_role, name: me.display_name,
      isJudge: false,
    };
  }
}

async function main() {
  let hearing;
  let participants;
  try {
    hearing = await api("GET", `/api/hearings/${hearingId}`);
    participants = await api("GET", `/api/hearings/${hearingId}/participants`);
  } catch (exc) {
    setupHeader();
    if (exc.status === 401) location.href = `/login.html?next=${encodeURIComponent(location.pathname + location.search)}`;
    document.getElementById("tr-notice").textContent = exc.message;
    document.getElementById("tr-notice").hidden = false;
    return;
  }
  setupHeader({ court: hearing.court_name, caseNumber: `${hearing.case_number}　${hearing.cause_of_action}` });
  for (const p of participants) {
    state.people.set(`participant-${p.id}`, { role: p.court_role, name: p.display_name, participantId: p.id });
  }
  state.me = await whoAmI(participants);
  if (!state.people.has(state.me.key)) state.people.set(state.me.key, { role: state.me.role, name: state.me.name });
  document.getElementById("who").textContent = `${roleLabel(state.me.role)} ${state.me.name}`;
  document.getElementById("mute").onclick = toggleSelfMute;
  document.getElementById("leave").onclick = () => {
    if (state.pc) state.pc.close();
    location.href = state.me.role === "judge" || state.me.key.startsWith("staff-") ? "/dashboard.html" : "/";
  };
  connectTranscript();
  setConn(t("connecting"));
  try {
    state.localStream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true })
      .catch(() => navigator.mediaDevices.getUserMedia({ audio: true }));
  } catch {
    setConn(t("no_media"));
    return;
  }
  attachTrack(state.me.key, state.localStream.getAudioTracks()[0]);
  const video = state.localStream.getVideoTracks()[0];
  if (video) attachTrack(state.me.key, video);
  if (hearing.status !== "open") { setConn(t("not_open")); return; }
  await reconnectMedia();
}

main();
