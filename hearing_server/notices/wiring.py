"""Build the notice machinery from settings (called by the app factory).

- :func:`build_sms_provider` — ``local`` (JSONL under ``<data_dir>/sms``) or ``http`` (gateway).
- :func:`build_email_sender` — SMTP when ``smtp_host`` is set, else ``.eml`` files under
  ``<data_dir>/mail``.
- :func:`build_code_sender` — the one-time code sender over the SMS provider.
- :func:`build_dispatcher` — the outbox dispatcher for a built :class:`ServerContext`.
- :func:`notice_dispatch_running` — async context manager for the app's lifespan: runs the
  dispatcher as a background task and stops it on exit.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from hearing_server.context import ServerContext
from hearing_server.errors import ConfigurationError
from hearing_server.notices.dispatcher import NoticeDispatcher, RetryPolicy, run_dispatcher
from hearing_server.notices.email import EmailSender, FileEmailSender, SmtpEmailSender
from hearing_server.notices.sms import HttpGatewaySmsProvider, LocalSmsProvider, SmsProvider
from hearing_server.notify import SmsCodeSender
from hearing_server.settings import Settings


def build_sms_provider(settings: Settings) -> SmsProvider:
    if settings.sms_provider == "local":
        return LocalSmsProvider(settings.data_dir / "sms")
    if not settings.sms_gateway_url or not settings.sms_gateway_secret:
        raise ConfigurationError(
            "TINGSHEN_SMS_PROVIDER=http needs TINGSHEN_SMS_GATEWAY_URL and "
            "TINGSHEN_SMS_GATEWAY_SECRET"
        )
    return HttpGatewaySmsProvider(
        url=settings.sms_gateway_url,
        secret=settings.sms_gateway_secret.encode("utf-8"),
        timeout_seconds=settings.sms_timeout_seconds,
    )


def build_email_sender(settings: Settings) -> EmailSender:
    if settings.smtp_host is None:
        return FileEmailSender(settings.data_dir / "mail", sender=settings.smtp_from)
    return SmtpEmailSender(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_from,
        starttls=settings.smtp_starttls,
        username=settings.smtp_username,
        password=settings.smtp_password,
        timeout_seconds=settings.smtp_timeout_seconds,
    )


def build_code_sender(settings: Settings, sms_provider: SmsProvider | None = None) -> SmsCodeSender:
    return SmsCodeSender(
        sms_provider or build_sms_provider(settings), locale=settings.notice_locale
    )


def retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=settings.notice_max_attempts,
        base_seconds=settings.notice_retry_base_seconds,
        max_seconds=settings.notice_retry_max_seconds,
    )


def build_dispatcher(
    ctx: ServerContext,
    *,
    email_sender: EmailSender | None = None,
    sms_provider: SmsProvider | None = None,
) -> NoticeDispatcher:
    settings = ctx.settings
    return NoticeDispatcher(
        session_factory=ctx.session_factory,
        email_sender=email_sender or build_email_sender(settings),
        sms_provider=sms_provider or build_sms_provider(settings),
        secret_key=ctx.link_key,
        public_base_url=settings.public_base_url,
        policy=retry_policy(settings),
    )


@asynccontextmanager
async def notice_dispatch_running(
    ctx: ServerContext, dispatcher: NoticeDispatcher
) -> AsyncIterator[None]:
    """Run ``dispatcher`` in the background while the block runs (no-op when disabled)."""
    if not ctx.settings.notice_dispatch_enabled:
        yield
        return
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_dispatcher(
            dispatcher,
            clock=ctx.clock,
            interval_seconds=ctx.settings.notice_dispatch_interval_seconds,
            stop=stop,
        ),
        name="notice-dispatcher",
    )
    try:
        yield
    finally:
        stop.set()
        await task
