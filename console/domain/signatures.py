"""Electronic signatures: printed name, date and time, and meaning, bound to what was signed."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import datetime

from console.domain.audit import JsonValues, canonical_json


class SignatureMeaning(enum.StrEnum):
    ENTERED = "entered"
    APPROVED = "approved"
    VERIFIED = "verified"
    CHECKED = "checked"
    ADMINISTERED = "administered"
    REVIEWED = "reviewed"


@dataclass(frozen=True, slots=True)
class Signature:
    id: int
    signer_id: int
    printed_name: str
    meaning: SignatureMeaning
    signed_at: datetime
    record_type: str
    record_id: int
    content_hash: str

    def manifestation(self) -> str:
        """How the signature reads wherever the record is shown or printed."""
        local = self.signed_at.astimezone().strftime("%d %b %Y %H:%M")
        return f"{self.meaning.value.capitalize()} by {self.printed_name}, {local}"


def content_hash(content: JsonValues) -> str:
    """The SHA-256 of a record's signed content: a later change no longer matches the signature."""
    text = canonical_json(content) or ""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
