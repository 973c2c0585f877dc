// Shared helpers: JSON API calls, header (court, case, language switch), dates.
import { applyI18n, lang, t, toggleLang } from "./i18n.js";

// A refused request: HTTP status, the error class ``code``, the precise ``reason`` (else the
// code) and its ``params``; ``message`` is the server's English text, for logs only — pages show
// errorText(exc), in their language.
export class ApiError extends Error {
  constructor(status, code, message, reason = code, params = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.reason = reason;
    this.params = params;
  }
}

// Several server processes: a live hearing runs on one of them, which answers with its name
// when another was asked (409 owned_elsewhere, or socket close 4421); the proxy sends a request
// with ?node=<name> to that process while it is up (docs/architecture.md).
let routeNode = "";

export function routed(path) {
  if (!routeNode) return path;
  return `${path}${path.includes("?") ? "&" : "?"}node=${encodeURIComponent(routeNode)}`;
}

// True when the route changed (ask again at once), false when it was already this node.
export function routeTo(node) {
  if (!node || node === routeNode) return false;
  routeNode = node;
  return true;
}

export async function api(method, path, body) {
  const init = { method, headers: {}, credentials: "same-origin" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(routed(path), init);
    if (response.status === 204) return null;
    const data = await response.json().catch(() => null);
    if (response.ok) return data;
    const err = data && data.error ? data.error : {};
    if (err.code === "owned_elsewhere" && attempt === 0 && routeTo(err.owner)) continue;
    throw new ApiError(response.status, err.code || "error", err.message || response.statusText,
      err.reason || err.code || "error", err.params || {});
  }
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== null && value !== undefined && value !== false) node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

// Hearing times are shown in the court's time zone, whatever the viewer's computer is set to.
export const COURT_TIME_ZONE = "Asia/Shanghai";
export const COURT_UTC_OFFSET = "+08:00";

export function formatDateTime(iso) {
  const d = new Date(iso);
  return d.toLocaleString(lang(), {
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
    timeZone: COURT_TIME_ZONE,
  });
}

export function formatDay(iso) {
  const d = new Date(iso);
  return d.toLocaleDateString(lang(), {
    year: "numeric", month: "long", day: "numeric", weekday: "short",
    timeZone: COURT_TIME_ZONE,
  });
}

export function formatTime(iso) {
  return new Date(iso).toLocaleTimeString(lang(), {
    hour: "2-digit", minute: "2-digit", timeZone: COURT_TIME_ZONE,
  });
}

// Header: court name and case number on the left, language switch (and extras) on the right.
export function setupHeader({ court = "", caseNumber = "", onLang = () => location.reload() } = {}) {
  applyI18n();
  const courtEl = document.getElementById("hdr-court");
  const caseEl = document.getElementById("hdr-case");
  if (courtEl) courtEl.textContent = court;
  if (caseEl) caseEl.textContent = caseNumber;
  const button = document.getElementById("lang-switch");
  if (button) {
    button.textContent = t("lang_switch");
    button.onclick = () => { toggleLang(); onLang(); };
  }
}

// "{name}" placeholders of ``text`` filled from ``params``.
export function fill(text, params = {}) {
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

function known(key) {
  const text = t(key);
  return text === key ? null : text;
}

// What a person is told about a failed request, in the page's language: err_<reason>, else
// err_<code>, else a generic line (also for network failures). Never the server's English.
export function errorText(exc) {
  const reason = (exc && exc.reason) || (exc && exc.code) || "";
  const params = { ...((exc && exc.params) || {}) };
  if (params.status) params.status = known(`status_${params.status}`) ?? params.status;
  if (params.action) params.action = known(`err_action_${params.action}`) ?? params.action;
  if (reason.startsWith("field_")) {
    const field = String(params.field || "").split(".")[0];
    params.field = known(`err_f_${field}`) ?? t("err_f_unnamed");
  }
  const text = known(`err_${reason}`) ?? known(`err_${exc && exc.code}`) ?? t("err_generic");
  return fill(text, params);
}

export function showError(target, message) {
  target.textContent = message;
  target.hidden = !message;
}
