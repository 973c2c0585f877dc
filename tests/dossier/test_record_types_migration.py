"""Migration d0009: signing notices and correction requests filed before it get the catalogue's
types for what belongs to a hearing's record (so 恢复默认顺序 keeps them with the record), except
in archived cases; and back again on the way down. SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, insert, select

import dossier.service  # noqa: F401  (every table of the dossier in the metadata)
from dossier.db import upgrade_dossier
from dossier.materials.tables import Material
from dossier.models import DossierCase
from hearing_server.db import make_engine
from tests.server.conftest import PG_URL, postgres_schema

AT = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
FILED = (
    # title, type as filed before d0009, source, source_ref
    ("开庭通知（原告 张伟）", "notice", "system", "notice:1"),
    ("笔录签名通知（原告 张伟）", "notice", "system", "notice:2"),
    ("笔录更正申请及处理", "other", "hearing", "hearing:5:doc:3"),
    ("庭审笔录（已签名）", "hearing_transcript", "hearing", "hearing:5:doc:1"),
    ("笔录签名通知（手工上传）", "notice", "upload", None),
)


@pytest.fixture(params=["sqlite", "postgresql"] if PG_URL else ["sqlite"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        made = create_engine(f"sqlite:///{tmp_path / 'dossier.db'}")
        yield made
        made.dispose()
        return
    with postgres_schema() as url:
        made = make_engine(url)
        yield made
        made.dispose()


def _case(engine: Engine, number: str, status: str) -> int:
    with engine.begin() as connection:
        case_id = connection.execute(
            insert(DossierCase).returning(DossierCase.id),
            {"court_id": 1, "court_name": "某法院", "case_number": number, "cause_name": "民间借贷纠纷",
             "status": status, "source": "filed", "filed_on": date(2026, 9, 1), "filed_at": AT},
        ).scalar_one()  # fmt: skip
        for title, kind, source, ref in FILED:
            connection.execute(
                insert(Material),
                {"case_id": case_id, "volume": "main", "material_type": kind, "title": title,
                 "source": source, "source_ref": ref, "current_version": 1, "created_at": AT,
                 "created_by_name": "系统"},
            )  # fmt: skip
    return int(case_id)


def _types(engine: Engine, case_id: int) -> list[str]:
    with engine.connect() as connection:
        return list(
            connection.scalars(
                select(Material.material_type)
                .where(Material.case_id == case_id)
                .order_by(Material.id)
            )
        )


def test_d0009_retypes_what_belongs_to_the_record_except_in_archived_cases(
    engine: Engine,
) -> None:
    upgrade_dossier(engine, "d0008")
    open_case = _case(engine, "（2026）粤0104民初1号", "closed")
    archived = _case(engine, "（2026）粤0104民初2号", "archived")
    upgrade_dossier(engine)
    assert _types(engine, open_case) == [
        "notice", "record_notice", "record_corrections", "hearing_transcript", "notice",
    ]  # fmt: skip
    before = [kind for _, kind, _, _ in FILED]
    assert _types(engine, archived) == before
    upgrade_dossier(engine, "d0008", downgrade=True)
    assert _types(engine, open_case) == before
