// RFC 9162 (Certificate Transparency v2) §2.1.3.2: verifying an inclusion proof, with the
// browser's own SHA-256 (SubtleCrypto). Leaf hash SHA-256(0x00 ‖ leaf), node SHA-256(0x01 ‖ l ‖ r).

export const b64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

async function sha256(...parts) {
  const length = parts.reduce((n, p) => n + p.length, 0);
  const all = new Uint8Array(length);
  let at = 0;
  for (const part of parts) { all.set(part, at); at += part.length; }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", all));
}

export const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
export const leafHash = (leaf) => sha256(Uint8Array.of(0), leaf);
const node = (left, right) => sha256(Uint8Array.of(1), left, right);
const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

// Whether `path` proves leaf `index` (its hash `hash`) in the tree of `size` with root `root`.
export async function verifyInclusion(index, size, hash, path, root) {
  if (index >= size) return false;
  let fn = index, sn = size - 1, r = hash;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await node(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      }
    } else {
      r = await node(r, p);
    }
    fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(r, root);
}

// The size and root of a C2SP checkpoint note (origin, size, base64 root, blank, signatures).
export function parseCheckpoint(note) {
  const lines = note.split("\n");
  return { origin: lines[0], size: Number(lines[1]), root: b64(lines[2]) };
}

// Check one step: the leaf's inclusion under the checkpoint, and that the leaf's entry hashes
// the step's record (the entry's "sha256" line) under the order's number.
export async function checkStep(step, number) {
  const receipt = step.receipt;
  const leaf = b64(receipt.leaf);
  const checkpoint = parseCheckpoint(receipt.checkpoint);
  const included = await verifyInclusion(receipt.index, checkpoint.size, await leafHash(leaf),
    receipt.inclusion.map(b64), checkpoint.root);
  const text = new TextDecoder().decode(leaf);
  const digest = (text.match(/\nsha256 ([0-9a-f]{64})\n/) || [])[1];
  const subject = (text.match(/\nsubject (\S+)\n/) || [])[1];
  const recordHash = hex(await sha256(new TextEncoder().encode(step.record)));
  return { included, recordMatches: digest === recordHash && subject === number,
           index: receipt.index, size: checkpoint.size };
}
