"""The service's state machine, worked by hand."""

from __future__ import annotations

import pytest

from delivery.states import IllegalStepError, advance, next_channel


@pytest.mark.parametrize(
    ("state", "step", "after"),
    [
        ("prepared", "sent", "sent"),
        ("sent", "arrived", "arrived"),
        ("arrived", "opened", "opened"),
        ("sent", "opened", "opened"),  # the opening overtook the arrival receipt
        ("opened", "arrived", "opened"),  # the late receipt does not move it back
        ("opened", "sent", "opened"),
        ("sent", "collected", "collected"),
        ("collected", "opened", "collected"),
        ("prepared", "failed", "failed"),
        ("sent", "returned", "returned"),
        ("arrived", "returned", "returned"),
    ],
)
def test_steps(state: str, step: str, after: str) -> None:
    assert advance(state, step) == after


@pytest.mark.parametrize(
    ("state", "step"),
    [
        ("opened", "returned"),
        ("collected", "failed"),
        ("returned", "opened"),
        ("failed", "sent"),
        ("prepared", "returned"),
        ("sent", "teleported"),
    ],
)
def test_impossible_steps(state: str, step: str) -> None:
    with pytest.raises(IllegalStepError):
        advance(state, step)


def test_the_next_channel_is_the_first_untried_one_the_recipient_has() -> None:
    assert next_channel(["sms"], ["sms", "email", "post", "collect"]) == "email"
    assert next_channel(["sms"], ["sms", "post", "collect"]) == "post"
    assert next_channel(["post"], ["collect"]) == "collect"
    assert next_channel(["sms", "email", "post", "collect"], ["sms"]) is None
