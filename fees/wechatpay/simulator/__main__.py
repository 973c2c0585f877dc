"""``python -m fees.wechatpay.simulator --port P --state-dir DIR [--time-scale X]``.

Binds 127.0.0.1 only. The state directory must have been provisioned
(:func:`fees.wechatpay.simulator.keys.provision`, or ``--provision MCHID APPID`` here); its
platform keys are made on the first start and kept.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import uvicorn

from fees.wechatpay.simulator.app import SimulatorOptions, create_simulator_app
from fees.wechatpay.simulator.keys import provision


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m fees.wechatpay.simulator")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--time-scale", type=float, default=1.0)
    parser.add_argument("--notify-timeout-s", type=float, default=5.0)
    parser.add_argument("--refund-delay-s", type=float, default=5.0)
    parser.add_argument(
        "--provision", nargs=2, metavar=("MCHID", "APPID"), help="provision a merchant first"
    )
    args = parser.parse_args(argv)
    if args.time_scale <= 0:
        parser.error("--time-scale must be positive")
    if args.provision:
        provision(args.state_dir, *args.provision)
    logging.basicConfig(level=logging.INFO)
    app = create_simulator_app(
        SimulatorOptions(
            state_dir=args.state_dir,
            time_scale=args.time_scale,
            notify_timeout_s=args.notify_timeout_s,
            refund_delay_s=args.refund_delay_s,
        )
    )
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
