// Video tiles: one per speaker, with speaking indicator, muted badge and the judge's mute button.
import { api, el } from "./common.js";
import { roleLabel, t } from "./i18n.js";
import { hearingId, person, reportError, state } from "./room-state.js";

const audioContext = new AudioContext();

function initials(name) {
  return (name || "?").trim().slice(-2);
}

// A microphone icon for the judge's mute button on a tile (a button, not a status badge).
function micIcon() {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", "icon");
  svg.setAttribute("aria-hidden", "true");
  svg.innerHTML = '<path fill="currentColor" d="M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.9V21h2v-3.1A7 7 0 0 0 19 11h-2z"/>';
  return svg;
}

export function tileFor(key) {
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
    const button = el("button", { class: "tile-btn", type: "button", "aria-pressed": "false" },
      micIcon(), el("span", { class: "tile-btn-label" }, t("mute_other")));
    button.onclick = () => judgeMute(key).catch(reportError);
    tile.append(el("div", { class: "tile-actions" }, button));
  }
  if (isMe) document.getElementById("tiles").prepend(tile);
  else document.getElementById("tiles").append(tile);
  state.tiles.set(key, tile);
  return tile;
}

// Staff who are not on the participant list are named by the transcript once they speak.

// Staff who are not on the participant list are named by the transcript once they speak.
export function learn(item) {
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

export function setMutedBadge(key, muted) {
  tileFor(key).querySelector(".badge-muted").hidden = !muted;
}

export function attachTrack(key, track) {
  const tile = tileFor(key);
  if (track.kind === "video") {
    tile.video.srcObject = new MediaStream([track]);
    // Show the picture only once frames arrive; until then the initials are visible (again, after
    // a re-offer replaced the connection the previous picture came on).
    tile.video.hidden = true;
    tile.querySelector(".avatar").hidden = false;
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

export async function judgeMute(key) {
  const muted = !state.judgeMuted.has(key);
  const p = person(key);
  await api("POST", `/api/hearings/${hearingId}/participants/${p.participantId}/mute`, { muted });
  showJudgeMuted(key, muted);
}

// The judge's mute of `key` (from the judge's own click or from a presence message).

// The judge's mute of `key` (from the judge's own click or from a presence message).
export function showJudgeMuted(key, muted) {
  if (muted) state.judgeMuted.add(key); else state.judgeMuted.delete(key);
  const tile = state.tiles.get(key);
  const button = tile && tile.querySelector(".tile-actions button");
  if (button) {
    button.querySelector(".tile-btn-label").textContent = muted ? t("unmute_other") : t("mute_other");
    button.setAttribute("aria-pressed", String(muted));
  }
  if (key === state.me.key) {
    const badge = tileFor(key).querySelector(".badge-muted");
    badge.textContent = muted ? t("muted_by_judge") : t("muted");
    badge.hidden = !(muted || state.selfMuted);
  } else if (tile) {
    setMutedBadge(key, muted);
  }
}
