// A signing link (/sign/<token>, from the signing request's SMS or e-mail): who it is for, the
// one-time SMS code, then the signing page of the record. The session it gives reads and signs
// this hearing's record only; the courtroom stays closed to it.
import { api, setupHeader, showError } from "./common.js";
import { lang, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const match = location.pathname.match(/^\/sign\/([^/]+)$/);
const token = match ? decodeURIComponent(match[1]) : "";
const path = `/api/sign-links/${encodeURIComponent(token)}`;
let summary = null;

function linkError(exc) {
  if (exc.status === 410) return t("signlink_gone");
  if (exc.status === 429) return t("signlink_too_many");
  if (exc.status === 401 || exc.status === 400 || exc.status === 404) return t("signlink_invalid");
  return exc.message;
}

function codeError(exc) {
  if (exc.status === 429) return t("signlink_too_many");
  if ([400, 401, 410, 422].includes(exc.status)) return t("code_wrong");
  return exc.message;
}

function render() {
  const h = summary.hearing;
  setupHeader({ court: h.court_name, caseNumber: h.case_number, onLang: render });
  $("f-court").textContent = h.court_name;
  $("f-case").textContent = h.case_number;
  $("f-cause").textContent = h.cause_of_action;
  const role = lang() === "en" ? summary.role_label_en : summary.role_label_zh;
  $("f-you").textContent = `${role} ${summary.participant_name}`;
  $("intro").textContent = t(summary.complete ? "signlink_intro_complete" : "signlink_intro");
  $("enter").textContent = t(summary.complete ? "signlink_enter_read" : "signlink_enter");
}

async function main() {
  try {
    if (!token) throw Object.assign(new Error("no token"), { status: 401 });
    summary = await api("GET", path);
  } catch (exc) {
    setupHeader();
    $("invalid").textContent = linkError(exc);
    $("invalid").hidden = false;
    return;
  }
  render();
  $("steps").hidden = false;
  const error = $("error");
  const sent = $("sent");
  $("get-code").onclick = async () => {
    showError(error, "");
    try {
      const info = await api("POST", `${path}/code`);
      sent.textContent = `${t("code_sent")} ${info.sent_to}`;
      sent.hidden = false;
    } catch (exc) { showError(error, linkError(exc)); }
  };
  $("verify").onsubmit = async (event) => {
    event.preventDefault();
    showError(error, "");
    try {
      const me = await api("POST", `${path}/verify`, { code: $("code").value.trim() });
      location.href = `/sign/${me.hearing_id}`;
    } catch (exc) { showError(error, codeError(exc)); }
  };
}

main();
