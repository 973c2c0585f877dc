// Hearing room: who am I, the hearing and its participants, then media and the live transcript.
// Modules: room-state (shared state), room-tiles (video tiles), room-media (WebRTC),
// room-transcript (WebSocket), room-people (participants panel, leaving).
import { api, setupHeader } from "./common.js";
import { errorText } from "./common.js"; // server errors in the page's language
import { roleLabel, t } from "./i18n.js";
import { apiAll } from "./paging.js";
import { ensureMedia, toggleSelfMute } from "./room-media.js";
import { leave, renderPeople } from "./room-people.js";
import { hearingId, reportError, setConn, state } from "./room-state.js";
import { setupEvidence } from "./room-evidence.js";
import { setupScreen } from "./room-screen.js";
import { setupStages } from "./room-stages.js";
import { attachTrack } from "./room-tiles.js";
import { connectTranscript } from "./room-transcript.js";
import { fitTiles } from "./room-grid.js";
import { setupFloor } from "./room-floor.js";
import { devicesReady, mediaConstraints, setupDevices } from "./room-devices.js";

// Staff or party, in one request (GET /api/session: 401 only without a session).
async function whoAmI(participants) {
  const me = await api("GET", "/api/session");
  if (me.kind === "staff") {
    const own = participants.find((p) => p.staff_user_id === me.id);
    return {
      key: own ? `participant-${own.id}` : `staff-${me.id}`,
      role: own ? own.court_role : me.role, name: me.display_name,
      isJudge: me.role === "judge", staff: true, staffRole: me.role,
    };
  }
  return {
    key: `participant-${me.participant_id}`, role: me.court_role, name: me.display_name,
    isJudge: false, staff: false,
  };
}

async function main() {
  let hearing;
  let participants;
  try {
    hearing = await api("GET", `/api/hearings/${hearingId}`);
    participants = await apiAll(`/api/hearings/${hearingId}/participants`);
  } catch (exc) {
    setupHeader();
    if (exc.status === 401) location.href = `/login.html?next=${encodeURIComponent(location.pathname + location.search)}`;
    document.getElementById("tr-notice").textContent = errorText(exc);
    document.getElementById("tr-notice").hidden = false;
    return;
  }
  setupHeader({ court: hearing.court_name, caseNumber: `${hearing.case_number}　${hearing.cause_of_action}` });
  state.participants = participants;
  for (const p of participants) {
    state.people.set(`participant-${p.id}`, {
      role: p.court_role, name: p.display_name, participantId: p.id, staff: Boolean(p.staff_user_id),
    });
  }
  state.me = await whoAmI(participants);
  if (!state.people.has(state.me.key)) state.people.set(state.me.key, { role: state.me.role, name: state.me.name });
  document.getElementById("who").textContent = `${roleLabel(state.me.role)} ${state.me.name}`;
  document.getElementById("mute").onclick = toggleSelfMute;
  document.getElementById("leave").onclick = leave;
  // The transcript of record (corrections by the clerk) opens beside the room.
  document.getElementById("open-transcript").onclick = () => window.open(`/transcript/${hearingId}`, `transcript-${hearingId}`);
  const closeButton = document.getElementById("close-hearing");
  closeButton.hidden = !(state.me.staff && state.me.staffRole === "clerk");
  closeButton.onclick = async () => {
    if (!confirm(t("confirm_close"))) return;
    await api("POST", `/api/hearings/${hearingId}/close`).catch(reportError);
  };
  renderPeople();
  setupStages();
  setupEvidence();
  fitTiles(document.getElementById("tiles"));
  setupFloor();
  setupDevices();
  setupScreen();
  connectTranscript();
  setConn(t("connecting"));
  try {
    // The devices chosen in this browser before (room-devices.js), else the defaults.
    state.localStream = await navigator.mediaDevices.getUserMedia(mediaConstraints())
      .catch(() => navigator.mediaDevices.getUserMedia({ audio: true, video: true }))
      .catch(() => navigator.mediaDevices.getUserMedia({ audio: true }));
  } catch {
    setConn(t("no_media"));
    return;
  }
  attachTrack(state.me.key, state.localStream.getAudioTracks()[0]);
  const video = state.localStream.getVideoTracks()[0];
  if (video) attachTrack(state.me.key, video);
  devicesReady();
  if (hearing.status !== "open") { setConn(t("not_open")); return; } // the snapshot starts it
  ensureMedia();
}

main();
