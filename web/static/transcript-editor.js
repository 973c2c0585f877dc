// TranscriptEditor: the live transcript as a list of segments bound to the Yjs document.
// Editors get one textarea per committed segment (Chinese input methods work: nothing is sent
// while a composition is open); readers get plain text. Low-confidence words are underlined and
// other editors' cursors are drawn in an overlay that mirrors the textarea's layout. Gaps of the
// recording (mute, leave, disconnect, restart) are rows of their own between the segments, written
// by the server only: plain text, no textarea, so the caret and keyboard commands skip them.
import { Y } from "./vendor/yjs.bundle.js";
import { el } from "./common.js";
import { roleLabel, t } from "./i18n.js";
import { gapLine, interleave, readGaps } from "./transcript-gaps.js";

const LOCAL = Symbol("local-typing");
const LOW_CONFIDENCE = 0.5;

// No letter or digit (empty, spaces, punctuation only): a row with no words (issue 13).
export function isBlank(text) {
  return !/[\p{L}\p{N}]/u.test(text || "");
}

export function clock(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const mm = String(m).padStart(2, "0"), ss = String(sec).padStart(2, "0");
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

// Where an index ends up after a Yjs text delta (remote typing before our cursor moves it).
export function transformIndex(index, delta) {
  let pos = 0;
  for (const op of delta) {
    if (op.retain !== undefined) pos += op.retain;
    else if (op.insert !== undefined) {
      const n = typeof op.insert === "string" ? op.insert.length : 1;
      if (pos <= index) index += n;
      pos += n;
    } else if (op.delete !== undefined) {
      if (pos < index) index -= Math.min(op.delete, index - pos);
    }
  }
  return index;
}

// The smallest delete + insert that turns `before` into `after` (one edit at a time).
export function textDiff(before, after) {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let end = 0;
  while (end < before.length - start && end < after.length - start
         && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  return { index: start, remove: before.length - start - end, insert: after.slice(start, after.length - end) };
}

function lowConfidenceRanges(text, words) {
  const ranges = [];
  let from = 0;
  for (const [word, , , confidence] of words || []) {
    const w = String(word).trim();
    if (!w) continue;
    const at = text.indexOf(w, from);
    if (at < 0) continue;
    from = at + w.length;
    if (confidence < LOW_CONFIDENCE) ranges.push([at, at + w.length]);
  }
  return ranges;
}

export class TranscriptEditor {
  constructor(container, { canEdit = false, canLock = false, onFocusSegment = () => {}, onPlay = null, onDeleteEmpty = null } = {}) {
    this.onDeleteEmpty = onDeleteEmpty; // (segment id, "被告 李娜") => void: remove an empty row
    this.onPlay = onPlay; // (start_utc, speaker_key) => void, once the hearing's recording exists
    this.container = container;
    this.canEdit = canEdit;
    this.canLock = canLock;
    this.onFocusSegment = onFocusSegment;
    this.rows = new Map();
    this.gapRows = new Map();
    this.sync = null;
    this.query = "";
  }

  attach(sync) {
    this.sync = sync;
    this.container.replaceChildren();
    this.rows.clear();
    this.gapRows.clear();
    sync.segments.observeDeep(() => this.render());
    sync.doc.getArray("gaps").observeDeep(() => this.render());
    sync.onPresence(() => this.renderCursors());
    this.render();
  }

  maps() { return this.sync.segments.toArray().filter((m) => m instanceof Y.Map && m.get("id")); }

  find(id) { return this.maps().find((m) => m.get("id") === id) || null; }

  render() {
    const maps = this.maps();
    const gaps = readGaps(this.sync.doc.getArray("gaps"));
    const seen = new Set();
    const seenGaps = new Set();
    let previous = null;
    for (const entry of interleave(maps, gaps, (map) => map.get("start_ms") || 0)) {
      let node;
      if (entry.gap) {
        node = this._gapRow(entry.gap);
        seenGaps.add(entry.gap.id);
      } else {
        const map = entry.segment;
        const id = map.get("id");
        seen.add(id);
        let row = this.rows.get(id);
        if (!row || row.map !== map) {
          if (row) row.node.remove();
          row = this._row(map);
          this.rows.set(id, row);
        }
        this._update(row);
        node = row.node;
      }
      const anchor = previous ? previous.nextSibling : this.container.firstChild;
      if (node !== anchor) this.container.insertBefore(node, anchor);
      previous = node;
    }
    for (const [id, row] of this.rows) {
      if (!seen.has(id)) { row.node.remove(); this.rows.delete(id); }
    }
    for (const [id, node] of this.gapRows) {
      if (!seenGaps.has(id)) { node.remove(); this.gapRows.delete(id); }
    }
    this.renderCursors();
  }

  // A gap of someone's recording: a fact of the record, shown, never edited (no textarea).
  _gapRow(gap) {
    const text = gapLine(gap);
    let node = this.gapRows.get(gap.id);
    if (!node) {
      node = el("div", {
        class: `gap-row gap-${gap.reason}`, "data-gap-id": gap.id, role: "note",
      });
      this.gapRows.set(gap.id, node);
    }
    if (node.textContent !== text) node.textContent = text;
    node.title = `${gap.start_utc} – ${gap.end_utc} (UTC)`;
    return node;
  }

  _row(map) {
    const kind = map.get("kind");
    const node = el("div", { class: `seg seg-${kind}`, "data-id": map.get("id") });
    const head = el("div", { class: "seg-head" });
    const overlay = el("div", { class: "seg-overlay", "aria-hidden": "true" });
    const editable = this.canEdit && kind !== "marker"; // markers: written by the server only
    const body = editable
      ? el("textarea", { class: "seg-text", rows: "1", spellcheck: "false", "aria-label": t("segment_text") })
      : el("div", { class: "seg-text" });
    const wrap = el("div", { class: "seg-body" }, overlay, body);
    node.append(head, wrap);
    const row = { map, node, head, body, overlay, composing: false };
    if (editable) this._bind(row);
    return row;
  }

  _bind(row) {
    const ta = row.body;
    const ytext = row.map.get("text");
    ta.addEventListener("compositionstart", () => { row.composing = true; });
    ta.addEventListener("compositionend", () => { row.composing = false; this._push(row); });
    ta.addEventListener("input", () => { if (!row.composing) this._push(row); this._autosize(ta); });
    ta.addEventListener("focus", () => { this.onFocusSegment(row.map.get("id")); this._cursor(row); });
    ta.addEventListener("select", () => this._cursor(row));
    ta.addEventListener("keyup", () => this._cursor(row));
    ta.addEventListener("click", () => this._cursor(row));
    ta.addEventListener("blur", () => this.sync.setCursor(null));
    ytext.observe((event, transaction) => {
      if (transaction.origin === LOCAL) return;
      const focused = document.activeElement === ta;
      const start = transformIndex(ta.selectionStart, event.delta);
      const end = transformIndex(ta.selectionEnd, event.delta);
      if (row.composing) return; // applied after the composition ends, by _push's diff
      ta.value = ytext.toString();
      if (focused) ta.setSelectionRange(start, end);
      this._autosize(ta);
    });
  }

  _push(row) {
    const ytext = row.map.get("text");
    const change = textDiff(ytext.toString(), row.body.value);
    if (!change.remove && !change.insert) return;
    this.sync.doc.transact(() => {
      if (change.remove) ytext.delete(change.index, change.remove);
      if (change.insert) ytext.insert(change.index, change.insert);
    }, LOCAL);
    this._cursor(row);
  }

  _cursor(row) {
    const ta = row.body;
    this.sync.setCursor({ segment: row.map.get("id"), anchor: ta.selectionStart, head: ta.selectionEnd });
  }

  _autosize(ta) {
    ta.style.height = "auto";
    ta.style.height = `${ta.scrollHeight}px`;
  }

  _update(row) {
    const map = row.map;
    const kind = map.get("kind");
    const locked = map.get("locked") === true;
    const status = map.get("status");
    row.node.classList.toggle("locked", locked);
    row.node.classList.toggle("edited", status === "edited");
    const label = kind === "note" ? t("note") : kind === "marker" ? t("stages_marker")
      : `${roleLabel(map.get("speaker_role") || "")} ${map.get("speaker_name") || ""}`.trim();
    row.node.dataset.speaker = map.get("speaker_key") || "";
    const text = map.get("text").toString();
    const blank = kind === "speech" && isBlank(text);
    row.node.classList.toggle("seg-blank", blank);
    row.head.replaceChildren(...[
      el("span", { class: "seg-speaker" }, label),
      kind === "note" || kind === "marker" ? null : this._time(map),
      status === "edited" ? el("span", { class: "badge" }, t("edited")) : null,
      locked ? el("span", { class: "badge locked" }, t("locked")) : null,
      blank ? el("span", { class: "badge blank" }, t("record_empty_row")) : null,
      blank && this.canEdit && !locked && this.onDeleteEmpty ? el("button", {
        class: "seg-delete-empty", type: "button",
        onclick: () => this.onDeleteEmpty(map.get("id"), label),
      }, t("record_delete_empty")) : null,
    ].filter(Boolean));
    if (row.body.tagName === "TEXTAREA") {
      row.body.readOnly = locked; // the judge unlocks first, then edits
      if (row.body.value !== text && !row.composing) row.body.value = text;
      this._autosize(row.body);
    } else {
      row.body.textContent = text;
    }
    this._paintOverlay(row, text);
  }

  _time(map) {
    const label = clock(map.get("start_ms") || 0);
    const at = map.get("start_utc");
    if (!this.onPlay || !at) return el("time", { class: "seg-time" }, label);
    return el("button", {
      class: "seg-time play", type: "button", title: t("play_from_here"),
      onclick: () => this.onPlay(at, map.get("speaker_key")),
    }, `▶ ${label}`);
  }

  setPlayer(onPlay) {
    this.onPlay = onPlay;
    for (const row of this.rows.values()) this._update(row);
  }

  _paintOverlay(row, text, cursors = []) {
    const marks = lowConfidenceRanges(text, kindWords(row.map)).map(([a, b]) => ({ a, b, cls: "low" }));
    if (this.query) {
      let at = text.indexOf(this.query);
      while (at >= 0) { marks.push({ a: at, b: at + this.query.length, cls: "hit" }); at = text.indexOf(this.query, at + 1); }
    }
    for (const c of cursors) marks.push({ a: c.index, b: c.index, cls: "caret", name: c.name, colour: c.colour });
    marks.sort((x, y) => x.a - y.a || x.b - y.b);
    const parts = [];
    let pos = 0;
    for (const m of marks) {
      if (m.a < pos) continue;
      parts.push(text.slice(pos, m.a));
      if (m.cls === "caret") {
        // The colour is a palette class from the server's index: no client string reaches CSS.
        parts.push(el("span", { class: `caret ${presenceClass(m.colour)}` }, el("span", { class: "caret-name" }, m.name)));
      } else {
        parts.push(el("mark", { class: m.cls }, text.slice(m.a, m.b)));
      }
      pos = Math.max(pos, m.b);
    }
    parts.push(text.slice(pos), "\u200b");
    row.overlay.replaceChildren(...parts);
  }

  renderCursors() {
    if (!this.sync) return;
    const byRow = new Map();
    for (const peer of this.sync.others()) {
      const cursor = peer.cursor;
      if (!cursor) continue;
      const map = this.find(cursor.segment);
      if (!map) continue;
      const index = Math.min(Number(cursor.head) || 0, map.get("text").length);
      const list = byRow.get(cursor.segment) || [];
      list.push({ index, name: String(peer.name), colour: peer.colour });
      byRow.set(cursor.segment, list);
    }
    for (const [id, row] of this.rows) {
      row.node.classList.toggle("others-editing", byRow.has(id));
      this._paintOverlay(row, row.map.get("text").toString(), byRow.get(id) || []);
    }
  }

  setQuery(query) {
    this.query = query;
    this.renderCursors();
  }
}

function kindWords(map) {
  return map.get("kind") === "speech" ? map.get("words") : [];
}

// The CSS class of a presence colour index (style.css: .presence-c0 … .presence-c7).
export function presenceClass(colour) {
  const index = Number.isInteger(colour) ? ((colour % 8) + 8) % 8 : 0;
  return `presence-c${index}`;
}
