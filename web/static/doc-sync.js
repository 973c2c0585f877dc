// DocSync: keeps a Yjs document in step with the hearing's transcript on the server.
// Protocol (docs/protocol.md, "Transcript document"): the server sends a snapshot ("doc") or, when
// we reconnect with ?since=<seq>, the updates we missed and "synced"; then every "update" in
// sequence order. Our own changes go out as "edit" messages and stay pending until the server
// acknowledges them (durable) with "ack"; after a reconnect every pending edit is sent again (a
// CRDT update applied twice changes nothing). A refused edit makes us reload the document.
// Presence (who is editing, their cursors) is built by the server: we send only our cursor as
// three numbers and a segment id, and get "presence" entries (name, role, colour index) back.
import { Y } from "./vendor/yjs.bundle.js";

// Close codes after which we do not come back (docs/protocol.md "Close codes"): refused edits,
// malformed or oversized messages, an ended session, removal… Only "too slow" (4408) and "too
// many messages" (4429, after a pause) reconnect, besides the non-44xx ones (network, restart)
// other than 1009 (a frame over the server's size limit: sending it again would fail again).
const RECONNECT_44XX = new Set([4408, 4429]);
const CURSOR_EVERY_MS = 100;

export function reconnects(code) {
  if (code === 1009) return false;
  return !(code >= 4400 && code < 4500) || RECONNECT_44XX.has(code);
}

export function toBase64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

export function fromBase64(text) {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

const REMOTE = Symbol("remote");

export class DocSync {
  constructor({ url, onStatus = () => {}, onReset = () => {}, onRefused = () => {}, onUpdate = () => {} }) {
    this.url = url;
    this.onStatus = onStatus;
    this.onReset = onReset;
    this.onRefused = onRefused;
    this.onUpdate = onUpdate;
    this.seq = null;
    this.pending = new Map();
    this.nextId = 1;
    this.ws = null;
    this.closed = false;
    this.retryMs = 500;
    this.peers = new Map(); // presence id -> {id, key, name, role, colour, cursor}
    this.you = null;        // our own presence id (null: we only read)
    this.cursor = null;     // ours, as last sent: {segment, anchor, head} or null
    this._cursorTimer = null;
    this._newDoc();
  }

  _newDoc() {
    this.presenceListeners = [];
    this.doc = new Y.Doc();
    this.doc.on("update", (update, origin) => {
      if (origin !== REMOTE) this._edit(update);
    });
  }

  // Called with no arguments whenever someone's presence changes (cleared by a reload).
  onPresence(listener) { this.presenceListeners.push(listener); }

  // Everyone's presence but our own.
  others() { return [...this.peers.values()].filter((p) => p.id !== this.you); }

  // Our cursor (null: not in any text); sent at most every CURSOR_EVERY_MS.
  setCursor(cursor) {
    this.cursor = cursor ? { segment: cursor.segment, anchor: cursor.anchor | 0, head: cursor.head | 0 } : null;
    if (this._cursorTimer) return;
    this._sendCursor();
    this._cursorTimer = setTimeout(() => { this._cursorTimer = null; this._sendCursor(); }, CURSOR_EVERY_MS);
  }

  _sendCursor() {
    const c = this.cursor;
    const message = c ? { type: "cursor", ...c } : { type: "cursor", segment: null };
    const text = JSON.stringify(message);
    if (text === this._sentCursor) return;
    if (this._send(message)) this._sentCursor = text;
  }

  _presence(message) {
    if ("you" in message) { this.you = message.you; this.peers.clear(); }
    for (const peer of message.peers || []) this.peers.set(peer.id, peer);
    for (const id of message.gone || []) this.peers.delete(id);
    for (const listener of this.presenceListeners) listener();
  }

  get segments() { return this.doc.getArray("segments"); }

  connect() {
    if (this.closed) return;
    const url = this.seq === null ? this.url : `${this.url}?since=${this.seq}`;
    const ws = new WebSocket(url);
    this.ws = ws;
    this.onStatus("connecting");
    ws.onmessage = (event) => this._receive(JSON.parse(event.data));
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this._sentCursor = null;
      this._presence({ you: null, peers: [] });
      this.onStatus("offline", event);
      if (!reconnects(event.code)) { this.closed = true; return; }
      if (event.code === 4429) this.retryMs = Math.max(this.retryMs, 5000);
      setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 8000);
    };
  }

  close() {
    this.closed = true;
    if (this.ws) this.ws.close();
  }

  _receive(message) {
    switch (message.type) {
      case "doc":
        if (this.seq !== null && message.reset) { this._newDoc(); this.onReset(this.doc); }
        Y.applyUpdate(this.doc, fromBase64(message.state), REMOTE);
        this.seq = message.seq;
        this._synced();
        break;
      case "update":
        Y.applyUpdate(this.doc, fromBase64(message.update), REMOTE);
        this.seq = message.seq;
        this.onUpdate(message);
        break;
      case "synced":
        this.seq = message.seq;
        this._synced();
        break;
      case "ack":
        this.pending.delete(message.id);
        this.onStatus(this.pending.size ? "saving" : "saved");
        break;
      case "refused":
        this.pending.delete(message.id);
        this.onRefused(message.reason);
        this._reload();
        break;
      case "presence":
        this._presence(message);
        break;
      default:
        break;
    }
  }

  _synced() {
    this.retryMs = 500;
    // Edits made while offline go out as one (a merged Yjs update): a long outage's hundreds of
    // keystrokes must not trip the socket's message rate limit (4429) on every reconnect.
    if (this.pending.size > 1) {
      const merged = Y.mergeUpdates([...this.pending.values()]);
      this.pending = new Map([[`e${this.nextId++}`, merged]]);
    }
    for (const [id, update] of this.pending) this._send({ type: "edit", id, update: toBase64(update) });
    this.onStatus(this.pending.size ? "saving" : "saved");
    if (this.cursor) this._sendCursor();
  }

  _edit(update) {
    const id = `e${this.nextId++}`;
    this.pending.set(id, update);
    this.onStatus("saving");
    this._send({ type: "edit", id, update: toBase64(update) });
  }

  _send(message) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  // After a refusal our copy holds a change the server does not: start again from the server's.
  _reload() {
    this.pending.clear();
    this.seq = null;
    this._newDoc();
    this.onReset(this.doc);
    if (this.ws) this.ws.close(4000, "reload");
    else this.connect();
  }
}
