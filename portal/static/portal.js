// The party portal: log in (password, then SMS code) or register under the real name; then
// my documents (read, sign for receipt), my cases, file review applications, and for lawyers
// the request to act for a client.
import { api, el, errorText, fill, formatDateTime, setupHeader, showError } from "/common.js";
import { lang, t } from "/i18n.js";
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

async function showHome(loaded) {
  const { me, cases, documents: docs, reviews } = loaded || await api("GET", "/api/portal/home");
  $("entry").hidden = true;
  $("home").hidden = false;
  $("logout").hidden = false;
  $("lawyer").hidden = me.kind !== "lawyer";
  $("welcome").textContent = fill(t("ptl_welcome"), { name: me.name, tail: me.id_tail });
  $("documents").replaceChildren(table(["ptl_my_documents", "ptl_case_number", "ptl_sent_at", "ptl_opened", ""],
    docs.map(documentRow), "ptl_no_documents"));
  document.querySelector("tr.served-now")?.scrollIntoView({ block: "center" });
  $("cases").replaceChildren(table(["ptl_case_number", "ptl_court", "ptl_cause", "ptl_parties"],
    cases.map((c) => el("tr", {}, el("td", {}, c.case_number), el("td", {}, c.court_name),
      el("td", {}, c.cause_of_action),
      el("td", {}, c.parties.map((p) => `${p.role_zh} ${p.name}`).join("；")))), "ptl_no_cases"));
  $("review-case").replaceChildren(...cases.map((c) => el("option", { value: c.dossier_case_id }, c.case_number)));
  $("review-form").hidden = !cases.length;
  $("reviews").replaceChildren(table(["ptl_review_case", "ptl_review_reason", "ptl_opened", "ptl_review_until", ""],
    reviews.map((r) => el("tr", {}, el("td", {}, r.case_number || ""), el("td", {}, r.reason),
      el("td", { class: "state" }, t(`ptl_status_${r.status}`)),
      el("td", {}, r.valid_until ? formatDateTime(r.valid_until) : ""),
      el("td", {}, r.status === "approved"
        ? el("a", { href: `/portal/read.html?review=${r.id}` }, t("ptl_review_read")) : ""))),
    "ptl_no_reviews"));
  await Promise.all([showPasskeys(), showHearings()]);
}

// The hearing server's links of the party's hearings (join, sign the record): asked after the
// home page, so a slow or absent hearing server never holds the page up.
async function showHearings() {
  const { configured, available, hearings } = await api("GET", "/api/portal/hearing-links");
  $("hearings-unavailable").hidden = !configured || available;
  $("hearings-box").hidden = !hearings.length;
  $("hearings").replaceChildren(table(["ptl_case_number", "ptl_hearing_time", "ptl_hearing_place", "ptl_hearing_role", ""],
    hearings.map((h) => el("tr", { "data-hearing": h.case_number },
      el("td", {}, h.case_number), el("td", {}, formatDateTime(h.scheduled_at)), el("td", {}, h.place),
      el("td", {}, lang() === "en" ? h.role_en : h.role_zh),
      el("td", {},
        h.join_url ? el("a", { class: "action", href: h.join_url, rel: "noopener" }, t("ptl_join_hearing")) : "",
        h.sign_url ? el("a", { class: "action secondary", href: h.sign_url, rel: "noopener" }, t("ptl_sign_record")) : ""))),
    "ptl_no_hearings"));
}

async function showPasskeys() {
  $("passkeys-card").hidden = !passkeysSupported;
  if (!passkeysSupported) return;
  const keys = await api("GET", "/api/portal/passkeys");
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
