"""A party's addresses for service and consent to electronic service (送达地址确认书): recorded by
the clerk from the party's signed confirmation (:func:`confirm_addresses`); the address of each
channel comes from it (:func:`address_for`), and electronic channels need the consent (民事诉讼法
第九十条: 经受送达人同意，人民法院可以采用能够确认其收悉的电子方式送达诉讼文书)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from delivery.audit import Actor, record
from delivery.context import DeliveryContext
from delivery.errors import ConflictError, InvalidInputError, NotFoundError
from delivery.states import ELECTRONIC
from delivery.tables import AddressConsent, DeliveryCase, DeliveryParty

__all__ = ["CHANNEL_NAMES", "Addresses", "address_for", "confirm_addresses", "party_of"]

CHANNEL_NAMES = {"sms": "短信", "email": "电子邮件", "post": "邮寄", "collect": "自取"}


@dataclass(frozen=True, slots=True)
class Addresses:
    electronic: bool
    phone: str | None
    email: str | None
    postal_address: str | None
    postal_recipient: str | None


def party_of(session: Session, case: DeliveryCase, party_ref: str) -> DeliveryParty:
    party = session.scalars(
        select(DeliveryParty).where(
            DeliveryParty.case_id == case.id, DeliveryParty.party_ref == party_ref
        )
    ).first()
    if party is None:
        raise NotFoundError("no such party in this case", "本案没有该当事人", reason="party")
    return party


def confirm_addresses(
    session: Session,
    ctx: DeliveryContext,
    case: DeliveryCase,
    party_ref: str,
    addresses: Addresses,
    actor: Actor,
) -> AddressConsent:
    party_of(session, case, party_ref)
    if addresses.electronic and not (addresses.phone or addresses.email):
        raise InvalidInputError(
            "consent to electronic service needs a mobile number or an e-mail address",
            "同意电子送达的，须确认手机号码或电子邮箱",
            reason="consent_address",
        )
    consent = session.scalars(
        select(AddressConsent).where(
            AddressConsent.case_id == case.id, AddressConsent.party_ref == party_ref
        )
    ).first()
    if consent is None:
        consent = AddressConsent(case_id=case.id, party_ref=party_ref)
        session.add(consent)
    consent.electronic = addresses.electronic
    consent.phone, consent.email = addresses.phone, addresses.email
    consent.postal_address = addresses.postal_address
    consent.postal_recipient = addresses.postal_recipient
    consent.confirmed_at, consent.confirmed_by = ctx.now(), actor[1]
    record(
        session,
        actor,
        "consent.confirmed",
        at=ctx.now(),
        case_id=case.id,
        details={
            "party_ref": party_ref,
            "electronic": addresses.electronic,
            "sms": bool(addresses.phone),
            "email": bool(addresses.email),
            "post": bool(addresses.postal_address),
        },
    )
    session.flush()
    return consent


def address_for(session: Session, case: DeliveryCase, party_ref: str, channel: str) -> str:
    consent = session.scalars(
        select(AddressConsent).where(
            AddressConsent.case_id == case.id, AddressConsent.party_ref == party_ref
        )
    ).first()
    if channel == "collect":
        return "本院诉讼服务中心"
    if channel in ELECTRONIC and (consent is None or not consent.electronic):
        raise ConflictError(
            f"{channel}: this party has not consented to electronic service",
            f"该当事人未签署同意电子送达的送达地址确认书，不能以{CHANNEL_NAMES[channel]}送达",
            reason="no_consent",
            channel=channel,
        )
    found = None
    if consent is not None:
        found = {"sms": consent.phone, "email": consent.email, "post": consent.postal_address}[
            channel
        ]
    if not found:
        raise InvalidInputError(
            f"{channel}: no confirmed address",
            f"该当事人没有已确认的{CHANNEL_NAMES[channel]}地址",
            reason="no_address",
            channel=channel,
        )
    return found
