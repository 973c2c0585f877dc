// The frozen record as the signer reviews it (笔录核对): one row per segment (speaker role and name,
// time, text) and one per recording gap, read from /closing/transcript.json, the exact text that
// the signed PDF carries. Where the hearing's recording exists, a segment's time plays it from
// there, as in the editor. Also the objections and correction requests filed against the record,
// and the form a participant files one with (before signing; art. 150: a refused correction is
// itself put on the record, which is why the list is shown to everyone).
import { api, el, formatDateTime } from "./common.js";
import { errorText } from "./common.js"; // server errors in the page's language
import { roleLabel, t } from "./i18n.js";
import { gapLine, interleave } from "./transcript-gaps.js";
import { answerLine } from "./sign-corrections.js";

export function clock(ms) {
  const s = Math.max(0, Math.floor((ms || 0) / 1000));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const two = (n) => String(n).padStart(2, "0");
  return h ? `${h}:${two(m)}:${two(sec)}` : `${two(m)}:${two(sec)}`;
}

function speakerOf(item) {
  const s = item.speaker || {};
  return { key: s.key ?? item.speaker_key ?? "", role: s.role ?? item.speaker_role ?? "", name: s.name ?? item.speaker_name ?? "" };
}

// The export's gaps nest the speaker; gapLine (shared with the editor) reads flat fields.
function flatGap(gap) {
  const s = speakerOf(gap);
  return { ...gap, speaker_key: s.key, speaker_role: s.role, speaker_name: s.name };
}

export function segmentLabel(segment) {
  if (segment.kind === "note") return t("note");
  const s = speakerOf(segment);
  return `${roleLabel(s.role)} ${s.name}`.trim();
}

/** Render the frozen transcript into ``container``; ``onPlay(start_utc)`` once a recording exists. */
export function renderTranscript(container, transcript, onPlay = null) {
  // never a speaker label with nothing after it (issue 13: records frozen before the fix)
  const segments = (transcript.segments || []).filter((s) => /[\p{L}\p{N}]/u.test(s.text || ""));
  const gaps = (transcript.gaps || []).map(flatGap).sort((a, b) => a.start_ms - b.start_ms);
  const rows = interleave(segments, gaps, (s) => s.start_ms || 0).map((item) => {
    if (item.gap) return el("div", { class: "seg seg-gap", "data-gap": item.gap.id }, el("div", { class: "seg-text" }, gapLine(item.gap)));
    const s = item.segment;
    const time = onPlay && s.start_utc
      ? el("button", { class: "seg-time play", type: "button", title: t("play_from_here"), onclick: () => onPlay(s.start_utc) }, `▶ ${clock(s.start_ms)}`)
      : el("time", { class: "seg-time" }, clock(s.start_ms));
    return el("div", { class: `seg${s.kind === "note" ? " seg-note" : ""}`, "data-id": s.id, id: `seg-${s.id}` },
      el("div", { class: "seg-head" }, el("span", { class: "seg-speaker" }, segmentLabel(s)), s.kind === "note" ? null : time),
      el("div", { class: "seg-text" }, s.text));
  });
  container.replaceChildren(...(rows.length ? rows : [el("p", { class: "hint" }, t("sign_empty_record"))]));
}

/** The recordings player (mix and one track per speaker); returns the onPlay callback, or null.
 * ``recorded``: the closing status's flag; a hearing that was not recorded has no manifest to ask
 * for (the route answers 404), so none is asked. */
export async function setupPlayer(hearingId, speakers, recorded) {
  if (!recorded) return null;
  let manifest;
  try {
    manifest = await api("GET", `/api/hearings/${hearingId}/recordings`);
  } catch {
    return null; // the recordings cannot be had now: the record reads without the player
  }
  const origin = Date.parse(manifest.origin_utc);
  const audio = document.getElementById("player");
  const select = document.getElementById("player-track");
  const label = (name) => {
    const named = (manifest.speakers || {})[name]; // staff off the participant list, too
    const p = speakers.find((s) => s.key === name) || (named && { role: named.role, name: named.display_name });
    return name === "mix" ? t("recording_mix") : p ? `${roleLabel(p.role)} ${p.name}` : t("staff_unknown_speaker");
  };
  select.replaceChildren(...["mix", ...manifest.tracks.map((f) => f.name)].map((name) => el("option", { value: name }, label(name))));
  const load = () => { audio.src = `/api/hearings/${hearingId}/recordings/${select.value}.flac`; };
  select.onchange = load;
  load();
  document.getElementById("player-box").hidden = false;
  return (startUtc) => {
    const seconds = Math.max(0, (Date.parse(startUtc) - origin) / 1000);
    const seek = () => { audio.currentTime = seconds; audio.play().catch(() => {}); };
    if (audio.readyState >= 1) seek();
    else { audio.addEventListener("loadedmetadata", seek, { once: true }); audio.load(); }
  };
}

/** The objections filed so far, each pointing at its segment when it names one. */
export function renderObjections(list, objections, transcript) {
  const byId = new Map((transcript?.segments || []).map((s) => [s.id, s]));
  list.replaceChildren(...objections.map((o) => {
    const seg = o.segment_id ? byId.get(o.segment_id) : null;
    return el("li", { class: `objection kind-${o.kind}`, "data-objection": o.id },
      el("div", { class: "h-meta" }, `${t(`sign_kind_${o.kind}`)} · ${roleLabel(o.role)} ${o.author_name} · ${formatDateTime(o.created_at)}`),
      seg ? el("a", { class: "obj-seg", href: `#seg-${seg.id}` }, `${clock(seg.start_ms)} ${segmentLabel(seg)}`) : null,
      el("div", { class: "obj-text" }, o.text),
      answerLine(o));
  }));
  if (!objections.length) list.replaceChildren(el("li", { class: "hint" }, t("sign_no_objections")));
}

/** Wire the objection form: ``submit(body)`` posts it; ``done()`` refreshes the page's state. */
export function setupObjectionForm(transcript, { submit, done }) {
  const form = document.getElementById("objection-form");
  const segment = document.getElementById("obj-segment");
  const text = document.getElementById("obj-text");
  const error = document.getElementById("obj-error");
  segment.replaceChildren(el("option", { value: "" }, t("sign_obj_whole")),
    ...(transcript.segments || []).map((s) => el("option", { value: s.id },
      `${clock(s.start_ms)} ${segmentLabel(s)}：${s.text.slice(0, 24)}${s.text.length > 24 ? "…" : ""}`)));
  form.onsubmit = async (event) => {
    event.preventDefault();
    const body = { kind: document.getElementById("obj-kind").value, segment_id: segment.value || null, text: text.value.trim() };
    if (!body.text) return;
    const button = document.getElementById("obj-submit");
    button.disabled = true;
    try {
      await submit(body);
      form.reset();
      error.hidden = true;
      await done();
    } catch (exc) {
      error.textContent = errorText(exc);
      error.hidden = false;
    } finally {
      button.disabled = false;
    }
  };
}
