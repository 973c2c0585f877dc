"""Errors of the fee computation, each with an English and a Chinese message.

::

    FeesError                   base; never raised itself
    ├── ScheduleDataError       a fee schedule file is broken (a gap between tiers, an unknown
    │                           reference, a missing article): a bug of the data, found on load
    ├── FeeInputError           the request cannot be computed (an amount that is not yuan, an
    │                           unknown kind, a halving ground that does not apply)
    └── FeeSettingError         a court's setting is outside the range the law allows

The one mapping to the outside is in :mod:`fees.cli` (one line on stderr, exit status 2); the
service's HTTP mapping will sit beside it (422 for input, 500 for data and settings).
"""

from __future__ import annotations

__all__ = ["FeeInputError", "FeeSettingError", "FeesError", "ScheduleDataError"]


class FeesError(Exception):
    """``str(error)`` is the English message; ``error.zh`` the Chinese one."""

    def __init__(self, en: str, zh: str | None = None) -> None:
        super().__init__(en)
        self.en = en
        self.zh = zh if zh is not None else en

    def message(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class ScheduleDataError(FeesError):
    """A schedule file that must not be used (it is rejected whole)."""


class FeeInputError(FeesError):
    """A request that cannot be computed as asked."""


class FeeSettingError(FeesError):
    """A court's choice outside the range of its article."""
