// The party portal: log in (password, then SMS code) or register under the real name; then
// my documents (read, sign for receipt), my cases, file review applications, and for lawyers
// the request to act for a client.
import { api, ApiError, el, errorText, fill, formatDateTime, routed, setupHeader, showError } from "/common.js";
import { lang, t } from "/i18n.js";
import { apiAll, nextLink } from "/paging.js";
import { addPasskey, browserReason, loginWithPasskey, supported as passkeysSupported } from "/portal/passkeys.js";

const $ = (id) => document.getElementById(id);
const pageError = $("page-error");
let challenge = null;
// The link in the service SMS or e-mail (/portal/?served=<service id>) marks its document.
const SERVED = Number(new URLSearchParams(location.search).get("served")) || null;

function form(node) {
  return Object.fromEntries(new FormData(node).entries());
}

async function guarded(work) {
  showError(pageError, "");
  try {
    await work();
  } catch (exc) {
    const reason = browserReason(exc);
    showError(pageError, errorText(reason ? { reason } : exc));
  }
}

function tab(which) {
  $("tab-login").setAttribute("aria-selected", String(which === "login"));
  $("tab-register").setAttribute("aria-selected", String(which === "register"));
  $("login-form").hidden = which !== "login";
  $("code-form").hidden = true;
  $("register-form").hidden = which !== "register";
}

function documentRow(doc) {
  const state = doc.signed_at ? t("ptl_signed") : doc.opened_at ? t("ptl_opened") : t("ptl_unread");
  const open = el("a", { href: `/api/portal/documents/${doc.id}/file`, target: "_blank", rel: "noopener" }, t("ptl_open"));
  open.addEventListener("click", () => setTimeout(() => guarded(showHome), 800));
  const sign = el("button", { type: "button" }, t("ptl_sign"));
  sign.hidden = doc.source === "published" || Boolean(doc.signed_at) || !doc.opened_at;
  sign.onclick = () => guarded(async () => {
    await api("POST", `/api/portal/documents/${doc.id}/sign`);
    await showHome();
  });
  const linked = doc.service_id === SERVED;
  return el("tr", { "data-document": doc.title, class: linked ? "served-now" : "" },
    el("td", {}, doc.title), el("td", {}, doc.case_number),
    el("td", {}, formatDateTime(doc.sent_at)), el("td", { class: "state" }, state),
    el("td", {}, open, " ", sign));
}

function table(heads, rows, empty) {
  if (!rows.length) return el("p", { class: "hint" }, t(empty));
  return el("table", {}, el("thead", {}, el("tr", {}, ...heads.map((h) => el("th", {}, t(h))))),
    el("tbody", {}, ...rows));
}

// One page of a list (portal/paging.py) and the URL of the next page, or null on the last.
async function onePage(url) {
  const response = await fetch(routed(url), { credentials: "same-origin" });
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const err = data && data.error ? data.error : {};
    throw new ApiError(response.status, err.code || "error", err.message || response.statusText,
      err.reason || err.code || "error", err.params || {});
  }
  return { items: data, next: nextLink(response.headers.get("Link")) };
}

// A list's first page as a table, and while there is more a "more" button that adds the next page.
function paged(target, heads, first, rowOf, next, empty, onMore = () => {}) {
  const box = table(heads, first.map(rowOf), empty);
  target.replaceChildren(box);
  if (!next) return;
  const more = el("button", { type: "button", class: "more", "data-more": target.id }, t("ptl_more"));
  more.onclick = () => guarded(async () => {
    const page = await onePage(next);
    box.querySelector("tbody").append(...page.items.map(rowOf));
    onMore(page.items);
    next = page.next;
    more.hidden = !next;
  });
  target.append(more);
}

const caseOption = (c) => el("option", { value: c.dossier_case_id }, c.case_number);
// A party's or participant's role in the page's language.
const roleOf = (p) => (lang() === "en" ? p.role_en || p.role_zh : p.role_zh);
// The signing page offers the way back here (web/static/sign.js: a path under /portal/ only).
const BACK = `back=${encodeURIComponent("/portal/")}`;
const withBack = (url) => `${url}${url.includes("?") ? "&" : "?"}${BACK}`;

async function showHome(loaded) {
  const home = loaded || await api("GET", "/api/portal/home");
  const { me, cases, documents: docs, reviews } = home;
  $("entry").hidden = true;
  $("home").hidden = false;
  $("logout").hidden = false;
  $("lawyer").hidden = me.kind !== "lawyer";
  $("welcome").textContent = fill(t("ptl_welcome"), { name: me.name, tail: me.id_tail });
  paged($("documents"), ["ptl_my_documents", "ptl_case_number", "ptl_sent_at", "ptl_opened", ""],
    docs, documentRow, home.next.documents, "ptl_no_documents");
  document.querySelector("tr.served-now")?.scrollIntoView({ block: "center" });
  paged($("cases"), ["ptl_case_number", "ptl_court", "ptl_cause", "ptl_parties"],
    cases, (c) => el("tr", {}, el("td", {}, c.case_number), el("td", {}, c.court_name),
      el("td", {}, c.cause_of_action),
      el("td", {}, c.parties.map((p) => `${roleOf(p)} ${p.name}`).join(lang() === "en" ? "; " : "；"))), home.next.cases, "ptl_no_cases",
    (more) => $("review-case").append(...more.map(caseOption)));
  $("review-case").replaceChildren(...cases.map(caseOption));
  $("review-form").hidden = !cases.length;
  paged($("reviews"), ["ptl_review_case", "ptl_review_reason", "ptl_opened", "ptl_review_until", ""],
    reviews, (r) => el("tr", {}, el("td", {}, r.case_number || ""), el("td", {}, r.reason),
      el("td", { class: "state" }, t(`ptl_status_${r.status}`)),
      el("td", {}, r.valid_until ? formatDateTime(r.valid_until) : ""),
      el("td", {}, r.status === "approved"
        ? el("a", { href: `/portal/read.html?review=${r.id}` }, t("ptl_review_read")) : "")),
    home.next.reviews, "ptl_no_reviews");
  await Promise.all([showPasskeys(), showHearings()]);
}

// The hearing server's links of the party's hearings (join, sign the record): asked after the
// home page, so a slow or absent hearing server never holds the page up.
async function showHearings() {
  const { configured, available, hearings } = await api("GET", "/api/portal/hearing-links");
  $("hearings-unavailable").hidden = !configured || available;
  $("hearings-box").hidden = !hearings.length;
  $("hearings").replaceChildren(table(["ptl_case_number", "ptl_hearing_time", "ptl_hearing_place", "ptl_hearing_role", "ptl_hearing_state", ""],
    hearings.map((h) => el("tr", { "data-hearing": h.case_number },
      el("td", {}, h.case_number), el("td", {}, formatDateTime(h.scheduled_at)), el("td", {}, h.place),
      el("td", {}, roleOf(h)),
      el("td", { class: "state" }, hearingState(h)),
      el("td", {},
        h.join_url ? el("a", { class: "action", href: h.join_url, rel: "noopener" }, t("ptl_join_hearing")) : "",
        h.sign_url ? el("a", { class: "action secondary", href: withBack(h.sign_url), rel: "noopener" }, t("ptl_sign_record")) : ""))),
    "ptl_no_hearings"));
}

// Where the hearing stands for the party: their signature on the frozen record (signed and
// when; awaiting it, with or without a valid link), else the hearing's state.
const HEARING_STATES = { scheduled: "ptl_hearing_scheduled", open: "ptl_hearing_open", closed: "ptl_hearing_closed" };
function hearingState(h) {
  if (h.signature === "signed") return fill(t("ptl_hearing_signed"), { at: h.signed_at ? formatDateTime(h.signed_at) : "" });
  if (h.sign_url) return t("ptl_hearing_to_sign");
  if (h.signature === "pending") return t("ptl_hearing_sign_no_link");
  return HEARING_STATES[h.status] ? t(HEARING_STATES[h.status]) : "";
}

async function showPasskeys() {
  $("passkeys-card").hidden = !passkeysSupported;
  if (!passkeysSupported) return;
  const keys = await apiAll("/api/portal/passkeys");
  $("passkeys").replaceChildren(table(["ptl_passkey_added", "ptl_passkey_used"],
    keys.map((k) => el("tr", { "data-passkey": k.id }, el("td", {}, formatDateTime(k.created_at)),
      el("td", {}, k.last_used_at ? formatDateTime(k.last_used_at) : t("ptl_passkey_never")))),
    "ptl_no_passkeys"));
}

function showEntry() {
  $("entry").hidden = false;
  $("home").hidden = true;
  $("logout").hidden = true;
  tab("login");
}

function wire() {
  $("tab-login").onclick = () => tab("login");
  $("tab-register").onclick = () => tab("register");
  $("register-form").elements.kind.onchange = (e) => { $("licence-row").hidden = e.target.value !== "lawyer"; };
  $("get-code").onclick = () => guarded(async () => {
    await api("POST", "/api/portal/register/code", { phone: $("register-form").elements.phone.value.trim() });
    showError(pageError, t("ptl_code_sent"));
  });
  $("login-form").onsubmit = (e) => { e.preventDefault(); guarded(async () => {
    challenge = (await api("POST", "/api/portal/login", form(e.target))).challenge;
    $("login-form").hidden = true;
    $("code-form").hidden = false;
  }); };
  $("code-form").onsubmit = (e) => { e.preventDefault(); guarded(async () => {
    await api("POST", "/api/portal/login/code", { challenge, code: form(e.target).code.trim() });
    await showHome();
  }); };
  $("register-form").onsubmit = (e) => { e.preventDefault(); guarded(async () => {
    const body = form(e.target);
    if (body.kind !== "lawyer" || !body.licence_number) body.licence_number = null;
    await api("POST", "/api/portal/register", body);
    await showHome();
  }); };
  $("review-form").onsubmit = (e) => { e.preventDefault(); guarded(async () => {
    const body = form(e.target);
    await api("POST", "/api/portal/reviews", { dossier_case_id: Number(body.dossier_case_id), reason: body.reason });
    e.target.reset();
    await showHome();
  }); };
  $("represent-form").onsubmit = (e) => { e.preventDefault(); guarded(async () => {
    await api("POST", "/api/portal/representations", form(e.target));
    $("represent-done").hidden = false;
  }); };
  $("passkey-login").hidden = !passkeysSupported;
  $("passkey-login").onclick = () => guarded(async () => {
    await loginWithPasskey();
    await showHome();
  });
  $("passkey-add").onclick = () => guarded(async () => {
    await addPasskey();
    await showPasskeys();
    showError(pageError, t("ptl_passkey_added_now"));
  });
  $("logout").onclick = () => guarded(async () => { await api("POST", "/api/portal/logout"); showEntry(); });
}

setupHeader();
wire();
api("GET", "/api/portal/home").then((home) => guarded(() => showHome(home)), showEntry);
