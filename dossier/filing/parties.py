"""The checks of a filing's parties: each kind carries its own identifier, valid by its
standard; agents and lawyers act for a party of the same filing."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from dossier.errors import InvalidInputError
from dossier.filing.identifiers import credit_code_problem, id_number_problem
from dossier.filing.schemas import PartyIn

__all__ = ["check_parties", "normalised"]

LICENCE = re.compile(r"\d{17}")
"""A lawyer's practising certificate number (律师执业证号): 17 digits."""
PHONE = re.compile(r"\+?[0-9][0-9 -]{4,30}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _check_one(index: int, party: PartyIn, today: date) -> None:
    fields = {"id_number": party.id_number, "credit_code": party.credit_code,
              "licence_number": party.licence_number}  # fmt: skip
    wanted = {"person": "id_number", "organisation": "credit_code", "lawyer": "licence_number"}
    field = wanted[party.kind]
    for other, value in fields.items():
        if other != field and value is not None:
            raise InvalidInputError.because(
                "dossier_party_field", party=index + 1, field=other, kind=party.kind
            )
    value = fields[field]
    if value is None:
        raise InvalidInputError.because("dossier_party_id_needed", party=index + 1, field=field)
    if party.kind == "person" and (problem := id_number_problem(value, today)):
        raise InvalidInputError.because("dossier_id_number_invalid", party=index + 1,
                                        problem=problem)  # fmt: skip
    if party.kind == "organisation" and (problem := credit_code_problem(value)):
        raise InvalidInputError.because("dossier_credit_code_invalid", party=index + 1,
                                        problem=problem)  # fmt: skip
    if party.kind == "lawyer" and not LICENCE.fullmatch(value):
        raise InvalidInputError.because("dossier_licence_number_invalid", party=index + 1)
    if party.phone is not None and not PHONE.fullmatch(party.phone):
        raise InvalidInputError.because("dossier_phone_invalid", party=index + 1)
    if party.email is not None and not EMAIL.fullmatch(party.email):
        raise InvalidInputError.because("dossier_email_invalid", party=index + 1)


def _check_representation(index: int, party: PartyIn, parties: Sequence[PartyIn]) -> None:
    if party.kind == "lawyer" and party.role != "agent":
        raise InvalidInputError.because("dossier_represents_invalid", party=index + 1)
    if party.role != "agent":
        if party.represents is not None:
            raise InvalidInputError.because("dossier_represents_invalid", party=index + 1)
        return
    target = party.represents
    if target is None or target >= len(parties) or parties[target].role == "agent":
        raise InvalidInputError.because("dossier_represents_invalid", party=index + 1)


def check_parties(parties: Sequence[PartyIn], today: date) -> None:
    """Raise the first problem (422, naming the party by its 1-based place in the form)."""
    for index, party in enumerate(parties):
        _check_one(index, party, today)
        _check_representation(index, party, parties)
    if not any(p.role == "plaintiff" for p in parties):
        raise InvalidInputError.because("dossier_plaintiff_needed")
    seen: set[str] = set()
    for index, party in enumerate(parties):
        key = normalised(party.id_number or party.credit_code or party.licence_number or "")
        if key in seen:
            raise InvalidInputError.because("dossier_party_duplicate", party=index + 1)
        seen.add(key)


def normalised(identifier: str) -> str:
    """The stored form: upper case (a resident ID number's check ``x`` becomes ``X``)."""
    return identifier.upper()
