"""PresenceBook: one message per visible change; sockets counted; readmission only from removed."""

from __future__ import annotations

from hearing_server.live.hub import Message, Speaker
from hearing_server.live.presence import PresenceBook

PLAINTIFF = Speaker("participant-1", 1, "plaintiff", "张伟")


def book() -> tuple[PresenceBook, list[Message]]:
    published: list[Message] = []
    return PresenceBook(published.append), published


def test_joining_twice_publishes_once_and_leaving_keeps_the_person_listed() -> None:
    presence, published = book()
    presence.joined(PLAINTIFF)
    presence.joined(PLAINTIFF)  # a re-offer (reload, renegotiation) changes nothing visible
    presence.left(PLAINTIFF)
    assert [(m["state"], m["media"]) for m in published] == [("present", True), ("left", False)]
    assert published[0] == {
        "speaker": "participant-1",
        "participant_id": 1,
        "role": "plaintiff",
        "display_name": "张伟",
        "state": "present",
        "media": True,
        "online": False,
        "muted": False,
    }


def test_online_counts_sockets_so_a_second_tab_closing_keeps_one_online() -> None:
    presence, published = book()
    presence.online(PLAINTIFF, +1)
    presence.online(PLAINTIFF, +1)
    presence.online(PLAINTIFF, -1)
    assert [m["online"] for m in published] == [True]
    presence.online(PLAINTIFF, -1)
    presence.online(PLAINTIFF, -1)  # never below zero
    assert [m["online"] for m in published] == [True, False]


def test_readmission_only_undoes_a_removal() -> None:
    presence, published = book()
    presence.readmitted(PLAINTIFF)
    assert published == []
    presence.muted(PLAINTIFF, True)
    presence.removed(PLAINTIFF)
    presence.readmitted(PLAINTIFF)
    assert [(m["state"], m["muted"]) for m in published] == [
        ("absent", True),
        ("removed", True),
        ("absent", True),
    ]
    assert presence.state("participant-1") == "absent"
    assert presence.state("participant-9") == "absent"
