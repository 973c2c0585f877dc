"""The catalogue of material types (``dossier/data/material_types.toml``): code, names, default
volume and place in an archive volume. Read once; pure lookups."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["VOLUMES", "MaterialType", "catalogue", "material_type"]

DATA = Path(__file__).resolve().parent.parent / "data" / "material_types.toml"
VOLUMES = ("main", "secondary")
"""``main`` 正卷, ``secondary`` 副卷."""


@dataclass(frozen=True, slots=True)
class MaterialType:
    code: str
    zh: str
    en: str
    volume: str
    order: int


@cache
def catalogue() -> tuple[MaterialType, ...]:
    """Every type, in archive order (main volume first)."""
    with DATA.open("rb") as f:
        raw = tomllib.load(f)
    types = [
        MaterialType(
            code=str(t["code"]),
            zh=str(t["zh"]),
            en=str(t["en"]),
            volume=str(t["volume"]),
            order=int(t["order"]),
        )
        for t in raw["type"]
    ]
    for t in types:
        if t.volume not in VOLUMES:
            raise ValueError(f"material type {t.code}: unknown volume {t.volume!r}")
    if len({t.code for t in types}) != len(types):
        raise ValueError("material types: a code appears twice")
    return tuple(sorted(types, key=lambda t: (VOLUMES.index(t.volume), t.order)))


def material_type(code: str) -> MaterialType | None:
    return next((t for t in catalogue() if t.code == code), None)
