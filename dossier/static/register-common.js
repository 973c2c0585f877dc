// What the register's pages share: court dates as people read them, labels, a paged fetch.
import { ApiError, routed } from "/common.js";
import { lang, t } from "/i18n.js";
import { nextLink } from "/paging.js";

// The dossier's largest page (dossier/paging.py MAX_LIMIT), for lists read to the end with apiAll.
export const PAGE_LIMIT = 100;
// A court date ("2026-10-01", a Beijing date) as "2026年10月1日" / "1 Oct 2026".
export function courtDate(iso) {
  if (!iso) return "";
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString(lang(), {
    year: "numeric", month: lang() === "en" ? "short" : "long", day: "numeric", timeZone: "UTC",
  });
}

export function label(prefix, value) {
  if (!value) return "";
  const key = `${prefix}${value}`;
  const text = t(key);
  return text === key ? value : text;
}

// "12,345.6" yuan -> 1234560 fen, exactly (no floating point); null when it is not an amount.
export function yuanToFen(text) {
  const clean = text.replace(/[,，\s]/g, "");
  const match = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(clean);
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] || "").padEnd(2, "0"));
}

export function yuan(fen) {
  if (fen === null || fen === undefined) return "";
  const value = (fen / 100).toLocaleString(lang(), { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return lang() === "en" ? `CNY ${value}` : `${value} 元`;
}

// One page of a list: its items and the next page's URL (null at the end).
export async function fetchPage(url) {
  const response = await fetch(routed(url), { credentials: "same-origin" });
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const err = data && data.error ? data.error : {};
    throw new ApiError(response.status, err.code || "error", err.message || response.statusText,
      err.reason || err.code || "error", err.params || {});
  }
  return { items: data, next: nextLink(response.headers.get("Link")) };
}
