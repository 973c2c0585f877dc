// The clerk's delivery page (送达): a case's parties and their address confirmations (送达地址确认书),
// serving a document, the services with their states, hand-over, serving again after a failure.
// ?case=<dossier case>&party=<p-…>&address=<postal address> opens a case with an address found by
// the address look-up ready to use (its "serve by post" button links here).
import { el, setupHeader, showError } from "/common.js";
import { lang, roleLabel, t } from "/i18n.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
let current = null;

// A refusal's own sentence, in the page's language (message_zh / message).
class DeliveryError extends Error {
  constructor(status, error) {
    super(error.message || String(status));
    this.zh = error.message_zh || "";
    this.reason = error.reason || "";
  }
}

function text(exc) {
  if (exc instanceof DeliveryError) return lang() === "en" ? exc.message : exc.zh || exc.message;
  return t("dl_network");
}

async function call(method, path, body) {
  const init = { method, credentials: "same-origin", headers: {} };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    if (response.status === 401) location.href = `/login.html?next=${encodeURIComponent(location.pathname + location.search)}`;
    throw new DeliveryError(response.status, data.error || {});
  }
  return data;
}

const when = (iso) => (iso ? new Date(iso).toLocaleString(lang() === "en" ? "en-GB" : "zh-CN", { timeZone: "Asia/Shanghai" }) : "");
const chip = (state) => el("span", { class: `dl-chip st-${state}`, "data-state": state }, t(`dl_st_${state}`));
const person = (role, name) => `${roleLabel(role)} ${name}`;

function renderAttention(items) {
  $("attention-card").hidden = items.length === 0;
  $("attention").querySelector("tbody").replaceChildren(...items.map((s) => el("tr", {},
    el("td", {}, el("a", { href: `?case=${s.dossier_case_id}` }, s.case_number)),
    el("td", {}, person(s.recipient_role, s.recipient_name)),
    el("td", {}, s.document.title), el("td", {}, chip(s.state)),
    el("td", {}, s.suggestion ? t(`dl_ch_${s.suggestion}`) : ""))));
}

function consentText(c) {
  if (!c) return t("dl_no_consent");
  return c.electronic ? t("dl_yes") : t("dl_no");
}

function addressText(c) {
  if (!c) return "";
  return [c.phone, c.email, c.postal_address].filter(Boolean).join("；");
}

function openConsent(party, prefillAddress) {
  const form = $("consent-form");
  form.hidden = false;
  form.dataset.party = party.party_ref;
  $("consent-title").textContent = `${t("dl_consent_for")}${person(party.role, party.name)}`;
  const c = party.consent || {};
  form.electronic.checked = Boolean(c.electronic);
  form.phone.value = c.phone || party.phone || "";
  form.email.value = c.email || party.email || "";
  form.postal_address.value = prefillAddress || c.postal_address || "";
  form.postal_recipient.value = c.postal_recipient || party.name;
  showError($("consent-error"), "");
  form.phone.focus();
}

function renderParties(caseView) {
  $("parties").querySelector("tbody").replaceChildren(...caseView.parties.map((p) => el("tr", { "data-party": p.party_ref },
    el("td", {}, person(p.role, p.name)), el("td", {}, consentText(p.consent)),
    el("td", {}, addressText(p.consent)),
    el("td", {}, el("button", { type: "button", class: "link", onclick: () => openConsent(p) }, t("dl_edit_consent"))))));
  $("s-recipients").replaceChildren(...caseView.parties.map((p) => el("label", {},
    el("input", { type: "checkbox", name: "recipients", value: p.party_ref }), ` ${person(p.role, p.name)}`)));
}

function serviceActions(s) {
  const box = el("div", { class: "dl-actions" });
  if (s.proof) box.append(el("a", { href: `/api/delivery/services/${s.id}/proof`, target: "_blank" }, t("dl_proof")));
  if (s.attempts.some((a) => a.channel === "collect" && a.state === "sent") && !["opened", "collected"].includes(s.state)) {
    box.append(el("button", { type: "button", onclick: () => act(call("POST", `/api/delivery/services/${s.id}/handover`)) }, t("dl_handover")));
  }
  const recording = el("input", { type: "file", accept: "audio/*", "aria-label": t("dl_trace_file") });
  const note = el("input", { placeholder: t("dl_trace_note"), maxlength: 2000, "aria-label": t("dl_trace_note") });
  box.append(el("details", { class: "dl-trace" }, el("summary", {}, t("dl_trace")), recording, note,
    el("button", { type: "button", onclick: () => {
      const form = new FormData();
      if (recording.files[0]) form.append("file", recording.files[0]);
      form.append("note", note.value.trim());
      act(call("POST", `/api/delivery/services/${s.id}/traces`, form));
    } }, t("dl_trace_attach"))));
  if (s.needs_attention) {
    const channel = el("select", { "aria-label": t("dl_channels") },
      ...["post", "collect", "sms", "email"].map((c) => el("option", { value: c, selected: c === s.suggestion ? "selected" : null }, t(`dl_ch_${c}`))));
    const found = params.get("party") === s.party_ref ? params.get("address") || "" : "";
    const address = el("input", { placeholder: t("dl_new_address"), value: found, maxlength: 300 });
    box.append(el("div", { class: "dl-again" }, channel, address,
      el("button", { type: "button", onclick: () => act(call("POST", `/api/delivery/services/${s.id}/again`,
        { channel: channel.value, postal_address: channel.value === "post" && address.value.trim() ? address.value.trim() : null })) }, t("dl_again"))));
  }
  return box;
}

function renderServices(services) {
  $("no-services").hidden = services.length > 0;
  $("services").querySelector("tbody").replaceChildren(...services.map((s) => el("tr", { "data-service": s.id },
    el("td", {}, person(s.recipient_role, s.recipient_name)),
    el("td", {}, s.document.title),
    el("td", {}, ...s.attempts.map((a) => el("div", {}, `${t(`dl_ch_${a.channel}`)}${lang() === "en" ? ": " : "："}${a.address}`,
      a.waybill ? el("span", { class: "dl-meta" }, ` ${t("dl_waybill")}${a.waybill}`) : null,
      a.error ? el("div", { class: "dl-meta" }, a.error) : null))),
    el("td", {}, chip(s.state), s.suggestion && s.needs_attention ? el("div", { class: "dl-meta" }, `${t("dl_suggest")}${t(`dl_ch_${s.suggestion}`)}`) : null),
    el("td", { class: "dl-meta" }, ...[["sent", s.sent_at], ["arrived", s.arrived_at], ["opened", s.opened_at], ["collected", s.collected_at]]
      .filter(([, v]) => v).map(([k, v]) => el("div", {}, `${t(`dl_st_${k}`)} ${when(v)}`))),
    el("td", {}, serviceActions(s)))));
}

async function act(promise) {
  try {
    await promise;
    await load();
  } catch (exc) {
    showError($("page-error"), text(exc));
  }
}

async function load() {
  showError($("page-error"), "");
  const [attention] = await Promise.all([call("GET", "/api/delivery/attention")]);
  renderAttention(attention.items);
  const id = $("case-select").value;
  $("case").hidden = !id;
  if (!id) return;
  current = await call("GET", `/api/delivery/cases/${id}`);
  setupHeader({ court: current.court_name, caseNumber: current.case_number });
  renderParties(current);
  renderServices(current.services);
}

$("consent-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const body = { electronic: form.electronic.checked, phone: form.phone.value.trim() || null,
    email: form.email.value.trim() || null, postal_address: form.postal_address.value.trim() || null,
    postal_recipient: form.postal_recipient.value.trim() || null };
  try {
    await call("PUT", `/api/delivery/cases/${current.dossier_case_id}/parties/${form.dataset.party}/addresses`, body);
    form.hidden = true;
    await load();
  } catch (exc) {
    showError($("consent-error"), text(exc));
  }
});
$("consent-cancel").addEventListener("click", () => { $("consent-form").hidden = true; });

$("serve-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const data = new FormData(form);
  try {
    await call("POST", `/api/delivery/cases/${current.dossier_case_id}/services`, data);
    form.reset();
    showError($("serve-error"), "");
    await load();
  } catch (exc) {
    showError($("serve-error"), text(exc));
  }
});

// The chosen case goes into the address, so a reload (or a link sent to a colleague) keeps it.
$("case-select").addEventListener("change", () => {
  const id = $("case-select").value;
  history.replaceState(null, "", id ? `?case=${encodeURIComponent(id)}` : location.pathname);
  act(Promise.resolve());
});

async function start() {
  setupHeader();
  try {
    const cases = await call("GET", "/api/delivery/cases");
    $("case-select").append(...cases.items.map((c) => el("option", { value: c.dossier_case_id }, `${c.case_number} · ${c.cause_name}`)));
    if (params.get("case")) $("case-select").value = params.get("case");
    await load();
    const party = params.get("party") && current ? current.parties.find((p) => p.party_ref === params.get("party")) : null;
    const open = party ? current.services.find((s) => s.party_ref === party.party_ref && s.needs_attention) : null;
    if (party && !open && params.get("address")) openConsent(party, params.get("address"));
  } catch (exc) {
    showError($("page-error"), text(exc));
  }
}

start();
