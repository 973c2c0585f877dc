"""Hearing notices: rendering, e-mail (SMTP), SMS providers, the outbox and its dispatcher.

Modules::

    render      pure: the text of each notice (zh-CN default, English), times shown in Asia/Shanghai
    errors      DeliveryError (retryable or permanent), the only error a channel raises
    email       EmailSender protocol, SmtpEmailSender (smtplib in a worker thread), FileEmailSender
    sms         SmsProvider protocol, HttpGatewaySmsProvider (HMAC-signed JSON), LocalSmsProvider
    outbox      enqueue (inside the scheduling transaction), list for the clerk, retry
    dispatcher  NoticeDispatcher.dispatch_due(now): due notices become jobs of the platform's
                queue (tingshen_platform.jobs: lease, back-off, dead); sent/failed on the row
    wiring      build_* functions the app factory calls with its settings

This package does not import itself at package level, so ``hearing_server.notify`` may import
``hearing_server.notices.sms`` without a cycle through ``hearing_server.context``.
"""
