// Staff dashboard: hearings by day, participants, invitation links, scheduling.
import {
  COURT_TIME_ZONE,
  COURT_UTC_OFFSET,
  api,
  el,
  formatDay,
  formatTime,
  setupHeader,
  showError,
} from "./common.js";
import { roleLabel, t } from "./i18n.js";
import { languageFields, rowNotes } from "./interpreting.js";

const PARTY_ROLES = ["plaintiff", "defendant", "third_party", "agent", "witness", "observer",
  "interpreter"];
let me = null;
let cases = [];

// A datetime-local value ("YYYY-MM-DDTHH:MM[:SS]") read as the court's local time.
function courtTimeToIso(value) {
  const withSeconds = value.length === 16 ? `${value}:00` : value;
  return new Date(`${withSeconds}${COURT_UTC_OFFSET}`).toISOString();
}

function dayKey(iso) {
  // The calendar day in the court's time zone (en-CA formats as YYYY-MM-DD).
  return new Date(iso).toLocaleDateString("en-CA", { timeZone: COURT_TIME_ZONE });
}

function participantRow(p, all = [p]) {
  const out = el("span", { class: "invite-url", hidden: true });
  const copy = el("button", { class: "small secondary", type: "button", hidden: true }, t("copy"));
  copy.onclick = async () => {
    try { await navigator.clipboard.writeText(out.textContent); } catch { /* selection fallback */ }
    copy.textContent = t("copied");
  };
  const invite = el("button", { class: "small secondary", type: "button" }, t("invite"));
  invite.onclick = async () => {
    const inv = await api("POST", `/api/participants/${p.id}/invitation`);
    out.textContent = inv.url;
    out.hidden = false;
    copy.hidden = false;
  };
  return el("li", { "data-participant": p.id },
    el("span", { class: "role-tag" }, roleLabel(p.court_role)), el("strong", {}, p.display_name),
    ...rowNotes(p, all), p.staff_user_id ? null : invite, out, copy);
}

function addForm(hearing, list, participants = []) {
  const name = el("input", { "aria-label": t("name"), placeholder: t("name"), required: true });
  const role = el("select", { "aria-label": t("role") },
    ...PARTY_ROLES.map((r) => el("option", { value: r }, roleLabel(r))));
  const phone = el("input", { "aria-label": t("phone"), placeholder: t("phone"), inputmode: "tel" });
  const error = el("p", { class: "error", hidden: true });
  const spoken = languageFields(participants, role);
  const form = el("form", { class: "row" }, name, role, phone, ...spoken.nodes,
    el("button", { class: "small shrink", type: "submit" }, t("add")), error);
  form.onsubmit = async (event) => {
    event.preventDefault();
    try {
      const p = await api("POST", `/api/hearings/${hearing.id}/participants`, {
        display_name: name.value.trim(), court_role: role.value, phone: phone.value.trim() || null,
        ...spoken.values(),
      });
      participants.push(p);
      list.append(participantRow(p, participants));
      form.reset();
      spoken.refresh();
      showError(error, "");
    } catch (exc) { showError(error, exc.message); }
  };
  return form;
}

async function hearingRow(h) {
  const list = el("ul", { class: "plist" });
  const details = el("div", { hidden: true }, list);
  const toggle = el("button", { class: "small secondary", type: "button" }, t("participants"));
  toggle.onclick = async () => {
    if (details.hidden && !list.childElementCount) {
      const ps = await api("GET", `/api/hearings/${h.id}/participants`);
      for (const p of ps) list.append(participantRow(p, ps));
      details.append(el("h3", {}, t("add_participant")), addForm(h, list, ps));
    }
    details.hidden = !details.hidden;
  };
  const actions = el("div", { class: "actions" }, toggle);
  const canOpen = me.role === "clerk";
  if (h.status === "scheduled" && canOpen) {
    const open = el("button", { class: "small secondary", type: "button" }, t("open_hearing"));
    open.onclick = async () => { await api("POST", `/api/hearings/${h.id}/open`); await render(); };
    actions.append(open);
  }
  if (h.status === "open" && canOpen) {
    const close = el("button", { class: "small danger", type: "button" }, t("close_hearing"));
    close.onclick = async () => {
      if (!confirm(t("confirm_close"))) return;
      await api("POST", `/api/hearings/${h.id}/close`);
      await render();
    };
    actions.append(close);
  }
  if (h.status === "open") {
    actions.append(el("a", { href: `/room.html?h=${h.id}` },
      el("button", { class: "small", type: "button", tabindex: "-1" }, t("enter_room"))));
  }
  if (h.status === "open" || h.status === "closed") {
    actions.append(el("a", { href: `/transcript/${h.id}` },
      el("button", { class: "small secondary", type: "button", tabindex: "-1" }, t("open_transcript"))));
  }
  if (h.status === "closed" || h.status === "signed") {
    actions.append(el("a", { href: `/sign/${h.id}` },
      el("button", { class: "small", type: "button", tabindex: "-1" }, t("sign_link"))));
  }
  return el("div", { class: "hearing", "data-hearing": h.id },
    el("div", { class: "clock" }, formatTime(h.scheduled_at)),
    el("div", {},
      el("div", { class: "title" }, h.case_number, " ",
        el("span", { class: `status ${h.status}` }, t(`status_${h.status}`))),
      el("div", { class: "meta" }, `${h.cause_of_action} · ${h.place} · ${h.duration_minutes} ${t("minutes")} · ${t(`lang_${h.language || "zh"}`)}`),
      details),
    actions);
}

async function render() {
  const hearings = await api("GET", "/api/hearings");
  const calendar = document.getElementById("calendar");
  calendar.replaceChildren();
  if (!hearings.length) calendar.append(el("p", { class: "hint" }, t("no_hearings")));
  const days = new Map();
  for (const h of hearings) {
    const key = dayKey(h.scheduled_at);
    if (!days.has(key)) days.set(key, []);
    days.get(key).push(h);
  }
  for (const group of days.values()) {
    const section = el("section", { class: "day" }, el("h3", {}, formatDay(group[0].scheduled_at)));
    for (const h of group) section.append(await hearingRow(h));
    calendar.append(section);
  }
}

async function main() {
  try {
    me = await api("GET", "/api/auth/me");
  } catch {
    location.href = `/login.html?next=${encodeURIComponent(location.pathname)}`;
    return;
  }
  setupHeader({ court: me.court_name });
  document.getElementById("hdr-case").textContent = t("dashboard");
  document.getElementById("who").textContent = `${roleLabel(me.role)} ${me.display_name}`;
  document.getElementById("logout").onclick = async () => {
    await api("POST", "/api/auth/logout");
    location.href = "/login.html";
  };
  cases = await api("GET", "/api/cases");
  const select = document.getElementById("s-case");
  for (const c of cases) select.append(el("option", { value: c.id }, `${c.case_number} ${c.cause_of_action}`));
  const form = document.getElementById("schedule");
  const error = document.getElementById("s-error");
  form.onsubmit = async (event) => {
    event.preventDefault();
    try {
      await api("POST", `/api/cases/${select.value}/hearings`, {
        // The form's local date and time are the court's (Beijing) time.
        scheduled_at: courtTimeToIso(document.getElementById("s-time").value),
        duration_minutes: Number(document.getElementById("s-dur").value),
        place: document.getElementById("s-place").value.trim(),
        language: document.getElementById("s-lang").value,
      });
      showError(error, "");
      await render();
    } catch (exc) { showError(error, exc.message); }
  };
  await render();
}

main();
