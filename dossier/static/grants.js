// The court administrator's page: grant a staff member access to a case's dossier (to read, or
// to review with comments), until an end date; revoke.
import { api, el, errorText, formatDateTime, setupHeader, showError } from "/common.js";
import { lang, roleLabel, t } from "/i18n.js";
import { apiAll } from "/paging.js";
import { PAGE_LIMIT } from "/dossier/register-common.js";

const caseId = Number(new URLSearchParams(location.search).get("case"));
const errorBox = document.getElementById("error");
const purpose = document.getElementById("purpose");
const bodyField = document.getElementById("body-field");
let staffById = new Map();

function staffLabel(user) {
  const role = user.role === "filing_clerk" ? t("dpub_role_filing_clerk") : roleLabel(user.role);
  return `${role} ${user.display_name}`;
}

function beijingDay(offsetDays) {
  const now = new Date(Date.now() + 8 * 3600 * 1000 + offsetDays * 86400 * 1000);
  return now.toISOString().slice(0, 10);
}

function formatDate(day) {
  const [y, m, d] = day.split("-");
  return lang() === "en" ? day : `${y}年${Number(m)}月${Number(d)}日`;
}

async function load() {
  let info;
  let grants;
  let staff;
  try {
    info = await api("GET", `/api/dossier/cases/${caseId}`);
    grants = await apiAll(`/api/dossier/cases/${caseId}/grants`, PAGE_LIMIT);
    staff = (await api("GET", "/api/staff")).items;
  } catch (exc) {
    setupHeader();
    showError(errorBox, errorText(exc));
    document.getElementById("grant-form").hidden = true;
    return;
  }
  setupHeader({ court: info.court_name, caseNumber: info.case_number });
  staffById = new Map(staff.map((u) => [u.id, u]));
  const select = document.getElementById("staff");
  select.replaceChildren(...staff.map((u) => el("option", { value: u.id }, staffLabel(u))));
  const list = document.getElementById("grants");
  list.replaceChildren(...grants.map((g) => {
    const user = staffById.get(g.user_id);
    const status = g.revoked_at ? t("dpub_grants_revoked") : g.active ? t("dpub_grants_active") : t("dpub_grants_inactive");
    const kind = g.purpose === "review"
      ? `${t("dpub_grants_purpose_review")}${g.review_body ? ` · ${t(`dpub_grants_body_${g.review_body}`)}` : ""}`
      : t("dpub_grants_purpose_read");
    return el("li", {},
      el("span", { class: "grow" }, user ? staffLabel(user) : g.user_name),
      el("span", {}, kind),
      el("span", { class: "meta" }, `${t("dpub_grants_ends_on")}：${formatDate(g.ends_on)}`),
      el("span", { class: "meta" }, `${t("dpub_grants_granted_by")}：${roleLabel("court_admin")} ${g.granted_by_name} ${formatDateTime(g.granted_at)}`),
      el("span", { class: g.active ? "dp-status-active" : "dp-status-ended" }, status),
      g.active ? el("button", { type: "button", class: "secondary", onclick: () => revoke(g.id) }, t("dpub_grants_revoke")) : null);
  }));
  if (!grants.length) list.append(el("li", { class: "hint" }, t("dpub_grants_none")));
}

async function revoke(id) {
  try {
    await api("DELETE", `/api/dossier/cases/${caseId}/grants/${id}`);
    showError(errorBox, "");
  } catch (exc) {
    showError(errorBox, errorText(exc));
  }
  await load();
}

purpose.addEventListener("change", () => { bodyField.hidden = purpose.value !== "review"; });
const endsOn = document.getElementById("ends-on");
endsOn.min = beijingDay(0);
endsOn.value = beijingDay(30);

document.getElementById("grant-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = {
    user_id: Number(document.getElementById("staff").value),
    purpose: purpose.value,
    ends_on: endsOn.value,
  };
  if (purpose.value === "review") body.review_body = document.getElementById("review-body").value;
  try {
    await api("POST", `/api/dossier/cases/${caseId}/grants`, body);
    showError(errorBox, "");
  } catch (exc) {
    showError(errorBox, errorText(exc));
    return;
  }
  await load();
});

load();
