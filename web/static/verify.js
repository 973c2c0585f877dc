// The verification page: anyone checks a signed transcript (upload, or ?hearing=ID from the case).
// The server verifies (POST /api/verify); this page only shows its report. Problem codes are
// translated here; the server's English message is kept below each as the precise detail.
import { COURT_TIME_ZONE, el, errorText as apiErrorText, setupHeader, showError } from "/common.js";
import { applyI18n, lang, t } from "/i18n.js";

const MAX_BYTES = 50 * 1024 * 1024;
const $ = (id) => document.getElementById(id);
let last = null; // { report, source } of the last verification, re-rendered on language switch

function header() {
  setupHeader({
    onLang: () => {
      header();
      if (last) render(last.report, last.source);
    },
  });
}

const colon = () => (lang() === "en" ? ": " : "：");

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => String(values[key] ?? ""));
}

function when(iso) {
  if (!iso) return "—";
  return new Date(iso).toLocaleString(lang(), {
    year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone: COURT_TIME_ZONE,
  });
}

function problemLabel(code) {
  const key = `vf_p_${code}`;
  return t(key) === key ? code : t(key);
}

// One signature's problems: the translated kind, the server's precise message below it.
function problemItem(problem) {
  return el("li", { "data-code": problem.code }, problemLabel(problem.code),
    englishDetail(problem.message));
}

// The document's problems, one line per kind with the signatures it concerns (the details are
// under each signature); problems of the document as a whole keep their message.
function problemSummary(problems) {
  const groups = new Map();
  for (const problem of problems) {
    const group = groups.get(problem.code) || { code: problem.code, signatures: [], messages: [] };
    if (problem.signature) group.signatures.push(problem.signature);
    else group.messages.push(problem.message);
    groups.set(problem.code, group);
  }
  const separator = lang() === "en" ? ", " : "、";
  return [...groups.values()].map((group) => el("li", { "data-code": group.code },
    problemLabel(group.code),
    group.signatures.length ? fill(t("vf_in_sigs"), { list: group.signatures.join(separator) }) : "",
    ...group.messages.map(englishDetail)));
}

// The server's precise detail is English: shown on the English page only (issue 13, defect 6).
function englishDetail(message) {
  return lang() === "en" && message ? el("span", { class: "vf-detail vf-server" }, message) : null;
}

function facts(pairs) {
  const dl = el("dl", { class: "facts" });
  for (const [key, value] of pairs) dl.append(el("dt", {}, t(key)), el("dd", {}, value));
  return dl;
}

function signatureBlock(sig) {
  const good = sig.problems.length === 0;
  let state = t("vf_sig_ok");
  if (!sig.intact) state = t("vf_broken");
  else if (sig.changed_after) state = t("vf_changed");
  else if (!good) state = t("vf_sig_bad");
  const chain = el("ol", { class: "vf-chain" }, ...sig.chain.map((c) => el("li", {}, c)));
  const block = el("div", { class: "vf-sig", "data-field": sig.field },
    el("div", { class: "head" },
      el("span", { class: "role-tag" }, sig.role),
      el("span", { class: "n" }, sig.signer_name),
      el("span", { class: `state ${good ? "good" : "bad"}` }, (good ? "✓ " : "✗ ") + state)),
    facts([
      ["vf_signing_time", when(sig.signing_time)],
      ["vf_timestamp_time", when(sig.timestamp_time)],
      ["vf_tsa", sig.tsa || "—"],
      ["vf_chain", chain],
      ["vf_after", sig.intact && !sig.changed_after ? t("vf_intact") : t("vf_changed")],
      ["vf_field", sig.field],
    ]));
  if (!good) block.append(el("ul", { class: "vf-issues" }, ...sig.problems.map(problemItem)));
  return block;
}

// Each bound recording with what became of it: matches, differs, or not checked (not supplied).
function recordingItem(recording) {
  const check = recording.check || "not_checked";
  const bad = check === "differs" || check === "not_bound";
  return el("li", { "data-recording": recording.name, "data-check": check },
    el("span", {}, recording.duration_ms == null
      ? recording.name : `${recording.name} (${(recording.duration_ms / 1000).toFixed(0)} s)`),
    el("span", { class: `vf-check ${bad ? "bad" : check === "matches" ? "good" : ""}` },
      t(`vfrec_${check}`)),
    recording.sha256 ? el("span", { class: "vf-digest vf-detail" }, recording.sha256) : "");
}

function bindingBlock(binding, report) {
  if (!binding) return el("p", { class: "error" }, t("vf_no_binding"));
  const unbound = (report.recordings_not_bound || []).map((name) => ({ name, check: "not_bound" }));
  const all = [...binding.recordings, ...unbound];
  const recordings = el("ul", { class: "vf-chain" }, ...all.map(recordingItem));
  const rows = [
    ["vf_case", binding.case_number],
    ["vf_version", String(binding.transcript_version)],
    ["vf_transcript_digest", el("span", { class: "vf-digest" }, binding.transcript_sha256)],
    ["vf_recordings", all.length ? recordings : "—"],
  ];
  if (binding.recordings.length) {
    const unchecked = binding.recordings.filter((r) => (r.check || "not_checked") === "not_checked").length;
    const checked = binding.recordings.length - unchecked;
    const summary = el("span", { id: "recordings-summary" },
      fill(t("vfrec_summary"), { checked, unchecked }));
    if (report.recordings_checked && checked) summary.append(el("span", { class: "vf-detail" }, t("vf_recordings_checked_yes")));
    else if (!report.recordings_checked) summary.append(el("span", { class: "vf-detail" }, t("vfrec_upload_hint")));
    rows.push(["vf_recordings_checked", summary]);
  }
  return facts(rows);
}

function render(report, source) {
  last = { report, source };
  applyI18n();
  const verdict = $("verdict");
  verdict.className = `vf-verdict ${report.valid ? "valid" : "invalid"}`;
  verdict.dataset.valid = String(report.valid);
  $("verdict-mark").textContent = report.valid ? "✓" : "✗";
  $("verdict-word").textContent = t(report.valid ? "vf_valid" : "vf_invalid");
  $("verdict-text").textContent = t(report.valid ? "vf_valid_text" : "vf_invalid_text");
  $("source").textContent = source.hearing
    ? t("vf_hearing_doc")
    : `${t("vf_file")}${colon()}${source.name} (${(source.size / 1024).toFixed(0)} KB)`;
  $("not-complete").hidden = !(source.hearing && report.complete === false);
  $("problems-card").hidden = report.problems.length === 0;
  $("problems").replaceChildren(...problemSummary(report.problems));
  const signatures = report.signatures.map(signatureBlock);
  $("signatures").replaceChildren(...(signatures.length ? signatures : [el("p", { class: "hint" }, t("vf_none"))]));
  $("binding").replaceChildren(bindingBlock(report.binding, report));
  $("result").hidden = false;
}

function errorText(err) {
  const key = `vf_error_${err.code}`;
  return t(key) !== key ? t(key) : apiErrorText(err);
}

async function request(path, init, source) {
  showError($("error"), "");
  $("result").hidden = true;
  $("busy").hidden = false;
  try {
    const response = await fetch(path, { credentials: "same-origin", ...init });
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const err = data && data.error ? data.error : {};
      showError($("error"), errorText(err));
      return;
    }
    render(data, source);
  } catch (exc) {
    showError($("error"), apiErrorText(exc));
  } finally {
    $("busy").hidden = true;
  }
}

function verifyFile(file) {
  if (!file) return;
  if (file.size > MAX_BYTES) {
    showError($("error"), t("vf_error_too_large"));
    return;
  }
  const source = { name: file.name, size: file.size };
  request("/api/verify", {
    method: "POST", headers: { "Content-Type": "application/pdf" }, body: file,
  }, source);
}

header();
$("file").addEventListener("change", (event) => {
  verifyFile(event.target.files[0]);
  event.target.value = ""; // choosing the same file again verifies again
});
const drop = $("drop");
for (const type of ["dragenter", "dragover"]) {
  drop.addEventListener(type, (event) => { event.preventDefault(); drop.classList.add("over"); });
}
for (const type of ["dragleave", "drop"]) {
  drop.addEventListener(type, () => drop.classList.remove("over"));
}
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  verifyFile(event.dataTransfer.files[0]);
});
const hearing = new URLSearchParams(location.search).get("hearing");
if (hearing && /^\d+$/.test(hearing)) {
  request(`/api/hearings/${hearing}/closing/verification`, { method: "GET" }, { hearing });
}
