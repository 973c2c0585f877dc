// Party join page: hearing summary, device check, one-time SMS code, then the courtroom.
import { api, errorText, formatDateTime, setupHeader } from "./common.js";
import { t } from "./i18n.js";
import { watchMicrophone } from "./mic-check.js";
import { codeStep } from "./otp.js";

function tokenFromUrl() {
  const query = new URLSearchParams(location.search).get("t");
  if (query) return query;
  const match = location.pathname.match(/^\/join\/([^/]+)$/);
  return match ? decodeURIComponent(match[1]) : "";
}

const token = tokenFromUrl();
let stream = null;
let stopMicCheck = null;

async function checkDevices() {
  const micStatus = document.getElementById("mic-status");
  const camStatus = document.getElementById("cam-status");
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true })
      .catch(() => navigator.mediaDevices.getUserMedia({ audio: true }));
  } catch {
    micStatus.textContent = t("mic_fail");
    micStatus.className = "error";
    return;
  }
  if (stream.getVideoTracks().length) document.getElementById("preview").srcObject = stream;
  else camStatus.textContent = t("cam_none");
  // "麦克风正常" only once sound is heard (mic-check.js); silence says so, with what to do.
  if (stopMicCheck) stopMicCheck();
  stopMicCheck = watchMicrophone(stream, document.getElementById("level"), (verdict) => {
    micStatus.textContent = verdict === "ok" ? t("mic_ok")
      : verdict === "silent" ? `${t("roomctl_mic_silent")} ${t("roomctl_mic_silent_hint")}`
        : t("roomctl_mic_listening");
    micStatus.className = verdict === "ok" ? "hint ok" : verdict === "silent" ? "hint warn" : "hint";
    micStatus.dataset.verdict = verdict;
  });
}

async function main() {
  let summary;
  try {
    if (!token) throw new Error("no token");
    summary = await api("GET", `/api/join/${encodeURIComponent(token)}`);
  } catch {
    setupHeader();
    document.getElementById("invalid").hidden = false;
    return;
  }
  const h = summary.hearing;
  setupHeader({ court: h.court_name, caseNumber: h.case_number });
  document.getElementById("f-court").textContent = h.court_name;
  document.getElementById("f-case").textContent = h.case_number;
  document.getElementById("f-cause").textContent = h.cause_of_action;
  document.getElementById("f-time").textContent = formatDateTime(h.scheduled_at);
  document.getElementById("f-place").textContent = h.place;
  const roleText = document.documentElement.lang === "en" ? summary.role_label_en : summary.role_label_zh;
  document.getElementById("f-you").textContent = `${roleText} ${summary.participant_name}`;
  document.getElementById("steps").hidden = false;
  document.getElementById("check").onclick = checkDevices;

  const { say } = codeStep({
    button: document.getElementById("get-code"),
    sent: document.getElementById("sent"),
    error: document.getElementById("error"),
    request: () => api("POST", `/api/join/${encodeURIComponent(token)}/code`),
  });
  document.getElementById("verify").onsubmit = async (event) => {
    event.preventDefault();
    try {
      const me = await api("POST", `/api/join/${encodeURIComponent(token)}/verify`, {
        code: document.getElementById("code").value.trim(),
      });
      if (stream) for (const track of stream.getTracks()) track.stop();
      location.href = `/room.html?h=${me.hearing_id}`;
    } catch (exc) { say(false, errorText(exc)); }
  };
}

main();
