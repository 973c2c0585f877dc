"""A revision stored as the change it made, not as two copies of the segment (pure).

    change = diff("被告人张三", "被告人张四")   # TextChange(4, 0, removed="三", inserted="四")
    apply(before, change) == after;  unapply(after, change) == before
    step = plan(before, after, chain=ChainState(...) | None, spent_bytes=..., budget_bytes=...)
    replay(base, [step.change, ...])               # the texts before and after each step

Issue 14: keeping ``before`` and ``after`` whole for every edit made history grow with the square of
a note's length (600 edits of a 700-character note: 252 M characters). A change is the common
prefix and suffix lengths (characters) and the replaced text, so an edit costs what it changed.

Revisions of one segment's field form a *chain*: each one's ``before`` is the previous one's
``after``. A chain is read by replaying its changes from a *base*: the full ``before`` text kept
on the chain's first revision, and again whenever the chain is broken (the text changed without a
revision, or the previous revision kept no detail) or the changes since the last base add up to
more than the text itself (:data:`BASE_EVERY_ROWS` at most), so reading any revision replays a
bounded stretch and storage stays within twice the changes.

**Budget per hearing** (``TINGSHEN_REVISION_BUDGET_BYTES``): once a hearing's stored detail (the
changed and base text, in UTF-8 bytes) would go over it, a revision keeps no text: still who,
when, which segment and field, where in the text (prefix/suffix) and the lengths before and after
(:attr:`StoredStep.detail` is False). The audit of who edited what stays whole; the transcript
itself is the document log (``transcript_updates``), never touched by this budget, so the exact
text of any version can still be rebuilt from it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

__all__ = [
    "BASE_EVERY_ROWS",
    "MIN_BASE_SPACING_BYTES",
    "ChainState",
    "ChangeMismatchError",
    "StoredStep",
    "TextChange",
    "apply",
    "diff",
    "digest",
    "plan",
    "replay",
    "unapply",
]

BASE_EVERY_ROWS = 256
"""A chain keeps its full text again at least this often (bounds the replay of one read)."""
MIN_BASE_SPACING_BYTES = 4096
"""...and when the changes since its base exceed the text's size, or this, whichever is more."""


class ChangeMismatchError(ValueError):
    """A change applied to a text it was not made from (a broken chain)."""


@dataclass(frozen=True, slots=True)
class TextChange:
    prefix: int
    """Characters the texts have in common at the start."""
    suffix: int
    """...and at the end (not overlapping the prefix)."""
    removed: str
    inserted: str

    @property
    def size_bytes(self) -> int:
        return len(self.removed.encode()) + len(self.inserted.encode())


def diff(before: str, after: str) -> TextChange:
    """The change from ``before`` to ``after``: the longest common prefix, then the longest common
    suffix of what is left."""
    limit = min(len(before), len(after))
    prefix = 0
    while prefix < limit and before[prefix] == after[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and before[-1 - suffix] == after[-1 - suffix]:
        suffix += 1
    return TextChange(
        prefix, suffix, before[prefix : len(before) - suffix], after[prefix : len(after) - suffix]
    )


def _splice(text: str, change: TextChange, old: str, new: str) -> str:
    end = len(text) - change.suffix
    if end < change.prefix or text[change.prefix : end] != old:
        raise ChangeMismatchError("the change was not made from this text")
    return text[: change.prefix] + new + text[end:]


def apply(before: str, change: TextChange) -> str:
    return _splice(before, change, change.removed, change.inserted)


def unapply(after: str, change: TextChange) -> str:
    return _splice(after, change, change.inserted, change.removed)


def digest(text: str) -> str:
    """A short fingerprint of a text, to tell whether a chain continues."""
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainState:
    """What the last stored revision of a chain tells the next one."""

    after_digest: str
    detail: bool
    rows_since_base: int
    bytes_since_base: int


@dataclass(frozen=True, slots=True)
class StoredStep:
    """One revision as stored."""

    change: TextChange
    """Without text (``removed``/``inserted`` empty) when ``detail`` is False."""
    base: str | None
    """The full ``before`` text, when this revision starts a stretch of its chain."""
    detail: bool
    before_chars: int
    after_chars: int
    after_digest: str
    rows_since_base: int
    bytes_since_base: int
    cost_bytes: int
    """What it adds to the hearing's budget."""


def plan(
    before: str,
    after: str,
    *,
    chain: ChainState | None,
    spent_bytes: int,
    budget_bytes: int | None,
) -> StoredStep:
    """How to store the revision ``before`` → ``after``, given its chain's last revision and the
    bytes of detail its hearing has stored already (``budget_bytes`` None: no budget)."""
    change = diff(before, after)
    continues = (
        chain is not None
        and chain.detail
        and chain.after_digest == digest(before)
        and chain.rows_since_base < BASE_EVERY_ROWS
        and chain.bytes_since_base + change.size_bytes
        <= max(MIN_BASE_SPACING_BYTES, len(before.encode()))
    )
    base = None if continues else before
    cost = change.size_bytes + (0 if base is None else len(base.encode()))
    if budget_bytes is not None and spent_bytes + cost > budget_bytes:
        bare = TextChange(change.prefix, change.suffix, "", "")
        return StoredStep(bare, None, False, len(before), len(after), digest(after), 0, 0, 0)
    if base is not None or chain is None:
        rows, spent = 1, change.size_bytes
    else:
        rows, spent = chain.rows_since_base + 1, chain.bytes_since_base + change.size_bytes
    return StoredStep(change, base, True, len(before), len(after), digest(after), rows, spent, cost)


def replay(
    text: str | None, steps: Iterable[tuple[TextChange, str | None, bool]]
) -> Iterator[tuple[str, str] | None]:
    """The ``(before, after)`` texts of a chain's stored steps ``(change, base, detail)`` in order,
    starting from ``text`` (the text before the first step, or None: unknown); None for a step
    whose texts are not known (no detail kept, or no base since)."""
    for change, base, detail in steps:
        if base is not None:
            text = base
        if not detail or text is None:
            text = None
            yield None
            continue
        try:
            after = apply(text, change)
        except ChangeMismatchError:  # not made from this text: unknown rather than wrong
            text = None
            yield None
            continue
        yield text, after
        text = after
