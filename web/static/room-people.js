// Participants panel (state of everyone in the room from presence messages; the judge's mute,
// remove and readmit buttons) and leaving the room (the exit card: left, removed, closed).
import { api, el } from "./common.js";
import { roleLabel, t } from "./i18n.js";
import { scheduleReoffer } from "./room-media.js";
import { stopped } from "./room-reconnect.js";
import { hearingId, person, reportError, setConn, state } from "./room-state.js";
import { judgeMute, learn, showJudgeMuted } from "./room-tiles.js";
import { keepScrolled, setPartial } from "./room-transcript.js";

function personState(key) {
  const p = state.presence.get(key);
  if (!p) return "absent";
  if (p.state === "present" && !p.online && !p.media) return "offline";
  return p.state;
}

function moderationButtons(key, p) {
  if (!state.me.isJudge || key === state.me.key || !p.participantId) return null;
  const removed = personState(key) === "removed";
  const buttons = [];
  if (!removed) {
    const mute = el("button", { class: "small secondary mute-other", type: "button" },
      state.judgeMuted.has(key) ? t("unmute_other") : t("mute_other"));
    mute.onclick = () => judgeMute(key).catch(reportError);
    buttons.push(mute);
  }
  if (!removed && !p.staff) { // court staff on the list are not removed (the server refuses)
    const remove = el("button", { class: "small danger remove", type: "button" }, t("remove"));
    remove.onclick = () => removeParticipant(key).catch(reportError);
    buttons.push(remove);
  } else if (removed) {
    const readmit = el("button", { class: "small readmit", type: "button" }, t("readmit"));
    readmit.onclick = () => readmitParticipant(key).catch(reportError);
    buttons.push(readmit);
  }
  return el("div", { class: "person-actions" }, ...buttons);
}

export function renderPeople() {
  const keys = [...state.people.keys()];
  for (const key of state.presence.keys()) if (!keys.includes(key)) keys.push(key);
  const items = keys.map((key) => {
    const p = person(key);
    const presence = state.presence.get(key);
    const name = p.name || (presence && presence.display_name) || t("staff_unknown_speaker"); // never the key
    const role = p.role || (presence && presence.role) || "";
    const st = personState(key);
    const chips = [el("span", { class: `chip ${st}` }, t(st))];
    if (presence && presence.muted) chips.push(el("span", { class: "chip muted" }, t("muted")));
    return el("li", { class: "person", "data-speaker": key, "data-state": st },
      el("span", { class: "dot", "aria-hidden": "true" }),
      el("span", { class: "r" }, roleLabel(role)),
      el("span", { class: "n" }, name, key === state.me.key ? ` (${t("you")})` : ""),
      el("span", { class: "chips" }, ...chips),
      moderationButtons(key, p));
  });
  document.getElementById("people-list").replaceChildren(...items);
  const present = keys.filter((key) => personState(key) === "present").length;
  document.getElementById("people-count").textContent = `${present} / ${keys.length}`;
}

export function applyPresence(p, before = state.presence.get(p.speaker)) {
  state.presence.set(p.speaker, p);
  if (!state.people.has(p.speaker) || !person(p.speaker).name) learn(p);
  if (p.participant_id && (!before || before.muted !== p.muted)) showJudgeMuted(p.speaker, p.muted);
  const tile = state.tiles.get(p.speaker);
  const gone = p.state === "left" || p.state === "removed";
  if (tile && p.speaker !== state.me.key) tile.hidden = gone;
  if (gone) keepScrolled(() => setPartial({ ...p, text: "" })); // their unfinished words end
  if (p.speaker === state.me.key && p.state === "removed") exitRoom("removed");
  // Someone (new, or back after leaving: the old forwarding ended) is in the media: offer again
  // to receive them (coalesced). A re-offer of someone already in the media keeps forwarding.
  const back = p.media && !(before && before.media);
  const unknown = p.media && !Object.values(state.forwarded).includes(p.speaker);
  if (p.speaker !== state.me.key && (back || unknown)) scheduleReoffer();
}

async function removeParticipant(key) {
  const p = person(key);
  if (!confirm(t("confirm_remove").replace("{name}", p.name))) return;
  await api("POST", `/api/hearings/${hearingId}/participants/${p.participantId}/remove`);
}

async function readmitParticipant(key) {
  await api("POST", `/api/hearings/${hearingId}/participants/${person(key).participantId}/readmit`);
}

function stopTakingPart() {
  if (state.pc) state.pc.close();
  state.pc = null;
  clearTimeout(state.reofferTimer);
  if (state.ws) state.ws.close(1000, "left");
  for (const track of state.localStream ? state.localStream.getTracks() : []) track.stop();
}

export function exitRoom(kind) {
  if (state.exited) return;
  state.exited = kind;
  stopTakingPart();
  const staff = state.me.key.startsWith("staff-") || state.me.staff;
  // A closed hearing keeps its transcript on screen; leaving or removal shows only the card.
  const room = document.querySelector("main .room");
  if (kind === "closed") room.classList.add("ended"); else room.hidden = true;
  const texts = kind === "taken" ? "roomctl_taken" : kind; // seat taken by a newer page of ours
  document.getElementById("exit-title").textContent = t(`${texts}_title`);
  document.getElementById("exit-text").textContent = t(`${texts}_text`);
  const rejoin = document.getElementById("rejoin");
  rejoin.hidden = kind === "closed";
  rejoin.textContent = kind === "taken" ? t("roomctl_take_back") : t("rejoin");
  rejoin.onclick = () => location.reload();
  // A party of a closed hearing reads (and, once it is frozen, signs) the record next.
  const record = document.getElementById("exit-record");
  record.hidden = kind !== "closed" || staff;
  record.href = `/sign/${hearingId}`;
  const home = document.getElementById("exit-home");
  // The site's home is the staff dashboard (a party would land on the staff login): staff only.
  home.hidden = !staff;
  home.href = "/dashboard.html";
  home.textContent = t("back_dashboard");
  document.getElementById("room-exit").hidden = false;
  document.getElementById("room-exit").dataset.exit = kind;
  setConn("");
  stopped(); // no more retries: the exit card says why
}

export async function leave() {
  document.getElementById("leave").disabled = true;
  try {
    await api("POST", `/api/hearings/${hearingId}/leave`);
  } catch (exc) {
    // Leaving locally is what matters; the server closes a peer that goes silent anyway.
    console.warn("leave", exc);
  }
  exitRoom("left");
}
