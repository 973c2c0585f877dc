// Editing commands on the transcript document, each one Yjs transaction (one undoable, attributed
// change on the server): split, merge, change speaker, insert a note, lock, find and replace.
import { Y } from "./vendor/yjs.bundle.js";

function indexOf(segments, id) {
  const all = segments.toArray();
  return all.findIndex((m) => m instanceof Y.Map && m.get("id") === id);
}

function newId(base) {
  return `${base}.${Math.random().toString(36).slice(2, 8)}`;
}

function segmentMap(fields, text) {
  const map = new Y.Map();
  for (const [key, value] of Object.entries(fields)) map.set(key, value);
  map.set("text", new Y.Text(text));
  return map;
}

// Split a segment at a character position: the tail becomes a new segment of the same speaker,
// its start time interpolated by the share of characters before the cut.
export function splitSegment(doc, id, at) {
  const segments = doc.getArray("segments");
  const index = indexOf(segments, id);
  if (index < 0) return null;
  const map = segments.get(index);
  const text = map.get("text").toString();
  if (map.get("locked") || at <= 0 || at >= text.length) return null;
  const start = map.get("start_ms"), end = map.get("end_ms");
  const cut = Math.round(start + ((end - start) * at) / text.length);
  const id2 = newId(id);
  doc.transact(() => {
    const tail = text.slice(at);
    map.get("text").delete(at, text.length - at);
    map.set("end_ms", cut);
    segments.insert(index + 1, [segmentMap({
      id: id2, kind: map.get("kind"), speaker_key: map.get("speaker_key"),
      speaker_role: map.get("speaker_role"), speaker_name: map.get("speaker_name"),
      start_ms: cut, end_ms: end, asr_text: "", status: "edited", locked: false, words: [],
    }, tail.replace(/^\s+/, ""))]);
  });
  return id2;
}

// Merge a segment into the previous one (same speaker only: merging two people's words would
// misattribute them).
export function mergeWithPrevious(doc, id) {
  const segments = doc.getArray("segments");
  const index = indexOf(segments, id);
  if (index <= 0) return null;
  const map = segments.get(index), prev = segments.get(index - 1);
  if (!(prev instanceof Y.Map) || prev.get("kind") !== map.get("kind")) return null;
  if (prev.get("speaker_key") !== map.get("speaker_key")) return null;
  if (prev.get("locked") || map.get("locked")) return null;
  const prevText = prev.get("text");
  const joinAt = prevText.length;
  const glue = /[\u3000-\u9fff]$/.test(prevText.toString()) || /^[\u3000-\u9fff]/.test(map.get("text").toString()) ? "" : " ";
  doc.transact(() => {
    prevText.insert(prevText.length, glue + map.get("text").toString());
    prev.set("end_ms", Math.max(prev.get("end_ms"), map.get("end_ms")));
    segments.delete(index, 1);
  });
  return { id: prev.get("id"), at: joinAt };
}

export function setSpeaker(doc, id, speaker) {
  const map = doc.getArray("segments").toArray().find((m) => m instanceof Y.Map && m.get("id") === id);
  if (!map || map.get("locked")) return false;
  doc.transact(() => {
    map.set("speaker_key", speaker.key);
    map.set("speaker_role", speaker.role);
    map.set("speaker_name", speaker.name);
  });
  return true;
}

export function insertNote(doc, afterId, text) {
  const segments = doc.getArray("segments");
  const index = afterId ? indexOf(segments, afterId) : -1;
  const prev = index >= 0 ? segments.get(index) : null;
  const at = prev ? prev.get("end_ms") : 0;
  const id = newId("note");
  doc.transact(() => {
    segments.insert(index + 1, [segmentMap({
      id, kind: "note", speaker_key: "", speaker_role: "", speaker_name: "",
      start_ms: at, end_ms: at, asr_text: "", status: "edited", locked: false, words: [],
    }, text)]);
  });
  return id;
}

export function setLocked(doc, id, locked) {
  const map = doc.getArray("segments").toArray().find((m) => m instanceof Y.Map && m.get("id") === id);
  if (!map) return false;
  doc.transact(() => map.set("locked", locked));
  return true;
}

// Replace every occurrence in every unlocked segment, in one transaction; how many were replaced.
export function replaceAll(doc, find, replacement) {
  if (!find) return 0;
  let count = 0;
  doc.transact(() => {
    for (const map of doc.getArray("segments").toArray()) {
      if (!(map instanceof Y.Map) || map.get("locked") || map.get("kind") === "marker") continue;
      const ytext = map.get("text");
      let text = ytext.toString();
      let at = text.lastIndexOf(find);
      while (at >= 0) {
        ytext.delete(at, find.length);
        ytext.insert(at, replacement);
        count++;
        text = ytext.toString();
        at = at > 0 ? text.lastIndexOf(find, at - 1) : -1;
      }
    }
  });
  return count;
}

// A replacement that looks like a name or a term is worth offering as a hotword.
export function looksLikeTerm(text) {
  const s = text.trim();
  return s.length >= 2 && s.length <= 12 && !/[，。！？,.!?]/.test(s);
}
