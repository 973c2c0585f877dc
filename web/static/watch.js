// The observers' page (庭审公开): the hearing's broadcast (HLS, played by hls.js) and its
// delayed, committed transcript, polled. No WebRTC and no room socket: observers load only
// static playlists/segments and one small JSON poll every 2 s.
import { el, setupHeader } from "./common.js";
import { roleLabel, t } from "./i18n.js";
import Hls from "./vendor/hls.light.min.mjs";

const POLL_MS = 2000;
const token = decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] || "");
const viewer = crypto.randomUUID().replaceAll("-", "");
const page = { hls: null, playlist: null, state: "loading", lines: new Map() };
window.tingshenWatch = page; // for the browser tests

const $ = (id) => document.getElementById(id);

function setStatus(key) {
  page.state = key;
  $("watch-status").textContent = key === "playing" ? "" : t(`broadcast_${key}`);
  $("watch-status").dataset.state = key;
}

function play(url) {
  if (page.playlist === url) return;
  page.playlist = url;
  const video = $("watch-video");
  video.hidden = false;
  if (Hls.isSupported()) {
    page.hls = new Hls({ liveSyncDurationCount: 2, manifestLoadingMaxRetry: 6 });
    page.hls.loadSource(url);
    page.hls.attachMedia(video);
  } else {
    video.src = url; // Safari plays HLS natively
  }
  video.muted = false;
  video.play().catch(() => { video.muted = true; video.play().catch(() => {}); });
}

function stop(key) {
  if (page.hls) { page.hls.destroy(); page.hls = null; }
  page.playlist = null;
  const video = $("watch-video");
  video.pause();
  video.removeAttribute("src");
  video.hidden = true;
  setStatus(key);
}

function clock(iso) {
  return new Date(iso).toLocaleTimeString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" });
}

// An interpreter's line: "（为 被告 李娜 翻译）".
function interpretation(line) {
  if (!line.interprets_name) return [];
  const who = ` ${roleLabel(line.interprets_role)} ${line.interprets_name} `;
  return [el("span", { class: "interpretation" },
    `（${t("interpreting_of").replace("{who}", who).trim()}）`)];
}

function renderLines(lines) {
  const box = $("watch-lines");
  if (!lines.length && !box.childElementCount) {
    box.replaceChildren(el("p", { class: "hint" }, t("broadcast_no_lines")));
    return;
  }
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  for (const line of lines) {
    const node = el("div", { class: "line committed", "data-id": line.id },
      el("div", { class: "who" }, el("span", { class: "r" }, roleLabel(line.role)),
        el("span", {}, line.display_name), ...interpretation(line),
        el("span", { class: "at" }, clock(line.start_at))),
      el("div", { class: "text" }, line.text));
    const old = page.lines.get(line.id);
    if (old) {
      if (old.textContent !== node.textContent) old.replaceWith(node); else continue;
    } else {
      box.querySelector(".hint")?.remove();
      box.append(node);
    }
    page.lines.set(line.id, node);
  }
  if (atBottom) box.scrollTop = box.scrollHeight;
}

async function poll() {
  let response;
  try {
    response = await fetch(`/api/watch/${encodeURIComponent(token)}?viewer=${viewer}`,
      { cache: "no-store" });
  } catch { return; } // a network hiccup: try again at the next poll
  if (response.status === 404) { stop("not_found"); return; }
  if (!response.ok) return;
  const state = await response.json();
  setupHeader({ court: state.court, caseNumber: state.case_number });
  $("watch-delay").textContent = t("broadcast_delay_note").replace("{s}", String(state.delay_s));
  if (!state.public) {
    stop(page.state === "playing" || page.state === "waiting" ? "ended" : "off");
    $("watch-lines").replaceChildren();
    page.lines.clear();
    return;
  }
  renderLines(state.lines);
  if (state.playlist) {
    play(state.playlist);
    if (page.state !== "finished") setStatus("playing");
  } else if (page.state !== "playing") setStatus("waiting");
}

setupHeader();
setStatus("waiting");
// The hearing's live session ended while public: the playlist ended and the player played it out.
$("watch-video").addEventListener("ended", () => setStatus("finished"));
poll();
setInterval(poll, POLL_MS);
