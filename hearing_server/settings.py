"""Settings of the hearing server: one pydantic-settings class, ``TINGSHEN_`` prefix.

Built by the caller and passed into ``create_app(settings)``; nothing here is read at import time.
A production deployment must set ``TINGSHEN_SECRET_KEY``; in development a random key is generated
once per data directory and kept in ``<data_dir>/secret.key`` (mode 0600). The same holds for
``TINGSHEN_LINK_KEY`` (``<data_dir>/link.key``), which signs invitation and signing links, and for
``TINGSHEN_CA_PASSPHRASE``, ``TINGSHEN_TSA_PASSPHRASE`` and ``TINGSHEN_SEAL_PASSPHRASE``, which
unlock the court CA's keys (:mod:`hearing_server.key_passphrases`). Rotating any of them:
``tingshen keys`` (:mod:`hearing_server.keys_cli`).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hearing_server.errors import ConfigurationError
from hearing_server.origins import site_origin

logger = logging.getLogger(__name__)

SECRET_FILE_NAME = "secret.key"
LINK_KEY_FILE_NAME = "link.key"
MIN_SECRET_KEY_CHARS = 32
# Values that look like someone copied an example; refused in production.
_PLACEHOLDER_SECRETS = frozenset({"changeme", "change-me", "secret", "dev", "development"})


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TINGSHEN_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    data_dir: Path = Path(".data")
    database_url: str | None = None
    side_services: list[str] = Field(
        default=["dossier", "fees", "delivery", "addresses", "portal", "ledger"],
        description="side services this process runs (by package name; "
        "``tingshen_platform.services``), e.g. TINGSHEN_SIDE_SERVICES='[\"dossier\"]'; [] for none",
    )
    secret_key: str | None = Field(default=None, repr=False)
    link_key: SecretStr | None = Field(
        default=None,
        description="signs invitation and signing links (at least 32 characters in production); "
        "development keeps one in <data_dir>/link.key; unset with a secret key set or an older "
        "data dir: the secret key, until rotated",
    )
    party_links_key: SecretStr | None = Field(
        default=None,
        description="shared with the party portal alone: signs its requests for a party's hearing "
        "links (POST /api/service/party-links) and names the party it asks for (the per-caller "
        "rate); unset: that route refuses everything (503); in production a placeholder or a key "
        "shorter than 32 characters is refused as unset",
    )
    session_ttl_minutes: int = Field(default=12 * 60, gt=0)
    invitation_ttl_hours: int = Field(default=7 * 24, gt=0)
    login_rate_limit: int = Field(default=5, gt=0, description="attempts per minute per user+IP")
    code_resend_seconds: int = Field(
        default=60, ge=0, description="minimum interval between one-time codes of one invitation"
    )
    model: str = "base"
    ice_host_addresses: list[str] = Field(default_factory=lambda: ["127.0.0.1"])
    stun_urls: list[str] = Field(default_factory=list)
    turn_urls: list[str] = Field(default_factory=list)
    public_base_url: str = "http://127.0.0.1:8000"
    allowed_origins: list[str] = Field(
        default_factory=list,
        description="origins (https://host[:port]) besides that of public_base_url whose pages "
        "may send state-changing requests and open WebSockets (hearing_server/origins.py); "
        "development also allows the origin a request was addressed to",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="addresses or networks (10.0.0.5, 10.0.0.0/8) of reverse proxies whose "
        "X-Forwarded-For/-Proto name the client; from any other peer they are ignored (default: "
        "none, the peer is the client)",
    )
    asr_nice: int = Field(
        default=0,
        ge=0,
        le=19,
        description="run live recognition at this lower CPU priority than the media path (a Unix "
        "nice value; 0: equal). The recording does not need it (audio is placed by capture time; "
        "docs/benchmarks.md §12); it makes the transcript lag whenever other programs compete",
    )
    record_audio: bool = Field(
        default=True, description="record every speaker's audio (recordings/ under the data dir)"
    )
    recording_retention_days: int | None = Field(
        default=None,
        gt=0,
        description="delete a closed hearing's audio this many days after it was finalised (its "
        "manifest with digests and gaps is kept); unset: keep recordings",
    )
    broadcast_delay_s: int = Field(
        default=30, ge=2, le=600, description="public broadcast: default delay in seconds"
    )
    retranscribe_models: list[str] = Field(
        default_factory=lambda: ["base", "tiny.en"],
        description="models a closed hearing's recording may be re-transcribed with (names or "
        "local faster-whisper directories; never downloaded)",
    )
    retranscribe_cpu_threads: int = Field(
        default=1, ge=0, description="CPU threads of the re-transcription model (0: all cores)"
    )
    sign_link_ttl_days: int = Field(
        default=30,
        gt=0,
        description="days a signing link (sent with a signing request or reminder) works",
    )
    court_time_zone: str = Field(
        default="Asia/Shanghai",
        description="IANA time zone the court's records state times in (the transcript header)",
    )
    pdf_font: Path | None = Field(
        default=None,
        description="TrueType (.ttf/.ttc) CJK font for transcript PDFs; default: WenQuanYi Micro "
        "Hei from the paperang-p2-fonts-cjk package",
    )
    # Notices (hearing_server.notices). No SMTP host: e-mails are written as .eml files under
    # <data_dir>/mail for an operator to read. SMS "local": JSONL under <data_dir>/sms.
    notice_locale: Literal["zh-CN", "en"] = "zh-CN"
    notice_max_attempts: int = Field(default=5, gt=0)
    notice_retry_base_seconds: int = Field(default=30, gt=0)
    notice_retry_max_seconds: int = Field(default=3600, gt=0)
    notice_dispatch_interval_seconds: float = Field(default=5.0, gt=0)
    notice_dispatch_enabled: bool = Field(
        default=True, description="run the notice dispatcher inside the server process"
    )
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, gt=0, lt=65536)
    smtp_from: str = "Tingshen <noreply@localhost>"
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = Field(default=None, repr=False)
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    sms_provider: Literal["local", "http"] = "local"
    sms_gateway_url: str | None = None
    sms_gateway_secret: str | None = Field(default=None, repr=False)
    sms_timeout_seconds: float = Field(default=10.0, gt=0)
    # The court CA (hearing_server.court_pki): keys encrypted with the passphrase under ca_dir.
    signing_enabled: bool = Field(default=True, description="closing workflow with signatures")
    ca_dir: Path | None = Field(default=None, description="default: <data_dir>/ca")
    ca_passphrase: SecretStr | None = Field(
        default=None,
        description="unlocks the CA's root and issuing keys; required in production; "
        "development keeps one in <ca_dir>/passphrase",
    )
    tsa_passphrase: SecretStr | None = Field(
        default=None,
        description="unlocks the TSA key; required in production for a new CA; unset on a CA "
        "made before separate passphrases: the CA passphrase until rotated",
    )
    seal_passphrase: SecretStr | None = Field(
        default=None,
        description="unlocks the court seal key; as tsa_passphrase",
    )
    court_name: str = Field(
        default="听审法院", description="the court's name in the CA certificates (set at creation)"
    )
    tsa_policy_oid: str = Field(
        default="2.999.3161.1",
        pattern=r"^[0-2](\.(0|[1-9][0-9]*))+$",
        description="the court TSA's policy OID (register your own; the default is an example arc)",
    )
    signature_prepare_ttl_minutes: int = Field(default=30, gt=0)
    tsa_rate_per_minute: int = Field(
        default=60,
        gt=0,
        description="POST /tsa: timestamp requests per minute per client address (each process)",
    )
    tsa_burst: int = Field(
        default=20, gt=0, description="POST /tsa: requests a client may send at once"
    )
    tsa_max_concurrent: int = Field(
        default=4,
        gt=0,
        description="POST /tsa: requests answered at once (all clients); more get 503",
    )
    # Per-caller API request rate (hearing_server/request_rate.py).
    api_requests_per_second: float | None = Field(
        default=None,
        gt=0,
        description="API requests per second per caller (session, else address), sustained; "
        "unset: 10 in production, no limit in development",
    )
    api_request_burst: int = Field(
        default=60,
        gt=0,
        description="API requests a caller may send at once before the rate applies",
    )
    # Per-socket limits (hearing_server/socket_limits.py) and revocation (revocation.py).
    ws_max_message_kib: int = Field(
        default=600, gt=0, le=16 * 1024, description="largest WebSocket message a client may send"
    )
    ws_messages_per_second: float = Field(
        default=30.0, gt=0, description="messages a socket may send per second, sustained"
    )
    ws_message_burst: int = Field(
        default=200, gt=0, description="messages a socket may send at once before the rate applies"
    )
    ws_session_check_seconds: float = Field(
        default=5.0,
        gt=0,
        description="how often open sockets are checked for expired sessions (closed with 4401)",
    )
    # Several server processes (docs/architecture.md): they share the database and meet on Redis.
    redis_url: str | None = Field(
        default=None,
        description="Redis for fan-out between server processes (redis://127.0.0.1:6379/0); "
        "unset: one process, fan-out in memory",
    )
    bus_prefix: str = Field(
        default="tingshen:", min_length=1, description="channel prefix of this deployment"
    )
    node_name: str = Field(
        default="",
        pattern=r"^[A-Za-z0-9_-]{0,32}$",
        description="this process's name in a cluster (the proxy routes a hearing's media to "
        "its owner by it); default: the host name and process id",
    )
    # Memory bounds (issue 14): hearing_server.body_limit, hearing_server.transcript.revdiff.
    body_limit_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="the largest request body (JSON); larger ones are answered 413 before they "
        "are read. Uploads have their own limit (evidence files 20 MB, the PDF to verify 50 MB)",
    )
    revision_budget_bytes: int = Field(
        default=8 * 1024 * 1024,
        ge=0,
        description="the most bytes of edit detail (the changed text of each revision) kept per "
        "hearing; beyond it a revision records who, when, which segment and the lengths, not the "
        "text (the transcript itself is never affected)",
    )

    def effective_database_url(self) -> str:
        """The configured URL, or the embedded SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'tingshen.sqlite3').resolve()}"

    @field_validator("court_time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            message = f"unknown time zone {value!r} (an IANA name such as Asia/Shanghai)"
            raise ValueError(message) from None
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, values: list[str]) -> list[str]:
        return [site_origin(value) for value in values]

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_addresses(cls, values: list[str]) -> list[str]:
        """Addresses and networks only (a name or ``*`` would trust what a client says),
        written as uvicorn's ``ProxyHeadersMiddleware`` matches them."""
        out = []
        for value in values:
            try:
                if "/" in value:
                    out.append(str(ipaddress.ip_network(value.strip(), strict=False)))
                else:
                    out.append(str(ipaddress.ip_address(value.strip())))
            except ValueError:
                message = f"{value!r} is not an IP address or network (10.0.0.5, 10.0.0.0/8)"
                raise ValueError(message) from None
        return out

    @property
    def court_zone(self) -> ZoneInfo:
        return ZoneInfo(self.court_time_zone)

    @property
    def api_rate_per_second(self) -> float | None:
        """The per-caller API rate in force: the setting, else 10/s in production only."""
        if self.api_requests_per_second is not None:
            return self.api_requests_per_second
        return 10.0 if self.environment == "production" else None

    @property
    def secure_cookies(self) -> bool:
        return self.environment == "production"


def resolve_secret_key(settings: Settings) -> bytes:
    """The HMAC key; refuses to run production on a missing or default secret."""
    if settings.secret_key is not None:
        return _production_checked(
            settings,
            "TINGSHEN_SECRET_KEY",
            settings.secret_key,
            "; refusing to start in production",
        )
    if settings.environment == "production":
        raise ConfigurationError("TINGSHEN_SECRET_KEY must be set in production")
    return _development_secret(settings.data_dir)


def resolve_link_key(settings: Settings) -> bytes:
    """The key that MACs invitation and signing links (:mod:`hearing_server.security`).

    ``TINGSHEN_LINK_KEY``; else, in development, ``<data_dir>/link.key`` (made together with a new
    data dir's ``secret.key``); else the session secret: a deployment or data dir from before the
    two were separated keeps its links working until ``tingshen keys rotate-link-key``.
    """
    if settings.link_key is not None:
        return _production_checked(
            settings,
            "TINGSHEN_LINK_KEY",
            settings.link_key.get_secret_value(),
            "; refusing to start in production",
        )
    secret = resolve_secret_key(settings)  # in development: makes a new data dir's link.key too
    path = settings.data_dir / LINK_KEY_FILE_NAME
    if settings.environment == "development" and path.exists():
        return read_key_file(path)
    logger.warning(
        "links are signed with the session secret (TINGSHEN_LINK_KEY unset); "
        "separate them with: tingshen keys rotate-link-key"
    )
    return secret


def resolve_party_links_key(settings: Settings) -> bytes:
    """The key the party portal signs with (:mod:`hearing_server.party_links`);
    ``ConfigurationError`` while it is unset or, in production, a placeholder or shorter than
    32 characters (the route answers 503; the rest of the server runs without it)."""
    if settings.party_links_key is None:
        raise ConfigurationError("party links are not configured (TINGSHEN_PARTY_LINKS_KEY)")
    return _production_checked(
        settings, "TINGSHEN_PARTY_LINKS_KEY", settings.party_links_key.get_secret_value()
    )


def _production_checked(settings: Settings, name: str, key: str, consequence: str = "") -> bytes:
    """``key`` as bytes; in production, ``ConfigurationError`` for a placeholder or a key shorter
    than :data:`MIN_SECRET_KEY_CHARS` (``name``: its variable; ``consequence`` ends the message)."""
    if settings.environment == "production" and (
        key.lower() in _PLACEHOLDER_SECRETS or len(key) < MIN_SECRET_KEY_CHARS
    ):
        raise ConfigurationError(
            f"{name} is a placeholder or shorter than {MIN_SECRET_KEY_CHARS} characters"
            + consequence
        )
    return key.encode("utf-8")


def read_key_file(path: Path) -> bytes:
    return path.read_text(encoding="ascii").strip().encode("ascii")


def write_key_file(path: Path, value: str) -> None:
    """Write ``value`` to ``path`` (0600, fsync'd), replacing it atomically if it exists."""
    temporary = path.with_name(f".{path.name}.new")
    temporary.unlink(missing_ok=True)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _development_secret(data_dir: Path) -> bytes:
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = data_dir / SECRET_FILE_NAME
    if not path.exists():
        # A new data dir: its links get their own key from the start, written *before* the secret
        # (a process that finds the secret finds the link key too). An older data dir (a secret
        # without a link key) signs links with the secret until rotated: links sent keep working.
        _write_once(data_dir / LINK_KEY_FILE_NAME, secrets.token_urlsafe(48))
    _write_once(path, secrets.token_urlsafe(48))
    return read_key_file(path)


def _write_once(path: Path, value: str) -> None:
    """Create ``path`` (0600) with ``value``, fsync'd; an existing file is left as it is."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value)
        handle.flush()
        os.fsync(handle.fileno())
