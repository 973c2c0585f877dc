// Camera on/off and the choice of microphone, camera and speaker (issue 13), remembered per
// browser (localStorage). A new device replaces the track the page sends (no new connection); the
// camera off sends no picture (the track is disabled: black frames), and the own tile shows the
// initials. The speaker is chosen where the browser supports it (setSinkId).
import { el } from "./common.js";
import { t } from "./i18n.js";
import { reportError, state } from "./room-state.js";

const STORE = "tingshen.room.devices";

function saved() {
  try { return JSON.parse(localStorage.getItem(STORE) || "{}"); } catch { return {}; }
}

function save(change) {
  localStorage.setItem(STORE, JSON.stringify({ ...saved(), ...change }));
}

// The constraints of the page's first getUserMedia: the remembered devices, if still there.
export function mediaConstraints() {
  const s = saved();
  return {
    audio: s.audioinput ? { deviceId: { exact: s.audioinput } } : true, // gone: room.js falls back
    video: s.videoinput ? { deviceId: { exact: s.videoinput } } : true,
  };
}

function ownTile() { return state.tiles.get(state.me.key); }

function showCamera() {
  const off = Boolean(saved().cameraOff);
  const video = state.localStream && state.localStream.getVideoTracks()[0];
  if (video) video.enabled = !off;
  const button = document.getElementById("roomctl-camera");
  button.hidden = !video;
  button.textContent = off ? t("roomctl_camera_on") : t("roomctl_camera_off");
  button.setAttribute("aria-pressed", String(off));
  const tile = ownTile();
  if (tile && video) {
    tile.dataset.camera = off ? "off" : "on";
    tile.video.hidden = off || tile.video.readyState < 2; // the picture once frames arrive
    tile.querySelector(".avatar").hidden = !tile.video.hidden;
    if (!tile.dataset.cameraWatched) { // after attachTrack's own first-frame handler
      tile.dataset.cameraWatched = "1";
      tile.video.addEventListener("loadeddata", showCamera);
    }
  }
}

function applySpeaker(id) {
  for (const audio of document.querySelectorAll("#tiles audio")) {
    if (audio.setSinkId && id) audio.setSinkId(id).catch(() => {});
  }
}

async function useDevice(kind, id) {
  save({ [kind]: id });
  if (kind === "audiooutput") { applySpeaker(id); return; }
  const audio = kind === "audioinput";
  const stream = await navigator.mediaDevices.getUserMedia(audio
    ? { audio: { deviceId: { exact: id } } } : { video: { deviceId: { exact: id } } });
  const track = audio ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
  const old = audio ? state.localStream.getAudioTracks()[0] : state.localStream.getVideoTracks()[0];
  if (old) { state.localStream.removeTrack(old); old.stop(); }
  state.localStream.addTrack(track);
  if (audio) {
    track.enabled = !state.selfMuted;
    if (state.audioSender && !state.selfMuted) await state.audioSender.replaceTrack(track);
  } else {
    const sender = state.pc && state.pc.getSenders().find((s) => s.track && s.track.kind === "video");
    if (sender) await sender.replaceTrack(track);
    const tile = ownTile();
    if (tile) tile.video.srcObject = new MediaStream([track]);
    showCamera();
  }
}

async function fillDevices() {
  const devices = await navigator.mediaDevices.enumerateDevices();
  const chosen = saved();
  const current = {
    audioinput: state.localStream && state.localStream.getAudioTracks()[0]?.getSettings().deviceId,
    videoinput: state.localStream && state.localStream.getVideoTracks()[0]?.getSettings().deviceId,
  };
  for (const kind of ["audioinput", "videoinput", "audiooutput"]) {
    const select = document.getElementById(`roomctl-${kind}`);
    const list = devices.filter((d) => d.kind === kind);
    const supported = kind !== "audiooutput" || "setSinkId" in HTMLMediaElement.prototype;
    select.closest("label").hidden = !list.length || !supported;
    select.replaceChildren(...list.map((d, i) =>
      el("option", { value: d.deviceId }, d.label || `${t(`roomctl_${kind}`)} ${i + 1}`)));
    const want = current[kind] || chosen[kind];
    if (want && list.some((d) => d.deviceId === want)) select.value = want;
    select.onchange = () => useDevice(kind, select.value).catch(reportError);
  }
}

export function setupDevices() {
  const camera = document.getElementById("roomctl-camera");
  camera.onclick = () => { save({ cameraOff: !saved().cameraOff }); showCamera(); };
  const panel = document.getElementById("roomctl-devices");
  const toggle = document.getElementById("roomctl-devices-toggle");
  toggle.onclick = async () => {
    if (panel.hidden) await fillDevices().catch(reportError);
    panel.hidden = !panel.hidden;
    toggle.setAttribute("aria-expanded", String(!panel.hidden));
  };
  // Remote sound goes to the chosen speaker, also for people who join later.
  new MutationObserver(() => applySpeaker(saved().audiooutput))
    .observe(document.getElementById("tiles"), { childList: true, subtree: true });
  showCamera();
}

// Once the local devices are ready (the first getUserMedia).
export function devicesReady() {
  document.getElementById("roomctl-devices-toggle").hidden = false;
  showCamera();
}
