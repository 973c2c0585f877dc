"""Key rotation (``tingshen keys``): each CA key group has its own passphrase and rotating one
leaves the others' files alone; an older CA with one passphrase keeps working; rotating the link
key withdraws every outstanding link; rotating the session secret logs everyone out."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from hearing_server.app import create_app
from hearing_server.cli import app as cli_app
from hearing_server.court_pki import CourtPki
from hearing_server.errors import ConfigurationError
from hearing_server.key_passphrases import ca_directory
from hearing_server.models import Invitation
from hearing_server.settings import Settings, resolve_link_key, resolve_secret_key
from signing.ca import CourtCA, read_key
from signing.errors import WrongPassphraseError
from tests.server.conftest import FakeClock, invite, login

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
KEY_FILES = ("root", "issuing", "tsa", "seal")
runner = CliRunner()


def clock() -> datetime:
    return NOW


@pytest.fixture(name="clock")
def real_time_clock() -> FakeClock:
    """The server's clock at the real time: the command (another process) uses the real time."""
    return FakeClock(datetime.now(UTC))


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in directory.iterdir() if p.is_file()}


def _invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(cli_app, list(args))
    return result.exit_code, result.output


def test_rotating_one_passphrase_rewrites_that_key_only(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    before_pki = CourtPki.open(settings, clock=clock)
    directory = ca_directory(settings)
    passphrases = {g: (directory / f).read_bytes() for g, f in
                   (("ca", "passphrase"), ("tsa", "tsa.passphrase"), ("seal", "seal.passphrase"))}  # fmt: skip
    assert len(set(passphrases.values())) == 3  # a new CA: three different passphrases
    before = _snapshot(directory)

    code, output = _invoke(
        "keys", "rotate-passphrase", "--which", "tsa", "--data-dir", str(tmp_path)
    )
    assert code == 0, output
    after = _snapshot(directory)
    changed = {name for name in before if before[name] != after.get(name)}
    assert changed == {"tsa.key.pem", "tsa.passphrase"}
    assert set(after) == set(before)  # no temporary file left behind
    assert (directory / "tsa.key.pem").stat().st_mode & 0o777 == 0o600
    with pytest.raises(WrongPassphraseError):
        read_key(directory / "tsa.key.pem", passphrases["tsa"].strip())
    new_passphrase = after["tsa.passphrase"].decode().strip()
    assert new_passphrase not in output  # never printed
    again = CourtPki.open(settings, clock=clock)
    assert again.ca.tsa_key.public_key() == before_pki.ca.tsa_key.public_key()  # same key
    code, output = _invoke("audit", "verify", "--data-dir", str(tmp_path))
    assert code == 0 and "1 row(s)" in output  # the rotation is in the audit trail


def test_an_older_ca_with_one_passphrase_migrates_group_by_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    old = "the-one-old-passphrase"
    CourtCA.create(tmp_path / "ca", old.encode(), "听审法院", now=NOW)

    def production(**passphrases: object) -> Settings:
        base = {"environment": "production", "secret_key": "s" * 48, "data_dir": tmp_path}
        return Settings.model_validate({**base, **passphrases})

    with caplog.at_level(logging.WARNING):
        CourtPki.open(production(ca_passphrase=old), clock=clock)
    assert "TINGSHEN_SEAL_PASSPHRASE is unset" in caplog.text  # works, and says what to do
    with pytest.raises(ConfigurationError, match="TINGSHEN_TSA_PASSPHRASE"):
        CourtPki.open(  # a new CA in production needs all three
            production(ca_dir=tmp_path / "new", ca_passphrase=old), clock=clock
        )

    for name, value in (("ENVIRONMENT", "production"), ("SECRET_KEY", "s" * 48)):
        monkeypatch.setenv(f"TINGSHEN_{name}", value)
    monkeypatch.setenv("TINGSHEN_CA_PASSPHRASE", "a-wrong-passphrase")
    monkeypatch.setenv("TINGSHEN_SEAL_PASSPHRASE", old)
    monkeypatch.setenv("TINGSHEN_NEW_PASSPHRASE", "the-new-seal-passphrase")
    before = _snapshot(tmp_path / "ca")
    code, _ = _invoke("keys", "rotate-passphrase", "--which", "ca", "--data-dir", str(tmp_path))
    assert code != 0 and _snapshot(tmp_path / "ca") == before  # a wrong passphrase changes nothing

    monkeypatch.setenv("TINGSHEN_CA_PASSPHRASE", old)
    code, output = _invoke(
        "keys", "rotate-passphrase", "--which", "seal", "--data-dir", str(tmp_path)
    )
    assert code == 0, output
    assert "Set TINGSHEN_SEAL_PASSPHRASE" in output and "the-new-seal-passphrase" not in output
    changed = {n for n, data in _snapshot(tmp_path / "ca").items() if before[n] != data}
    assert changed == {"seal.key.pem"}
    with pytest.raises(ConfigurationError, match="TINGSHEN_SEAL_PASSPHRASE"):
        CourtPki.open(production(ca_passphrase=old), clock=clock)
    with pytest.raises(ConfigurationError, match="does not open with TINGSHEN_SEAL_PASSPHRASE"):
        CourtPki.open(production(ca_passphrase=old, seal_passphrase=old), clock=clock)
    CourtPki.open(
        production(ca_passphrase=old, seal_passphrase="the-new-seal-passphrase"),
        clock=clock,
    )

    # The CA's own passphrase next: the TSA key, still on it, must be told to keep the old one.
    monkeypatch.setenv("TINGSHEN_SEAL_PASSPHRASE", "the-new-seal-passphrase")
    monkeypatch.setenv("TINGSHEN_NEW_PASSPHRASE", "the-new-ca-passphrase")
    code, output = _invoke(
        "keys", "rotate-passphrase", "--which", "ca", "--data-dir", str(tmp_path)
    )
    assert code == 0, output
    assert "set TINGSHEN_TSA_PASSPHRASE to it" in output
    CourtPki.open(
        production(
            ca_passphrase="the-new-ca-passphrase",
            tsa_passphrase=old,
            seal_passphrase="the-new-seal-passphrase",
        ),
        clock=clock,
    )


def test_a_new_data_dir_separates_the_link_key_and_an_older_one_keeps_its_links(
    tmp_path: Path,
) -> None:
    fresh = Settings(data_dir=tmp_path / "fresh")
    assert resolve_link_key(fresh) != resolve_secret_key(fresh)
    older = tmp_path / "older"
    older.mkdir()
    (older / "secret.key").write_text("an-older-data-dirs-secret-key-of-enough-length")
    settings = Settings(data_dir=older)
    secret = resolve_secret_key(settings)
    assert resolve_link_key(settings) == secret  # links sent before the split keep working
    code, output = _invoke("keys", "rotate-session-secret", "--yes", "--data-dir", str(older))
    assert code == 0, output
    assert resolve_secret_key(settings) != secret
    assert resolve_link_key(settings) == secret  # …and after the session secret is rotated


def test_rotating_the_link_key_withdraws_links_and_the_secret_logs_everyone_out(
    app, settings, make_client, world, monkeypatch, fast_passwords, code_sender, streams, clock
) -> None:
    monkeypatch.setenv("TINGSHEN_DATABASE_URL", settings.effective_database_url())
    clerk = make_client()
    login(clerk, "clerk_a")
    token = invite(clerk, world.plaintiff_a)
    assert make_client().get(f"/api/join/{token}").status_code == 200
    data_dir = str(settings.data_dir)

    code, output = _invoke("keys", "rotate-link-key", "--yes", "--data-dir", data_dir)
    assert code == 0, output
    assert "Withdrew 1 outstanding link(s): 1 join, 0 signing, in 1 hearing(s)" in output
    with app.state.services.context.session_factory() as session:
        revoked = session.scalars(select(Invitation.revoked_at)).all()
    assert revoked and all(at is not None for at in revoked)
    assert clerk.get("/api/auth/me").status_code == 200  # staff stay logged in

    restarted = create_app(
        settings,
        clock=clock,
        passwords=fast_passwords,
        code_sender=code_sender,
        stream_factory=streams,
    )
    try:
        with TestClient(restarted) as browser:
            assert browser.get(f"/api/join/{token}").status_code == 401  # the old key is gone
            login(browser, "clerk_a")
            fresh = invite(browser, world.plaintiff_a)
            assert browser.get(f"/api/join/{fresh}").status_code == 200

            code, output = _invoke("keys", "rotate-session-secret", "--yes", "--data-dir", data_dir)
            assert code == 0, output
            assert "Everyone is logged out: 2 staff" in output
            assert browser.get("/api/auth/me").status_code == 401  # at once, before a restart
            assert clerk.get("/api/auth/me").status_code == 401
    finally:
        restarted.state.services.context.engine.dispose()
