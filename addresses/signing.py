"""Signed requests between the court and another agency's address service, and signed answers.

Each connector shares a secret key with the agency (a file the agency issues, ``<keys
dir>/<connector>.key``). A request carries::

    X-Court-Key-Id: <the court's client id>
    X-Court-Timestamp: <Unix seconds>
    X-Court-Nonce: <32 hex digits, never reused>
    X-Court-Signature: base64(HMAC-SHA256(key,
                       "POST\n<path>\n<timestamp>\n<nonce>\n<sha256(body)>"))

The agency refuses a missing or wrong signature, a timestamp outside its window and a nonce it
has seen (a replay). Its answer carries ``X-Agency-Signature``: the same HMAC over
``"ANSWER\n<request nonce>\n<sha256(body)>"``, so an answer that was not the agency's (or not
to this request) is refused by the court as garbage.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping

__all__ = [
    "ANSWER_SIGNATURE",
    "KEY_ID",
    "NONCE",
    "SIGNATURE",
    "TIMESTAMP",
    "SignatureError",
    "answer_signature",
    "sign_request",
    "verify_answer",
    "verify_request",
]

KEY_ID = "X-Court-Key-Id"
TIMESTAMP = "X-Court-Timestamp"
NONCE = "X-Court-Nonce"
SIGNATURE = "X-Court-Signature"
ANSWER_SIGNATURE = "X-Agency-Signature"


class SignatureError(ValueError):
    """Why a request or answer is refused (``str``: a short reason, no secrets)."""


def _mac(key: bytes, text: str) -> str:
    return base64.b64encode(hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()).decode()


def _request_text(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    digest = hashlib.sha256(body).hexdigest()
    return f"{method.upper()}\n{path}\n{timestamp}\n{nonce}\n{digest}"


def sign_request(key: bytes, key_id: str, path: str, body: bytes, now_s: float) -> dict[str, str]:
    timestamp = str(int(now_s))
    nonce = secrets.token_hex(16)
    return {
        KEY_ID: key_id,
        TIMESTAMP: timestamp,
        NONCE: nonce,
        SIGNATURE: _mac(key, _request_text("POST", path, timestamp, nonce, body)),
    }


def verify_request(
    keys: Mapping[str, bytes],
    headers: Mapping[str, str],
    path: str,
    body: bytes,
    now_s: float,
    window_s: int,
) -> tuple[str, str]:
    """``(key id, nonce)`` of a well-signed, timely request; else :class:`SignatureError`. The
    caller refuses a nonce it has already seen."""
    key_id, timestamp = headers.get(KEY_ID, ""), headers.get(TIMESTAMP, "")
    nonce, signature = headers.get(NONCE, ""), headers.get(SIGNATURE, "")
    key = keys.get(key_id)
    if key is None:
        raise SignatureError("unknown key id")
    if not timestamp.isdigit() or abs(int(timestamp) - now_s) > window_s:
        raise SignatureError("timestamp outside the window")
    if len(nonce) != 32:
        raise SignatureError("bad nonce")
    expected = _mac(key, _request_text("POST", path, timestamp, nonce, body))
    if not hmac.compare_digest(expected, signature):
        raise SignatureError("bad signature")
    return key_id, nonce


def answer_signature(key: bytes, nonce: str, body: bytes) -> str:
    return _mac(key, f"ANSWER\n{nonce}\n{hashlib.sha256(body).hexdigest()}")


def verify_answer(key: bytes, nonce: str, body: bytes, signature: str | None) -> None:
    if not signature or not hmac.compare_digest(answer_signature(key, nonce, body), signature):
        raise SignatureError("the answer is not signed by the agency")
