"""``tingshen verify``: exit codes 0 / 1 / 2, the readable report, JSON, recordings from files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from typer.testing import CliRunner

from hearing_server.cli import app
from signing.appearance import SignatureAppearance
from signing.binding import RecordingDigest
from signing.pades import sign_with_key
from signing.pades_document import SignerSlot, prepare_document
from tests.signing.conftest import SignedTranscript

runner = CliRunner()


@pytest.fixture
def files(tmp_path: Path, signed_transcript: SignedTranscript) -> dict[str, Path]:
    signed = tmp_path / "笔录.pdf"
    signed.write_bytes(signed_transcript.signed)
    tampered = tmp_path / "tampered.pdf"
    data = bytearray(signed_transcript.signed)
    position = data.index(b"stream\n") + 30
    data[position] ^= 1
    tampered.write_bytes(bytes(data))
    root = tmp_path / "root.pem"
    root.write_bytes(signed_transcript.ca.root.public_bytes(Encoding.PEM))
    return {"signed": signed, "tampered": tampered, "root": root, "dir": tmp_path}


def test_valid_file_exits_0_and_lists_signers(files: dict[str, Path]) -> None:
    result = runner.invoke(app, ["verify", str(files["signed"]), "--root", str(files["root"])])
    assert result.exit_code == 0, result.output
    for text in ("VALID", "张三", "原告", "审判长", "sig-seal", "Tingshen TSA", "version 7"):
        assert text in result.output


def test_tampered_file_exits_1_and_names_the_reason(files: dict[str, Path]) -> None:
    result = runner.invoke(app, ["verify", str(files["tampered"]), "--root", str(files["root"])])
    assert result.exit_code == 1, result.output
    assert "INVALID" in result.output and "bytes_altered" in result.output


def test_json_output(files: dict[str, Path]) -> None:
    result = runner.invoke(
        app, ["verify", str(files["signed"]), "--root", str(files["root"]), "--json"]
    )
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert report["valid"] is True and len(report["signers"]) == 5 and report["problems"] == []


def test_ca_dir_from_environment(files: dict[str, Path]) -> None:
    result = runner.invoke(
        app, ["verify", str(files["signed"])], env={"TINGSHEN_CA_DIR": str(files["dir"])}
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "arguments",
    [
        ["verify", "missing.pdf", "--root", "ROOT"],  # no such file
        ["verify", "SIGNED"],  # no trust root at all
        ["verify", "SIGNED", "--root", "SIGNED"],  # not a certificate
        ["verify", "SIGNED", "--root", "ROOT", "--recording", "x=/nonexistent.flac"],
    ],
)
def test_usage_errors_exit_2(
    files: dict[str, Path], arguments: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TINGSHEN_CA_DIR", raising=False)
    names = {"SIGNED": str(files["signed"]), "ROOT": str(files["root"])}
    result = runner.invoke(app, [names.get(a, a) for a in arguments])
    assert result.exit_code == 2, result.output


def test_recordings_are_hashed_and_compared(
    tmp_path: Path, files: dict[str, Path], signed_transcript: SignedTranscript
) -> None:
    state = signed_transcript
    audio = tmp_path / "mixed.flac"
    audio.write_bytes(b"fLaC not really audio, but bytes to hash")
    digest = hashlib.sha256(audio.read_bytes()).hexdigest()
    document = prepare_document(
        state.transcript, hearing_id="h-1", case_number="c-1", transcript_version=1,
        recordings=[RecordingDigest("hearing-mixed.flac", digest, 1000)],
        slots=[SignerSlot("sig-seal", "法院印章", seal=True)], font=state.font,
    )  # fmt: skip
    sealed = sign_with_key(
        document, "sig-seal", state.ca.seal_cert, state.ca.seal_key, state.ca.chain,
        SignatureAppearance(state.ca.court_name, "法院印章"), state.timestamper,
        font=state.font, now=state.clock.now,
    )  # fmt: skip
    pdf = tmp_path / "sealed.pdf"
    pdf.write_bytes(sealed)
    base = ["verify", str(pdf), "--root", str(files["root"]), "--recording"]
    good = runner.invoke(app, [*base, f"hearing-mixed.flac={audio}"])
    assert good.exit_code == 0, good.output
    audio.write_bytes(b"edited audio")
    bad = runner.invoke(app, [*base, f"hearing-mixed.flac={audio}"])
    assert bad.exit_code == 1 and "recording_mismatch" in bad.output


def test_the_readme_form_checks_the_given_recording_and_leaves_the_others_unchecked(
    tmp_path: Path, files: dict[str, Path], signed_transcript: SignedTranscript
) -> None:
    """``--recording mix=mix.flac`` for a record binding three recordings: the mix is checked,
    the two not given are "not checked", not "differ", and the record is valid (issue 13)."""
    state = signed_transcript
    mix = tmp_path / "mix.flac"
    mix.write_bytes(b"fLaC the mixed hearing audio")
    bound = [
        RecordingDigest("mix", hashlib.sha256(mix.read_bytes()).hexdigest(), 9000),
        RecordingDigest("participant-1", "ab" * 32, 9000),
        RecordingDigest("participant-2", "cd" * 32, 9000),
    ]
    document = prepare_document(
        state.transcript, hearing_id="h-1", case_number="c-1", transcript_version=1,
        recordings=bound, slots=[SignerSlot("sig-seal", "法院印章", seal=True)], font=state.font,
    )  # fmt: skip
    sealed = sign_with_key(
        document, "sig-seal", state.ca.seal_cert, state.ca.seal_key, state.ca.chain,
        SignatureAppearance(state.ca.court_name, "法院印章"), state.timestamper,
        font=state.font, now=state.clock.now,
    )  # fmt: skip
    pdf = tmp_path / "sealed.pdf"
    pdf.write_bytes(sealed)
    base = ["verify", str(pdf), "--root", str(files["root"]), "--recording", f"mix={mix}"]

    result = runner.invoke(app, base)
    assert result.exit_code == 0, result.output
    assert "VALID" in result.output and "INVALID" not in result.output
    assert "recording_mismatch" not in result.output and "DIFFERS" not in result.output
    lines = {line.split()[1]: line for line in result.output.splitlines() if "recording " in line}
    assert "matches" in lines["mix"]
    assert "not checked" in lines["participant-1"] and "not checked" in lines["participant-2"]

    report = json.loads(runner.invoke(app, [*base, "--json"]).output)
    assert report["valid"] is True and report["problems"] == []
    assert {c["name"]: c["status"] for c in report["recording_checks"]} == {
        "mix": "matches", "participant-1": "not_checked", "participant-2": "not_checked",
    }  # fmt: skip

    mix.write_bytes(b"fLaC an edited mix")
    changed = runner.invoke(app, [*base, "--json"])
    assert changed.exit_code == 1
    report = json.loads(changed.output)
    assert [p["code"] for p in report["problems"]] == ["recording_mismatch"]
    assert "mix" in report["problems"][0]["message"]
    assert "participant" not in report["problems"][0]["message"]
    assert {c["name"]: c["status"] for c in report["recording_checks"]} == {
        "mix": "differs", "participant-1": "not_checked", "participant-2": "not_checked",
    }  # fmt: skip
