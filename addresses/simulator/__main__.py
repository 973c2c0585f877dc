"""``python -m addresses.simulator --agency migrant --port 8601 --keys-dir DIR``: one agency's
address service on 127.0.0.1, its shared key ``<keys dir>/<agency>.key`` (made if missing)."""

from __future__ import annotations

import argparse
from pathlib import Path

import uvicorn

from addresses.keys import provision, read_key
from addresses.simulator.app import make_app

DATA_DIR = Path(__file__).resolve().parent / "data"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m addresses.simulator")
    parser.add_argument("--agency", choices=("migrant", "postal"), required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--keys-dir", type=Path, required=True)
    parser.add_argument("--client-id", default="tingshen-court")
    parser.add_argument("--data", type=Path, default=None)
    args = parser.parse_args(argv)
    provision(args.keys_dir, args.agency)
    key = read_key(args.keys_dir, args.agency)
    assert key is not None
    app = make_app(args.data or DATA_DIR / f"{args.agency}.json", {args.client_id: key})
    uvicorn.run(
        app, host="127.0.0.1", port=args.port, log_level="warning", timeout_graceful_shutdown=1
    )


if __name__ == "__main__":
    main()
