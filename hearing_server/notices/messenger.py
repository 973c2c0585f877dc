"""The side services' :class:`~tingshen_platform.messaging.Messenger`: their SMS and e-mail go
out through the court's own providers (the settings' SMS gateway or local file, SMTP or
``.eml`` files), as the hearing server's notices do."""

from __future__ import annotations

from hearing_server.notices.email import EmailSender, OutgoingEmail
from hearing_server.notices.errors import DeliveryError
from hearing_server.notices.sms import OutgoingSms, SmsProvider
from hearing_server.notices.wiring import build_email_sender, build_sms_provider
from hearing_server.settings import Settings
from tingshen_platform.messaging import DeliveryFailed, OutboundMessage

__all__ = ["ProviderMessenger", "build_messenger"]


class ProviderMessenger:
    def __init__(self, sms: SmsProvider, email: EmailSender) -> None:
        self._sms = sms
        self._email = email

    def send(self, message: OutboundMessage) -> None:
        try:
            if message.channel == "sms":
                self._sms.send_sms(OutgoingSms(message.to, message.text, message.reference))
            else:
                self._email.send(
                    OutgoingEmail(
                        to=message.to,
                        subject=message.subject or "",
                        body=message.text,
                        reference=message.reference,
                    )
                )
        except DeliveryError as exc:
            raise DeliveryFailed(exc.message, permanent=exc.permanent) from exc


def build_messenger(settings: Settings) -> ProviderMessenger:
    return ProviderMessenger(build_sms_provider(settings), build_email_sender(settings))
