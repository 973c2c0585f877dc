// Paged lists (hearing_server/paging.py): the server answers at most `limit` items and a
// `Link: <...>; rel="next"` header while there is more. apiAll follows it to the end, one bounded
// page at a time, for pages that need the whole list (a case's hearings, a segment's history).
import { ApiError, routed } from "./common.js";

export const PAGE_LIMIT = 200;
const NEXT = /<([^>]*)>\s*;\s*rel="?next"?/;

// The URL of the next page from a Link header, or null on the last page.
export function nextLink(header) {
  const match = NEXT.exec(header || "");
  return match ? match[1] : null;
}

function withLimit(path, limit) {
  if (/[?&]limit=/.test(path)) return path;
  return `${path}${path.includes("?") ? "&" : "?"}limit=${limit}`;
}

export async function apiAll(path, limit = PAGE_LIMIT) {
  const items = [];
  let url = withLimit(path, limit);
  while (url) {
    const response = await fetch(routed(url), { credentials: "same-origin" });
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const err = data && data.error ? data.error : {};
      throw new ApiError(response.status, err.code || "error", err.message || response.statusText,
        err.reason || err.code || "error", err.params || {});
    }
    items.push(...data);
    url = nextLink(response.headers.get("Link"));
  }
  return items;
}
