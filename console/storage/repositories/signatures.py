from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from console.domain.signatures import Signature, SignatureMeaning
from console.errors import NotFound
from console.storage.rows import SignatureRow


def to_signature(row: SignatureRow) -> Signature:
    return Signature(
        id=row.id, signer_id=row.signer_id, printed_name=row.printed_name,
        meaning=SignatureMeaning(row.meaning), signed_at=row.signed_at,
        record_type=row.record_type, record_id=row.record_id, content_hash=row.content_hash,
    )


class SignatureRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self, *, signer_id: int, printed_name: str, meaning: SignatureMeaning,
        signed_at: datetime, record_type: str, record_id: int, content_hash: str,
    ) -> Signature:
        row = SignatureRow(
            signer_id=signer_id, printed_name=printed_name, meaning=meaning.value,
            signed_at=signed_at, record_type=record_type, record_id=record_id,
            content_hash=content_hash,
        )
        self._session.add(row)
        self._session.flush()
        return to_signature(row)

    def get(self, signature_id: int) -> Signature:
        row = self._session.get(SignatureRow, signature_id)
        if row is None:
            raise NotFound(f"Signature #{signature_id} does not exist.")
        return to_signature(row)
