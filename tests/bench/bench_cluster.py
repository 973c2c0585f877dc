"""Edit-to-visible latency on one server process against two behind HAProxy (issue 12).

    .venv/bin/python tests/bench/bench_cluster.py [--seconds 20] [--hearings 20] [--viewers 19]

Both runs use the local PostgreSQL (a fresh database each) and, for the cluster, Redis on
loopback. Each hearing has one editor typing 5 characters a second into a note and ``viewers``
watching; through the proxy, round robin puts an editor and its viewers on different processes,
so most deliveries cross Redis. Same measures as ``bench_editing.py`` (latency = viewer receives
minus editor sent; lost = acknowledged updates a viewer never got); server CPU is the sum over the
server processes (not HAProxy). Results also go to ``out/bench/cluster.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from hearing_server.cluster import Cluster, ClusterPlan, Frontend, Node, prepare
from hearing_server.demo import seed_demo
from hearing_server.services import build_context
from hearing_server.settings import Settings
from tests.bench.bench_editing import open_hearings, scenario
from tests.serve_process import free_port

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REDIS = "redis://127.0.0.1:6379/0"


def fresh_database() -> str:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(PG).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def run(processes: int, args: argparse.Namespace) -> dict[str, Any]:
    database = fresh_database()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp)
            front = Frontend("127.0.0.1", free_port())
            public = f"http://{front.host}:{front.port}"
            prepare(database, data, public_base_url=public)
            context = build_context(
                Settings(data_dir=data, database_url=database, public_base_url=public)
            )
            try:
                password = seed_demo(context).new_passwords["clerk"]
            finally:
                context.engine.dispose()
            nodes = [Node(f"p{n}", "127.0.0.1", free_port()) for n in range(1, processes + 1)]
            env = {
                "TINGSHEN_NOTICE_DISPATCH_ENABLED": "false",
                "TINGSHEN_BUS_PREFIX": f"bench-{uuid.uuid4().hex[:8]}:",
                "TINGSHEN_LOGIN_RATE_LIMIT": "1000",
            }
            plan = ClusterPlan(front, nodes, data, database, REDIS, extra_env=env)
            with Cluster(plan) as cluster:
                port = front.port if processes > 1 else nodes[0].port
                cookie, hearings = open_hearings(
                    f"http://127.0.0.1:{port}", password, args.hearings
                )
                pids = [p.pid for p in cluster.processes.values()]
                result = asyncio.run(
                    scenario(
                        port,
                        cookie,
                        hearings,
                        args.viewers,
                        args.edits_per_second,
                        args.seconds,
                        pids[0],
                        more_pids=tuple(pids[1:]),
                    )
                )
        return {"processes": processes, **result}
    finally:
        drop_database(database)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--edits-per-second", type=float, default=5.0, help="per editor")
    parser.add_argument("--hearings", type=int, default=20)
    parser.add_argument("--viewers", type=int, default=19, help="per hearing")
    args = parser.parse_args()
    results = [run(1, args), run(2, args)]
    columns = list(results[0])
    print(" ".join(columns))
    for r in results:
        print(" ".join(str(r[c]) for c in columns))
    out = Path(__file__).resolve().parents[2] / "out" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "cluster.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
