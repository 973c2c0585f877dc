// A signing link (/sign/<token>, from the signing request's SMS or e-mail): who it is for, the
// one-time SMS code, then the signing page of the record. The session it gives reads and signs
// this hearing's record only; the courtroom stays closed to it.
import { api, errorText, setupHeader } from "./common.js";
import { lang, t } from "./i18n.js";
import { codeStep } from "./otp.js";

const $ = (id) => document.getElementById(id);
const match = location.pathname.match(/^\/sign\/([^/]+)$/);
const token = match ? decodeURIComponent(match[1]) : "";
const path = `/api/sign-links/${encodeURIComponent(token)}`;
// Where the party came from (the portal's link adds ?back=/portal/): carried to the signing page,
// which offers it only as a path of this site under /portal/ (web/static/sign.js).
const back = new URLSearchParams(location.search).get("back");
let summary = null;

function linkError(exc) {
  if (exc.status === 410) return t("signlink_gone");
  if (exc.status === 429) return t("signlink_too_many");
  if (exc.status === 401 || exc.status === 400 || exc.status === 404) return t("signlink_invalid");
  return errorText(exc);
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
  const { say } = codeStep({
    button: $("get-code"),
    sent: $("sent"),
    error: $("error"),
    request: () => api("POST", `${path}/code`),
  });
  $("verify").onsubmit = async (event) => {
    event.preventDefault();
    try {
      const me = await api("POST", `${path}/verify`, { code: $("code").value.trim() });
      location.href = `/sign/${me.hearing_id}${back ? `?back=${encodeURIComponent(back)}` : ""}`;
    } catch (exc) { say(false, errorText(exc)); }
  };
}

main();
