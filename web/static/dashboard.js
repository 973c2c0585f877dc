// Staff dashboard: hearings by day, participants, invitation links, scheduling.
import {
  COURT_TIME_ZONE,
  api,
  el,
  errorText,
  fill,
  formatDateTime,
  formatDay,
  formatTime,
  setupHeader,
  showError,
} from "./common.js";
import { roleLabel, t } from "./i18n.js";
import { courtTimeToIso, hearingActions } from "./dashboard-hearing-actions.js";
import { casePartyChoice } from "./dashboard-case-parties.js";
import { linkButtons } from "./dashboard-links.js";
import { noticesPanel } from "./dashboard-notices.js";
import { languageFields, rowNotes } from "./interpreting.js";
import { apiAll } from "./paging.js";

const PARTY_ROLES = ["plaintiff", "defendant", "third_party", "agent", "witness", "observer",
  "interpreter"];
const SCHEDULERS = ["judge", "clerk"];
let me = null;
let cases = [];

// A refused action of a hearing row, told above the schedule in the page's language.
function report(exc) {
  showError(document.getElementById("dash-status"), "");
  showError(document.getElementById("dash-error"), errorText(exc));
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
  const show = (url) => {
    out.textContent = url;
    out.hidden = !url;
    copy.hidden = !url;
    copy.textContent = t("copy");
  };
  const invite = el("button", { class: "small secondary", type: "button" }, t("invite"));
  invite.onclick = () => api("POST", `/api/participants/${p.id}/invitation`).then((inv) => show(inv.url), report);
  const contact = [p.phone, p.email].filter(Boolean).join(" · ");
  return el("li", { "data-participant": p.id },
    el("span", { class: "role-tag" }, roleLabel(p.court_role)), el("strong", {}, p.display_name),
    contact ? el("span", { class: "hint p-contact" }, contact) : null,
    p.case_party_ref ? el("span", { class: "hint", "data-case-party-ref": p.case_party_ref }, t("case_party_invited_as")) : null,
    ...rowNotes(p, all), ...(p.staff_user_id || !SCHEDULERS.includes(me.role) ? [] : [invite, ...linkButtons(p, show)]), out, copy);
}

function addForm(hearing, list, participants = []) {
  const name = el("input", { "aria-label": t("name"), placeholder: t("name"), required: true });
  const role = el("select", { "aria-label": t("role") },
    ...PARTY_ROLES.map((r) => el("option", { value: r }, roleLabel(r))));
  const phone = el("input", { "aria-label": t("phone"), placeholder: t("phone"), inputmode: "tel" });
  const email = el("input", { "aria-label": t("staff_email"), placeholder: t("staff_email"), inputmode: "email" });
  const error = el("p", { class: "error", hidden: true });
  const spoken = languageFields(participants, role);
  const party = casePartyChoice(hearing, { name, role, phone, email });
  const form = el("form", { class: "row" }, party.node, name, role, phone, email, ...spoken.nodes,
    el("button", { class: "small shrink", type: "submit" }, t("add")), error);
  form.onsubmit = async (event) => {
    event.preventDefault();
    try {
      const p = await api("POST", `/api/hearings/${hearing.id}/participants`, {
        display_name: name.value.trim(), court_role: role.value, phone: phone.value.trim() || null,
        email: email.value.trim() || null, notify: false, // the clerk previews, then sends
        ...spoken.values(), case_party_ref: party.ref(),
      });
      participants.push(p);
      list.append(participantRow(p, participants));
      form.reset();
      party.clear();
      spoken.refresh();
      showError(error, "");
    } catch (exc) { showError(error, errorText(exc)); }
  };
  return form;
}

async function hearingRow(h) {
  const list = el("ul", { class: "plist" });
  const details = el("div", { hidden: true }, list);
  const toggle = el("button", { class: "small secondary", type: "button" }, t("participants"));
  toggle.onclick = async () => {
    if (details.hidden && !list.childElementCount) {
      const ps = await apiAll(`/api/hearings/${h.id}/participants`);
      for (const p of ps) list.append(participantRow(p, ps));
      if (SCHEDULERS.includes(me.role)) {
        details.append(el("h3", {}, t("add_participant")), el("p", { class: "hint" }, t("staff_add_hint")), addForm(h, list, ps));
      } else if (!ps.length) {
        list.append(el("li", { class: "hint" }, t("staff_no_participants")));
      }
    }
    details.hidden = !details.hidden;
  };
  const manage = ["judge", "clerk"].includes(me.role);
  const notices = el("div", { hidden: true });
  const noticesToggle = el("button", { class: "small secondary", type: "button" }, t("staff_notices"));
  noticesToggle.onclick = () => {
    if (!notices.childElementCount) notices.append(noticesPanel(h));
    notices.hidden = !notices.hidden;
  };
  const changes = hearingActions(h, me, async (message) => {
    await render();
    showError(document.getElementById("dash-error"), "");
    showError(document.getElementById("dash-status"), message);
  });
  const actions = el("div", { class: "actions" }, toggle, manage ? noticesToggle : null, ...changes.buttons);
  const canOpen = me.role === "clerk";
  if (h.status === "scheduled" && canOpen) {
    const open = el("button", { class: "small secondary", type: "button" }, t("open_hearing"));
    open.onclick = () => api("POST", `/api/hearings/${h.id}/open`).then(render, report);
    actions.append(open);
  }
  if (h.status === "open" && canOpen) {
    const close = el("button", { class: "small danger", type: "button" }, t("close_hearing"));
    close.onclick = async () => {
      if (!confirm(t("confirm_close"))) return;
      await api("POST", `/api/hearings/${h.id}/close`).then(render, report);
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
    ),
    actions,
    el("div", { class: "hearing-more" }, changes.slot, details, notices));
}

async function render() {
  const hearings = await apiAll("/api/hearings");
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

const FEE_VIEWERS = ["finance", "filing_clerk", "clerk", "judge", "court_admin"];
const DELIVERY_VIEWERS = ["judge", "clerk", "filing_clerk", "court_admin"];

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
  // Only the judge and the clerk schedule hearings and invite people; the filing clerk and the
  // court administrator are shown where their own work is instead.
  const schedules = SCHEDULERS.includes(me.role);
  document.getElementById("schedule").hidden = !schedules;
  document.getElementById("filing-card").hidden = me.role !== "filing_clerk";
  document.getElementById("admin-card").hidden = me.role !== "court_admin";
  // Litigation fees (/fees/): whoever may see a case's fee account; the finance officer's own page.
  document.getElementById("fees-card").hidden = !FEE_VIEWERS.includes(me.role);
  document.getElementById("fees-finance-link").hidden = me.role !== "finance";
  // Service of documents (/delivery/): the judge and clerk serve, the court's other staff read.
  document.getElementById("delivery-card").hidden = !DELIVERY_VIEWERS.includes(me.role);
  if (!schedules) {
    await render();
    return;
  }
  cases = await apiAll("/api/cases");
  const select = document.getElementById("s-case");
  for (const c of cases) select.append(el("option", { value: c.id }, `${c.case_number} ${c.cause_of_action}`));
  const form = document.getElementById("schedule");
  const error = document.getElementById("s-error");
  form.onsubmit = async (event) => {
    event.preventDefault();
    try {
      const h = await api("POST", `/api/cases/${select.value}/hearings`, {
        // The form's local date and time are the court's (Beijing) time.
        scheduled_at: courtTimeToIso(document.getElementById("s-time").value),
        duration_minutes: Number(document.getElementById("s-dur").value),
        place: document.getElementById("s-place").value.trim(),
        language: document.getElementById("s-lang").value,
      });
      showError(error, "");
      document.getElementById("s-time").value = ""; // a second click schedules nothing twice
      await render();
      showError(document.getElementById("dash-error"), "");
      showError(document.getElementById("dash-status"), fill(t("staff_scheduled"),
        { case: h.case_number, time: formatDateTime(h.scheduled_at), place: h.place }));
    } catch (exc) { showError(error, errorText(exc)); }
  };
  await render();
}

main();
