// The lawyers' and judges' page of investigation orders (/ledger/): a lawyer (signed in to the
// party portal with a licence number) applies and downloads his orders; the case's judge (a staff
// session) approves (keeping some items, shortening the validity), rejects, or revokes.
import { toggleLang } from "/i18n.js";
import { applyWords, el, errorText, w } from "/ledger/ledger-i18n.js";

const $ = (id) => document.getElementById(id);
let role = null;

async function call(method, path, body) {
  const init = { method, credentials: "same-origin", headers: {} };
  if (body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
  const answer = await fetch(path, init);
  const data = await answer.json().catch(() => null);
  return { ok: answer.ok, status: answer.status, data };
}

function showError(text) {
  const node = $("page-error");
  node.textContent = text || "";
  node.hidden = !text;
}

function scopeRows(order) {
  const s = order.scope;
  const kind = w({ bank: "kind_bank", registry: "kind_registry", company: "kind_company" }[s.institution_kind]);
  return el("table", { class: "lg-table" }, el("tbody", {},
    el("tr", {}, el("th", {}, w("case_number")), el("td", {}, order.case_number)),
    el("tr", {}, el("th", {}, w("lawyer")), el("td", {}, order.lawyer)),
    el("tr", {}, el("th", {}, w("institution")), el("td", {}, `${s.institution_name}（${kind}）`)),
    el("tr", {}, el("th", {}, w("items")), el("td", {}, el("ol", {}, ...s.items.map((i) => el("li", {}, i))))),
    el("tr", {}, el("th", {}, w("reason")), el("td", {}, s.reason)),
    el("tr", {}, el("th", {}, w("validity")), el("td", {}, order.valid_until || w("days", { n: s.valid_days }))),
    order.decision_reason ? el("tr", {}, el("th", {}, w("decision")), el("td", {}, order.decision_reason)) : null,
    order.revoke_reason ? el("tr", {}, el("th", {}, w("revoke_reason")), el("td", {}, order.revoke_reason)) : null,
  ));
}

function pdfLink(order) {
  if (!order.has_pdf) return null;
  const base = role === "judge" ? "/api/ledger/judge/orders" : "/api/ledger/my/orders";
  return el("a", { class: "button", href: `${base}/${order.id}/pdf`, download: `order-${order.id}.pdf` }, w("download"));
}

function judgeActions(order) {
  if (order.status === "applied") {
    const keep = order.applied.items.map((item) => el("label", { class: "lg-inline" },
      el("input", { type: "checkbox", checked: "checked", value: item, class: "keep" }), ` ${item}`));
    const days = el("input", { type: "number", min: "1", max: String(order.applied.valid_days), value: String(order.applied.valid_days), class: "days" });
    const reason = el("textarea", { class: "reason", maxlength: "2000", placeholder: w("decision_reason") });
    const decide = async (approve) => {
      const items = [...document.querySelectorAll(`#order-${order.id} .keep:checked`)].map((c) => c.value);
      const body = { approve, reason: reason.value, ...(approve ? { items, valid_days: Number(days.value) } : {}) };
      const answer = await call("POST", `/api/ledger/judge/orders/${order.id}/decision`, body);
      showError(answer.ok ? "" : errorText(answer.data, answer.status));
      if (answer.ok) await load();
    };
    return el("div", {}, el("div", {}, ...keep),
      el("div", { class: "lg-actions" }, el("label", {}, el("span", {}, w("valid_days")), days), reason,
        el("button", { type: "button", class: "primary approve", onclick: () => decide(true) }, w("approve")),
        el("button", { type: "button", class: "reject", onclick: () => decide(false) }, w("reject"))));
  }
  if (order.status === "issued") {
    const reason = el("textarea", { class: "reason", maxlength: "2000", placeholder: w("revoke_reason") });
    const revoke = async () => {
      const answer = await call("POST", `/api/ledger/judge/orders/${order.id}/revoke`, { reason: reason.value });
      showError(answer.ok ? "" : errorText(answer.data, answer.status));
      if (answer.ok) await load();
    };
    return el("div", { class: "lg-actions" }, reason, pdfLink(order),
      el("button", { type: "button", class: "danger revoke", onclick: revoke }, w("revoke")));
  }
  return el("div", { class: "lg-actions" }, pdfLink(order));
}

function card(order) {
  return el("div", { class: "lg-order", id: `order-${order.id}` },
    el("h3", {}, `${order.number} · `, el("span", { class: `lg-status ${order.status}` }, w(`st_${order.status}`))),
    scopeRows(order),
    role === "judge" ? judgeActions(order) : el("div", { class: "lg-actions" }, pdfLink(order)));
}

async function load() {
  let answer = await call("GET", "/api/ledger/judge/orders");
  role = answer.ok ? "judge" : null;
  if (!answer.ok) {
    answer = await call("GET", "/api/ledger/my/orders");
    role = answer.ok ? "lawyer" : null;
  }
  if (!role) { showError(w("sign_in_lawyer")); return; }
  $("who").textContent = `${w(role === "judge" ? "role_judge" : "role_lawyer")} ${answer.data.judge || answer.data.lawyer}`;
  $("list-title").textContent = w(role === "judge" ? "judge_orders" : "my_orders");
  const items = answer.data.items;
  $("orders").replaceChildren(...(items.length ? items.map(card) : [el("p", {}, w("none"))]));
  $("list-card").hidden = false;
  if (role === "lawyer") {
    const cases = await call("GET", "/api/ledger/my/cases");
    const select = $("apply-form").elements.dossier_case_id;
    select.replaceChildren(...cases.data.items.map((c) => el("option", { value: String(c.dossier_case_id) }, `${c.case_number} ${c.cause}`)));
    $("apply-card").hidden = false;
  }
}

async function apply(event) {
  event.preventDefault();
  const form = $("apply-form").elements;
  const body = {
    dossier_case_id: Number(form.dossier_case_id.value), institution_kind: form.institution_kind.value,
    institution_name: form.institution_name.value,
    items: form.items.value.split("\n").map((s) => s.trim()).filter(Boolean),
    reason: form.reason.value, valid_days: Number(form.valid_days.value),
  };
  const answer = await call("POST", "/api/ledger/my/orders", body);
  showError(answer.ok ? "" : errorText(answer.data, answer.status));
  if (answer.ok) { $("apply-form").reset(); await load(); }
}

function setup() {
  applyWords();
  $("lang-switch").textContent = w("lang_switch");
}

setup();
$("lang-switch").addEventListener("click", async () => { toggleLang(); setup(); await load(); });
$("apply-form").addEventListener("submit", apply);
load();
