"""The civil cause catalogue (民事案件案由规定, 法〔2020〕347号, effective 2021-01-01) as data
(``dossier/data/civil_causes.txt``; its header says how it was made and how complete it is),
loaded into a tree: code, name, level, parent (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["Cause", "CauseCatalogue", "catalogue", "parse_catalogue"]

DATA = Path(__file__).resolve().parent.parent / "data" / "civil_causes.txt"
SOURCE = "最高人民法院《民事案件案由规定》（2020年修正，法〔2020〕347号）"
EFFECTIVE = "2021-01-01"


@dataclass(frozen=True, slots=True)
class Cause:
    code: str
    """``A4`` (a part), ``B10`` (second level), ``C103`` (third), ``C103-3`` (fourth)."""
    name: str
    level: int
    """1 (部分: 第一级案由) … 4."""
    parent: str | None


class CauseCatalogue:
    def __init__(self, causes: tuple[Cause, ...]) -> None:
        self.causes = causes
        self._by_code = {c.code: c for c in causes}

    def get(self, code: str) -> Cause | None:
        return self._by_code.get(code)

    def path(self, code: str) -> list[Cause]:
        """From the part down to the cause itself."""
        out: list[Cause] = []
        cause = self.get(code)
        while cause is not None:
            out.append(cause)
            cause = self.get(cause.parent) if cause.parent else None
        return out[::-1]

    def search(self, text: str, limit: int) -> list[Cause]:
        """Causes (levels 3 and 4: those a case is filed under) whose name contains ``text``,
        shortest name first (the closest match), then in the catalogue's order."""
        text = text.strip()
        found = [c for c in self.causes if c.level >= 3 and text and text in c.name]
        return sorted(found, key=lambda c: len(c.name))[:limit]

    def fileable(self, code: str) -> Cause | None:
        """The cause a case may be filed under (third or fourth level), if ``code`` is one."""
        cause = self.get(code)
        return cause if cause is not None and cause.level >= 3 else None


def parse_catalogue(text: str) -> CauseCatalogue:
    """Read the outline (format in the data file's header); the numbers of each level must run
    1, 2, 3 … across the whole catalogue, else ``ValueError`` naming the line."""
    causes: list[Cause] = []
    seen = {1: 0, 2: 0, 3: 0}
    part = second = ""
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        level = 1 if line.startswith("= ") else 2 if line.startswith("== ") else 3
        number_text, _, rest = line.lstrip("= ").partition(" ")
        if not number_text.isdigit() or int(number_text) != seen[level] + 1 or not rest:
            raise ValueError(f"civil causes line {lineno}: expected number {seen[level] + 1}")
        seen[level] += 1
        n = seen[level]
        if level == 1:
            part = f"A{n}"
            causes.append(Cause(part, rest.strip(), 1, None))
        elif level == 2:
            second = f"B{n}"
            causes.append(Cause(second, rest.strip(), 2, part))
        else:
            name, *children = (piece.strip() for piece in rest.split("|"))
            code = f"C{n}"
            causes.append(Cause(code, name, 3, second))
            causes.extend(
                Cause(f"{code}-{k}", child, 4, code) for k, child in enumerate(children, 1)
            )
    return CauseCatalogue(tuple(causes))


@cache
def catalogue() -> CauseCatalogue:
    return parse_catalogue(DATA.read_text("utf-8"))
