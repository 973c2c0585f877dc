// Statistics (/dossier/stats.html): charts drawn as SVG here (no chart library, no inline
// styles: colours come from classes in register.css), and the CSV export.
import { api, el, errorText, setupHeader, showError } from "/common.js";
import { t } from "/i18n.js";
import { courtDate } from "/dossier/register-common.js";

const SVG = "http://www.w3.org/2000/svg";
const failure = document.getElementById("stats-error");

function svg(tag, attrs = {}, text = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== null) node.textContent = String(text);
  return node;
}

// Grouped vertical bars: labels along the bottom, one bar per series (class names) per group.
function columns(labels, series, classes) {
  const width = 560, height = 220, left = 32, bottom = 28, top = 12;
  const max = Math.max(1, ...series.flat());
  const group = (width - left) / Math.max(1, labels.length);
  const bar = Math.min(36, Math.max(2, (group * 0.8) / series.length));
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img" });
  const y = (v) => top + (height - top - bottom) * (1 - v / max);
  chart.append(svg("line", { x1: left, y1: y(0), x2: width, y2: y(0), class: "axis" }));
  chart.append(svg("text", { x: 0, y: y(max) + 4 }, max));
  labels.forEach((name, i) => {
    const x0 = left + i * group + group * 0.1;
    series.forEach((values, s) => {
      const v = values[i];
      const rect = svg("rect", { x: x0 + s * bar, y: y(v), width: bar - 1, height: y(0) - y(v), class: classes[s] });
      rect.append(svg("title", {}, `${name}: ${v}`));
      chart.append(rect);
    });
    if (labels.length <= 12 || i % Math.ceil(labels.length / 12) === 0) {
      chart.append(svg("text", { x: x0, y: height - 10 }, name));
    }
  });
  return chart;
}

// Horizontal bars with their labels and counts.
function bars(rows) {
  const width = 560, line = 24, left = 170;
  const max = Math.max(1, ...rows.map(([, v]) => v));
  const chart = svg("svg", { viewBox: `0 0 ${width} ${Math.max(1, rows.length) * line + 4}`, class: "chart", role: "img" });
  rows.forEach(([name, v], i) => {
    const w = ((width - left - 40) * v) / max;
    chart.append(svg("text", { x: 0, y: i * line + 16 }, name.length > 14 ? `${name.slice(0, 13)}…` : name));
    chart.append(svg("rect", { x: left, y: i * line + 5, width: Math.max(w, 1), height: 14, class: "bar" }));
    chart.append(svg("text", { x: left + w + 6, y: i * line + 16 }, v));
  });
  return chart;
}

function show(s) {
  document.getElementById("chart-months").replaceChildren(columns(
    s.months.map(([m]) => m), [s.months.map(([, f]) => f), s.months.map(([, , c]) => c)], ["filed", "closed"]));
  document.getElementById("chart-causes").replaceChildren(
    bars(s.causes.map(([name, n]) => [name || t("reg_other_causes"), n])));
  document.getElementById("chart-judges").replaceChildren(columns(
    s.judges.map(([j]) => j || t("reg_unassigned")),
    [s.judges.map((j) => j[1]), s.judges.map((j) => j[2]), s.judges.map((j) => j[3])],
    ["filed", "closed", "open"]));
  document.getElementById("chart-ages").replaceChildren(bars(s.open_by_age));
  document.getElementById("no-warnings").hidden = s.warnings.length > 0;
  document.getElementById("warnings").hidden = s.warnings.length === 0;
  document.querySelector("#warnings tbody").replaceChildren(...s.warnings.map((w) => el("tr", {},
    el("td", { class: "num" }, el("a", { href: `/dossier/case.html?id=${w.case_id}` }, w.case_number)),
    el("td", {}, w.judge_name || ""),
    el("td", { class: "num" }, courtDate(w.due_on)),
    el("td", { class: "num" }, String(w.days_left)),
    el("td", {}, el("span", { class: `tl-state ${w.state}` },
      t(w.state === "suspended" ? "reg_tl_suspended_now" : `reg_tl_${w.state}`))))));
  document.getElementById("stats").hidden = false;
}

async function load() {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(document.getElementById("range"))) {
    if (value) params.set(name, String(value));
  }
  document.getElementById("csv").href = `/api/dossier/stats.csv?${params}`;
  showError(failure, "");
  try {
    const s = await api("GET", `/api/dossier/stats?${params}`);
    document.getElementById("s-from").value = s.start;
    document.getElementById("s-to").value = s.end;
    show(s);
  } catch (exc) {
    showError(failure, errorText(exc));
  }
}

async function start() {
  setupHeader();
  try {
    const me = await api("GET", "/api/auth/me");
    document.getElementById("hdr-court").textContent = me.court_name;
  } catch (exc) {
    showError(failure, errorText(exc));
    return;
  }
  document.getElementById("range").addEventListener("submit", (event) => { event.preventDefault(); load(); });
  await load();
}

start();
