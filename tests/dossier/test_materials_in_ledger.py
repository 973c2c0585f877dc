"""The investigation-order ledger's documents arrive in the dossier (``ledger.order_document``,
consumer ``dossier.materials_in``): the sealed order as ``investigation_order`` (调查令), an
institution's file as ``investigation_order_response`` (调查令回复, converted like an upload), each
with its SHA-256; a re-delivered event adds nothing; a case the register does not have is logged
and skipped; a file that does not match its digest is never filed."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from court_events.dossier import MATERIAL_ADDED
from court_events.ledger import ORDER_DOCUMENT, OrderDocument
from dossier.materials import processing
from dossier.materials.catalogue import catalogue, material_type
from dossier.materials.tables import Material, MaterialVersion
from dossier.publish.ledger_in import material_type_of
from dossier.publish.pdf import text_pdf
from tests.dossier.conftest import DossierWorld, dossier_context, poll
from tests.dossier.material_files import scan_png
from tests.server.conftest import START, FakeClock
from tingshen_platform.events import publish
from tingshen_platform.events.backoff import DEFAULT_RETRY_BASE
from tingshen_platform.schema import events

ORDER_NUMBER = "（2026）粤0104调令1号"


def _document(
    app: FastAPI, case_id: int, case_number: str, step: str, data: bytes, media_type: str,
    title: str,
) -> OrderDocument:  # fmt: skip
    sha256 = hashlib.sha256(data).hexdigest()
    key = f"ledger/orders/1/{step}-{sha256[:16]}"
    dossier_context(app).host.exchange.put(key, data)
    return OrderDocument(
        dossier_case_id=case_id, court_id=1, case_number=case_number, order_number=ORDER_NUMBER,
        step=step, title=title, blob_key=key, sha256=sha256, media_type=media_type,
        size_bytes=len(data), leaf_index=3, at=START,
    )  # fmt: skip


def _emit(app: FastAPI, payload: OrderDocument) -> None:
    with dossier_context(app).host.engine.begin() as connection:
        publish(connection, ORDER_DOCUMENT, payload, occurred_at=START, stream="ledger")


def _filed(app: FastAPI) -> list[tuple[Material, MaterialVersion]]:
    with dossier_context(app).session_factory() as s:
        rows = s.execute(
            select(Material, MaterialVersion)
            .join(MaterialVersion, MaterialVersion.material_id == Material.id)
            .order_by(Material.id)
        ).all()
        s.expunge_all()
        return [(m, v) for m, v in rows]


def _case_number(app: FastAPI, case_id: int) -> str:
    from dossier.models import DossierCase

    with dossier_context(app).session_factory() as s:
        case = s.get(DossierCase, case_id)
        assert case is not None
        return case.case_number


def test_the_catalogue_places_orders_with_the_evidence() -> None:
    assert material_type("investigation_order").zh == "调查令"  # type: ignore[union-attr]
    assert material_type("investigation_order_response").zh == "调查令回复"  # type: ignore[union-attr]
    main = [t.code for t in catalogue() if t.volume == "main"]
    at = main.index("evidence")
    assert main[at : at + 4] == [
        "evidence", "investigation_order", "investigation_order_response", "notice",
    ]  # fmt: skip
    assert [material_type_of(s) for s in ("order", "decision", "revocation", "response-4-2")] == [
        "investigation_order", "investigation_order", "investigation_order",
        "investigation_order_response",
    ]  # fmt: skip
    assert material_type_of("something-new") == "other"


def test_the_sealed_order_is_filed_once_with_its_digest(
    app: FastAPI, dossier_world: DossierWorld
) -> None:
    case_id = dossier_world.case_a
    pdf = text_pdf("律师调查令", [("编号", ORDER_NUMBER)], "兹准许律师向某银行调取账户流水。")
    payload = _document(app, case_id, _case_number(app, case_id), "order", pdf,
                        "application/pdf", f"律师调查令（{ORDER_NUMBER}）")  # fmt: skip
    _emit(app, payload)
    poll(app)
    ((material, version),) = _filed(app)
    assert (material.case_id, material.material_type, material.volume, material.source) == (
        case_id, "investigation_order", "main", "system",
    )  # fmt: skip
    assert material.title == f"律师调查令（{ORDER_NUMBER}）"
    assert material.source_ref == f"ledger:{ORDER_NUMBER}:order"
    assert version.sha256 == payload.sha256 == hashlib.sha256(pdf).hexdigest()
    assert (version.page_count, version.status, version.added_by_name) == (1, "ready", "系统")
    files = dossier_context(app).files
    assert files.get(version.blob_key) == pdf and version.pdf_blob_key == version.blob_key

    # Re-delivered (the same event once more): nothing is added, nothing announced again.
    _emit(app, payload)
    assert poll(app) >= 1
    assert len(_filed(app)) == 1
    with dossier_context(app).session_factory() as s:
        announced = s.execute(select(events).where(events.c.type == MATERIAL_ADDED.name)).all()
    assert [r.payload["material_type"] for r in announced] == ["investigation_order"]


def test_an_institutions_scan_is_filed_and_converted(
    app: FastAPI, dossier_world: DossierWorld
) -> None:
    case_id = dossier_world.case_a
    png = scan_png(["账户交易明细", "2026年1月至6月"])
    payload = _document(app, case_id, _case_number(app, case_id), "response-4-1", png,
                        "image/png", f"调查令{ORDER_NUMBER}协助调查材料：流水.png")  # fmt: skip
    _emit(app, payload)
    poll(app)
    ((material, version),) = _filed(app)
    assert material.material_type == "investigation_order_response"
    assert version.filename == f"{ORDER_NUMBER}-response-4-1.png"
    assert (version.sha256, version.status, version.pdf_blob_key) == (
        payload.sha256, "processing", None,
    )  # fmt: skip
    assert processing.run_due(dossier_context(app)) == 1
    ((_, converted),) = _filed(app)
    assert converted.status == "ready" and converted.pdf_blob_key is not None
    assert converted.page_count == 1


def test_an_unknown_case_is_logged_and_skipped(
    app: FastAPI, dossier_world: DossierWorld, caplog: pytest.LogCaptureFixture,
    clock: FakeClock,
) -> None:  # fmt: skip
    pdf = text_pdf("律师调查令", [], "内容")
    stray = _document(app, 999_999, "(2026)粤0104民初999号", "order", pdf, "application/pdf",
                      "律师调查令")  # fmt: skip
    # The right id with another case's number is no better: the case is not the one meant.
    number_a2 = _case_number(app, dossier_world.case_a2)
    crossed = _document(app, dossier_world.case_a, number_a2, "decision", pdf,
                        "application/pdf", "决定")  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="dossier.publish.ledger_in"):
        _emit(app, stray)
        _emit(app, crossed)
        assert poll(app) >= 2
    assert _filed(app) == []
    skipped = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert len(skipped) == 2 and "999999" in skipped[0]
    # Handled, not waiting: nothing comes again after the back-off, and the next event is filed.
    clock.advance(DEFAULT_RETRY_BASE + timedelta(seconds=1))
    caplog.clear()
    good = _document(app, dossier_world.case_a2, number_a2, "order", pdf, "application/pdf",
                     "律师调查令")  # fmt: skip
    _emit(app, good)
    poll(app)
    assert [m.case_id for m, _ in _filed(app)] == [dossier_world.case_a2]
    assert not [r for r in caplog.records if "skipped" in r.getMessage()]


def test_a_file_that_does_not_match_its_digest_waits(
    app: FastAPI, dossier_world: DossierWorld, clock: FakeClock
) -> None:
    case_id = dossier_world.case_a
    pdf = text_pdf("律师调查令", [], "正确的调查令")
    payload = _document(app, case_id, _case_number(app, case_id), "order", pdf,
                        "application/pdf", "律师调查令")  # fmt: skip
    exchange = dossier_context(app).host.exchange
    exchange.put(payload.blob_key, pdf + b"%tampered")
    _emit(app, payload)
    poll(app)
    assert _filed(app) == []
    exchange.put(payload.blob_key, pdf)
    clock.advance(DEFAULT_RETRY_BASE)
    poll(app)
    ((_, version),) = _filed(app)
    assert version.sha256 == payload.sha256
