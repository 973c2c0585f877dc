// The public page an institution opens from an order's QR code: /ledger/verify.html#n=<number>&t=<token>.
// The server records the verification (a leaf) and answers the order with every step's receipt;
// this page checks each receipt's Merkle path to the checkpoint's root itself (SubtleCrypto),
// shows the server's check of the signatures, and records the institution's answer.
import { toggleLang } from "/i18n.js";
import { applyWords, el, errorText, w } from "/ledger/ledger-i18n.js";
import { checkStep } from "/ledger/merkle.js";

const $ = (id) => document.getElementById(id);
const fragment = new URLSearchParams(location.hash.slice(1));
const number = fragment.get("n");
const token = fragment.get("t");
let last = null;

function row(label, value, cls) {
  return el("tr", {}, el("th", {}, w(label)), el("td", cls ? { class: cls } : {}, value ?? "—"));
}

function kindWord(kind) {
  return w({ bank: "kind_bank", registry: "kind_registry", company: "kind_company" }[kind] || kind);
}

async function render(body) {
  const order = body.order;
  const checks = await Promise.all(body.ledger.steps.map((step) => checkStep(step, order.number)));
  const server = body.server_checks;
  // The Merkle paths are checked here; the checkpoint's signatures (the log's, the witnesses')
  // by the server: a checkpoint the witnesses did not cosign is not enough to call it genuine.
  const witnessed = server.log_signature && (server.quorum_met || body.witnesses_needed === 0);
  const allHold = checks.every((c) => c.included && c.recordMatches) && witnessed;
  const verdict = $("verdict");
  const status = order.status;
  verdict.className = "lg-verdict " + (!allHold || status === "revoked" ? "bad" : status === "issued" ? "good" : "warn");
  const why = !witnessed ? w("unwitnessed")
    : checks.some((c) => !c.included) ? w("inclusion_bad") : w("record_bad");
  verdict.textContent = !allHold ? w("proof_failed") + why
    : status === "revoked" ? w("genuine_revoked")
    : status === "expired" ? w("genuine_expired") : w("genuine");
  const tbody = $("order").querySelector("tbody");
  tbody.replaceChildren(
    row("number", order.number), row("case_number", order.case_number), row("court", order.court),
    row("lawyer", order.lawyer),
    row("institution", `${order.scope.institution_name}（${kindWord(order.scope.institution_kind)}）`),
    row("items", el("ol", {}, ...order.scope.items.map((item) => el("li", {}, item)))),
    row("reason", order.scope.reason), row("validity", order.valid_until), row("judge", order.judge),
    row("status", w(`st_${status}`), `lg-status ${status}`),
  );
  if (order.revoke_reason) tbody.append(row("revoke_reason", order.revoke_reason));
  $("order-card").hidden = false;
  $("server-checks").textContent = w("server_checked", {
    log: server.log_signature ? w("yes") : w("no"),
    w: server.witnesses.join(", ") || "—", q: body.witnesses_needed,
  });
  $("proofs").replaceChildren(...body.ledger.steps.map((step, i) => {
    const c = checks[i];
    const ok = c.included && c.recordMatches;
    const text = (ok ? w("proof_ok", { i: c.index, n: c.size }) : w("proof_bad", { i: c.index }))
      + ` · ${w("k_" + step.kind.replace(".", "_"))} · ${step.actor}`;
    return el("li", { class: ok ? "good" : "bad", "data-kind": step.kind }, text);
  }));
  $("proof-card").hidden = false;
  $("responses").replaceChildren(...body.responses.map((r) => el("li", {},
    `${r.responder}：${w(r.outcome === "provided" ? "outcome_provided" : "outcome_refused")}`
    + (r.reason ? `（${r.reason}）` : "") + r.files.map((f) => ` ${f.filename}`).join(""))));
  $("responses-card").hidden = body.responses.length === 0;
  $("respond-card").hidden = !(allHold && status === "issued");
}

async function load() {
  if (!number || !token) { $("verdict").textContent = w("no_token"); $("verdict").className = "lg-verdict bad"; return; }
  try {
    const answer = await fetch("/api/ledger/public/verify", {
      method: "POST", headers: { "Content-Type": "application/json" }, credentials: "same-origin",
      body: JSON.stringify({ number, token }),
    });
    const body = await answer.json().catch(() => null);
    if (!answer.ok) {
      $("verdict").className = "lg-verdict bad";
      $("verdict").textContent = answer.status === 404 ? w("not_genuine") : errorText(body, answer.status);
      return;
    }
    last = body;
    await render(body);
  } catch {
    $("verdict").textContent = w("network");
  }
}

function outcomeChanged() {
  const refused = $("respond-form").elements.outcome.value === "refused";
  $("reason-label").hidden = !refused;
  $("files-label").hidden = refused;
}

async function respond(event) {
  event.preventDefault();
  const form = $("respond-form");
  const data = new FormData(form);
  data.append("number", number);
  data.append("token", token);
  if (data.get("outcome") === "refused") data.delete("files");
  const answer = await fetch("/api/ledger/public/respond", { method: "POST", body: data, credentials: "same-origin" });
  const body = await answer.json().catch(() => null);
  $("respond-result").textContent = answer.ok ? w("responded", { i: body.leaf_index }) : errorText(body, answer.status);
  if (answer.ok) { form.reset(); await load(); $("respond-result").textContent = w("responded", { i: body.leaf_index }); }
}

function setup() {
  applyWords();
  $("lang-switch").textContent = w("lang_switch");
}

setup();
$("lang-switch").addEventListener("click", async () => { toggleLang(); setup(); if (last) await render(last); });
$("respond-form").addEventListener("change", outcomeChanged);
$("respond-form").addEventListener("submit", respond);
load();
