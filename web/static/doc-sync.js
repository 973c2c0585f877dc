// DocSync: keeps a Yjs document in step with the hearing's transcript on the server.
// Protocol (docs/protocol.md, "Transcript document"): the server sends a snapshot ("doc") or, when
// we reconnect with ?since=<seq>, the updates we missed and "synced"; then every "update" in
// sequence order. Our own changes go out as "edit" messages and stay pending until the server
// acknowledges them (durable) with "ack"; after a reconnect every pending edit is sent again (a
// CRDT update applied twice changes nothing). A refused edit makes us reload the document.
import { Y, awarenessProtocol } from "./vendor/yjs.bundle.js";

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
    this._newDoc();
  }

  _newDoc() {
    if (this.awareness) this.awareness.destroy();
    this.doc = new Y.Doc();
    this.awareness = new awarenessProtocol.Awareness(this.doc);
    this.doc.on("update", (update, origin) => {
      if (origin !== REMOTE) this._edit(update);
    });
    this.awareness.on("update", ({ added, updated, removed }, origin) => {
      if (origin === REMOTE) return;
      const changed = added.concat(updated, removed);
      const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed);
      this._send({ type: "awareness", update: toBase64(update) });
    });
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
      this.onStatus("offline", event);
      if (event.code >= 4400 && event.code < 4500 && event.code !== 4408) { this.closed = true; return; }
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
      case "awareness":
        awarenessProtocol.applyAwarenessUpdate(this.awareness, fromBase64(message.update), REMOTE);
        break;
      default:
        break;
    }
  }

  _synced() {
    this.retryMs = 500;
    for (const [id, update] of this.pending) this._send({ type: "edit", id, update: toBase64(update) });
    this.onStatus(this.pending.size ? "saving" : "saved");
    const local = this.awareness.getLocalState();
    if (local) this.awareness.setLocalState(local);
  }

  _edit(update) {
    const id = `e${this.nextId++}`;
    this.pending.set(id, update);
    this.onStatus("saving");
    this._send({ type: "edit", id, update: toBase64(update) });
  }

  _send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
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
