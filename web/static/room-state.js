// Room page state shared by the room modules (window.tingshen for tests and support staff),
// the hearing id from the address, and small helpers used everywhere.
import { t } from "./i18n.js";
import { errorText } from "./common.js"; // server errors in the page's language

export const hearingId = Number(new URLSearchParams(location.search).get("h")
  || (location.pathname.match(/^\/room\/(\d+)/) || [])[1]);
export const state = {
  me: null,            // {key, role, name, staff: bool, isJudge: bool}
  people: new Map(),   // speaker key -> {role, name, participantId}
  tiles: new Map(),    // speaker key -> tile element
  pc: null,
  localStream: null,
  forwarded: {},
  selfMuted: false,
  judgeMuted: new Set(),
  seq: 0,
  liveId: null,        // the live session the seq belongs to (a restart starts a new one)
  lastReoffer: 0,
  presence: new Map(), // speaker key -> presence message (docs/protocol.md)
  participants: [],    // GET /api/hearings/{id}/participants
  ws: null,
  connecting: false,
  reofferTimer: null,
  exited: null,        // "left" | "removed" | "closed" | "taken" once the page stopped taking part
  // This page's id: a newer page of the same person takes the seat (hearing_server/live/seats.py).
  tab: `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`,
};
window.tingshen = state; // for the browser tests and for support staff in the console

export function person(key) {
  return state.people.get(key) || { role: key.startsWith("staff-") ? "court_staff" : "", name: "" };
}

export function setConn(text) {
  document.getElementById("conn").textContent = text;
}

export function reportError(exc) {
  setConn(`${t("error")}: ${errorText(exc)}`);
}
