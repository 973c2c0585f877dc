"""The verify page's own Merkle check (``ledger/static/merkle.js``, run by Node's WebCrypto, the
same SubtleCrypto the browser uses) against the Python tree: every leaf of trees of many sizes
proves its inclusion, and a changed proof hash, a wrong index, a wrong size, a dropped or an
added proof hash, or another leaf fails — as ``ledger.log.merkle.verify_inclusion`` says."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path

from ledger.log.errors import LogError
from ledger.log.merkle import MerkleTree, leaf_hash, verify_inclusion

NODE = shutil.which("node")
MERKLE_JS = Path(__file__).resolve().parents[2] / "ledger" / "static" / "merkle.js"
RUNNER = """
import { verifyInclusion, b64 } from %s;
const cases = JSON.parse(await new Response(process.stdin).text());
const out = [];
for (const c of cases) {
  out.push(await verifyInclusion(c.index, c.size, b64(c.hash), c.path.map(b64), b64(c.root)));
}
console.log(JSON.stringify(out));
"""


def _b64(h: bytes) -> str:
    return base64.b64encode(h).decode()


def _python_says(index: int, size: int, h: bytes, path: list[bytes], root: bytes) -> bool:
    try:
        verify_inclusion(index, size, h, path, root)
    except LogError:
        return False
    return True


def test_the_pages_inclusion_check_agrees_with_the_tree(tmp_path: Path) -> None:
    tree = MerkleTree()
    cases: list[dict[str, object]] = []
    expected: list[bool] = []
    genuine: list[int] = []

    def add(index: int, size: int, h: bytes, path: list[bytes], root: bytes) -> None:
        cases.append({"index": index, "size": size, "hash": _b64(h),
                      "path": [_b64(p) for p in path], "root": _b64(root)})  # fmt: skip
        expected.append(_python_says(index, size, h, path, root))

    for n in range(70):
        tree.append(b"leaf %d" % n)
    for size in (1, 2, 3, 5, 7, 8, 9, 16, 17, 31, 33, 64, 70):
        root = tree.root(size)
        for index in range(size):
            h, path = tree.leaf_hash_at(index), tree.inclusion_proof(index, size)
            genuine.append(len(cases))
            add(index, size, h, path, root)
        index = size // 2
        h, path = tree.leaf_hash_at(index), tree.inclusion_proof(index, size)
        if path:
            add(index, size, h, [bytes([path[0][0] ^ 1]) + path[0][1:], *path[1:]], root)
            add(index, size, h, path[:-1], root)
        add(index, size, h, [*path, h], root)
        add(index, size, leaf_hash(b"another leaf"), path, root)
        add(index, size + 1, h, path, root)
        add((index + 1) % size if size > 1 else 1, size, h, path, root)
    runner = tmp_path / "run.mjs"
    runner.write_text(RUNNER % json.dumps(MERKLE_JS.as_uri()), "utf-8")
    assert NODE is not None, "Node.js runs the page's merkle.js for this test"
    done = subprocess.run([NODE, str(runner)], input=json.dumps(cases), capture_output=True,
                          text=True, check=True, timeout=60)  # fmt: skip
    got = json.loads(done.stdout)
    assert got == expected
    assert all(expected[i] for i in genuine)  # every true proof holds
    assert expected.count(False) >= 60  # and the changed ones fail (a few stay valid by chance)
