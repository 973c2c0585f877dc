// Shared by the materials page and the court-wide search page: uploads as multipart forms,
// search hits with their highlighted snippets (built as text nodes and <mark>, never HTML).
import { ApiError, el, fill } from "/common.js";
import { lang, t } from "/i18n.js";

export async function postForm(path, form) {
  const response = await fetch(path, { method: "POST", body: form, credentials: "same-origin" });
  const data = await response.json().catch(() => null);
  if (response.ok) return data;
  const err = data && data.error ? data.error : {};
  throw new ApiError(response.status, err.code || "error", err.message || response.statusText,
    err.reason || err.code || "error", err.params || {});
}

export function typeName(material) {
  return lang() === "en" ? material.type_name_en : material.type_name_zh;
}

export function volumeName(volume) {
  return t(volume === "secondary" ? "mat_volume_secondary" : "mat_volume_main");
}

export function hitItem(hit, { withCase = false } = {}) {
  const snippet = el("div", { class: "snippet" });
  for (const segment of hit.snippet) {
    snippet.append(segment.hit ? el("mark", {}, segment.text) : document.createTextNode(segment.text));
  }
  const href = `/dossier/materials.html?case=${hit.case_id}#m-${hit.material_id}`;
  return el("li", {},
    withCase ? el("span", { class: "mat-meta" }, `${hit.case_number} · `) : null,
    el("a", { href }, hit.title),
    el("span", { class: "mat-meta" }, ` · ${volumeName(hit.volume)} · ${fill(t("mat_version_n"), { n: hit.version })}`),
    snippet);
}
