"""The bounded request types: ids, datetimes and free text (tingshen_platform/bounded.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import BaseModel, ValidationError

from hearing_server.transcript.model import Change, Field
from hearing_server.transcript.policy import EditorRole, check_changes
from tingshen_platform.bounded import (
    MAX_ID,
    CourtDatetime,
    Id,
    Name,
    Note,
    control_characters,
)


class _Sample(BaseModel):
    id: Id | None = None
    at: CourtDatetime | None = None
    name: Name | None = None
    note: Note | None = None


def _error_type(**fields: object) -> str:
    with pytest.raises(ValidationError) as raised:
        _Sample.model_validate(fields)
    return str(raised.value.errors()[0]["type"])


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("张伟", []),
        ("Zhang Wei (张伟)", []),
        ("a\x00b", ["U+0000"]),
        ("a\x1bb\x7f", ["U+001B", "U+007F"]),
        ("\x85next line", ["U+0085"]),  # C1
        ("书记员\u202e陈晓", ["U+202E"]),  # right-to-left override
        ("\u2066x\u2069", ["U+2066", "U+2069"]),  # isolates
        ("\u200fmark\u200e", ["U+200F", "U+200E"]),
        ("\ufeffbom", ["U+FEFF"]),
        ("line\u2028sep", ["U+2028"]),
        ("lone \ud800 surrogate", ["U+D800"]),
        ("a\nb\tc", ["U+000A", "U+0009"]),  # one line: no breaks
        ("emoji 👩\u200d⚖️", []),  # zero-width joiner is part of the emoji
        ("\x00\x00", ["U+0000"]),  # each once
    ],
)
def test_control_characters_on_one_line(text, found):
    assert control_characters(text) == found


def test_multi_line_text_keeps_newlines_and_tabs_only():
    assert control_characters("第一行\r\n第二行\t完", multiline=True) == []
    assert control_characters("a\nb\x00", multiline=True) == ["U+0000"]
    assert control_characters("a\n\u202eb", multiline=True) == ["U+202E"]


def test_ids_are_bounded_by_the_id_columns():
    assert _Sample(id=MAX_ID).id == MAX_ID
    assert _error_type(id=MAX_ID + 1) == "less_than_equal"
    assert _error_type(id=0) == "greater_than_equal"
    assert _error_type(id=2**63) == "less_than_equal"


def test_datetimes_are_aware_and_within_court_years():
    assert _Sample.model_validate({"at": "2026-12-05T10:00:00+08:00"}).at == datetime(
        2026, 12, 5, 2, tzinfo=UTC
    )
    assert _error_type(at="2026-12-05T10:00:00") == "timezone_aware"
    assert _error_type(at="9999-12-31T23:59:59Z") == "datetime_out_of_range"
    assert _error_type(at="0001-01-01T00:00:00Z") == "datetime_out_of_range"
    assert _Sample.model_validate({"at": "2200-12-31T23:59:59Z"}).at is not None
    assert _error_type(at="2201-01-01T00:00:00Z") == "datetime_out_of_range"


def test_names_and_notes_refuse_control_characters():
    assert _Sample(name="  张伟  ").name == "张伟"  # surrounding whitespace stripped
    assert _error_type(name="张\u202e伟") == "control_characters"
    assert _error_type(name="张\n伟") == "control_characters"
    assert _error_type(name="x" * 201) == "string_too_long"
    assert _Sample(note="第一点\n第二点").note == "第一点\n第二点"
    assert _error_type(note="理由\x00") == "control_characters"
    with pytest.raises(ValidationError) as raised:
        _Sample(name="a\u202eb")
    assert "U+202E" in str(raised.value)


def test_transcript_edits_with_control_characters_are_refused():
    """The document's single validation point (transcript.policy) refuses them for every editor."""
    clean = [Change("s1", Field.TEXT, "原文", "改正后的文字\n第二行")]
    assert check_changes(EditorRole.CLERK, clean, {}).allowed
    forged = [Change("s1", Field.TEXT, "原文", "原告\u202e被告")]
    verdict = check_changes(EditorRole.JUDGE, forged, {})
    assert not verdict.allowed
    assert "U+202E" in verdict.reason
    created = [Change("s2", Field.CREATED, "", "新段落\x00")]
    assert not check_changes(EditorRole.CLERK, created, {}).allowed
    speaker = [Change("s1", Field.SPEAKER, "clerk:陈晓:staff-2", "clerk:陈晓\n:staff-2")]
    assert not check_changes(EditorRole.CLERK, speaker, {}).allowed
