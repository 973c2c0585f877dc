// Shared parts of the fee pages (诉讼费): the fee API (its errors carry a Chinese and an English
// message: fees/http_errors.py), money in fen shown as yuan, dates, and the labels of states.
import { ApiError, errorText, formatDateTime } from "/common.js";
import { lang, t } from "/i18n.js";

// A refused fee request: ``zh`` / ``en`` are the server's own sentences (message_zh / message).
export class FeeError extends ApiError {
  constructor(status, code, reason, params, zh, en) {
    super(status, code, en || code, reason, params);
    this.zh = zh;
    this.en = en;
  }
}

export async function feeApi(method, path, body) {
  const init = { method, headers: {}, credentials: "same-origin" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new FeeError(0, "network", "fee_network", {}, null, null);
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (response.ok) return data;
  const err = (data && data.error) || {};
  // A route that is not there (yet) answers FastAPI's bare 404.
  const code = err.code || (response.status === 404 ? "fee_unavailable" : "error");
  return Promise.reject(new FeeError(response.status, code, err.reason || code, err.params || {},
    err.message_zh || null, err.message_zh ? err.message : null));
}

// What a person is told: the server's sentence in the page's language, else the shared
// dictionary's (validation, sessions), else a line of ours.
export function feeError(exc) {
  if (exc && exc.reason === "fee_network") return t("fee_network");
  if (exc && exc.code === "fee_unavailable") return t("fee_unavailable");
  if (exc && exc.zh) return lang() === "en" && exc.en ? exc.en : exc.zh;
  return errorText(exc);
}

// Chinese and English punctuation: "（x）" / " (x)", "：" / ": ".
export const paren = (x) => (lang() === "en" ? ` (${x})` : `（${x}）`);
export const colon = () => (lang() === "en" ? ": " : "：");

// 276914 → "¥2,769.14" (integer arithmetic: fen are never floats here).
export function yuan(fen, { sign = true } = {}) {
  const n = Number(fen) || 0;
  const abs = Math.abs(n);
  const whole = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const cents = String(abs % 100).padStart(2, "0");
  return `${n < 0 ? "-" : ""}${sign ? "¥" : ""}${whole}.${cents}`;
}

// "12,345.67" / "12345.67" → fen, or null when it is not an amount of yuan.
export function toFen(text) {
  const clean = String(text || "").replace(/[,，\s]/g, "").replace(/^¥/, "");
  const match = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(clean);
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] || "").padEnd(2, "0"));
}

// "2026-12-13" → 2026年12月13日 / 13 Dec 2026.
export function day(iso) {
  if (!iso) return "";
  const [y, m, d] = String(iso).slice(0, 10).split("-").map(Number);
  if (lang() !== "en") return `${y}年${m}月${d}日`;
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  return `${d} ${months[m - 1]} ${y}`;
}

export function when(iso) {
  return iso ? formatDateTime(iso) : "";
}

// A label from the dictionary, or the value itself when there is none (never an empty cell).
export function label(prefix, value) {
  const key = `${prefix}${value}`;
  const text = t(key);
  return text === key ? value : text;
}

export function chip(prefix, value) {
  const span = document.createElement("span");
  span.className = `fee-chip ${prefix.replace(/_$/, "")}-${value}`;
  span.textContent = label(prefix, value);
  return span;
}

// An <svg> answered by the server (the WeChat QR code: segno's inline SVG, which has no xmlns),
// parsed apart (an inert document: nothing runs) and only its <svg> adopted, scalable by CSS.
export function svgNode(text) {
  const doc = new DOMParser().parseFromString(text, "text/html");
  const root = doc.body.querySelector("svg");
  if (!root) return null;
  for (const node of root.querySelectorAll("script, foreignObject")) node.remove();
  const width = root.getAttribute("width");
  const height = root.getAttribute("height");
  if (width && height && !root.getAttribute("viewBox")) root.setAttribute("viewBox", `0 0 ${width} ${height}`);
  return document.importNode(root, true);
}

// The breakdown of a notice (fees/breakdown.py): one row per line, tier by tier.
export function breakdownRows(breakdown) {
  const lines = (breakdown && breakdown.lines) || [];
  return lines.map((line) => {
    const what = lang() === "en" ? line.label_en || line.label_zh : line.label_zh || line.label_en;
    let part = "";
    if (line.step === "tier" && line.base_fen !== undefined && line.base_fen !== null) {
      const range = line.up_to_fen
        ? `${yuan(line.over_fen || 0, { sign: false })}–${yuan(line.up_to_fen, { sign: false })}`
        : `${yuan(line.over_fen || 0, { sign: false })}+`;
      part = line.rate
        ? `${range}${colon()}${yuan(line.base_fen, { sign: false })} × ${line.rate}`
        : `${range}${colon()}${t("fee_bd_per_case")}`;
    } else if (line.rate) {
      part = `${yuan(line.base_fen || 0, { sign: false })} × ${line.rate}`;
    }
    return {
      step: line.step,
      step_text: label("fee_step_", line.step),
      what,
      part,
      article: line.article || "",
      amount: yuan(line.amount_fen),
    };
  });
}

// Why a notice version was issued, in the page's language: the server's Chinese text (which
// carries the staff's note after "："), or on the English page the reason's name and the note.
const HALVED_TEXTS = { 调解结案: "mediation", 撤诉: "withdrawal" };

export function noticeReason(reason, text) {
  if (lang() !== "en") return text || label("fee_nreason_", reason || "");
  if (!reason && text) {
    const ground = Object.keys(HALVED_TEXTS).find((k) => text.startsWith(k));
    if (ground) return t(`fee_halved_${HALVED_TEXTS[ground]}`);
    return text;
  }
  if (reason === "halved" && text) {
    const ground = Object.keys(HALVED_TEXTS).find((k) => text.startsWith(k));
    if (ground) return t(`fee_halved_${HALVED_TEXTS[ground]}`);
  }
  const note = text && text.includes("：") ? text.slice(text.indexOf("：") + 1) : "";
  return label("fee_nreason_", reason || "") + (note ? `: ${note}` : "");
}
