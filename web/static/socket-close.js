// What a page tells a person when the server closed one of its sockets (docs/protocol.md
// "Close codes"): the ended session (4401: logged out, expired, link withdrawn), removal, and
// the per-socket limits. Texts in i18n/revocation.js.
import { t } from "./i18n.js";

const SESSION_ENDS = ["logged_out", "session_expired", "link_revoked", "session_ended"];

// "logged_out" | "session_expired" | "link_revoked" | "session_ended" for a 4401 close, else null.
export function sessionEnd(event) {
  if (!event || event.code !== 4401) return null;
  const reason = String(event.reason || "");
  return SESSION_ENDS.find((kind) => reason.startsWith(kind)) || "session_ended";
}

export function socketClosedText(event) {
  const ended = sessionEnd(event);
  if (ended) return t(`${ended}_text`);
  const key = `ws_closed_${event.code}`;
  const text = t(key);
  return text !== key ? text : String(event.reason || "");
}
