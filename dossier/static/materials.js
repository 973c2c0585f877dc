// The materials page: /dossier/materials.html?case=N — volumes (正卷/副卷) with each material's
// versions and processing state, upload with a type picker, corrections, search in the case.
import { api, el, errorText, fill, formatDateTime, setupHeader, showError } from "/common.js";
import { t } from "/i18n.js";
import { hitItem, postForm, typeName, volumeName } from "/dossier/materials-common.js";

const caseId = Number(new URLSearchParams(location.search).get("case"));
const base = `/api/dossier/cases/${caseId}`;
const pageError = document.getElementById("page-error");
let polling = null;

function size(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

function statusLine(v) {
  const text = v.status === "failed"
    ? fill(t("mat_status_failed"), { error: v.processing_error || "" })
    : t(`mat_status_${v.status}`);
  return el("span", { class: `mat-status-${v.status}` }, text);
}

function versionItem(material, v) {
  const files = `${base}/materials/${material.id}/versions/${v.version}`;
  return el("li", {},
    el("strong", {}, fill(t("mat_version_n"), { n: v.version })), " ",
    el("span", { class: "mat-meta" },
      `${v.filename} · ${size(v.size_bytes)}`,
      v.page_count ? ` · ${v.page_count === 1 ? t("mat_page_one") : fill(t("mat_pages"), { n: v.page_count })}` : "",
      ` · ${fill(t("mat_added_by"), { name: v.added_by_name, when: formatDateTime(v.added_at) })}`,
      v.note ? ` · ${t("mat_new_version_reason")}：${v.note}` : ""),
    " ", statusLine(v),
    v.has_pdf ? el("a", { href: `${files}/pdf`, target: "_blank", rel: "noopener" }, t("mat_open_pdf")) : null,
    el("a", { href: `${files}/original` }, t("mat_download_original")));
}

function correctionForm(material) {
  const file = el("input", { type: "file", required: true, "aria-label": t("mat_upload_file") });
  const reason = el("input", { type: "text", maxlength: "500", required: true, placeholder: t("mat_new_version_reason"), "aria-label": t("mat_new_version_reason") });
  const error = el("span", { class: "error", role: "alert", hidden: true });
  const form = el("form", { class: "mat-correct" }, file, reason,
    el("button", { type: "submit", class: "small secondary" }, t("mat_new_version")), error);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = new FormData();
    body.append("file", file.files[0]);
    body.append("reason", reason.value);
    try {
      await postForm(`${base}/materials/${material.id}/versions`, body);
      await load();
    } catch (exc) {
      showError(error, errorText(exc));
    }
  });
  return form;
}

function materialItem(material, mayAdd) {
  return el("li", { class: "mat-item", id: `m-${material.id}` },
    el("div", { class: "mat-head" },
      el("span", { class: "mat-type" }, typeName(material)),
      el("span", { class: "mat-title" }, material.title),
      el("span", { class: "mat-meta" }, fill(t("mat_added_by"), { name: material.created_by_name, when: formatDateTime(material.created_at) }))),
    el("div", { class: "mat-meta" }, t("mat_versions")),
    el("ol", { class: "mat-versions", reversed: true }, ...material.versions.map((v) => versionItem(material, v))),
    mayAdd
      ? el("details", { class: "mat-correct-box" }, el("summary", {}, t("mat_new_version")), correctionForm(material))
      : null);
}

function render(data) {
  const volumes = document.getElementById("volumes");
  volumes.replaceChildren();
  for (const volume of ["main", "secondary"]) {
    const items = data.materials.filter((m) => m.volume === volume);
    volumes.append(el("section", { class: "card", "aria-label": volumeName(volume) },
      el("h2", {}, volumeName(volume)),
      items.length
        ? el("ul", { class: "mat-list" }, ...items.map((m) => materialItem(m, data.may_add)))
        : el("p", { class: "hint" }, t("mat_none"))));
  }
  document.getElementById("upload").hidden = !data.may_add;
  const pending = data.materials.some((m) => m.versions.some((v) => v.status === "processing"));
  clearTimeout(polling);
  if (pending) polling = setTimeout(load, 2000);
}

async function load() {
  try {
    render(await api("GET", `${base}/materials`));
    showError(pageError, "");
  } catch (exc) {
    showError(pageError, errorText(exc));
  }
}

async function setupUpload() {
  const types = await api("GET", "/api/dossier/material-types");
  const select = document.getElementById("u-type");
  const en = document.documentElement.lang === "en";
  select.replaceChildren(...types.map((k) => el("option", { value: k.code },
    en ? `${k.en} (${volumeName(k.volume)})` : `${k.zh}（${volumeName(k.volume)}）`)));
  const form = document.getElementById("upload");
  const status = document.getElementById("upload-status");
  const error = document.getElementById("upload-error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = new FormData(form);
    for (const name of ["title", "volume"]) if (!body.get(name)) body.delete(name);
    showError(error, "");
    showError(status, t("mat_uploading"));
    try {
      await postForm(`${base}/materials`, body);
      form.reset();
      showError(status, t("mat_uploaded"));
      await load();
    } catch (exc) {
      showError(status, "");
      showError(error, errorText(exc));
    }
  });
}

function setupSearch() {
  const form = document.getElementById("case-search");
  const hits = document.getElementById("hits");
  const error = document.getElementById("search-error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const q = document.getElementById("q").value;
    showError(error, "");
    try {
      const found = await api("GET", `${base}/search?q=${encodeURIComponent(q)}`);
      hits.replaceChildren(...found.hits.map((h) => hitItem(h)));
      if (!found.hits.length) hits.replaceChildren(el("li", { class: "hint" }, t("mat_search_none")));
    } catch (exc) {
      showError(error, errorText(exc));
    }
  });
}

async function main() {
  setupHeader();
  try {
    const info = await api("GET", base);
    setupHeader({ court: info.court_name, caseNumber: info.case_number });
  } catch (exc) {
    showError(pageError, errorText(exc));
    return;
  }
  setupSearch();
  await load();
  if (!document.getElementById("upload").hidden) await setupUpload();
}

main();
