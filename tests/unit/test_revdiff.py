"""Revisions stored as changes (issue 14): hand-worked diffs, round trips, chains and the budget."""

from __future__ import annotations

import random

import pytest

from hearing_server.transcript.revdiff import (
    BASE_EVERY_ROWS,
    ChainState,
    ChangeMismatchError,
    TextChange,
    apply,
    diff,
    digest,
    plan,
    replay,
    unapply,
)


@pytest.mark.parametrize(
    ("before", "after", "change"),
    [
        ("被告人张三", "被告人张四", TextChange(4, 0, "三", "四")),
        ("abc", "abXc", TextChange(2, 1, "", "X")),
        ("aaa", "aa", TextChange(2, 0, "a", "")),  # the prefix is taken first
        ("", "新", TextChange(0, 0, "", "新")),
        ("原告陈述", "", TextChange(0, 0, "原告陈述", "")),
        ("同一句", "同一句", TextChange(3, 0, "", "")),
        # 借款|五万元| -> 借款|伍万元整|: nothing in common at the end ("元" vs "整")
        ("借款五万元", "借款伍万元整", TextChange(2, 0, "五万元", "伍万元整")),
        ("借款五万元整", "借款伍万元整", TextChange(2, 3, "五", "伍")),
    ],
)
def test_hand_worked_diffs(before: str, after: str, change: TextChange) -> None:
    assert diff(before, after) == change
    assert apply(before, change) == after
    assert unapply(after, change) == before


def test_any_pair_round_trips() -> None:
    rng = random.Random(14)
    alphabet = "原被告人陈述借款。，ab "
    for _ in range(500):
        before = "".join(rng.choice(alphabet) for _ in range(rng.randrange(12)))
        after = "".join(rng.choice(alphabet) for _ in range(rng.randrange(12)))
        change = diff(before, after)
        assert apply(before, change) == after and unapply(after, change) == before
        assert change.prefix + change.suffix <= min(len(before), len(after))


def test_a_change_does_not_apply_to_another_text() -> None:
    with pytest.raises(ChangeMismatchError):
        apply("被告人李四", TextChange(4, 0, "三", "四"))
    with pytest.raises(ChangeMismatchError):
        apply("短", TextChange(3, 3, "", "x"))


def test_a_chain_keeps_its_base_once_and_then_only_changes() -> None:
    first = plan("原告", "原告陈述", chain=None, spent_bytes=0, budget_bytes=None)
    assert first.base == "原告" and first.change == TextChange(2, 0, "", "陈述")
    assert first.cost_bytes == len("原告陈述".encode())  # base (6) + inserted (6)
    chain = ChainState(first.after_digest, True, first.rows_since_base, first.bytes_since_base)
    second = plan("原告陈述", "原告陈述。", chain=chain, spent_bytes=12, budget_bytes=None)
    assert second.base is None and second.cost_bytes == 3 and second.rows_since_base == 2
    # The text changed without a revision in between: the chain starts again from a base.
    broken = plan("原告说", "原告说。", chain=chain, spent_bytes=15, budget_bytes=None)
    assert broken.base == "原告说"


def test_a_base_again_after_a_stretch_of_rows() -> None:
    chain = ChainState(digest("x"), True, BASE_EVERY_ROWS, 10)
    assert plan("x", "xy", chain=chain, spent_bytes=0, budget_bytes=None).base == "x"


def test_600_edits_of_a_700_character_note_cost_what_they_changed() -> None:
    """The issue's case: 252 M characters as copies; as changes a few kilobytes."""
    text: str = "证" * 100
    chain: ChainState | None = None
    spent = copies = 0
    for _ in range(600):  # one character typed at the end each time
        after = text + "言"
        step = plan(text, after, chain=chain, spent_bytes=spent, budget_bytes=None)
        spent += step.cost_bytes
        copies += len((text + after).encode())
        chain = ChainState(
            step.after_digest, step.detail, step.rows_since_base, step.bytes_since_base
        )
        text = after
    assert len(text) == 700 and copies == 1_440_000
    # 600 changes of 3 bytes, and the full text again every 256 rows (100, 356, 612 characters)
    assert spent == 600 * 3 + (100 + 356 + 612) * 3


def test_over_the_budget_a_revision_keeps_who_and_where_but_no_text() -> None:
    step = plan("原告陈述", "原告陈述完毕", chain=None, spent_bytes=95, budget_bytes=100)
    assert not step.detail and step.base is None and step.cost_bytes == 0
    assert step.change == TextChange(4, 0, "", "")
    assert (step.before_chars, step.after_chars) == (4, 6)
    within = plan("原告陈述", "原告陈述完毕", chain=None, spent_bytes=0, budget_bytes=100)
    assert within.detail and within.cost_bytes == 12 + 6


def test_replay_rebuilds_each_step_and_says_when_it_cannot() -> None:
    steps = [
        (TextChange(2, 0, "", "陈述"), "原告", True),
        (TextChange(4, 0, "", "。"), None, True),
        (TextChange(5, 0, "", ""), None, False),  # no detail kept
        (TextChange(0, 1, "原告", "被告"), None, True),  # no base since: unknown
        (TextChange(2, 0, "", "答辩"), "被告", True),
    ]
    assert list(replay(None, steps)) == [
        ("原告", "原告陈述"),
        ("原告陈述", "原告陈述。"),
        None,
        None,
        ("被告", "被告答辩"),
    ]
