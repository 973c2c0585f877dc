// Recording gaps in the transcript (docs/protocol.md, "Transcript document"): the server writes
// each gap of a speaker's recording (mute, leave, disconnect, server restart, overload) into the
// document's "gaps" array; the editor shows each as a row of its own, never editable, placed by
// the same rule as the server's exports (hearing_server/transcript/model.py: interleave).
import { COURT_TIME_ZONE } from "./common.js";
import { roleLabel, t } from "./i18n.js";

export const GAP_REASONS = ["mute", "left", "removed", "disconnect", "restart", "overload"];

// The gaps as plain objects, in time order (the array is in the order they were reported).
export function readGaps(array) {
  return array.toArray()
    .map((m) => (m && typeof m.toJSON === "function" ? m.toJSON() : null))
    .filter((g) => g && typeof g.id === "string" && g.id)
    .sort((a, b) => (a.start_ms - b.start_ms) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

// Segments in document order, each gap before the first segment that starts after it began.
export function interleave(segments, gaps, startOf) {
  const out = [];
  let next = 0;
  for (const segment of segments) {
    while (next < gaps.length && gaps[next].start_ms < startOf(segment)) out.push({ gap: gaps[next++] });
    out.push({ segment });
  }
  while (next < gaps.length) out.push({ gap: gaps[next++] });
  return out;
}

function timeOfDay(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "?";
  return d.toLocaleTimeString("zh-CN", { hour12: false, timeZone: COURT_TIME_ZONE });
}

export function duration(ms) {
  const total = Math.round(Math.max(0, ms) / 1000);
  const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
  const fill = (key) => t(key).replace("{h}", h).replace("{m}", m).replace("{s}", s);
  return h ? fill("gap_hours") : m ? fill("gap_minutes") : fill("gap_seconds");
}

// "—— 原告 张三 静音 14:03:05–14:03:40（35 秒）——"
export function gapLine(gap) {
  const who = `${roleLabel(gap.speaker_role || "")} ${gap.speaker_name || ""}`.trim() || gap.speaker_key;
  const reason = GAP_REASONS.includes(gap.reason) ? t(`gap_${gap.reason}`) : gap.reason;
  return t("gap_row")
    .replace("{who}", who)
    .replace("{reason}", reason)
    .replace("{from}", timeOfDay(gap.start_utc))
    .replace("{to}", timeOfDay(gap.end_utc))
    .replace("{duration}", duration((gap.end_ms || 0) - (gap.start_ms || 0)));
}
