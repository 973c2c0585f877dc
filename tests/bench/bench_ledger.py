"""The ledger's log (issue 18): appends, proofs at 10⁶ leaves, witness cosigning.

    .venv/bin/python tests/bench/bench_ledger.py [--appends 2000] [--leaves 1000000]
        [--database-url postgresql+psycopg://…]

Figures, not pass/fail. Printed:

- *appends/s*: court-signed entries appended one per transaction by :class:`ledger.writer.LogWriter`
  on a fresh SQLite file (or the PostgreSQL URL given, in a fresh schema), with a checkpoint every
  N = 1, 16, 256 leaves; and in batches of 100 (one transaction each), N = 256;
- *10⁶ leaves*: building the in-memory tree from leaf hashes (what a writer does at start), an
  inclusion proof's size and its generation and verification time (mean of 1,000 random leaves),
  a consistency proof's size and verification time (from random older sizes);
- *cosigning*: a witness's answer to add-checkpoint over HTTP on loopback (a real
  ``tingshen witness serve`` process), p50 and max of 50 checkpoints, each 16 leaves further.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script: make ``tests`` importable
    sys.path.insert(0, str(ROOT))

from ledger.log.merkle import MerkleTree, verify_consistency, verify_inclusion  # noqa: E402
from ledger.store import checkpoint_at  # noqa: E402
from ledger.witness_client import add_checkpoint_body  # noqa: E402
from ledger.writer import LogWriter  # noqa: E402
from tests.ledger.conftest import LOG_KEY, ORIGIN, make_entry, prepare  # noqa: E402
from tingshen_platform.db import make_engine  # noqa: E402

SCHEMAS: list[str] = []  # PostgreSQL schemas made here, dropped at the end


def database(url: str | None, tmp: Path, name: str) -> str:
    if url is None:
        return f"sqlite:///{tmp / name}.db"
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    SCHEMAS.append(schema)
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


def appends(url: str | None, tmp: Path, count: int) -> None:
    entries = [make_entry(n=n) for n in range(count)]
    for every, batch in ((1, 1), (16, 1), (256, 1), (256, 100)):
        engine = make_engine(database(url, tmp, f"a{every}_{batch}"))
        prepare(engine)
        writer = LogWriter(engine, LOG_KEY, ORIGIN, checkpoint_every=every)
        start = time.perf_counter()
        for i in range(0, count, batch):
            writer.append_many(entries[i : i + batch])
        seconds = time.perf_counter() - start
        print(f"appends: N={every:<4} batch={batch:<4} {count / seconds:8.0f} leaves/s")
        engine.dispose()


def million(leaves: int) -> None:
    hashes = [hashlib.sha256(b"%d" % i).digest() for i in range(leaves)]
    start = time.perf_counter()
    tree = MerkleTree(hashes)
    print(f"tree of {leaves} leaf hashes built in {time.perf_counter() - start:.2f} s")
    root = tree.root()
    picks = [random.randrange(leaves) for _ in range(1000)]
    start = time.perf_counter()
    proofs = [tree.inclusion_proof(i) for i in picks]
    made = (time.perf_counter() - start) / len(picks)
    start = time.perf_counter()
    for i, proof in zip(picks, proofs, strict=True):
        verify_inclusion(i, leaves, hashes[i], proof, root)
    checked = (time.perf_counter() - start) / len(picks)
    size = statistics.mean(len(p) for p in proofs)
    print(
        f"inclusion at {leaves}: {size:.1f} hashes ({size * 32:.0f} bytes), "
        f"made in {made * 1e6:.0f} µs, verified in {checked * 1e6:.0f} µs"
    )
    olds = [random.randrange(1, leaves) for _ in range(1000)]
    cases = [(m, tree.root(m), tree.consistency_proof(m)) for m in olds]
    start = time.perf_counter()
    for m, old_root, proof in cases:
        verify_consistency(m, leaves, old_root, root, proof)
    checked = (time.perf_counter() - start) / len(cases)
    size = statistics.mean(len(p) for _, _, p in cases)
    print(
        f"consistency to {leaves}: {size:.1f} hashes ({size * 32:.0f} bytes), "
        f"verified in {checked * 1e6:.0f} µs"
    )


def cosigning(tmp: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp / 'cosign.db'}")
    prepare(engine)
    writer = LogWriter(engine, LOG_KEY, ORIGIN, checkpoint_every=16)
    key, state = tmp / "w.key", tmp / "w.json"
    cli = [sys.executable, "-c", "from hearing_server.cli import main; main()"]
    subprocess.run(
        [*cli, "ledger", "keygen", "bench-witness", "--out", str(key)],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *cli,
            "witness",
            "init",
            "--state",
            str(state),
            "--origin",
            ORIGIN,
            "--log-key",
            LOG_KEY.verifier().vkey(),
        ],
        check=True,
        capture_output=True,
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    child = subprocess.Popen(
        [*cli, "witness", "serve", "--state", str(state), "--key", str(key), "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert child.stdout is not None
    child.stdout.readline()
    times = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        known = 0
        for n in range(50):
            writer.append_many([make_entry(n=16 * n + i) for i in range(16)])
            with engine.connect() as connection:
                stored = checkpoint_at(connection, writer.tree.size)
            assert stored is not None
            body = add_checkpoint_body(known, writer.tree.consistency_proof(known), stored.render())
            start = time.perf_counter()
            answer = client.post("/add-checkpoint", content=body.encode())
            times.append(time.perf_counter() - start)
            assert answer.status_code == 200, answer.text
            known = writer.tree.size
    child.terminate()
    child.wait()
    print(
        f"cosigning over HTTP: p50 {statistics.median(times) * 1000:.1f} ms, "
        f"max {max(times) * 1000:.1f} ms (50 checkpoints)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        appends(args.database_url, Path(tmp), args.appends)
        million(args.leaves)
        cosigning(Path(tmp))
    if args.database_url and SCHEMAS:
        admin = make_engine(args.database_url)
        with admin.begin() as connection:
            for schema in SCHEMAS:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
