// The bench's public-viewing panel in the room (庭审公开): switch, delay, the observers' link and
// how many observers there are. Shown only to the judge and clerk (others get 403 and see nothing).
import { api, el } from "./common.js";
import { t } from "./i18n.js";
import { hearingId } from "./room-state.js";

const REFRESH_MS = 3000;

function panel() {
  const status = el("span", { class: "bc-status", id: "bc-status" });
  const delay = el("input", { type: "number", min: "2", max: "600", id: "bc-delay",
    "aria-label": t("broadcast_delay_label") });
  const toggle = el("button", { class: "small", type: "button", id: "bc-toggle" });
  const link = el("a", { class: "bc-link", id: "bc-link", target: "_blank", rel: "noopener",
    hidden: true });
  const section = el("section", { class: "card broadcast-panel", id: "broadcast-panel",
    "aria-labelledby": "h-broadcast" },
  el("header", {}, el("h2", { id: "h-broadcast" }, t("broadcast_title")), status),
  el("div", { class: "row" }, el("label", { for: "bc-delay" }, t("broadcast_delay_label")), delay,
    toggle),
  el("div", { class: "row" }, link));
  return { section, status, delay, toggle, link };
}

function show(ui, state) {
  ui.status.dataset.on = String(state.public_viewing);
  ui.status.textContent = !state.public_viewing ? t("broadcast_panel_off")
    : state.on_air ? t("broadcast_panel_on").replace("{s}", String(state.delay_s))
      .replace("{n}", String(state.observers))
      : t("broadcast_panel_waiting");
  ui.toggle.textContent = state.public_viewing ? t("broadcast_disable") : t("broadcast_enable");
  ui.toggle.className = state.public_viewing ? "small danger" : "small";
  ui.toggle.dataset.public = String(state.public_viewing);
  if (document.activeElement !== ui.delay) ui.delay.value = String(state.delay_s);
  ui.link.hidden = !state.watch_url || !state.public_viewing;
  if (state.watch_url) {
    ui.link.href = state.watch_url;
    ui.link.textContent = `${t("broadcast_link")}：${state.watch_url}`;
  }
}

async function main() {
  if (!hearingId) return;
  let state;
  try {
    state = await api("GET", `/api/hearings/${hearingId}/broadcast`);
  } catch { return; } // not the bench: no panel
  const ui = panel();
  document.querySelector("aside.side")?.prepend(ui.section);
  show(ui, state);
  ui.toggle.onclick = async () => {
    ui.toggle.disabled = true;
    try {
      const delayS = Number(ui.delay.value) || undefined;
      state = await api("PUT", `/api/hearings/${hearingId}/broadcast`,
        { public_viewing: !state.public_viewing, delay_s: delayS });
      show(ui, state);
    } catch (exc) {
      ui.status.textContent = exc.message;
    } finally { ui.toggle.disabled = false; }
  };
  setInterval(async () => {
    try { state = await api("GET", `/api/hearings/${hearingId}/broadcast`); show(ui, state); }
    catch { /* the next refresh tries again */ }
  }, REFRESH_MS);
}

main();
