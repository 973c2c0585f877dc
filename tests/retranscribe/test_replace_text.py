"""``TranscriptDoc.replace_text``: only the differing middle is rewritten (UTF-8 indices)."""

from __future__ import annotations

from typing import Any

import pytest
from pycrdt import Array, Doc

from hearing_server.transcript.model import SpeakerRef
from hearing_server.transcript.ydoc import NewSegment, TranscriptDoc

SPEAKER = SpeakerRef("participant-1", "plaintiff", "张伟")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("原告陈述借款五万", "原告陈述借款五万元"),
        ("原告陈述借款五万元", "原告称借款五万元"),
        ("I want the lone back", "I want the loan back"),
        ("same", "same"),
        ("abc", ""),
        ("", "新的文字"),
        ("利率六", "利率百分之六。"),
    ],
)
def test_replacing_text_reaches_a_client_copy_intact(before: str, after: str) -> None:
    doc = TranscriptDoc()
    doc.append_commit(NewSegment("seg-1", SPEAKER, 0, 1000, before))
    client: Doc[Any] = Doc()
    client.apply_update(doc.encode_state())
    update = doc.replace_text("seg-1", after)
    client.apply_update(update)
    view = doc.get("seg-1")
    assert view is not None and view.text == after and view.asr_text == before
    assert str(client.get("segments", type=Array)[0]["text"]) == after


def test_a_concurrent_edit_elsewhere_in_the_text_survives_the_replacement() -> None:
    doc = TranscriptDoc()
    doc.append_commit(NewSegment("seg-1", SPEAKER, 0, 1000, "原告陈述借款五万"))
    client: Doc[Any] = Doc()
    client.apply_update(doc.encode_state())
    state = client.get_state()
    client.get("segments", type=Array)[0]["text"].insert(0, "【")  # typed at the start
    typed = client.get_update(state)
    server_side = doc.replace_text("seg-1", "原告陈述借款五万元", asr_text="原告陈述借款五万元")
    doc.apply_update(typed)
    client.apply_update(server_side)
    view = doc.get("seg-1")
    assert view is not None and view.text == "【原告陈述借款五万元" and view.asr_text.endswith("元")
    assert str(client.get("segments", type=Array)[0]["text"]) == view.text
