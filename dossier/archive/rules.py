"""The archive's rules, pure: retention periods, archive numbers, the default order of the main
volume and the item and page numbers (件号, 页号). The rules themselves are data
(``dossier/data/archive_rules.toml``, with their sources)."""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "ArchiveRules",
    "Item",
    "Retention",
    "archive_number",
    "default_order",
    "load_rules",
    "number_items",
    "retention_for",
]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True, slots=True)
class Retention:
    code: str
    """``Y`` (永久), ``D30`` (定期30年), ``D10`` (定期10年)."""
    label: str
    years: int
    """0: permanent."""


@dataclass(frozen=True, slots=True)
class _RetentionRule:
    type_prefix: str
    outcome: str
    retention: str


@dataclass(frozen=True, slots=True)
class ArchiveRules:
    fonds_format: str
    number_format: str
    categories: dict[str, str]
    default_category: str
    retentions: dict[str, Retention]
    retention_rules: tuple[_RetentionRule, ...]
    type_order: tuple[str, ...]


def _catalogue_order(path: Path) -> tuple[str, ...] | None:
    """The material catalogue's order (``material_types.toml``, the materials part), if shipped:
    entries with a ``code`` and an ``order``, as a list or keyed by code."""
    if not path.is_file():
        return None
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    entries: list[tuple[Any, str]] = []
    for value in data.values():
        if isinstance(value, list):
            entries += [(e.get("order"), str(e["code"])) for e in value if "code" in e]
        elif isinstance(value, dict):
            entries += [(e.get("order"), k) for k, e in value.items() if isinstance(e, dict)]
    ordered = [(o, c) for o, c in entries if isinstance(o, int)]
    return tuple(c for _, c in sorted(ordered)) if ordered else None


@functools.cache
def load_rules(data_dir: Path = DATA_DIR) -> ArchiveRules:
    data = tomllib.loads((data_dir / "archive_rules.toml").read_text(encoding="utf-8"))
    numbering = data["numbering"]
    order = _catalogue_order(data_dir / "material_types.toml")
    return ArchiveRules(
        fonds_format=numbering["fonds_format"],
        number_format=numbering["format"],
        categories=dict(numbering["categories"]),
        default_category=numbering["default_category"],
        retentions={
            code: Retention(code, v["label"], int(v["years"]))
            for code, v in data["retention"].items()
        },
        retention_rules=tuple(
            _RetentionRule(r["type_prefix"], r["outcome"], r["retention"])
            for r in data["retention_rules"]
        ),
        type_order=order or tuple(data["order"]["material_types"]),
    )


def retention_for(rules: ArchiveRules, type_code: str | None, outcome: str | None) -> Retention:
    """The first rule whose type prefix and outcome match (the last rule matches everything)."""
    code = type_code or ""
    for rule in rules.retention_rules:
        if code.startswith(rule.type_prefix) and rule.outcome in ("*", outcome):
            return rules.retentions[rule.retention]
    raise LookupError("the retention rules must end with a rule matching every case")


def archive_number(
    rules: ArchiveRules,
    *,
    court_id: int,
    year: int,
    retention: Retention,
    type_code: str | None,
    sequence: int,
) -> str:
    """全宗号-年度-保管期限-类别-件号, e.g. ``F0001-2026-D30-MC-0007``."""
    category = rules.categories.get(type_code or "", rules.default_category)
    fonds = rules.fonds_format.format(court_id=court_id)
    return rules.number_format.format(
        fonds=fonds, year=year, retention=retention.code, category=category, sequence=sequence
    )


@dataclass(frozen=True, slots=True)
class Item:
    """One material of the e-volume: its item number (件号) and its pages (页号) in the volume."""

    material_id: int
    number: int
    first_page: int
    last_page: int


def default_order(rules: ArchiveRules, materials: Sequence[tuple[int, str, Any]]) -> list[int]:
    """Material ids ``(id, type, added_at)`` in the catalogue's order of types, then by when
    they were added, then by id; unknown types last."""
    rank = {code: i for i, code in enumerate(rules.type_order)}
    last = len(rank)
    return [m[0] for m in sorted(materials, key=lambda m: (rank.get(m[1], last), m[2], m[0]))]


def number_items(pages: Sequence[tuple[int, int]]) -> list[Item]:
    """``(material_id, page_count)`` in volume order → items numbered from 1, pages numbered
    through the volume from 1 (the cover, catalogue and reference sheet are not paged)."""
    items: list[Item] = []
    page = 1
    for number, (material_id, count) in enumerate(pages, start=1):
        if count < 1:
            raise ValueError(f"material {material_id} has no pages")
        items.append(Item(material_id, number, page, page + count - 1))
        page += count
    return items
