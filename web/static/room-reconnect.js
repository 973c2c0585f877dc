// What happens when the connection drops (issue 13): a banner above the video says so, counts the
// attempts, and tells the person what to do; it goes once both the media and the transcript
// connection are back. A page that stopped for good (left, removed, the hearing closed, or its
// seat taken by another window) shows its exit card instead and no longer retries.
import { el } from "./common.js";
import { t } from "./i18n.js";
import { state } from "./room-state.js";

const down = new Map(); // "media" | "transcript" -> attempts since it dropped
const ADVICE_AFTER = 5;  // attempts after which the banner advises a reload or the clerk

function render() {
  const banner = document.getElementById("roomctl-banner");
  if (!banner) return;
  const attempts = Math.max(0, ...down.values());
  if (state.exited || !down.size) { banner.hidden = true; banner.replaceChildren(); return; }
  const lines = [
    el("strong", {}, t("roomctl_reconnecting").replace("{n}", String(Math.max(1, attempts)))),
    el("span", {}, t(down.has("media") ? "roomctl_reconnect_hint_media" : "roomctl_reconnect_hint")),
  ];
  if (attempts >= ADVICE_AFTER) lines.push(el("span", {}, t("roomctl_reconnect_advice")));
  banner.replaceChildren(...lines);
  banner.dataset.attempts = String(attempts);
  banner.hidden = false;
}

// `channel` dropped, or another attempt to restore it began.
export function attempting(channel) {
  down.set(channel, (down.get(channel) || 0) + 1);
  render();
}

export function restored(channel) {
  if (!down.delete(channel)) return;
  render();
}

export function stopped() {
  down.clear();
  render();
}
