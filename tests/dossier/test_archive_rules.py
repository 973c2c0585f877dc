"""The archive's rules with worked examples (dossier/data/archive_rules.toml)."""

from __future__ import annotations

from datetime import datetime

import pytest

from dossier.archive.rules import (
    Item,
    archive_number,
    default_order,
    load_rules,
    number_items,
    retention_for,
)

RULES = load_rules()


@pytest.mark.parametrize(
    ("type_code", "outcome", "code", "label"),
    [
        ("民初", "judgment", "D30", "定期30年"),  # judged civil case: formerly 长期
        ("民初", "mediation", "D30", "定期30年"),
        ("民初", "withdrawn", "D10", "定期10年"),  # 撤诉: formerly 短期
        ("民终", "dismissed", "D10", "定期10年"),
        ("民再", "withdrawn", "Y", "永久"),  # retrials: permanent whatever the outcome
        ("刑初", "judgment", "Y", "永久"),
        ("执", "terminated", "D30", "定期30年"),
        (None, None, "D10", "定期10年"),
    ],
)
def test_retention_by_case_type_and_outcome(
    type_code: str | None, outcome: str | None, code: str, label: str
) -> None:
    retention = retention_for(RULES, type_code, outcome)
    assert (retention.code, retention.label) == (code, label)


def test_archive_number_is_fonds_year_retention_category_item() -> None:
    d30 = RULES.retentions["D30"]
    assert (
        archive_number(RULES, court_id=1, year=2026, retention=d30, type_code="民初", sequence=7)
        == "F0001-2026-D30-MC-0007"
    )
    y = RULES.retentions["Y"]
    assert (
        archive_number(RULES, court_id=12, year=2027, retention=y, type_code="奇怪", sequence=123)
        == "F0012-2027-Y-QT-0123"
    )


def test_items_and_pages_run_through_the_volume() -> None:
    # 3 + 1 + 12 pages: items 1-3 on pages 1-3, 4, 5-16
    assert number_items([(10, 3), (11, 1), (12, 12)]) == [
        Item(10, 1, 1, 3),
        Item(11, 2, 4, 4),
        Item(12, 3, 5, 16),
    ]
    with pytest.raises(ValueError):
        number_items([(1, 0)])


def test_default_order_follows_the_proceedings_then_time() -> None:
    t = [datetime(2026, 1, d) for d in range(1, 6)]
    materials = [
        (1, "judgment", t[0]),
        (2, "evidence", t[2]),
        (3, "complaint", t[4]),
        (4, "evidence", t[1]),
        (5, "mystery", t[0]),
    ]
    assert default_order(RULES, materials) == [3, 4, 2, 1, 5]
