// Evidence on screen (docs/protocol.md "Evidence on screen"): the materials panel (upload,
// present), and the presentation everyone follows, shown large over the video tiles. The page
// learns of every change from the transcript document's 【举证】 markers ("segment" messages),
// then reads the presentation; only the presenter turns pages; a judge may take control or stop.
import { ApiError, api, el, routed } from "./common.js";
import { roleLabel, t } from "./i18n.js";
import { hearingId, reportError, state } from "./room-state.js";

const TYPES = ["application/pdf", "image/png", "image/jpeg"];
const MAX_BYTES = 20 * 1024 * 1024;

const view = {
  materials: [],
  presenting: null,   // {material_id, page, presenter_key, presenter_role, presenter_name}
  version: -1,
  markers: new Set(),
  error: "",
  busy: false,
};
state.evidence = view; // window.tingshen.evidence, for the browser tests and support staff

const base = () => `/api/hearings/${hearingId}/evidence`;

function fill(text, values) {
  return Object.entries(values).reduce((s, [k, v]) => s.replace(`{${k}}`, String(v)), text);
}

function message(exc) {
  if (!(exc instanceof ApiError)) return exc.message;
  if (exc.status === 409) return t("evidence_busy");
  if (exc.status === 413) return t("evidence_too_large");
  if (exc.status === 415) return t("evidence_bad_type");
  if (exc.status === 422) return t("evidence_bad_file");
  return exc.message;
}

let loading = null;
let again = false;

async function reload() {
  if (loading) { again = true; return; }
  loading = api("GET", base()).then(apply).catch(reportError);
  await loading;
  loading = null;
  if (again) { again = false; await reload(); }
}

function apply(data) {
  if (data.version < view.version) return; // an older answer overtaken by a newer one
  view.version = data.version;
  view.materials = data.materials;
  view.presenting = data.presenting;
  render();
}

// A segment of the transcript document reached the live panel (room-transcript.js).
export function noteEvidence(segment) {
  if (segment.kind !== "marker" || !String(segment.id).startsWith("evidence-")) return;
  if (view.markers.has(segment.id)) return;
  view.markers.add(segment.id);
  reload();
}

export function setupEvidence() {
  const open = document.getElementById("evidence-open");
  const mayBring = state.me && state.me.role !== "observer";
  open.hidden = !mayBring;
  open.onclick = () => {
    const panel = document.getElementById("evidence-panel");
    panel.hidden = !panel.hidden;
    open.classList.toggle("active", !panel.hidden);
    render();
  };
  reload();
}

async function act(path, body) {
  view.error = "";
  try {
    apply(await api("POST", `${base()}${path}`, body));
  } catch (exc) {
    view.error = message(exc);
    render();
  }
}

async function upload(file) {
  view.error = "";
  if (!TYPES.includes(file.type)) { view.error = t("evidence_bad_type"); render(); return; }
  if (file.size > MAX_BYTES) { view.error = t("evidence_too_large"); render(); return; }
  view.busy = true;
  render();
  try {
    const response = await fetch(routed(`${base()}?filename=${encodeURIComponent(file.name)}`), {
      method: "POST", body: file, headers: { "Content-Type": file.type }, credentials: "same-origin",
    });
    if (!response.ok) {
      const data = await response.json().catch(() => ({}));
      const err = (data && data.error) || {};
      throw new ApiError(response.status, err.code || "error", err.message || response.statusText);
    }
  } catch (exc) {
    view.error = message(exc);
  }
  view.busy = false;
  await reload();
  render();
}

function who(role, name) {
  return `${roleLabel(role)} ${name}`;
}

function render() {
  renderPanel();
  renderView();
}

function renderPanel() {
  const panel = document.getElementById("evidence-panel");
  if (!panel || panel.hidden || !state.me) return;
  const mine = (m) => m.uploader_key === state.me.key || state.me.staff;
  const items = view.materials.map((m) => el("li", { class: "ev-item", "data-material": String(m.id) },
    el("span", { class: "ev-label" }, m.label),
    el("span", { class: "ev-meta" }, `${who(m.uploader_role, m.uploader_name)} · ${fill(t("evidence_pages"), { n: m.page_count })}`),
    mine(m) ? el("button", {
      type: "button", class: "secondary ev-present", onclick: () => act("/present", { material_id: m.id }),
    }, t("evidence_present")) : null));
  const chosen = el("span", { class: "ev-filename" }, t("evidence_no_file"));
  const input = el("input", {
    type: "file", accept: TYPES.join(","), class: "ev-file", "aria-label": t("evidence_choose"),
    disabled: view.busy ? "disabled" : null,
    onchange: () => { chosen.textContent = input.files[0] ? input.files[0].name : t("evidence_no_file"); },
  });
  // The browser's own file button speaks the browser's language: a label of ours instead.
  const form = el("form", {
    class: "ev-upload",
    onsubmit: (event) => { event.preventDefault(); if (input.files[0]) upload(input.files[0]); },
  }, el("label", { class: "ev-choose" }, t("evidence_choose"), input), chosen,
  el("button", { type: "submit", disabled: view.busy ? "disabled" : null },
    view.busy ? t("evidence_uploading") : t("evidence_upload")));
  panel.replaceChildren(...[
    el("header", {}, el("h2", {}, t("evidence_title")),
      el("button", { type: "button", class: "link ev-close", onclick: () => document.getElementById("evidence-open").click() }, t("evidence_close"))),
    items.length ? el("ul", { class: "ev-list" }, ...items) : el("p", { class: "hint ev-empty" }, t("evidence_none")),
    form,
    el("p", { class: "hint ev-hint" }, t("evidence_hint")),
    view.error ? el("p", { class: "error", role: "alert" }, view.error) : null,
  ].filter(Boolean));
}

function renderView() {
  const box = document.getElementById("evidence-view");
  const stage = box && box.closest(".stage");
  if (!box) return;
  const p = view.presenting;
  const material = p && view.materials.find((m) => m.id === p.material_id);
  if (!p || !material) {
    box.hidden = true;
    box.replaceChildren();
    if (stage) stage.classList.remove("presenting");
    return;
  }
  const me = state.me || {};
  const presenter = p.presenter_key === me.key;
  const judge = Boolean(me.isJudge);
  const buttons = [];
  if (presenter) {
    buttons.push(el("button", {
      type: "button", class: "secondary ev-prev", disabled: p.page <= 1 ? "disabled" : null,
      onclick: () => act("/page", { page: p.page - 1 }),
    }, `‹ ${t("evidence_prev")}`));
    buttons.push(el("button", {
      type: "button", class: "secondary ev-next", disabled: p.page >= material.page_count ? "disabled" : null,
      onclick: () => act("/page", { page: p.page + 1 }),
    }, `${t("evidence_next")} ›`));
  }
  if (judge && !presenter) buttons.push(el("button", { type: "button", class: "secondary ev-take", onclick: () => act("/take-control") }, t("evidence_take")));
  if (presenter || judge) buttons.push(el("button", { type: "button", class: "danger ev-stop", onclick: () => act("/stop") }, t("evidence_stop")));
  const src = routed(`${base()}/${material.id}/pages/${p.page}`);
  const img = box.querySelector("img.ev-page");
  const page = img && img.dataset.src === src ? img : el("img", {
    class: "ev-page", src, alt: `${material.label} ${fill(t("evidence_page"), { p: p.page, n: material.page_count })}`,
    "data-src": src, "data-material": String(material.id), "data-page": String(p.page),
  });
  const panelOpen = !document.getElementById("evidence-panel").hidden; // it shows the error
  box.replaceChildren(...[
    el("header", { class: "ev-bar" },
      el("span", { class: "ev-who" }, fill(t("evidence_presenting"), { who: who(p.presenter_role, p.presenter_name), label: material.label })),
      el("span", { class: "ev-pageno" }, fill(t("evidence_page"), { p: p.page, n: material.page_count })),
      el("span", { class: "ev-actions" }, ...buttons)),
    el("div", { class: "ev-canvas" }, page),
    view.error && !panelOpen ? el("p", { class: "error", role: "alert" }, view.error) : null,
  ].filter(Boolean));
  box.hidden = false;
  if (stage) stage.classList.add("presenting");
}
