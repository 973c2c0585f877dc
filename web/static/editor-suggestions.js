// Re-transcription (重新转写) on the transcript page of a closed hearing: the judge, the clerk or a
// recorder runs a chosen model over the recording in the background and decides on its
// suggestions. Accepting changes the text on the server (so every open editor sees it at once);
// text a person edited is only ever changed by accepting its suggestion one by one.
import { api, el } from "./common.js";
import { errorText } from "./common.js"; // server errors in the page's language
import { lang, roleLabel } from "./i18n.js";
import { apiAll } from "./paging.js";

const WORDS = {
  "zh-CN": {
    title: "重新转写", model: "模型", start: "开始转写", cancel: "取消",
    queued: "排队中", running: "转写中", done: "已完成", failed: "失败", cancelled: "已取消",
    suggestions: "转写建议", none: "暂无待处理的建议", accept: "采纳", reject: "驳回",
    accept_all: "采纳全部未经人工修改的建议", touched: "已人工修改", locked: "已锁定",
    new_segment: "笔录遗漏的发言", changed: "该段文字在建议后又有修改，建议已失效",
    stale: "该段已被修改或锁定，建议已失效", accepted_n: "已采纳 {a} 条；失效 {s} 条；留待逐条处理 {k} 条",
    unavailable: "（本机无此模型）", hint: "闭庭后可用更大的模型重新转写录音；结果只作为建议，不会覆盖人工修改的文字。",
  },
  en: {
    title: "Re-transcription", model: "Model", start: "Start", cancel: "Cancel",
    queued: "Queued", running: "Transcribing", done: "Finished", failed: "Failed", cancelled: "Cancelled",
    suggestions: "Suggestions", none: "No pending suggestions", accept: "Accept", reject: "Reject",
    accept_all: "Accept all untouched", touched: "Edited by a person", locked: "Locked",
    new_segment: "Speech missing from the transcript", changed: "The text changed after this suggestion; it no longer applies",
    stale: "The segment was changed or locked: the suggestion no longer applies", accepted_n: "Accepted {a}; no longer applicable {s}; left for one-by-one review {k}",
    unavailable: "(not on this server)", hint: "After the hearing, re-transcribe the recording with a larger model; the result is only proposed and never overwrites a person's edits.",
  },
};

function w(key) {
  return (WORDS[lang()] || WORDS["zh-CN"])[key] || key;
}

// Words for Latin text, single characters for Chinese: the units a proofreader compares.
function tokens(text) {
  return text.match(/\s+|[\u3400-\u9fff\uf900-\ufaff]|[^\s\u3400-\u9fff\uf900-\ufaff]+/g) || [];
}

// A longest-common-subsequence diff: [["=", text] | ["-", text] | ["+", text], ...].
export function diff(before, after) {
  const a = tokens(before), b = tokens(after);
  if (a.length * b.length > 250000) return [["-", before], ["+", after]];
  const table = Array.from({ length: a.length + 1 }, () => new Uint16Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
    }
  }
  const out = [];
  const push = (op, text) => {
    const last = out[out.length - 1];
    if (last && last[0] === op) last[1] += text; else out.push([op, text]);
  };
  let i = 0, j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) { push("=", a[i]); i++; j++; }
    else if (table[i + 1][j] >= table[i][j + 1]) push("-", a[i++]);
    else push("+", b[j++]);
  }
  while (i < a.length) push("-", a[i++]);
  while (j < b.length) push("+", b[j++]);
  return out;
}

function diffNode(before, after) {
  return el("div", { class: "rt-diff" }, ...diff(before, after).map(([op, text]) =>
    op === "=" ? text : el(op === "-" ? "del" : "ins", {}, text)));
}

export function setupSuggestions({ hearingId, speakers, onFocus, notice }) {
  const base = `/api/hearings/${hearingId}/retranscription`;
  const box = document.getElementById("suggestions");
  if (!box) return null;
  const select = el("select", { id: "rt-model", "aria-label": w("model") });
  const startButton = el("button", { id: "rt-start", type: "button" }, w("start"));
  const job = el("div", { id: "rt-job", class: "rt-job", role: "status" });
  const acceptAll = el("button", { id: "rt-accept-all", type: "button", class: "secondary", hidden: true }, w("accept_all"));
  const list = el("ul", { id: "rt-list", class: "rt-list" });
  box.replaceChildren(
    el("h3", {}, w("title")),
    el("p", { class: "hint" }, w("hint")),
    el("div", { class: "rt-row" }, select, startButton),
    job,
    el("h3", {}, w("suggestions")),
    acceptAll,
    list,
  );
  box.hidden = false;
  let timer = null;
  const fail = (exc) => notice(errorText(exc));
  const speakerLabel = (key) => {
    const p = speakers.find((s) => s.key === key);
    return p ? `${roleLabel(p.role)} ${p.name}` : key;
  };
  const clock = (iso) => (iso ? new Date(iso).toLocaleTimeString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" }) : "");

  function showJob(latest) {
    if (!latest) { job.replaceChildren(); startButton.disabled = false; return false; }
    const active = latest.state === "queued" || latest.state === "running";
    const percent = Math.round(latest.progress * 100);
    job.className = `rt-job ${latest.state}`;
    job.dataset.state = latest.state;
    job.replaceChildren(...[
      el("div", {}, `${latest.model} · ${w(latest.state)}${active || latest.state === "done" ? ` ${percent}%` : ""}`),
      active || latest.state === "done" ? el("progress", { max: "1", value: String(latest.progress) }) : null,
      latest.error ? el("div", {}, latest.error) : null,
      active ? el("button", { id: "rt-cancel", type: "button", class: "secondary", onclick: () =>
        api("POST", `${base}/jobs/${latest.id}/cancel`).then(refresh).catch(fail) }, w("cancel")) : null,
    ].filter(Boolean));
    startButton.disabled = active;
    return active;
  }

  function item(s) {
    const now = s.segment_text_now;
    const changed = s.segment_id !== null && now !== null && now !== s.current_text;
    const badges = [
      s.segment_id === null ? w("new_segment") : null,
      s.segment_touched ? w("touched") : null,
      s.segment_locked ? w("locked") : null,
    ].filter(Boolean);
    const decide = (action) => api("POST", `${base}/suggestions/${s.id}/${action}`)
      .catch((exc) => { if (exc.code === "suggestion_stale") notice(w("stale")); else fail(exc); })
      .then(loadSuggestions);
    return el("li", { class: "rt-item", "data-id": String(s.id), "data-segment": s.segment_id || "" },
      el("div", { class: "rt-meta", onclick: () => s.segment_id && onFocus(s.segment_id) },
        `${speakerLabel(s.speaker_key)} · ${clock(s.start_utc)}`, ...badges.map((b) => el("span", { class: "rt-badge" }, b))),
      diffNode(s.segment_id === null ? "" : (now ?? s.current_text), s.proposed_text),
      changed ? el("div", { class: "rt-note" }, w("changed")) : null,
      el("div", { class: "rt-actions" },
        el("button", { type: "button", class: "rt-accept", onclick: () => decide("accept") }, w("accept")),
        el("button", { type: "button", class: "secondary rt-reject", onclick: () => decide("reject") }, w("reject"))));
  }

  async function loadSuggestions() {
    const pending = await apiAll(`${base}/suggestions?state=pending`).catch((exc) => { fail(exc); return []; });
    list.replaceChildren(...(pending.length ? pending.map(item) : [el("li", { class: "rt-item hint" }, w("none"))]));
    acceptAll.hidden = !pending.some((s) => s.segment_id !== null && !s.segment_touched && !s.segment_locked);
  }

  async function refresh() {
    clearTimeout(timer);
    const jobs = await apiAll(`${base}/jobs`).catch((exc) => { fail(exc); return []; });
    const wasActive = job.dataset.state === "queued" || job.dataset.state === "running";
    const active = showJob(jobs[0]);
    if (active) timer = setTimeout(refresh, 1500);
    else if (wasActive || !list.childElementCount) await loadSuggestions();
  }

  acceptAll.onclick = async () => {
    try {
      const r = await api("POST", `${base}/suggestions/accept-untouched`);
      notice(w("accepted_n").replace("{a}", r.accepted).replace("{s}", r.stale).replace("{k}", r.skipped));
    } catch (exc) { fail(exc); }
    await loadSuggestions();
  };
  startButton.onclick = () => api("POST", `${base}/jobs`, { model: select.value }).then(refresh).catch(fail);

  api("GET", `${base}/models`).then((models) => {
    select.replaceChildren(...models.map((m) => el("option", { value: m.name, disabled: !m.usable },
      m.available ? m.name : `${m.name} ${w("unavailable")}`)));
    const first = models.find((m) => m.usable);
    if (first) select.value = first.name;
  }).catch(fail);
  refresh();
  return { refresh, loadSuggestions };
}
