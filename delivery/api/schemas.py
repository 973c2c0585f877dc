"""Request bodies of the delivery API (pydantic at the edge)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["AddressesIn", "AgainIn"]

PHONE = r"^1[3-9]\d{9}$"


class AddressesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    electronic: bool
    phone: str | None = Field(default=None, max_length=11, pattern=PHONE)
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    postal_address: str | None = Field(default=None, min_length=6, max_length=300)
    postal_recipient: str | None = Field(default=None, min_length=1, max_length=100)

    @field_validator("phone", "email", "postal_address", "postal_recipient", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


class AgainIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channel: str = Field(max_length=8, pattern=r"^(sms|email|post|collect)$")
    postal_address: str | None = Field(default=None, min_length=6, max_length=300)
