"""The signing order of a closed hearing's record (pure rules)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearing_server.closing.plan import (
    SEAL_KEY,
    Attendee,
    SignerGroup,
    SignerStatus,
    Stage,
    may_resolve,
    may_sign,
    outstanding,
    plan_signers,
    record,
    stage_of,
)

COURT = "北京市海淀区人民法院"
ATTENDEES = [
    Attendee("staff-2", "李书记员", "clerk"),
    Attendee("participant-1", "张三", "plaintiff"),
    Attendee("participant-2", "李四", "defendant"),
    Attendee("participant-3", "王律师", "agent"),
    Attendee("participant-4", "赵旁听", "observer"),
    Attendee("staff-1", "陈法官", "presiding_judge"),
    Attendee("participant-1", "张三 (again)", "plaintiff"),
]


def test_plan_orders_participants_then_bench_then_seal() -> None:
    slots = plan_signers(ATTENDEES, court_name=COURT)
    assert [s.key for s in slots] == [
        "participant-1",
        "participant-2",
        "participant-3",
        "staff-1",
        "staff-2",
        SEAL_KEY,
    ]
    assert slots[0].name == "张三"  # the first listing wins
    assert [s.group for s in slots] == [SignerGroup.PARTICIPANT] * 3 + [
        SignerGroup.BENCH,
        SignerGroup.BENCH,
        SignerGroup.SEAL,
    ]
    assert slots[-1].name == COURT
    assert stage_of(slots) is Stage.PARTICIPANTS


def test_a_record_without_the_bench_cannot_be_planned() -> None:
    with pytest.raises(ValueError, match="court must sign"):
        plan_signers([Attendee("participant-1", "张三", "plaintiff")], court_name=COURT)


def test_bench_waits_for_every_participant() -> None:
    slots = plan_signers(ATTENDEES, court_name=COURT)
    verdict = may_sign(slots, "staff-1")
    assert not verdict.allowed and "张三" in verdict.reason
    assert may_sign(slots, "participant-2").allowed
    assert not may_sign(slots, SEAL_KEY).allowed
    assert not may_sign(slots, "participant-4").allowed  # observers do not sign

    slots = record(slots, "participant-1", SignerStatus.SIGNED)
    slots = record(slots, "participant-2", SignerStatus.REFUSED, "拒绝签名：认为笔录有误")
    assert not may_sign(slots, "participant-1").allowed  # twice
    assert not may_sign(slots, "participant-2").allowed  # refused: the clerk noted it
    assert stage_of(slots) is Stage.PARTICIPANTS
    slots = record(slots, "participant-3", SignerStatus.SIGNED)
    assert stage_of(slots) is Stage.BENCH
    assert may_sign(slots, "staff-2").allowed and may_sign(slots, "staff-1").allowed
    assert not may_sign(slots, SEAL_KEY).allowed
    slots = record(slots, "staff-2", SignerStatus.SIGNED)
    slots = record(slots, "staff-1", SignerStatus.SIGNED)
    assert stage_of(slots) is Stage.SEAL and may_sign(slots, SEAL_KEY).allowed
    slots = record(slots, SEAL_KEY, SignerStatus.SIGNED)
    assert stage_of(slots) is Stage.COMPLETE and outstanding(slots) == []


def test_clerk_resolutions_need_a_reason_and_never_excuse_the_bench() -> None:
    slots = plan_signers(ATTENDEES, court_name=COURT)
    assert not may_resolve(slots, "participant-1", SignerStatus.REFUSED, "  ").allowed
    assert not may_resolve(slots, "participant-1", SignerStatus.SIGNED, "x").allowed
    assert not may_resolve(slots, "staff-1", SignerStatus.EXCUSED, "on leave").allowed
    assert not may_resolve(slots, SEAL_KEY, SignerStatus.EXCUSED, "n/a").allowed
    assert not may_resolve(slots, "participant-9", SignerStatus.EXCUSED, "n/a").allowed
    assert may_resolve(slots, "participant-1", SignerStatus.EXCUSED, "未到庭").allowed
    slots = record(slots, "participant-1", SignerStatus.EXCUSED, " 未到庭 ")
    assert slots[0].note == "未到庭"
    assert not may_resolve(slots, "participant-1", SignerStatus.REFUSED, "again").allowed
    with pytest.raises(KeyError):
        record(slots, "participant-9", SignerStatus.SIGNED)


_ROLES = st.sampled_from(
    ["plaintiff", "defendant", "third_party", "agent", "witness", "observer", "judge", "clerk"]
)


@given(
    st.lists(st.tuples(st.integers(0, 6), _ROLES), min_size=1, max_size=10),
    st.permutations(range(12)),
)
def test_any_signing_order_the_rules_allow_ends_complete_with_the_seal_last(
    people: list[tuple[int, str]], order: list[int]
) -> None:
    attendees = [Attendee(f"k-{n}", f"n{n}", role) for n, role in people]
    attendees.append(Attendee("staff-1", "judge", "presiding_judge"))
    slots = plan_signers(attendees, court_name=COURT)
    signed: list[str] = []
    while stage_of(slots) is not Stage.COMPLETE:
        allowed = [s.key for s in slots if may_sign(slots, s.key).allowed]
        assert allowed, "the rules must never deadlock"
        key = allowed[order[len(signed) % len(order)] % len(allowed)]
        slots = record(slots, key, SignerStatus.SIGNED)
        signed.append(key)
    assert signed[-1] == SEAL_KEY
    groups = [next(s.group for s in slots if s.key == k) for k in signed]
    assert groups == sorted(groups)  # participants, then bench, then seal
