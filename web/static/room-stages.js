// Court stages (docs/protocol.md "Court stages"): the bar of the hearing's stages, shown to all,
// follows the stage markers of the transcript document (snapshot, then "segment" messages); the
// judge moves the hearing on by choosing a stage; during 核对身份 the clerk records each party's
// identity document as shown on camera, and the parties are asked to show theirs.
import { api, el } from "./common.js";
import { lang, roleLabel, t } from "./i18n.js";
import { hearingId, reportError, state } from "./room-state.js";

const view = {
  stages: [],          // [{code, order, zh, en}] (GET /api/hearings/{id}/stages)
  source: "",
  idTypes: [],
  identities: [],      // [{participant_id, court_role, display_name, checked, id_type, id_last4, …}]
  serverCurrent: null, // the current stage as the GET said
  markers: new Map(),  // marker id -> {kind: "stage" | "identity", what, n, ms}
  loaded: false,
  error: "",
};
// What the clerk has typed into the identity forms, and the panel's last error: the panel is
// drawn again whenever a marker arrives or the stages are reloaded, which must lose neither.
const drafts = new Map(); // participant id -> {id_type, id_last4, note}
let identityError = "";
state.stages = view; // window.tingshen.stages, for the browser tests and support staff

// "stage-<code>-<n>.<ms>" / "identity-<participant id>-<n>.<ms>" (hearing_server/live/stages.py).
function parseMarker(id) {
  const [kind, what, serial] = String(id).split("-");
  if ((kind !== "stage" && kind !== "identity") || !what || !serial) return null;
  const [n, ms] = serial.split(".").map(Number);
  return { kind, what, n: n || 0, ms: ms || 0 };
}

function currentStage() {
  let best = null;
  for (const m of view.markers.values()) {
    if (m.kind !== "stage") continue;
    if (!best || m.n > best.n || (m.n === best.n && m.ms > best.ms)) best = m;
  }
  return best ? best.what : view.serverCurrent;
}

function stageName(stage) {
  return lang() === "en" ? stage.en : stage.zh;
}

let reloading = null;
let reloadAgain = false;

async function reload() {
  if (reloading) { reloadAgain = true; return; }
  reloading = api("GET", `/api/hearings/${hearingId}/stages`)
    .then((data) => { apply(data); })
    .catch(reportError);
  await reloading;
  reloading = null;
  if (reloadAgain) { reloadAgain = false; await reload(); }
}

function apply(data) {
  view.stages = data.stages;
  view.source = data.source;
  view.idTypes = data.id_types;
  view.identities = data.identities;
  view.serverCurrent = data.current;
  for (const change of data.history) {
    const m = parseMarker(change.marker_id);
    if (m && !view.markers.has(change.marker_id)) view.markers.set(change.marker_id, m);
  }
  view.loaded = true;
  render();
}

// A segment of the transcript document reached the live panel (room-transcript.js).
export function noteSegment(segment) {
  if (segment.kind !== "marker" || view.markers.has(segment.id)) return;
  const marker = parseMarker(segment.id);
  if (!marker) return;
  view.markers.set(segment.id, marker);
  render();
  if (view.loaded) reload(); // who was checked with which document, the server's history
}

export function setupStages() {
  reload();
}

async function moveTo(stage) {
  try {
    apply(await api("POST", `/api/hearings/${hearingId}/stage`, { stage: stage.code }));
  } catch (exc) {
    reportError(exc);
  }
}

function render() {
  renderBar();
  renderIdentity();
}

function renderBar() {
  const bar = document.getElementById("stage-bar");
  if (!bar || !view.stages.length) return;
  const current = currentStage();
  const visited = new Set([...view.markers.values()].filter((m) => m.kind === "stage").map((m) => m.what));
  const judge = Boolean(state.me && state.me.isJudge);
  const items = view.stages.map((stage) => {
    const status = stage.code === current ? "current" : visited.has(stage.code) ? "done" : "todo";
    const label = [el("span", { class: "n" }, String(stage.order)), el("span", { class: "s" }, stageName(stage))];
    const inner = judge
      ? el("button", {
        type: "button", class: "stage-step", title: t("stages_move_to").replace("{s}", stageName(stage)),
        disabled: status === "current" ? "disabled" : null, onclick: () => moveTo(stage),
      }, ...label)
      : el("span", { class: "stage-step", title: stageName(stage) }, ...label);
    return el("li", {
      "data-stage": stage.code, class: status, "aria-current": status === "current" ? "step" : null,
    }, inner);
  });
  const head = el("span", { class: "stage-bar-label", title: `${t("stages_source")}：${view.source}` },
    t("stages_bar_label"),
    current ? null : el("span", { class: "stage-none" }, t("stages_not_started")));
  bar.replaceChildren(head, el("ol", {}, ...items));
  bar.setAttribute("aria-label", t("stages_bar_label"));
  bar.hidden = false;
}

function idTypeName(code) {
  const type = view.idTypes.find((x) => x.code === code);
  return type ? (lang() === "en" ? type.en : type.zh) : code;
}

function checkForm(person, error) {
  const draft = drafts.get(person.participant_id) || { id_type: "", id_last4: "", note: "" };
  drafts.set(person.participant_id, draft);
  const showError = (text) => { identityError = text; error.textContent = text; };
  const select = el("select", {
    "aria-label": t("stages_id_type"), class: "id-type",
    onchange: () => { draft.id_type = select.value; },
  }, ...view.idTypes.map((x) => el("option", { value: x.code }, lang() === "en" ? x.en : x.zh)));
  if (draft.id_type) select.value = draft.id_type;
  const last4 = el("input", {
    class: "id-last4", maxlength: "4", inputmode: "text", autocomplete: "off",
    placeholder: t("stages_id_last4_short"), "aria-label": t("stages_id_last4"),
    oninput: () => { draft.id_last4 = last4.value; showError(""); },
  });
  last4.value = draft.id_last4;
  const note = el("input", {
    class: "id-note", maxlength: "200", placeholder: t("stages_id_note"), "aria-label": t("stages_id_note"),
    oninput: () => { draft.note = note.value; },
  });
  note.value = draft.note;
  const submit = async (event) => {
    event.preventDefault();
    const digits = last4.value.trim();
    if (!/^[0-9A-Za-z]{4}$/.test(digits)) { showError(t("stages_last4_invalid")); return; }
    showError("");
    try {
      const body = { id_type: select.value, id_last4: digits, note: note.value.trim() };
      const answer = await api("POST", `/api/hearings/${hearingId}/participants/${person.participant_id}/identity`, body);
      drafts.delete(person.participant_id);
      apply(answer);
    } catch (exc) {
      showError(exc.message);
    }
  };
  return el("form", { class: "id-form", onsubmit: submit },
    select, last4, note, el("button", { type: "submit" }, t("stages_verify")));
}

function renderIdentity() {
  const panel = document.getElementById("identity-panel");
  if (!panel) return;
  const during = currentStage() === "identity";
  panel.hidden = !during;
  if (!during) return;
  const clerk = Boolean(state.me && state.me.staff && state.me.staffRole === "clerk");
  const checkedByMarker = new Set([...view.markers.values()].filter((m) => m.kind === "identity").map((m) => m.what));
  const error = el("p", { class: "error", role: "alert" }, identityError);
  // Keep the clerk's place: the field being typed in is focused again once the panel is redrawn.
  const focused = panel.contains(document.activeElement) ? document.activeElement : null;
  const focusedRow = focused?.closest("li")?.dataset.participant;
  const focusedClass = focused?.className;
  const rows = view.identities.map((p) => {
    const checked = p.checked || checkedByMarker.has(String(p.participant_id));
    const detail = p.checked ? `${idTypeName(p.id_type)} ****${p.id_last4}` : "";
    return el("li", { class: `id-person${checked ? " checked" : ""}`, "data-participant": String(p.participant_id) },
      el("span", { class: "r" }, roleLabel(p.court_role)), el("span", { class: "n" }, p.display_name),
      el("span", { class: `chip ${checked ? "present" : ""}` },
        checked ? `✓ ${t("stages_identity_checked")}` : t("stages_identity_pending")),
      detail ? el("span", { class: "id-detail" }, detail) : null,
      clerk && !checked ? checkForm(p, error) : null);
  });
  const mine = view.identities.find((p) => state.me && `participant-${p.participant_id}` === state.me.key);
  const ask = mine && !mine.checked && !checkedByMarker.has(String(mine.participant_id))
    ? el("p", { class: "id-ask", role: "status" }, t("stages_show_id")) : null;
  panel.replaceChildren(...[
    el("header", {}, el("h2", {}, t("stages_identity_title"))),
    ask,
    rows.length ? el("ul", { class: "id-list" }, ...rows) : el("p", { class: "hint" }, t("stages_nobody")),
    error,
  ].filter(Boolean));
  if (focusedRow && focusedClass) {
    panel.querySelector(`li[data-participant="${focusedRow}"] .${focusedClass.split(" ")[0]}`)?.focus();
  }
}
