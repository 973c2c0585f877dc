"""RFC 3161 timestamps of checkpoints (the project's TSA, :mod:`signing.tsa`, or any TSA behind a
pyHanko ``TimeStamper``): the token's message imprint is SHA-256 of the checkpoint's note text,
so whoever kept one old checkpoint and its token can show when that tree existed — a log
rewritten afterwards cannot produce a token from before.

Tokens are kept in ``ledger_checkpoint_timestamps`` (one per checkpoint, append-only).
:func:`verify_timestamp` validates a token with pyHanko against the trust roots given (the
court's CA) and names what fails: ``timestamp.wrong_checkpoint`` (another imprint),
``timestamp.untrusted`` (signature or chain), ``timestamp.malformed``.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from asn1crypto import cms  # type: ignore[import-untyped, unused-ignore]
from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped, unused-ignore]
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko.sign.validation.status import TimestampSignatureStatus
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import Engine, insert, select

from ledger.log.errors import LogError
from ledger.store import LedgerError, checkpoint_at
from ledger.tables import checkpoint_timestamps

__all__ = ["TimestampError", "stamp_checkpoint", "stored_timestamp", "verify_timestamp"]


class TimestampError(LogError):
    """A checkpoint's timestamp token does not hold."""


def _imprint(checkpoint_body: str) -> bytes:
    return hashlib.sha256(checkpoint_body.encode()).digest()


async def stamp_checkpoint(engine: Engine, size: int, stamper: TimeStamper, now: datetime) -> bytes:
    """Timestamp the stored checkpoint of ``size`` and keep the token (DER); returns it."""
    with engine.connect() as connection:
        stored = checkpoint_at(connection, size)
    if stored is None:
        raise LedgerError("checkpoint.unknown", f"no checkpoint of size {size}")
    token = await stamper.async_timestamp(_imprint(stored.note.text), "sha256")
    der = bytes(token.dump())
    with engine.begin() as connection:
        connection.execute(
            insert(checkpoint_timestamps).values(size=size, token=der, stamped_at=now)
        )
    return der


def stored_timestamp(engine: Engine, size: int) -> bytes | None:
    with engine.connect() as connection:
        token = connection.execute(
            select(checkpoint_timestamps.c.token).where(checkpoint_timestamps.c.size == size)
        ).scalar_one_or_none()
    return None if token is None else bytes(token)


async def verify_timestamp(
    token_der: bytes, checkpoint_body: str, trust_roots: list[x509.Certificate], moment: datetime
) -> datetime:
    """The time the TSA attests for this checkpoint's text; raises :class:`TimestampError`."""
    try:
        token = cms.ContentInfo.load(token_der)
        signed_data = token["content"]
        info = signed_data["encap_content_info"]["content"].parsed
        imprint = bytes(info["message_imprint"]["hashed_message"].native)
    except (ValueError, KeyError, TypeError) as exc:
        raise TimestampError("timestamp.malformed", str(exc)) from None
    if imprint != _imprint(checkpoint_body):
        raise TimestampError("timestamp.wrong_checkpoint", "the token is of another checkpoint")
    roots = [
        asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in trust_roots
    ]
    context = ValidationContext(trust_roots=roots, moment=moment)
    kwargs = await validate_tst_signed_data(signed_data, context, lambda _alg: imprint)
    status = TimestampSignatureStatus(**kwargs)
    if not (status.intact and status.valid and status.trusted):
        raise TimestampError("timestamp.untrusted", "the TSA's signature or chain does not hold")
    return status.timestamp
