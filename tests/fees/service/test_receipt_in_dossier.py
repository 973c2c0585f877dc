# ruff: noqa: F811  (the simulator fixtures are imported by name, then asked for by name)
"""The sealed receipt goes into the case's dossier by event (``fees.receipt_issued``)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from dossier.materials.tables import Material
from dossier.models import DossierCase
from tests.fees.service.conftest import PLAINTIFF_PHONE, file_case, filed_case, run
from tests.fees.service.paying import (  # noqa: F401
    Paying,
    order_for,
    order_paid,
    paying,
    provisioned,
    token_of,
)
from tests.server.conftest import START


def test_the_receipt_is_filed_in_the_dossier(
    app, ctx, fees_world, paying: Paying, make_client
) -> None:
    dossier = app.state.dossier
    with dossier.session_factory() as s:
        case = DossierCase(
            court_id=fees_world.court_id, court_name=fees_world.court_name,
            case_number="（2026）粤0104民初501号", cause_name="民间借贷纠纷", status="open",
            source="filed", filed_on=date(2026, 11, 28), filed_at=START,
        )  # fmt: skip
        s.add(case)
        s.commit()
        case_id = case.id
    file_case(app, ctx, filed_case(fees_world, dossier_case_id=case_id))
    order = order_for(make_client(), ctx, token_of(paying), PLAINTIFF_PHONE)
    paying.pay(order["out_trade_no"])
    paying.until(lambda: order_paid(paying, order["out_trade_no"]))
    run(app)
    with dossier.session_factory() as s:
        materials = s.scalars(select(Material).where(Material.case_id == case_id)).all()
    receipts = [m for m in materials if m.material_type == "receipt"]
    assert len(receipts) == 1
    assert receipts[0].title.startswith("诉讼费收据（陈明，票据号2026")
    assert receipts[0].source_ref.startswith("fees:receipt:")
    run(app)  # nothing more arrives
    with dossier.session_factory() as s:
        again = s.scalars(select(Material).where(Material.case_id == case_id)).all()
    assert len(again) == len(materials)
