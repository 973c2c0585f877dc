"""Security recipes and settings, without the app."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta

import pytest

from hearing_server.errors import ConfigurationError, GoneError, InvalidTokenError
from hearing_server.security import (
    InvitationClaims,
    LoginRateLimiter,
    code_hash,
    new_one_time_code,
    sign_invitation,
    verify_invitation,
)
from hearing_server.settings import Settings, resolve_secret_key
from tests.server.conftest import FakeClock
from tingshen_platform.counters import Counters
from tingshen_platform.db import make_engine, upgrade_platform

KEY = b"k" * 32
NOW = datetime(2026, 11, 28, tzinfo=UTC)


def _claims(expires_at: datetime = NOW + timedelta(hours=1)) -> InvitationClaims:
    return InvitationClaims(invitation_id=3, participant_id=5, hearing_id=7, expires_at=expires_at)


def test_invitation_round_trip():
    token = sign_invitation(KEY, _claims())
    assert verify_invitation(KEY, token, now=NOW) == _claims()


def test_invitation_from_another_key_or_altered_claims_is_invalid():
    token = sign_invitation(KEY, _claims())
    with pytest.raises(InvalidTokenError):
        verify_invitation(b"x" * 32, token, now=NOW)
    other_payload = sign_invitation(KEY, _claims(NOW + timedelta(days=9))).split(".")[0]
    with pytest.raises(InvalidTokenError):
        verify_invitation(KEY, f"{other_payload}.{token.split('.')[1]}", now=NOW)


def test_expired_invitation_raises_gone():
    token = sign_invitation(KEY, _claims())
    with pytest.raises(GoneError):
        verify_invitation(KEY, token, now=NOW + timedelta(hours=1))


def test_codes_are_six_digits_and_hashed_per_invitation():
    code = new_one_time_code()
    assert len(code) == 6 and code.isdigit()
    assert code_hash(KEY, invitation_id=1, code=code) != code_hash(KEY, invitation_id=2, code=code)


def test_rate_limiter_sliding_window_shared_by_processes(tmp_path):
    """Two processes (two limiters on one database) share one count; worked example of the
    sliding approximation, limit 2 per minute: budget = 2 - floor(previous × (1 - elapsed/60))."""
    engine = make_engine(f"sqlite:///{tmp_path / 'limits.db'}")
    upgrade_platform(engine)
    clock = FakeClock(NOW)  # on a minute boundary
    one, two = (
        LoginRateLimiter(Counters(engine, clock=clock), name="login", limit=2) for _ in range(2)
    )
    assert one.hit("a") and two.hit("a")  # 0 s: both count toward "a"
    assert not one.hit("a") and not two.hit("a")
    assert two.hit("b")
    clock.advance(timedelta(seconds=30))
    assert not one.hit("a")  # same window, still 2
    clock.advance(timedelta(seconds=31))  # 61 s: previous 2 × 59/60 → 1 left of 2
    assert two.hit("a")
    assert not one.hit("a")
    clock.advance(timedelta(seconds=59))  # 120 s: previous (61 s) 1 × 1 → 1 left
    assert one.hit("a")
    one.reset("a")  # a successful login clears the failures, for every process
    assert two.hit("a") and two.hit("a")
    engine.dispose()


def test_development_secret_is_generated_once_with_0600(tmp_path):
    settings = Settings(data_dir=tmp_path)
    key = resolve_secret_key(settings)
    assert len(key) >= 48
    assert resolve_secret_key(settings) == key
    mode = stat.S_IMODE((tmp_path / "secret.key").stat().st_mode)
    assert mode == 0o600


def test_production_refuses_missing_or_default_secret(tmp_path):
    with pytest.raises(ConfigurationError, match="must be set"):
        resolve_secret_key(Settings(data_dir=tmp_path, environment="production"))
    with pytest.raises(ConfigurationError, match="placeholder"):
        resolve_secret_key(
            Settings(data_dir=tmp_path, environment="production", secret_key="changeme")
        )
    good = "s" * 40
    assert (
        resolve_secret_key(Settings(data_dir=tmp_path, environment="production", secret_key=good))
        == good.encode()
    )
    assert not (tmp_path / "secret.key").exists()


def test_settings_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TINGSHEN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TINGSHEN_ICE_HOST_ADDRESSES", '["10.0.0.2"]')
    monkeypatch.setenv("TINGSHEN_LOGIN_RATE_LIMIT", "9")
    settings = Settings()
    assert settings.ice_host_addresses == ["10.0.0.2"]
    assert settings.login_rate_limit == 9
    assert settings.stun_urls == []
    assert settings.effective_database_url().startswith("sqlite:///")
    assert "secret_key" not in repr(Settings(secret_key="hidden-value"))


def test_create_app_refuses_production_without_secret(tmp_path):
    from hearing_server.app import create_app

    with pytest.raises(ConfigurationError):
        create_app(Settings(data_dir=tmp_path, environment="production"))
