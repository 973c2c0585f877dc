// The address look-up page (送达地址查询): find a case, ask the other agencies for a party's
// addresses (ID number and reason), read each agency's outcome and the ranked addresses, and
// use one for a postal service in one click (addresses/api/routes.py says how the delivery
// service takes it). Opened from a returned letter as /addresses/?case=ID&service=ID.
import { ApiError, el, errorText, formatDateTime, setupHeader, showError } from "/common.js";
import { lang, roleLabel, t } from "/i18n.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const serviceId = Number(params.get("service")) || null;
let current = null; // the case shown

class AddrError extends ApiError {
  constructor(status, code, reason, params, zh, en) {
    super(status, code, en || code, reason, params);
    this.zh = zh;
    this.en = en;
  }
}

async function call(method, path, body) {
  const init = { method, headers: {}, credentials: "same-origin" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new AddrError(0, "network", "addr_network", {}, null, null);
  }
  const data = await response.json().catch(() => null);
  if (response.ok) return data;
  const err = (data && data.error) || {};
  throw new AddrError(response.status, err.code || "error", err.reason || err.code || "error",
    err.params || {}, err.message_zh || null, err.message_zh ? err.message : null);
}

function message(exc) {
  if (exc && exc.reason === "addr_network") return t("addr_network");
  if (exc && exc.zh) return lang() === "en" && exc.en ? exc.en : exc.zh;
  return errorText(exc);
}

const chip = (state) => el("span", { class: `addr-chip ${state}` }, t(`addr_state_${state}`));
const label = (item) => (lang() === "en" ? item.label_en : item.label_zh);
const row = (cells) => el("tr", {}, ...cells.map((c) => (c instanceof Node && c.tagName === "TD" ? c : el("td", {}, c ?? ""))));
const head = (...keys) => el("thead", {}, el("tr", {}, ...keys.map((k) => el("th", {}, t(k)))));

function showCase(c) {
  current = c;
  $("case").hidden = false;
  $("case-title").textContent = c.case_number;
  $("case-facts").textContent = [c.cause_of_action, `${t("addr_filed_on")} ${c.filed_on}`,
    c.closed_on ? `${t("addr_closed_on")} ${c.closed_on}` : null].filter(Boolean).join(" · ");
  const select = $("party");
  select.replaceChildren(...c.parties.map((p) =>
    el("option", { value: p.party_ref }, `${roleLabel(p.role)} ${p.name}`,
      p.filed_id_tail ? (lang() === "en" ? ` (${t("addr_id_tail")}${p.filed_id_tail})` : `（${t("addr_id_tail")}${p.filed_id_tail}）`) : "")));
  const defendant = c.parties.find((p) => p.role === "defendant");
  if (defendant) select.value = defendant.party_ref;
  $("ask").hidden = Boolean(c.closed_on);
  showHistory(c.lookups);
}

function showHistory(lookups) {
  $("history-empty").hidden = lookups.length > 0;
  $("history").replaceChildren(
    ...(lookups.length ? [head("addr_col_when", "addr_col_party", "addr_col_by", "addr_reason", "addr_col_status")] : []),
    el("tbody", {}, ...lookups.map((lk) => {
      const tr = row([formatDateTime(lk.requested_at), lang() === "en" ? `${lk.party_name} (${t("addr_id_tail")}${lk.id_tail})` : `${lk.party_name}（${t("addr_id_tail")}${lk.id_tail}）`,
        `${roleLabel(lk.requested_role)} ${lk.requested_by}`, lk.reason, chip(lk.status)]);
      tr.style.cursor = "pointer";
      tr.addEventListener("click", () => openLookup(lk.id));
      return tr;
    })));
}

function showLookup(lk) {
  $("lookup").hidden = false;
  $("lookup-title").textContent = `${t("addr_lookup_of")}${lang() === "en" ? " " : ""}${lk.party_name}`;
  $("lookup-facts").textContent = `${formatDateTime(lk.requested_at)} · ${roleLabel(lk.requested_role)} ${lk.requested_by} · ${lk.reason}`;
  $("sources").replaceChildren(head("addr_col_source", "addr_col_status", "addr_col_records", "addr_col_took"),
    el("tbody", {}, ...lk.sources.map((s) => row([label(s), el("td", { title: s.detail }, chip(s.status), s.detail && lang() === "en" ? ` ${s.detail}` : ""),
      String(s.records), `${s.took_ms} ms`]))));
  $("no-results").hidden = lk.results.length > 0;
  $("results").replaceChildren(
    ...(lk.results.length ? [head("addr_col_rank", "addr_col_address", "addr_col_postcode", "addr_col_found", "addr_col_score", "addr_col_use")] : []),
    el("tbody", {}, ...lk.results.map((r) => row([String(r.rank), r.address, r.postal_code ?? "",
      el("ul", { class: "addr-records" }, ...r.records.map((rec) =>
        el("li", {}, `${label(rec)} · ${t(`addr_kind_${rec.kind}`)} · ${rec.observed_on}`))),
      el("td", { class: "num" }, String(r.score)),
      el("td", {}, el("button", { type: "button", class: "secondary", "data-rank": r.rank,
        onclick: () => useAddress(lk, r) }, t(serviceId ? "addr_use_again" : "addr_use")))]))));
  showError($("use-error"), "");
  $("use-status").hidden = true;
}

async function openLookup(id) {
  try {
    showLookup(await call("GET", `/api/addresses/lookups/${id}`));
  } catch (exc) {
    showError($("use-error"), message(exc));
  }
}

async function useAddress(lk, r) {
  showError($("use-error"), "");
  try {
    const used = await call("POST", `/api/addresses/lookups/${lk.id}/results/${r.rank}/use`,
      serviceId ? { service_id: serviceId } : {});
    if (used.delivery.page) {
      location.href = used.delivery.page;
      return;
    }
    await call(used.delivery.method, used.delivery.path, used.delivery.body);
    // served again: the returned service is settled, a second click would serve a second time
    for (const button of $("results").querySelectorAll("button")) button.disabled = true;
    $("use-status").textContent = `${t("addr_used")}${r.address}`;
    $("use-status").hidden = false;
  } catch (exc) {
    showError($("use-error"), message(exc));
  }
}

async function load(path) {
  showError($("search-error"), "");
  try {
    showCase(await call("GET", path));
  } catch (exc) {
    showError($("search-error"), message(exc));
  }
}

async function ask(event) {
  event.preventDefault();
  showError($("ask-error"), "");
  $("ask-button").disabled = true;
  $("ask-status").textContent = t("addr_asking");
  $("ask-status").hidden = false;
  try {
    const lk = await call("POST", `/api/addresses/cases/${current.dossier_case_id}/lookups`, {
      party_ref: $("party").value, id_number: $("id-number").value.trim(), reason: $("reason").value.trim(),
    });
    $("id-number").value = "";
    showLookup(lk);
    showCase(await call("GET", `/api/addresses/cases/${current.dossier_case_id}`));
  } catch (exc) {
    showError($("ask-error"), message(exc));
  } finally {
    $("ask-button").disabled = false;
    $("ask-status").hidden = true;
  }
}

async function main() {
  let me;
  try {
    me = await call("GET", "/api/auth/me");
  } catch {
    location.href = `/login.html?next=${encodeURIComponent(location.pathname + location.search)}`;
    return;
  }
  setupHeader({ court: me.court_name });
  $("who").textContent = `${roleLabel(me.role)} ${me.display_name}`;
  if (!["judge", "clerk"].includes(me.role)) {
    showError($("page-error"), t("addr_no_access"));
    $("search").hidden = true;
    return;
  }
  if (serviceId) {
    $("service-note").textContent = t("addr_service_note");
    $("service-note").hidden = false;
  }
  $("search").addEventListener("submit", (event) => {
    event.preventDefault();
    const number = $("number").value.trim();
    if (number) load(`/api/addresses/cases?number=${encodeURIComponent(number)}`);
  });
  $("ask").addEventListener("submit", ask);
  const caseId = Number(params.get("case"));
  if (caseId) await load(`/api/addresses/cases/${caseId}`);
}

main();
