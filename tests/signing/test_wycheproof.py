"""Every Wycheproof case for the primitives a court signature uses, through signing.primitives.

The vectors are read from ``TINGSHEN_VECTORS_DIR`` (default ``../shared/vectors`` beside the
repository) and never copied into it. A fresh clone outside this workspace has no such folder:
then these tests skip with that reason (``test_known_answers.py`` still runs, from PyPI's
``cryptography-vectors``); a ``TINGSHEN_VECTORS_DIR`` set to a folder that is not there fails.

``valid`` cases must verify, ``invalid`` ones must raise ``InvalidSignatureError`` (nothing else),
``acceptable`` ones may do either and are counted. Each file's case count is checked against its
``numberOfTests`` so no case is silently left out. The AES-GCM file beside them is not run:
nothing in the signing path encrypts, so the project has no AES-GCM wrapper to test.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from signing.errors import InvalidSignatureError
from signing.primitives import (
    ecdsa_p256_verify,
    ecdsa_p256_verify_p1363,
    ed25519_verify,
    hmac_sha256_verify,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_VECTORS_DIR = REPO_ROOT.parent / "shared" / "vectors"

Case = dict[str, Any]
Group = dict[str, Any]


def wycheproof_dir() -> Path:
    configured = os.environ.get("TINGSHEN_VECTORS_DIR")
    base = Path(configured).expanduser() if configured else DEFAULT_VECTORS_DIR
    folder = base / "wycheproof"
    if not folder.is_dir():
        if configured:
            pytest.fail(f"TINGSHEN_VECTORS_DIR={configured} has no wycheproof/ folder")
        pytest.skip(f"Wycheproof vectors not found at {folder} (set TINGSHEN_VECTORS_DIR)")
    return folder


def run_file(name: str, check: Callable[[Group, Case], None]) -> Counter[str]:
    """Run ``check`` on every case; return counts per result, fail listing every wrong case."""
    data = json.loads((wycheproof_dir() / name).read_text())
    counts: Counter[str] = Counter()
    wrong: list[str] = []
    for group in data["testGroups"]:
        for case in group["tests"]:
            result = case["result"]
            try:
                check(group, case)
                accepted = True
            except InvalidSignatureError:
                accepted = False
            counts[result] += 1
            if result == "acceptable":
                counts["acceptable_" + ("accepted" if accepted else "rejected")] += 1
            elif accepted != (result == "valid"):
                wrong.append(f"tcId {case['tcId']} ({result}, {case['comment']}, {case['flags']})")
    assert not wrong, f"{name}: {len(wrong)} wrong: " + "; ".join(wrong[:20])
    assert counts["valid"] + counts["invalid"] + counts["acceptable"] == data["numberOfTests"]
    return counts


def test_ed25519():
    def check(group: Group, case: Case) -> None:
        public_key = bytes.fromhex(group["publicKey"]["pk"])
        ed25519_verify(public_key, bytes.fromhex(case["msg"]), bytes.fromhex(case["sig"]))

    counts = run_file("ed25519_test.json", check)
    assert counts["valid"] > 0 and counts["invalid"] > 0


def test_ecdsa_p256_sha256_der():
    def check(group: Group, case: Case) -> None:
        public_key = bytes.fromhex(group["publicKeyDer"])
        assert group["sha"] == "SHA-256"
        ecdsa_p256_verify(public_key, bytes.fromhex(case["msg"]), bytes.fromhex(case["sig"]))

    counts = run_file("ecdsa_secp256r1_sha256_test.json", check)
    assert counts["valid"] > 0 and counts["invalid"] > 0


def test_ecdsa_p256_sha256_p1363_as_webcrypto_signs():
    def check(group: Group, case: Case) -> None:
        public_key = bytes.fromhex(group["publicKeyDer"])
        assert group["sha"] == "SHA-256"
        message, signature = bytes.fromhex(case["msg"]), bytes.fromhex(case["sig"])
        ecdsa_p256_verify_p1363(public_key, message, signature)

    counts = run_file("ecdsa_secp256r1_sha256_p1363_test.json", check)
    assert counts["valid"] > 0 and counts["invalid"] > 0


def test_p1363_cases_survive_conversion_to_der():
    """What the server embeds in CMS is p1363_to_der(browser signature): same verdicts."""
    from signing.primitives import p1363_to_der

    def check(group: Group, case: Case) -> None:
        public_key = bytes.fromhex(group["publicKeyDer"])
        der = p1363_to_der(bytes.fromhex(case["sig"]))
        ecdsa_p256_verify(public_key, bytes.fromhex(case["msg"]), der)

    run_file("ecdsa_secp256r1_sha256_p1363_test.json", check)


def test_hmac_sha256():
    def check(group: Group, case: Case) -> None:
        tag_length = group["tagSize"] // 8
        key, message, tag = (bytes.fromhex(case[k]) for k in ("key", "msg", "tag"))
        hmac_sha256_verify(key, message, tag, tag_length=tag_length)

    counts = run_file("hmac_sha256_test.json", check)
    assert counts["valid"] > 0 and counts["invalid"] > 0


def test_a_configured_but_missing_vectors_folder_fails(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    monkeypatch.setenv("TINGSHEN_VECTORS_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(pytest.fail.Exception, match="TINGSHEN_VECTORS_DIR"):
        wycheproof_dir()
