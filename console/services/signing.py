"""Electronic signatures: the password is asked again, then the signature is bound to content."""

from __future__ import annotations

from console.domain.audit import JsonValues
from console.domain.identity import Actor
from console.domain.signatures import Signature, SignatureMeaning, content_hash
from console.services.auth import AuthService
from console.services.base import Service
from console.storage.unit_of_work import UnitOfWork


def confirm_signer(auth: AuthService, actor: Actor, password: str, *, meaning: str) -> None:
    """Re-authenticate before signing (in its own transaction, so failures always count)."""
    auth.confirm_identity(actor, password, purpose=f"signature: {meaning}")


def add_signature(
    service: Service, uow: UnitOfWork, actor: Actor, meaning: SignatureMeaning, *,
    record_type: str, record_id: int, content: JsonValues,
) -> Signature:
    signature = uow.signatures.add(
        signer_id=actor.user_id, printed_name=actor.full_name, meaning=meaning,
        signed_at=service.now(), record_type=record_type, record_id=record_id,
        content_hash=content_hash(content),
    )
    service.audit(uow, actor, "signature.added", entity_type=record_type, entity_id=record_id,
                  new={"meaning": meaning.value, "printed_name": actor.full_name,
                       "content_hash": signature.content_hash})
    return signature
