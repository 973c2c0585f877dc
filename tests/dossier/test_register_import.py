"""Cases entered in the hearing server reach the dossier's register through ``case.created``,
once however often the event comes; who may read a register entry."""

from __future__ import annotations

from sqlalchemy import func, select

from dossier.models import DossierCase
from hearing_server.events import publish_case_created
from hearing_server.models import Case
from tests.dossier.conftest import dossier_context, poll


def test_a_case_entered_in_the_hearing_server_joins_the_register_once(
    app, ctx, dossier_world, staff_client
) -> None:
    with ctx.session_factory() as s:  # the same event again (a re-delivery)
        case = s.get(Case, dossier_world.hearing.case_a)
        assert case is not None
        publish_case_created(s, case, at=ctx.clock())
        s.commit()
    assert poll(app) == 1
    with dossier_context(app).session_factory() as s:
        assert s.scalar(select(func.count()).select_from(DossierCase)) == 3
        entry = s.get(DossierCase, dossier_world.case_a)
        assert entry is not None
        assert (entry.source, entry.hearing_case_id, entry.court_name) == (
            "imported",
            dossier_world.hearing.case_a,
            "广州市越秀区人民法院",
        )
    clerk = staff_client("clerk_a")
    answer = clerk.get(f"/api/dossier/cases/{dossier_world.case_a}")
    assert answer.status_code == 200
    assert answer.json()["case_number"] == "(2026)粤0104民初123号"
    # Another court's case: not found, as for a case that does not exist.
    other = clerk.get(f"/api/dossier/cases/{dossier_world.case_b}")
    missing = clerk.get("/api/dossier/cases/987654")
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()
