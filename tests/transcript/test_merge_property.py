"""Random interleavings of editors, ASR commits and reconnects converge without losing an edit.

A simulation of the collaboration protocol: each editor keeps a pycrdt document (as the browser
keeps a Yjs one) and an ordered socket to the server; the server is :class:`TranscriptActions`
(validate, apply, persist, then acknowledge and broadcast) on an in-memory store, and the ASR
commits utterances into it, extending a speaker's open segment while people edit it. Hypothesis
chooses who does what and when messages are delivered or lost (a dropped socket loses what was in
flight both ways). At the end everyone reconnects (``since`` = the last sequence number seen) and
the test checks that every document has the same segments and text as the server, that a fresh
load from the store alone gives the same, and that every token an editor inserted and the server
acknowledged is still there unless an editor deleted it.

pycrdt's text indices count UTF-8 bytes (Yjs in the browser counts UTF-16 units; the update
format is the same), so the simulated editors convert character positions to byte offsets.
"""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass, field
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pycrdt import Array, Doc, Map, Text

from hearing_server.transcript.actions import Author, TranscriptActions
from hearing_server.transcript.model import SpeakerRef
from hearing_server.transcript.policy import EditorRole
from tests.transcript.test_actions import ListStore

SPEAKERS = (SpeakerRef("participant-1", "plaintiff", "张三"), SpeakerRef("staff-1", "judge", "李"))


@dataclass
class Editor:
    author: Author
    doc: Doc[Any] = field(default_factory=Doc)
    connected: bool = True
    seq: int = 0
    outbox: dict[str, bytes] = field(default_factory=dict)
    """Edits made locally and not yet acknowledged (by message id): resent on reconnect."""
    inbox: list[dict[str, Any]] = field(default_factory=list)
    """Server messages in flight to this editor (a socket delivers in order)."""
    to_server: list[tuple[str, bytes]] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)
    """Message id → the token that edit inserted."""

    def segments(self) -> list[Map[Any]]:
        array: Array[Any] = self.doc.get("segments", type=Array)
        return [m for m in array if isinstance(m, Map)]

    def view(self) -> list[tuple[str, str]]:
        return [(str(m["id"]), str(m["text"])) for m in self.segments()]

    def receive(self, message: dict[str, Any]) -> None:
        self.doc.apply_update(base64.b64decode(message["update"]))
        self.seq = message["seq"]


@dataclass
class World:
    actions: TranscriptActions
    editors: list[Editor]
    acked: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    counter: int = 0

    def broadcast(self, message: dict[str, Any]) -> None:
        for editor in self.editors:
            if editor.connected:
                editor.inbox.append(message)

    async def deliver(self, editor: Editor) -> None:
        message_id, update = editor.to_server.pop(0)
        await self.actions.edit(editor.author, update)
        # Acknowledged: durable in the store. The ack travels back on the same socket.
        editor.outbox.pop(message_id, None)
        if message_id in editor.tokens:
            self.acked.add(editor.tokens[message_id])

    async def reconnect(self, editor: Editor) -> None:
        editor.connected, editor.inbox = True, []
        for item in await self.actions.missed(since=editor.seq):
            editor.receive(item.message())
        editor.to_server = list(editor.outbox.items())

    def edit(self, editor: Editor, segment_pick: int, position_pick: int, delete: bool) -> None:
        segments = editor.segments()
        if not segments:
            return
        text: Text = segments[segment_pick % len(segments)]["text"]
        current = str(text)
        state = editor.doc.get_state()
        self.counter += 1
        message_id = f"m{self.counter}"
        if delete:
            tokens = [part for part in current.split("|") if part.startswith("<")]
            if not tokens:
                return
            token = tokens[position_pick % len(tokens)]
            start = current.index(f"|{token}|")
            del text[
                len(current[:start].encode()) : len(current[:start].encode())
                + len(f"|{token}|".encode())
            ]
            self.deleted.add(token)
        else:
            token = f"<{editor.author.key}.{self.counter}>"
            # Between two tokens only ("…>||<…"), never after a token's opening bar: a token
            # inserted there would share that bar, and deleting either would break the other.
            cuts = [
                i
                for i in range(len(current) + 1)
                if i in (0, len(current)) or current[i - 1 : i + 1] == "||"
            ]
            at = cuts[position_pick % len(cuts)]
            text.insert(len(current[:at].encode()), f"|{token}|")
            editor.tokens[message_id] = token
        update = bytes(editor.doc.get_update(state))
        editor.outbox[message_id] = update
        if editor.connected:
            editor.to_server.append((message_id, update))


ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(
            ["edit", "edit", "delete", "asr", "asr_end", "deliver", "recv", "drop", "reconnect"]
        ),
        st.integers(0, 2),
        st.integers(0, 50),
        st.integers(0, 50),
    ),
    min_size=5,
    max_size=80,
)


async def simulate(actions: list[tuple[str, int, int, int]]) -> None:
    store = ListStore()
    editors = [Editor(Author(f"user-{i}", f"书记员{i}", EditorRole.CLERK)) for i in range(3)]
    world = World(await TranscriptActions.load(9, store, lambda m: world.broadcast(m)), editors)
    await world.actions.commit_asr(SPEAKERS[0], 0, 900, "开庭。")
    for editor in editors:
        seq, state = world.actions.snapshot()
        editor.doc.apply_update(state)
        editor.seq, editor.inbox = seq, []
    clock_ms = 1000
    for action, who, a, b in actions:
        editor = editors[who]
        if action in ("edit", "delete"):
            world.edit(editor, a, b, delete=action == "delete")
        elif action in ("asr", "asr_end"):
            clock_ms += 500
            await world.actions.commit_asr(
                SPEAKERS[a % 2],
                clock_ms,
                clock_ms + 400,
                f"第{clock_ms}句",
                end_of_utterance=action == "asr_end",
            )
        elif action == "deliver" and editor.connected and editor.to_server:
            await world.deliver(editor)
        elif action == "recv" and editor.connected and editor.inbox:
            editor.receive(editor.inbox.pop(0))
        elif action == "drop" and editor.connected:
            editor.connected = False  # what was in flight is lost both ways
            editor.to_server, editor.inbox = [], []
        elif action == "reconnect" and not editor.connected:
            await world.reconnect(editor)

    for editor in editors:  # quiesce: everyone reconnects and every socket drains
        editor.connected = False
        await world.reconnect(editor)
        while editor.to_server:
            await world.deliver(editor)
    for editor in editors:
        for message in editor.inbox:
            editor.receive(message)
        editor.inbox = []

    expected = [(s.id, s.text) for s in world.actions.doc.segments()]
    for editor in editors:
        assert editor.view() == expected
    reloaded = await TranscriptActions.load(9, store, lambda m: None)
    assert [(s.id, s.text) for s in reloaded.doc.segments()] == expected
    final = "".join(text for _, text in expected)
    lost = {t for t in world.acked if t not in final and t not in world.deleted}
    assert not lost


@settings(max_examples=150, deadline=None)
@given(actions=ACTIONS)
def test_random_interleavings_converge_and_keep_every_acknowledged_edit(
    actions: list[tuple[str, int, int, int]],
) -> None:
    asyncio.run(simulate(actions))
