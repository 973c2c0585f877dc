// The signing page of a closed hearing's record (笔录签名), /sign/{hearing}: the judge freezes the
// proofread transcript; each participant reviews the frozen record (with the recording), may file
// an objection or ask for a correction, confirms it, draws a signature and signs; then the bench
// signs and the server seals. The clerk follows every slot here and records a refusal.
//
// The signature is a PAdES signature by a key made in this browser (sign-keys.js; it never leaves
// it): the court CA certifies its public key for the signer's authenticated identity, the server
// prepares the PDF revision and sends the bytes to sign, this page signs them, the server embeds
// the signature. The page holds no state the server does not have: it re-reads the status after
// every action and every few seconds, so several people's pages agree.
import { api, el, setupHeader } from "./common.js";
import { errorText } from "./common.js"; // server errors in the page's language
import { roleLabel, t } from "./i18n.js";
import { apiAll } from "./paging.js";
import { renderSlots } from "./sign-clerk.js";
import { blockingText, renderAnswerBox } from "./sign-corrections.js";
import { mayFileErrata, renderErrata, setupErrataForm } from "./sign-errata.js";
import { publicKeySpki, signBytes, signerKey } from "./sign-keys.js";
import { renderObjections, renderTranscript, setupObjectionForm, setupPlayer } from "./sign-review.js";
import { SignaturePad } from "./signature-pad.js";
import { sameSiteTarget } from "./redirect.js";

const hearingId = Number(new URLSearchParams(location.search).get("h")
  || (location.pathname.match(/^\/sign\/(\d+)/) || [])[1]);
const base = `/api/hearings/${hearingId}/closing`;
const POLL_MS = 4000;
const page = { status: null, transcript: null, loading: null, pad: null, busy: false, speakers: [] };

const $ = (id) => document.getElementById(id);

function notice(text) {
  $("sign-notice").textContent = text || "";
  $("sign-notice").hidden = !text;
}

function showError(text) {
  $("sign-error").textContent = text || "";
  $("sign-error").hidden = !text;
}

// A reason code from the server (me.reason_code, an error's code) in the page's language; ""
// where there is no translation (the caller then shows the server's own words).
function reasonText(code) {
  if (!code) return "";
  const key = `sign_reason_${code}`;
  const text = t(key);
  return text === key ? "" : text;
}

// Why the caller cannot sign yet: the common case (the bench waits for the participants) is said
// in the page's language; any other refusal is shown as the server words it.
function waitReason(status, slot) {
  if (slot && slot.group === "bench" && status.stage === "participants") {
    const names = status.slots.filter((s) => s.group === "participant" && s.status === "pending")
      .map((s) => `${roleLabel(s.role)} ${s.name}`).join("、");
    return t("sign_wait_participants").replace("{names}", names);
  }
  if (status.me.reason_code === "corrections_open") return blockingText(status);
  return reasonText(status.me.reason_code) || status.me.reason || t("sign_wait");
}

function mySlot(status) {
  return status.slots.find((s) => s.key === status.me.key) || null;
}

function stateLine(status) {
  const line = t(`sign_state_${status.state}`);
  if (status.state !== "signing" || !status.stage) return line;
  return `${line} · ${t(`sign_stage_${status.stage}`)}`;
}

// Once per page: the frozen record does not change (a poll racing the first load waits for it).
function loadTranscript(status) {
  if (page.transcript || status.frozen_version === null || status.frozen_version === undefined) return null;
  page.loading ??= fetchTranscript(status).finally(() => { page.loading = null; });
  return page.loading;
}

async function fetchTranscript(status) {
  const transcript = await api("GET", `${base}/transcript.json`);
  const onPlay = await setupPlayer(hearingId, page.speakers, status.recorded);
  page.transcript = transcript;
  renderTranscript($("review"), transcript, onPlay);
  $("frozen-info").textContent = t("sign_frozen_at").replace("{v}", status.frozen_version);
  if (mayFileErrata(status)) {
    setupErrataForm(transcript, { submit: (body) => api("POST", `${base}/errata`, body), done: refresh });
  }
  if (status.me.is_signer) {
    setupObjectionForm(transcript, {
      submit: (body) => api("POST", `${base}/objections`, body),
      done: refresh,
    });
  }
}

function renderSignBox(status) {
  const me = status.me;
  const slot = mySlot(status);
  $("sign-box").hidden = !me.is_signer || status.state === "open" || status.state === "proofreading";
  const done = slot && slot.status !== "pending";
  $("sign-form").hidden = done || !me.may_sign;
  $("signed-done").hidden = !done;
  if (done) {
    $("signed-done").replaceChildren(t(`sign_mine_${slot.status}`),
      slot.status === "signed" ? " " : null,
      slot.status === "signed" ? el("a", { href: status.document_url, download: "" }, t("sign_download_pdf")) : null);
  }
  // The pad sizes its canvas to its box: make it once the box is shown.
  if (!$("sign-box").hidden && !$("sign-form").hidden && !page.pad) {
    page.pad = new SignaturePad($("pad"), { onChange: updateSignButton });
  }
  const why = !done && !me.may_sign ? waitReason(status, slot) : "";
  $("sign-reason").textContent = why;
  $("sign-reason").hidden = !why;
  updateSignButton();
}

function updateSignButton() {
  const me = page.status?.me;
  $("sign").disabled = page.busy || !me || !me.may_sign || !$("confirm").checked || !page.pad || page.pad.isEmpty();
}

function render(status) {
  page.status = status;
  $("state-text").textContent = stateLine(status);
  $("state-text").dataset.state = status.state;
  $("freeze").hidden = !(status.me.may_freeze && status.state === "proofreading");
  $("verify-link").hidden = !status.document_url;
  $("verify-link").href = `/verify?hearing=${hearingId}`;
  const doc = $("doc-link");
  doc.hidden = !status.document_url;
  if (status.document_url) doc.href = status.document_url;
  if (status.state === "open") notice(t("sign_not_closed"));
  else if (status.state === "proofreading") notice(t("sign_not_frozen"));
  else notice("");
  $("slots-box").hidden = !status.slots.length;
  renderSlots($("slots"), status, hearingId, refresh);
  const frozen = status.state === "signing" || status.state === "complete";
  $("objections-box").hidden = !frozen;
  renderObjections($("objections"), status.objections, page.transcript);
  renderAnswerBox($("objections"), status, {
    answer: (id, body) => api("POST", `${base}/objections/${id}/answer`, body), done: refresh,
  });
  $("errata-box").hidden = !frozen;
  renderErrata($("errata"), status.errata || [], page.transcript);
  $("errata-form").hidden = !mayFileErrata(status);
  const slot = mySlot(status);
  $("objection-form").hidden = !(status.state === "signing" && slot && slot.group === "participant" && slot.status === "pending");
  renderSignBox(status);
}

async function refresh() {
  const status = await api("GET", base);
  await loadTranscript(status);
  render(status);
  return status;
}

// The browser's key is certified once; a key made anew (another browser, cleared storage) needs
// a new certificate, so the page remembers which public key the court certified.
async function certifiedKey(me) {
  const pair = await signerKey(me.key);
  const spki = await publicKeySpki(pair);
  const remembered = `tingshen.certified.${hearingId}.${me.key}`;
  if (!me.has_certificate || localStorage.getItem(remembered) !== spki) {
    await api("POST", `${base}/certificate`, { spki });
    localStorage.setItem(remembered, spki);
  }
  return pair;
}

async function signOnce(pair, png) {
  const prepared = await api("POST", `${base}/prepare`, { handwriting_png: png, confirm: true });
  const signature = await signBytes(pair, prepared.to_be_signed);
  return api("POST", `${base}/finish`, { request_id: prepared.request_id, signature });
}

async function sign() {
  const png = page.pad.toPngBase64();
  if (!png || !$("confirm").checked) return;
  page.busy = true;
  updateSignButton();
  showError("");
  $("sign").textContent = t("sign_signing");
  try {
    const pair = await certifiedKey(page.status.me);
    let status;
    try {
      status = await signOnce(pair, png);
    } catch (exc) {
      if (exc.code !== "document_changed") throw exc;
      status = await signOnce(pair, png); // another signature landed meanwhile: once more
    }
    render(status);
  } catch (exc) {
    showError(reasonText(exc.code) || errorText(exc));
    await refresh().catch(() => {});
  } finally {
    page.busy = false;
    $("sign").textContent = t("sign_button");
    updateSignButton();
  }
}

async function freeze() {
  if (!confirm(t("sign_freeze_confirm"))) return;
  $("freeze").disabled = true;
  try {
    const status = await api("POST", `${base}/freeze`);
    await loadTranscript(status);
    render(status);
  } catch (exc) {
    notice(errorText(exc));
  } finally {
    $("freeze").disabled = false;
  }
}

// Staff or party, in one request (GET /api/session: 401 only without a session).
async function whoAmI() {
  const me = await api("GET", "/api/session");
  if (me.kind === "staff") return { name: me.display_name, role: me.role, staff: true };
  return { name: me.display_name, role: me.court_role, staff: false, scope: me.scope };
}

// The way back to where the party came from: the portal's 签署笔录 link adds ?back=/portal/
// (kept through the signing link's code step). Only a path of this site under /portal/, never
// another site's address (no open redirect).
function showBack() {
  const back = sameSiteTarget(new URLSearchParams(location.search).get("back"), location.origin, null);
  if (!back || !back.startsWith("/portal/")) return;
  $("to-my-materials").after(el("a", { id: "back-portal", class: "hdr-link", href: back }, t("sign_back_portal")));
}

function poll() {
  const tick = async () => {
    if (!document.hidden && !page.busy) await refresh().catch(() => {});
    setTimeout(tick, POLL_MS);
  };
  setTimeout(tick, POLL_MS);
  window.addEventListener("focus", () => { if (!page.busy) refresh().catch(() => {}); });
}

async function main() {
  let hearing, who;
  try {
    hearing = await api("GET", `/api/hearings/${hearingId}`);
    who = await whoAmI();
  } catch (exc) {
    setupHeader();
    if (exc.status === 401) location.href = `/login.html?next=${encodeURIComponent(location.pathname)}`;
    notice(errorText(exc));
    return;
  }
  setupHeader({ court: hearing.court_name, caseNumber: `${hearing.case_number}　${hearing.cause_of_action}` });
  $("who").textContent = `${roleLabel(who.role)} ${who.name}`;
  $("to-editor").href = `/transcript/${hearingId}`;
  $("to-editor").hidden = who.scope === "record"; // a signing link's session: the record only
  $("to-my-materials").hidden = who.staff; // a party: what the judge published to them
  showBack();
  const participants = await apiAll(`/api/hearings/${hearingId}/participants`).catch(() => []);
  page.speakers = participants.map((p) => ({ key: `participant-${p.id}`, role: p.court_role, name: p.display_name }));
  $("pad-clear").onclick = () => page.pad?.clear();
  $("confirm").onchange = updateSignButton;
  $("sign").onclick = sign;
  $("freeze").onclick = freeze;
  try {
    await refresh();
  } catch (exc) {
    notice(errorText(exc));
  }
  poll();
}

main();
