// The signer's key, kept in this browser: a WebCrypto ECDSA P-256 key pair generated non-extractable,
// so the private key never leaves the browser (not even to this page's own script), and stored in
// IndexedDB (a CryptoKey survives structured cloning with its non-extractable flag). The court CA
// certifies the public key after the identity check of the signer's invitation; the server
// prepares each PDF signature and this module signs the bytes it is given.
//
//   const key = await signerKey("participant-7");      // created on first use, then reused
//   const spki = await publicKeySpki(key);              // DER SubjectPublicKeyInfo, for the CA
//   const sig = await signBytes(key, toBeSigned);       // IEEE P1363 r||s, 64 bytes
//
// WebCrypto's ECDSA hashes the message itself ({hash: "SHA-256"}): the server sends the DER of the
// CMS signed attributes, not a digest.

const DB_NAME = "tingshen-signing";
const STORE = "keys";
const ALGORITHM = { name: "ECDSA", namedCurve: "P-256" };

function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function transact(db, mode, action) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const request = action(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

/** The key pair of ``who`` (e.g. ``participant-7``) in this browser, created on first use. */
export async function signerKey(who) {
  if (!window.isSecureContext || !crypto.subtle) {
    throw new Error("signing needs a secure page (https, or the court's own address)");
  }
  const db = await openDb();
  try {
    const existing = await transact(db, "readonly", (store) => store.get(who));
    if (existing && existing.privateKey && existing.publicKey) return existing;
    const pair = await crypto.subtle.generateKey(ALGORITHM, false, ["sign", "verify"]);
    await transact(db, "readwrite", (store) => store.put(pair, who));
    return pair;
  } finally {
    db.close();
  }
}

/** Forget the key of ``who`` (a new one is made next time; its certificate must be issued anew). */
export async function forgetSignerKey(who) {
  const db = await openDb();
  try {
    await transact(db, "readwrite", (store) => store.delete(who));
  } finally {
    db.close();
  }
}

/** DER SubjectPublicKeyInfo of the pair's public key, base64. */
export async function publicKeySpki(pair) {
  const der = await crypto.subtle.exportKey("spki", pair.publicKey);
  return toBase64(new Uint8Array(der));
}

/** Sign ``data`` (bytes or base64) with the pair's private key: P1363 r||s, base64. */
export async function signBytes(pair, data) {
  const bytes = typeof data === "string" ? fromBase64(data) : data;
  const sig = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, pair.privateKey, bytes);
  return toBase64(new Uint8Array(sig));
}

export function toBase64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

export function fromBase64(text) {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}
