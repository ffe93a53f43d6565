"""The clinic's drug library: versioned entries, approved by a clinician's signature."""

from __future__ import annotations

from collections.abc import Sequence

from console.domain.clock import Clock
from console.domain.identity import Actor, Role
from console.domain.library import LibraryEntry, default_esketamine_iv, default_ketamine_iv
from console.domain.protocols import LibraryStatus, LibraryVersion
from console.domain.signatures import SignatureMeaning
from console.errors import ConflictError, ValidationError
from console.services.auth import AuthService
from console.services.base import Service, required_reason
from console.services.signing import add_signature, confirm_signer
from console.storage.serialization import entry_to_dict
from console.storage.unit_of_work import Database, UnitOfWork

EDITORS = (Role.CLINICIAN, Role.ADMINISTRATOR)
EVERYONE = tuple(Role)


class LibraryService(Service):
    def __init__(self, *, database: Database, clock: Clock, auth: AuthService) -> None:
        super().__init__(database=database, clock=clock)
        self._auth = auth

    def list_versions(self, actor: Actor) -> Sequence[LibraryVersion]:
        with self._db.read() as uow:
            self.authorise(uow, actor, EVERYONE)
            return uow.library.list_all()

    def approved(self, actor: Actor) -> Sequence[LibraryVersion]:
        return [v for v in self.list_versions(actor) if v.status is LibraryStatus.APPROVED]

    def get(self, actor: Actor, entry_id: int) -> LibraryVersion:
        with self._db.read() as uow:
            self.authorise(uow, actor, EVERYONE)
            return uow.library.get(entry_id)

    def create_draft(self, actor: Actor, entry: LibraryEntry) -> LibraryVersion:
        entry.validate()
        with self._db.write() as uow:
            self.authorise(uow, actor, EDITORS)
            version = uow.library.add(entry, lineage_id=None, version=1, at=self.now(),
                                      by=actor.user_id)
            self.audit(uow, actor, "library.drafted", entity_type="library_entry",
                       entity_id=version.id, new=entry_to_dict(entry))
            return version

    def revise(self, actor: Actor, entry_id: int, entry: LibraryEntry) -> LibraryVersion:
        """Start a new draft version of an approved entry. Drafts are not edited in place (an
        approval must sign exactly what was reviewed): retire a wrong draft and draft anew."""
        entry.validate()
        with self._db.write() as uow:
            self.authorise(uow, actor, EDITORS)
            current = uow.library.get(entry_id)
            if current.entry.drug is not entry.drug:
                raise ValidationError(
                    "A new version cannot change the drug: ketamine and esketamine are "
                    "different drugs. Create a separate entry.", field="drug")
            if current.status is LibraryStatus.RETIRED:
                raise ConflictError("This entry is retired. Create a new entry instead.")
            lineage = uow.library.versions(current.lineage_id)
            newest = max(v.version for v in lineage)
            drafts = [v for v in lineage if v.status is LibraryStatus.DRAFT]
            if drafts:
                raise ConflictError(
                    f"Version {drafts[0].version} of this entry is already a draft awaiting "
                    "approval: approve or retire that draft before starting another.")
            version = uow.library.add(entry, lineage_id=current.lineage_id, version=newest + 1,
                                      at=self.now(), by=actor.user_id)
            self.audit(uow, actor, "library.revised", entity_type="library_entry",
                       entity_id=version.id, old=entry_to_dict(current.entry),
                       new=entry_to_dict(entry))
            return version

    def approve(self, actor: Actor, entry_id: int, *, password: str) -> LibraryVersion:
        """A clinician's electronic signature makes a draft usable; the version it replaces
        is retired. Approved versions never change."""
        with self._db.read() as uow:
            self.authorise(uow, actor, (Role.CLINICIAN,))
            self._require_draft(uow.library.get(entry_id))
        confirm_signer(self._auth, actor, password, meaning="approve library entry")
        with self._db.write() as uow:
            self.authorise(uow, actor, (Role.CLINICIAN,))
            draft = uow.library.get(entry_id)
            self._require_draft(draft)
            return self._approve(uow, actor, draft)

    @staticmethod
    def _require_draft(version: LibraryVersion) -> None:
        if version.status is not LibraryStatus.DRAFT:
            raise ConflictError(f"Only a draft can be approved; this version is "
                                f"{version.status.value}.")

    def _approve(self, uow: UnitOfWork, actor: Actor, draft: LibraryVersion) -> LibraryVersion:
        signature = add_signature(
            self, uow, actor, SignatureMeaning.APPROVED, record_type="library_entry",
            record_id=draft.id, content=entry_to_dict(draft.entry))
        for older in uow.library.versions(draft.lineage_id):
            if older.status is LibraryStatus.APPROVED:
                uow.library.set_status(older.id, LibraryStatus.RETIRED, retired_at=self.now(),
                                       reason=f"replaced by version {draft.version}")
                self.audit(uow, actor, "library.retired", entity_type="library_entry",
                           entity_id=older.id, old={"status": "approved"},
                           new={"status": "retired"},
                           reason=f"replaced by version {draft.version}")
        approved = uow.library.set_status(draft.id, LibraryStatus.APPROVED,
                                          approval_id=signature.id)
        self.audit(uow, actor, "library.approved", entity_type="library_entry",
                   entity_id=draft.id, old={"status": "draft"}, new={"status": "approved"})
        return approved

    def retire(self, actor: Actor, entry_id: int, *, reason: str) -> LibraryVersion:
        why = required_reason(reason, what="retiring the entry")
        with self._db.write() as uow:
            self.authorise(uow, actor, EDITORS)
            current = uow.library.get(entry_id)
            if current.status is LibraryStatus.RETIRED:
                raise ConflictError("This version is already retired.")
            retired = uow.library.set_status(entry_id, LibraryStatus.RETIRED,
                                             retired_at=self.now(), reason=why)
            self.audit(uow, actor, "library.retired", entity_type="library_entry",
                       entity_id=entry_id, old={"status": current.status.value},
                       new={"status": "retired"}, reason=why)
            return retired


def install_shipped_defaults(service: Service, uow: UnitOfWork, actor: Actor | None) -> None:
    """The shipped entries arrive as drafts: a clinician must approve them before first use."""
    if uow.library.count():
        return
    for entry in (default_ketamine_iv(), default_esketamine_iv()):
        version = uow.library.add(entry, lineage_id=None, version=1, at=service.now(),
                                  by=None if actor is None else actor.user_id)
        service.audit(uow, actor, "library.drafted", entity_type="library_entry",
                      entity_id=version.id, new=entry_to_dict(entry),
                      reason="shipped default, awaiting a clinician's approval")


def approve_for_demo(service: LibraryService, uow: UnitOfWork, clinician: Actor) -> None:
    """The demonstration clinic starts with the shipped entries approved by a demo clinician."""
    for version in uow.library.list_all():
        if version.status is LibraryStatus.DRAFT:
            service._approve(uow, clinician, version)
