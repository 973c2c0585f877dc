# ruff: noqa: F811  (fixtures are imported by name, then asked for by name)
"""``tingshen ledger verify ORDER.pdf``: the genuine order passes every check; an order whose
scope was changed and sealed again by the court's own seal (an insider without the log), an
order sealed by someone else, and an order the judge revoked since are each caught and named."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from hearing_server.cli import app as cli
from hearing_server.context import ServerContext
from hearing_server.settings import Settings
from ledger.order_pdf import attach_receipt, order_pdf, read_attachment
from signing.appearance import SignatureAppearance
from signing.ca import CourtCA
from signing.pades import sign_with_key
from tests.ledger.order_world import (  # noqa: F401  (witnessed: a fixture)
    Issued,
    Witnesses,
    issue_order,
    ledger_of,
    witnessed,
)
from tests.portal.conftest import PortalWorld, _portal_env, staff, world  # noqa: F401
from tests.server.conftest import (  # noqa: F401
    app,
    clock,
    code_sender,
    ctx,
    fast_passwords,
    make_client,
    streams,
)
from tingshen_platform.fonts import find_cjk_font

runner = CliRunner()


@pytest.fixture
def settings(tmp_path: Path, witnessed: Witnesses) -> Iterator[Settings]:
    yield Settings(
        data_dir=tmp_path / "data", login_rate_limit=50, session_ttl_minutes=60,
        side_services=["portal", "ledger"],
    )  # fmt: skip


@pytest.fixture
def issued(
    app: FastAPI, ctx: ServerContext, world: PortalWorld, make_client: Callable[[], TestClient],
    staff: Callable[[str], TestClient],
) -> Issued:  # fmt: skip
    return issue_order(app, ctx, world.court_a, make_client, staff)


def _files(tmp_path: Path, client: TestClient, pdf: bytes) -> list[str]:
    (tmp_path / "order.pdf").write_bytes(pdf)
    (tmp_path / "trust.json").write_text(client.get("/api/ledger/trust").text, "utf-8")
    (tmp_path / "root.pem").write_bytes(client.get("/api/court/root.pem").content)
    return [
        "ledger", "verify", str(tmp_path / "order.pdf"), "--trust", str(tmp_path / "trust.json"),
        "--root", str(tmp_path / "root.pem"),
    ]  # fmt: skip


def _lines(args: list[str]) -> tuple[int, dict[str, str]]:
    result = runner.invoke(cli, args)
    lines = {}
    for line in result.stdout.splitlines():
        mark, _, rest = line.partition(" ")
        name, _, detail = rest.strip().partition(": ")
        lines[name] = f"{mark} {detail}"
    return result.exit_code, lines


def test_the_genuine_order_passes_every_check(issued: Issued, tmp_path: Path) -> None:
    code, lines = _lines(_files(tmp_path, issued.lawyer, issued.pdf))
    assert code == 0, lines
    assert list(lines) == ["seal", "receipt", "ledger", "validity"]
    assert "witnessed by witness-0, witness-1" in lines["ledger"]


def _rebuilt(pdf: bytes, change: Callable[[dict[str, Any]], None]) -> bytes:
    attached = read_attachment(pdf)
    assert attached is not None
    order = attached["order"]
    change(order)
    url = "http://127.0.0.1:8000/ledger/verify.html#n=x&t=y"
    return attach_receipt(order_pdf(order, url, font=find_cjk_font()), {**attached, "order": order})


def test_a_changed_scope_sealed_by_the_court_is_caught_by_the_ledger(
    app: FastAPI, issued: Issued, tmp_path: Path
) -> None:
    def widen(order: dict[str, Any]) -> None:
        order["items"] = [*order["items"], "该账户的征信记录"]

    seal = ledger_of(app).orders.seal
    assert seal is not None
    forged = seal(_rebuilt(issued.pdf, widen), "律师调查令")
    code, lines = _lines(_files(tmp_path, issued.lawyer, forged))
    assert code == 1
    assert lines["seal"].startswith("ok")
    assert lines["ledger"].startswith("FAILED scope.changed")


def test_a_foreign_seal_is_named(issued: Issued, tmp_path: Path) -> None:
    foreign = CourtCA.create(tmp_path / "ca", b"another court's passphrase 1", "冒名法院",
                             now=datetime.now(UTC))  # fmt: skip
    pdf = _rebuilt(issued.pdf, lambda order: None)
    sealed = sign_with_key(
        pdf, "seal", foreign.seal_cert, foreign.seal_key, foreign.chain,
        SignatureAppearance("冒名法院", "法院印章", seal=True, page=-1, box=(360, 60, 520, 200)), None, font=find_cjk_font(),
    )  # fmt: skip
    code, lines = _lines(_files(tmp_path, issued.lawyer, sealed))
    assert code == 1
    assert lines["seal"].startswith("FAILED seal.untrusted")
    assert lines["ledger"].startswith("ok")  # the receipt is genuine; the seal is not


def test_bytes_changed_after_the_seal_are_named(issued: Issued, tmp_path: Path) -> None:
    tampered = issued.pdf.replace(b"ReportLab Generated", b"ReportLab generated", 1)
    assert tampered != issued.pdf and len(tampered) == len(issued.pdf)
    code, lines = _lines(_files(tmp_path, issued.lawyer, tampered))
    assert code == 1 and lines["seal"].startswith("FAILED seal.")


def test_a_revoked_order_is_named_given_a_later_checkpoint(
    issued: Issued, tmp_path: Path, make_client: Callable[[], TestClient]
) -> None:
    attached = read_attachment(issued.pdf)
    assert attached is not None
    size = int(attached["receipt"]["checkpoint"].split("\n")[1])
    institution = make_client()

    def later() -> list[str]:
        answer = institution.post(
            "/api/ledger/public/verify",
            json={"number": issued.order["number"], "token": issued.token, "since": size},
        )
        assert answer.status_code == 200, answer.text
        (tmp_path / "later.json").write_text(json.dumps(answer.json()), "utf-8")
        return ["--checkpoint", str(tmp_path / "later.json")]

    args = _files(tmp_path, issued.lawyer, issued.pdf)
    code, lines = _lines([*args, *later()])
    assert code == 0, lines
    assert lines["status"] == "ok not revoked: order.issued, order.verified"
    revoked = issued.judge.post(f"/api/ledger/judge/orders/{issued.order['id']}/revoke",
                                json={"reason": "申请人已撤回起诉"})  # fmt: skip
    assert revoked.status_code == 200
    code, lines = _lines([*args, *later()])
    assert code == 1
    assert lines["consistency"].startswith("ok")
    assert (
        lines["status"].startswith("FAILED order.revoked") and "申请人已撤回起诉" in lines["status"]
    )
