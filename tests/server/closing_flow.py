"""Helpers of the closing-workflow tests: a closed hearing with a bench, and a Python "browser".

The browser does what sign.js does with WebCrypto: a P-256 key that never leaves it, its SPKI sent
for a certificate, the ``to_be_signed`` bytes signed with ECDSA-SHA-256 and sent as IEEE P1363.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw

from hearing_server.context import ServerContext
from hearing_server.models import (
    CourtRole,
    Participant,
    RecordingFile,
    StaffUser,
)
from hearing_server.notify import RecordingCodeSender
from hearing_server.transcript.fanout import DocumentRooms
from hearing_server.transcript.model import SpeakerRef
from signing.primitives import der_to_p1363
from tests.server.conftest import START, World, invite, join_as, login

RECORDINGS = {"mix": "3f" * 32, "participant-1": "a1" * 32}


def handwriting() -> str:
    image = Image.new("RGBA", (320, 120), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(10, 90), (90, 20), (170, 80), (300, 15)], fill="#102060", width=5)
    out = io.BytesIO()
    image.save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


@dataclass
class Browser:
    """One signer's browser: an HTTP client with their session and a P-256 key."""

    client: TestClient
    hearing_id: int
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )

    @property
    def api(self) -> str:
        return f"/api/hearings/{self.hearing_id}/closing"

    def certificate(self) -> Any:
        spki = self.key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
        return self.client.post(
            f"{self.api}/certificate", json={"spki": base64.b64encode(spki).decode()}
        )

    def prepare(self) -> Any:
        return self.client.post(
            f"{self.api}/prepare", json={"handwriting_png": handwriting(), "confirm": True}
        )

    def finish(self, prepared: dict[str, Any]) -> Any:
        tbs = base64.b64decode(prepared["to_be_signed"])
        value = der_to_p1363(self.key.sign(tbs, ec.ECDSA(hashes.SHA256())))
        return self.client.post(
            f"{self.api}/finish",
            json={
                "request_id": prepared["request_id"],
                "signature": base64.b64encode(value).decode(),
            },
        )

    def sign(self) -> dict[str, Any]:
        certificate = self.certificate()
        assert certificate.status_code == 200, certificate.text
        prepared = self.prepare()
        assert prepared.status_code == 200, prepared.text
        finished = self.finish(prepared.json())
        assert finished.status_code == 200, finished.text
        body: dict[str, Any] = finished.json()
        return body


@dataclass
class Court:
    """The closed hearing of case A with its people, each with a logged-in client."""

    world: World
    judge: Browser
    clerk: Browser
    plaintiff: Browser
    defendant: Browser
    agent: Browser
    observer: Browser
    agent_id: int
    observer_id: int

    @property
    def api(self) -> str:
        return self.judge.api


def staff_id(ctx: ServerContext, username: str) -> int:
    with ctx.session_factory() as session:
        user = session.query(StaffUser).filter_by(username=username).one()
        return user.id


def closed_hearing(
    app: FastAPI,
    ctx: ServerContext,
    world: World,
    make_client: Callable[[], TestClient],
    sender: RecordingCodeSender,
) -> Court:
    """Hearing A with a bench (judge_a presiding, clerk_a), an agent and an observer, something
    said, recordings with digests, opened and closed by the clerk."""
    hid = world.hearing_a
    with ctx.session_factory() as session:
        extra = [
            Participant(hearing_id=hid, display_name="王律师", court_role=CourtRole.AGENT,
                        phone="13800000009"),
            Participant(hearing_id=hid, display_name="旁听人", court_role=CourtRole.OBSERVER,
                        phone="13800000010"),
            Participant(hearing_id=hid, display_name="审判长 judge_a",
                        court_role=CourtRole.PRESIDING_JUDGE,
                        staff_user_id=staff_id(ctx, "judge_a")),
            Participant(hearing_id=hid, display_name="书记员 clerk_a", court_role=CourtRole.CLERK,
                        staff_user_id=staff_id(ctx, "clerk_a")),
        ]  # fmt: skip
        session.add_all(extra)
        for name, digest in RECORDINGS.items():
            session.add(
                RecordingFile(
                    hearing_id=hid, name=name, participant_id=None, staff_user_id=None,
                    sha256=digest, size_bytes=1000, duration_ms=60_000,
                    origin_utc=START, finalized_at=START + timedelta(hours=1),
                )
            )  # fmt: skip
        session.commit()
        agent_id, observer_id = extra[0].id, extra[1].id
    clients = {name: make_client() for name in ("judge", "clerk")}
    login(clients["judge"], "judge_a")
    login(clients["clerk"], "clerk_a")
    for pid, name in (
        (world.plaintiff_a, "plaintiff"),
        (world.defendant_a, "defendant"),
        (agent_id, "agent"),
        (observer_id, "observer"),
    ):
        clients[name] = make_client()
        join_as(clients[name], invite(clients["clerk"], pid), sender, pid)
    clerk = clients["clerk"]
    assert clerk.post(f"/api/hearings/{hid}/open", json={}).status_code == 200
    rooms = app.state.services.documents
    assert isinstance(rooms, DocumentRooms)

    async def say() -> None:
        room = await rooms.get(hid)
        assert room.actions is not None
        speaker = SpeakerRef(f"participant-{world.plaintiff_a}", "plaintiff", "张伟")
        await room.actions.commit_asr(speaker, 1000, 4000, "我方要求被告归还借款五万元。")

    clerk.portal.call(say)  # type: ignore[union-attr]
    assert clerk.post(f"/api/hearings/{hid}/close", json={}).status_code == 200
    return Court(
        world,
        **{name: Browser(client, hid) for name, client in clients.items()},
        agent_id=agent_id,
        observer_id=observer_id,
    )
