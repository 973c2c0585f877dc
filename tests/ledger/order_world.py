"""The world of the order workflow's tests: the hearing server with the party portal and the
ledger loaded (as ``tingshen serve`` loads them), two real witness processes (quorum 2 of 2),
a case filed (``case.filed``) with judge_a as its judge and 王律师 as a plaintiff's lawyer of
record, and 王律师 registered in the portal as a lawyer with that licence number."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from court_events.dossier import CaseFiled, FiledParty
from hearing_server.context import ServerContext
from hearing_server.models import StaffUser
from ledger.keys import load_key
from ledger.log.note import NoteSigner
from ledger.service import LedgerService
from ledger.witness import init_state
from tests.ledger.test_cli import start_witness
from tests.portal.conftest import CHEN, LI, LICENCE, WANG, file_case, filed, register
from tests.serve_process import free_port

ORIGIN = "ledger.test/investigation-orders"
CASE_ID = 701


@dataclass
class Witnesses:
    vkeys: list[str]
    lines: list[str]
    processes: list[subprocess.Popen[str]]


def start_witnesses(tmp_path: Path, keys_dir: Path, n: int = 2) -> Witnesses:
    log_key = load_key(keys_dir, "tingshen-ledger", production=False).verifier()
    vkeys, lines, processes = [], [], []
    for i in range(n):
        signer = NoteSigner.generate(f"witness-{i}")
        key = tmp_path / f"witness-{i}.key"
        key.write_text(signer.skey() + "\n", "ascii")
        state = tmp_path / f"witness-{i}.json"
        init_state(state, ORIGIN, log_key)
        port = free_port()
        processes.append(start_witness(state, key, port))
        vkeys.append(signer.verifier().vkey())
        lines.append(f"{signer.verifier().vkey()} http://127.0.0.1:{port}")
    return Witnesses(vkeys, lines, processes)


def stop(witnesses: Witnesses) -> None:
    for process in witnesses.processes:
        process.kill()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture
def witnessed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Witnesses]:
    keys_dir = tmp_path / "ledger-keys"
    witnesses = start_witnesses(tmp_path, keys_dir)

    monkeypatch.setenv("TINGSHEN_LEDGER_KEYS_DIR", str(keys_dir))
    monkeypatch.setenv("TINGSHEN_LEDGER_ORIGIN", ORIGIN)
    monkeypatch.setenv("TINGSHEN_LEDGER_WITNESSES", json.dumps(witnesses.lines))
    monkeypatch.setenv("TINGSHEN_LEDGER_QUORUM", "2")
    monkeypatch.setenv("TINGSHEN_LEDGER_WITNESS_INTERVAL_S", "3600")
    monkeypatch.setenv("TINGSHEN_LEDGER_CONSUMER_POLL_S", "3600")  # the tests run the jobs
    try:
        yield witnesses
    finally:
        stop(witnesses)


def ledger_of(app: FastAPI) -> LedgerService:
    found = [s for s in app.state.side_services if s.name == "ledger"]
    assert found and isinstance(found[0], LedgerService)
    return found[0]


def judge_id(ctx: ServerContext, username: str = "judge_a") -> int:
    with ctx.session_factory() as s:
        user = s.query(StaffUser).filter_by(username=username).one()
        return int(user.id)


def the_case(court_id: int, judge_user_id: int) -> CaseFiled:
    case = filed(court_id, CASE_ID)
    parties = [
        *case.parties,
        FiledParty(party_ref="p-3", role="agent", kind="lawyer", name=WANG[0], phone=WANG[2],
                   represents_ref="p-1", licence_number=LICENCE),
    ]  # fmt: skip
    return case.model_copy(update={"judge_user_id": judge_user_id, "parties": parties})


def file_the_case(app: FastAPI, ctx: ServerContext, court_id: int) -> CaseFiled:
    case = the_case(court_id, judge_id(ctx))
    file_case(app, ctx, case)
    return case


def lawyer_client(make_client: Callable[[], TestClient], ctx: ServerContext) -> TestClient:
    return register(make_client(), ctx, WANG, kind="lawyer", licence=LICENCE)


__all__ = [
    "APPLY",
    "CASE_ID",
    "CHEN",
    "LI",
    "ORIGIN",
    "Issued",
    "Witnesses",
    "file_the_case",
    "issue_order",
    "judge_id",
    "lawyer_client",
    "ledger_of",
    "pdf_text",
    "start_witnesses",
    "stop",
    "token_of",
    "witnessed",
]


APPLY: dict[str, Any] = {
    "dossier_case_id": CASE_ID,
    "institution_kind": "bank",
    "institution_name": "中国银行广州越秀支行",
    "items": ["被告李华名下账户2025年1月至12月的交易流水", "该账户的开户资料"],
    "reason": "查明借款的交付事实",
    "valid_days": 15,
}


@dataclass
class Issued:
    order: dict[str, Any]
    pdf: bytes
    token: str
    lawyer: TestClient
    judge: TestClient


def issue_order(
    app: FastAPI, ctx: ServerContext, court_id: int, make_client: Callable[[], TestClient],
    staff: Callable[[str], TestClient],
) -> Issued:  # fmt: skip
    """The case filed, 王律师 applies, judge_a approves as asked; the lawyer downloads the PDF."""
    file_the_case(app, ctx, court_id)
    lawyer = lawyer_client(make_client, ctx)
    order = lawyer.post("/api/ledger/my/orders", json=APPLY).json()
    judge = staff("judge_a")
    decided = judge.post(f"/api/ledger/judge/orders/{order['id']}/decision",
                         json={"approve": True, "reason": "准许"})  # fmt: skip
    assert decided.status_code == 200, decided.text
    pdf = lawyer.get(f"/api/ledger/my/orders/{order['id']}/pdf").content
    return Issued(decided.json()["order"], pdf, token_of(pdf), lawyer, judge)


def token_of(pdf: bytes) -> str:
    """The QR token, from the verify link the order prints under its QR code."""
    found = re.search(r"#n=[^&\s]+&t=([A-Za-z0-9_-]+)", re.sub(r"\s+", "", pdf_text(pdf)))
    assert found, "no verify link in the PDF"
    return found.group(1)


def pdf_text(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
