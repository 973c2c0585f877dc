// Screen sharing as evidence on screen (docs/protocol.md "Screen sharing"): 共享屏幕 asks the
// browser for a screen (getDisplayMedia), claims the hearing's one share (POST …/screen/start),
// then re-offers with the screen as a second video track (`screen_mid`); every other page learns
// of it from the transcript's 【举证】 marker, reads who shares, and re-offers to receive it (the
// answer's `screens`), shown large above the tiles. The sharer, or a judge, stops it; so does the
// browser's own "stop sharing" bar (the track ends).
import { ApiError, api, el } from "./common.js";
import { roleLabel, t } from "./i18n.js";
import { reconnectMedia, scheduleReoffer } from "./room-media.js";
import { hearingId, state } from "./room-state.js";

const MAX_TRIES = 10; // re-offers to receive a share, at most one every 2 s (scheduleReoffer)

const view = {
  sharing: null,     // {key, role, name, started_at} of who shares now, or null
  version: -1,
  markers: new Set(),
  stream: null,      // this page's own shared screen
  received: null,    // {key, track}: another's screen received on the current connection
  tries: 0,
  error: "",
};
state.screen = view; // window.tingshen.screen, for the browser tests and support staff

const base = () => `/api/hearings/${hearingId}/screen`;
const mine = () => Boolean(view.sharing && state.me && view.sharing.key === state.me.key);
const who = (s) => `${roleLabel(s.role)} ${s.name}`;

function fill(text, values) {
  return Object.entries(values).reduce((s, [k, v]) => s.replace(`{${k}}`, String(v)), text);
}

function reoffer() {
  if (state.connecting) scheduleReoffer(); else reconnectMedia();
}

// room-media.js, while making an offer: one slot to receive another's screen, and our own
// screen while we share it; returns the sending transceiver (its mid goes with the offer).
export function screenTransceivers(pc) {
  pc.addTransceiver("video", { direction: "recvonly" });
  const track = view.stream && view.stream.getVideoTracks()[0];
  if (!track || track.readyState === "ended" || !mine()) return null;
  return pc.addTransceiver(track, { direction: "sendonly", streams: [view.stream] });
}

// room-media.js, once answered: the others' screen on this connection (`mid → key`).
export function screensAnswered(pc, screens) {
  view.received = null;
  for (const transceiver of pc.getTransceivers()) {
    const key = screens[transceiver.mid];
    if (key) view.received = { key, track: transceiver.receiver.track };
  }
  render();
  ensureReceiving();
}

// Someone shares and this connection does not carry it (yet): offer again.
function ensureReceiving() {
  const s = view.sharing;
  if (!s || mine() || !state.pc || view.tries >= MAX_TRIES) return;
  if (view.received && view.received.key === s.key) return;
  view.tries += 1;
  scheduleReoffer();
}

function dropOwn() {
  if (!view.stream) return;
  view.stream.getTracks().forEach((track) => track.stop());
  view.stream = null;
  reoffer(); // the screen leaves the connection
}

function apply(data) {
  if (data.version < view.version) return; // an older answer overtaken by a newer one
  const before = view.sharing;
  view.version = data.version;
  view.sharing = data.sharing;
  const same = before && data.sharing && before.key === data.sharing.key
    && before.started_at === data.sharing.started_at;
  if (!same) { view.received = null; view.tries = 0; view.error = ""; }
  if (!mine()) dropOwn(); // stopped by a judge, or taken over
  render();
  ensureReceiving();
}

let loading = null;
let again = false;

async function reload() {
  if (loading) { again = true; return; }
  loading = api("GET", base()).then(apply).catch((exc) => { view.error = exc.message; render(); });
  await loading;
  loading = null;
  if (again) { again = false; await reload(); }
}

// A segment of the transcript document reached the live panel (room-transcript.js).
export function noteScreen(segment) {
  if (segment.kind !== "marker" || !String(segment.id).startsWith("screen-")) return;
  if (view.markers.has(segment.id)) return;
  view.markers.add(segment.id);
  reload();
}

async function message(exc) {
  if (exc instanceof ApiError && exc.status === 409) {
    await reload();
    if (view.sharing && !mine()) return fill(t("screen_busy"), { who: who(view.sharing) });
  }
  return exc.message;
}

async function start() {
  view.error = "";
  if (!navigator.mediaDevices || !navigator.mediaDevices.getDisplayMedia) {
    view.error = t("screen_unsupported"); render(); return;
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
  } catch {
    view.error = t("screen_denied"); render(); return; // cancelled in the browser's picker
  }
  const track = stream.getVideoTracks()[0];
  view.stream = stream;
  try {
    apply(await api("POST", `${base()}/start`));
  } catch (exc) {
    if (view.stream === stream) view.stream = null;
    stream.getTracks().forEach((tr) => tr.stop());
    view.error = await message(exc);
    render();
    return;
  }
  // The browser's own "stop sharing" bar ends the track: the share ends for everyone.
  track.addEventListener("ended", () => { if (view.stream === stream) stop(); });
  reoffer();
}

async function stop() {
  view.error = "";
  try {
    apply(await api("POST", `${base()}/stop`));
  } catch (exc) {
    view.error = await message(exc);
    render();
  }
  if (!mine()) dropOwn();
}

export function setupScreen() {
  const button = document.getElementById("screen-share");
  button.hidden = !state.me || state.me.role === "observer";
  button.onclick = () => (mine() ? stop() : start());
  reload();
}

function render() {
  const button = document.getElementById("screen-share");
  if (button) {
    button.textContent = mine() ? t("screen_stop") : t("screen_share");
    button.classList.toggle("on", mine());
  }
  const box = document.getElementById("screen-view");
  const stage = box && box.closest(".stage");
  if (!box) return;
  const s = view.sharing;
  if (!s) {
    box.hidden = !view.error;
    box.replaceChildren(...(view.error ? [el("p", { class: "error", role: "alert" }, view.error)] : []));
    if (stage) stage.classList.toggle("screening", false);
    return;
  }
  const own = mine();
  const track = own ? view.stream && view.stream.getVideoTracks()[0]
    : view.received && view.received.key === s.key ? view.received.track : null;
  let video = box.querySelector("video.sc-video");
  if (!video) video = el("video", { class: "sc-video", autoplay: true, playsinline: true });
  video.muted = true;
  if (!track) video.srcObject = null;
  else if (!video.srcObject || video.srcObject.getVideoTracks()[0] !== track) {
    video.srcObject = new MediaStream([track]);
  }
  const stoppable = own || (state.me && state.me.isJudge);
  box.replaceChildren(...[
    el("header", { class: "ev-bar" },
      el("span", { class: "ev-who sc-who" }, fill(t("screen_sharing"), { who: who(s) })),
      el("span", { class: "ev-actions" }, stoppable ? el("button", {
        type: "button", class: "danger sc-stop", onclick: stop,
      }, t("screen_stop")) : null)),
    el("div", { class: "sc-canvas" }, video,
      track ? null : el("p", { class: "sc-waiting" }, t("screen_waiting"))),
    view.error ? el("p", { class: "error", role: "alert" }, view.error) : null,
  ].filter(Boolean));
  box.hidden = false;
  if (stage) stage.classList.toggle("screening", true);
}
