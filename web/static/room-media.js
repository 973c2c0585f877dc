// Media: one RTCPeerConnection per page, SDP offer/answer over HTTP (no trickle); re-offers to
// receive people who joined later; the page's own mute (nothing leaves the browser while muted).
import { api } from "./common.js";
import { errorText } from "./common.js"; // server errors in the page's language
import { t } from "./i18n.js";
import { exitRoom } from "./room-people.js";
import { attempting, restored } from "./room-reconnect.js";
import { hearingId, setConn, state } from "./room-state.js";
import { screenTransceivers, screensAnswered } from "./room-screen.js";
import { attachTrack, setMutedBadge } from "./room-tiles.js";

async function waitGathered(pc) {
  if (pc.iceGatheringState === "complete") return;
  await new Promise((resolve) => {
    const done = () => { if (pc.iceGatheringState === "complete") resolve(); };
    pc.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, 3000); // send what we have: host candidates come first
  });
}

async function connectMedia() {
  if (state.exited) return;
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
  const screen = screenTransceivers(pc); // a shared screen: its own slots (room-screen.js)
  await pc.setLocalDescription(await pc.createOffer());
  await waitGathered(pc);
  let answer;
  try {
    answer = await api("POST", `/api/hearings/${hearingId}/rtc/offer`, {
      sdp: pc.localDescription.sdp, type: "offer", tab: state.tab,
      screen_mid: screen ? screen.mid : undefined,
    });
  } catch (exc) {
    pc.close();
    if (exc.code === "removed") { exitRoom("removed"); return; }
    if (exc.code === "seat_taken") { exitRoom("taken"); return; }
    // A re-offer (someone joined) that crossed the clerk's closing: the hearing is no longer
    // open. The page keeps what it has and says nothing; the transcript socket brings the close.
    if (exc.status === 409 && state.pc) return;
    throw exc;
  }
  if (state.exited) { pc.close(); return; }
  await pc.setRemoteDescription({ sdp: answer.sdp, type: "answer" });
  for (const transceiver of pc.getTransceivers()) {
    const key = answer.forwarded[transceiver.mid];
    if (key) attachTrack(key, transceiver.receiver.track);
  }
  pc.addEventListener("connectionstatechange", () => {
    if (pc !== state.pc) return;
    if (pc.connectionState === "connected") { setConn(t("connected")); restored("media"); }
    if (pc.connectionState === "failed" || pc.connectionState === "disconnected") {
      setConn(t("reconnecting"));
      attempting("media");
      setTimeout(() => { if (pc === state.pc) reconnectMedia(); }, 2000);
    }
  });
  const previous = state.pc;
  state.pc = pc;
  state.audioSender = audioSender;
  // The mute button may have been pressed while this offer was in flight.
  await audioSender.replaceTrack(state.selfMuted ? null : audio);
  state.forwarded = answer.forwarded;
  screensAnswered(pc, answer.screens || {});
  if (previous) previous.close();
}

let retryTimer = null;

export async function reconnectMedia() {
  if (state.connecting || state.exited) return;
  clearTimeout(retryTimer);
  state.connecting = true;
  try { await connectMedia(); } catch (exc) {
    setConn(`${t("error")}: ${errorText(exc)}`);
    // The server could not be reached or is starting (a restart): try again, or the page would
    // stay without media until a reload.
    const unreachable = exc.status === undefined || exc.status >= 500;
    if (unreachable) { attempting("media"); retryTimer = setTimeout(reconnectMedia, 2000); }
  } finally { state.connecting = false; }
}

// Media starts once the local devices are ready and the hearing is open (the transcript socket
// only delivers a snapshot while it is open), and at most once; later offers are re-offers.
export function ensureMedia() {
  if (!state.pc && state.localStream && !state.connecting && !state.exited) reconnectMedia();
}

// Someone joined the media after our offer (a presence message): offer again to receive them.
// Several joiners in a row are coalesced into one re-offer, at most one every 2 s.
export function scheduleReoffer() {
  if (!state.pc || state.exited) return;
  clearTimeout(state.reofferTimer);
  const wait = Math.max(300, 2000 - (Date.now() - state.lastReoffer));
  state.reofferTimer = setTimeout(() => {
    if (state.connecting) { scheduleReoffer(); return; }
    reconnectMedia();
  }, wait);
}

// Someone we do not receive is speaking (joined after our offer): offer again, at most every 5 s.
// (Presence normally triggers the re-offer first; this is the fallback.)

// Someone we do not receive is speaking (joined after our offer): offer again, at most every 5 s.
// (Presence normally triggers the re-offer first; this is the fallback.)
export function maybeReoffer(key) {
  if (!state.pc || key === state.me.key) return;
  if (Object.values(state.forwarded).includes(key)) return;
  if (Date.now() - state.lastReoffer < 5000) return;
  reconnectMedia();
}

export async function toggleSelfMute() {
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
