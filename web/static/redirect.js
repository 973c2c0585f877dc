// Where to go after logging in: the page's `next`, only if it stays on this site. A scheme-relative
// `//other.host/…`, its `/\other.host` spelling, `https://other.host` and `javascript:` all leave
// the site (or run code) and give the default instead.
export function sameSiteTarget(next, origin, fallback = "/dashboard.html") {
  if (!next) return fallback;
  let url;
  try {
    url = new URL(next, origin);
  } catch {
    return fallback;
  }
  if (url.origin !== origin || !next.startsWith("/")) return fallback;
  return url.pathname + url.search + url.hash;
}
