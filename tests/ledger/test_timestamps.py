"""RFC 3161 timestamps of checkpoints by the court's own TSA (``signing.tsa``, in-process): a
token verifies for its checkpoint and names another checkpoint, an untrusted TSA, a malformed
token; tokens are append-only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text

from ledger.store import checkpoint_at
from ledger.timestamps import (
    TimestampError,
    stamp_checkpoint,
    stored_timestamp,
    verify_timestamp,
)
from ledger.writer import LogWriter
from signing.ca import CourtCA
from signing.tsa import InProcessTimeStamper, MemorySerialSource, TimeStampAuthority
from tests.ledger.conftest import LOG_KEY, ORIGIN, T0, make_entry

PASSPHRASE = b"test passphrase, not for production"


def authority(directory: Path) -> tuple[CourtCA, InProcessTimeStamper]:
    ca = CourtCA.create(directory, PASSPHRASE, "中原市中级人民法院", now=T0 - dt.timedelta(days=1))
    tsa = TimeStampAuthority(ca.tsa_cert, ca.tsa_key, ca.chain, MemorySerialSource(), lambda: T0)
    return ca, InProcessTimeStamper(tsa)


async def test_a_checkpoint_is_timestamped_and_the_token_checked(engine, tmp_path: Path):
    ca, stamper = authority(tmp_path / "ca")
    w = LogWriter(engine, LOG_KEY, ORIGIN, checkpoint_every=2)
    w.append_many([make_entry(n=n) for n in range(4)])
    token = await stamp_checkpoint(engine, 2, stamper, T0)
    assert stored_timestamp(engine, 2) == token and stored_timestamp(engine, 4) is None
    with engine.connect() as connection:
        two, four = checkpoint_at(connection, 2), checkpoint_at(connection, 4)
    assert two is not None and four is not None
    moment = T0 + dt.timedelta(hours=1)
    assert await verify_timestamp(token, two.note.text, [ca.root], moment) == T0

    with pytest.raises(TimestampError) as other:
        await verify_timestamp(token, four.note.text, [ca.root], moment)
    assert other.value.reason == "timestamp.wrong_checkpoint"
    stranger, _ = authority(tmp_path / "other-ca")
    with pytest.raises(TimestampError) as untrusted:
        await verify_timestamp(token, two.note.text, [stranger.root], moment)
    assert untrusted.value.reason == "timestamp.untrusted"
    with pytest.raises(TimestampError) as malformed:
        await verify_timestamp(b"\x30\x03\x02\x01\x01", two.note.text, [ca.root], moment)
    assert malformed.value.reason == "timestamp.malformed"

    with pytest.raises(Exception, match="append-only"), engine.begin() as connection:
        connection.execute(text("DELETE FROM ledger_checkpoint_timestamps"))
