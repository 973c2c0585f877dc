"""The schedule loader refuses broken data whole (fees.loader), and picks the schedule in force."""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from fees.errors import FeeInputError, ScheduleDataError
from fees.loader import bundled_schedule_files, load_schedule, load_schedules, parse_schedule
from fees.model import Schedule, TierComponent

BUNDLED = bundled_schedule_files()


def bundled_data() -> dict[str, Any]:
    return tomllib.loads(BUNDLED[0].read_text(encoding="utf-8"))


def broken(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    data = copy.deepcopy(bundled_data())
    change(data)
    return data


def property_tiers(data: dict[str, Any]) -> list[dict[str, Any]]:
    tiers: list[dict[str, Any]] = data["tiers"]["property"]["tiers"]
    return tiers


def test_the_bundled_2007_schedule_loads_with_its_source() -> None:
    assert [p.name for p in BUNDLED] == ["fee_schedule_2007.toml"]
    schedule = load_schedule(BUNDLED[0])
    assert schedule.effective == date(2007, 4, 1)
    assert schedule.instrument == "中华人民共和国国务院令第481号"
    assert schedule.title_zh == "诉讼费用交纳办法"
    assert len(schedule.kinds) == 21
    property_table = schedule.kinds["property"].components[0]
    assert isinstance(property_table, TierComponent)
    assert len(property_table.table.tiers) == 10


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda d: property_tiers(d)[2].update(over_yuan=100_001), "tier 3: gap"),
        (lambda d: property_tiers(d)[2].update(over_yuan=90_000), "tier 3: overlap"),
        (lambda d: property_tiers(d)[0].update(over_yuan=1), "tier 1: gap"),
        (lambda d: property_tiers(d)[9].update(up_to_yuan=99_000_000), "must be open-ended"),
        (lambda d: property_tiers(d)[4].pop("up_to_yuan"), "only the last tier"),
        (lambda d: property_tiers(d)[1].update(up_to_yuan=10_000), "must be above over_yuan"),
        (lambda d: property_tiers(d)[1].update(per_case_yuan=5), "exactly one of rate"),
        (lambda d: property_tiers(d)[1].update(rate="2.5"), "not a rate"),
        (lambda d: property_tiers(d)[1].update(rate="250%"), "over 100%"),
        (lambda d: property_tiers(d)[1].pop("article"), "article"),
        (lambda d: property_tiers(d)[1].update(up_to_yaun=1), "up_to_yaun"),  # a typo
        (lambda d: d["tiers"]["property"].update(tiers=[]), "no tiers"),
        (
            lambda d: d["kinds"]["property"].update(components=[{"tiers": "propety"}]),
            "unknown tier table 'propety'",
        ),
        (lambda d: d["kinds"]["labour"].update(category="fines"), "unknown category 'fines'"),
        (lambda d: d["kinds"]["labour"].update(article=""), "article"),
        (lambda d: d["kinds"]["labour"]["components"][0].pop("article"), "no article"),
        (lambda d: d["kinds"]["labour"].update(amount="sometimes"), "amount"),
        (lambda d: d["kinds"]["labour"]["components"][0].update(kind="x"), "kind"),
        (
            lambda d: d["kinds"]["divorce"]["components"][0].update(setting="divorce_fee"),
            "settings field",
        ),
        (
            lambda d: d["kinds"]["divorce"]["components"][0].update(range_yuan=[300, 50]),
            "upside down",
        ),
        (
            lambda d: d["kinds"]["divorce"]["components"][0].update(fixed_yuan=50),
            "exactly one of tiers",
        ),
        (lambda d: d["kinds"]["property"].update(amount="none"), "no component gives a fee"),
        (lambda d: d["kinds"]["ip"]["components"][1].update(when="always"), "needs an amount"),
        (
            lambda d: d["kinds"]["bankruptcy"]["multiplier"].update(fraction="3/2"),
            "multiplier must be",
        ),
        (
            lambda d: d["reductions"]["simplified"].update(stages=["summary"]),
            "unknown stage 'summary'",
        ),
        (lambda d: d["reductions"]["simplified"].update(factor="1/1"), "factor must be"),
        (lambda d: d["stages"].pop("first_instance"), "no 'first_instance' stage"),
        (lambda d: d["kinds"].update(Bad={}), "kinds.Bad"),
        (lambda d: d.pop("schedule"), "schedule"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_broken_data_is_refused(change: Callable[[dict[str, Any]], object], fragment: str) -> None:
    with pytest.raises(ScheduleDataError, match=r"fee_schedule_2007\.toml") as caught:
        parse_schedule(broken(change), "fee_schedule_2007.toml")
    assert fragment in str(caught.value)


def test_an_unreadable_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[schedule\n", encoding="utf-8")
    with pytest.raises(ScheduleDataError, match=r"bad\.toml: cannot read"):
        load_schedule(path)


def write_schedule(folder: Path, name: str, schedule_id: str, effective: str) -> Path:
    text = BUNDLED[0].read_text(encoding="utf-8")
    text = text.replace('id = "gwyl-481-2007"', f'id = "{schedule_id}"', 1)
    text = text.replace("effective = 2007-04-01", f"effective = {effective}", 1)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_schedule_in_force_on_a_date(tmp_path: Path) -> None:
    later = write_schedule(tmp_path, "later.toml", "later", "2030-01-01")
    schedules = load_schedules([later, BUNDLED[0]])
    assert schedules.in_force(date(2007, 4, 1)).id == "gwyl-481-2007"
    assert schedules.in_force(date(2029, 12, 31)).id == "gwyl-481-2007"
    assert schedules.in_force(date(2030, 1, 1)).id == "later"
    with pytest.raises(FeeInputError, match="no fee schedule in force on 2007-03-31"):
        schedules.in_force(date(2007, 3, 31))


def test_two_schedules_on_one_date_are_refused(tmp_path: Path) -> None:
    twin = write_schedule(tmp_path, "twin.toml", "twin", "2007-04-01")
    with pytest.raises(ScheduleDataError, match="two schedules take effect on 2007-04-01"):
        load_schedules([BUNDLED[0], twin])


def test_every_entry_names_its_article(schedule: Schedule) -> None:
    for kind in schedule.kinds.values():
        assert kind.article.startswith("第十")
        for component in kind.components:
            assert component.article.startswith("第十")
            if isinstance(component, TierComponent):
                assert all(t.article.startswith("第十") for t in component.table.tiers)
        assert kind.multiplier is None or kind.multiplier.article.startswith("第十")
        assert kind.cap is None or kind.cap.article.startswith("第十")
    articles = [r.article for r in schedule.reductions.values()]
    articles += [s.article for s in schedule.stages.values()]
    assert all(article.startswith("第十") for article in articles)
