"""The drug library: shipped drafts, approval by a clinician's signature, versions that never
change once approved, and limit sets that must be consistent."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from console.domain.drugs import Drug
from console.domain.identity import Actor
from console.domain.library import LibraryEntry, default_esketamine_iv, default_ketamine_iv
from console.domain.limits import LimitParameter, LimitRange
from console.domain.protocols import LibraryStatus, LibraryVersion
from console.domain.signatures import SignatureMeaning, content_hash
from console.errors import AuthenticationFailed, ConflictError, PermissionDenied, ValidationError
from console.services.container import Services
from console.storage.serialization import entry_to_dict
from console.storage.unit_of_work import Database
from tests.conftest import ADMIN_PASSWORD
from tests.services.people import (
    CLINICIAN_PASSWORD,
    NURSE_PASSWORD,
    actions,
    audit_rows,
    clinician,
    everything,
    nurse,
)

D = Decimal


@pytest.fixture
def doctor(services: Services, admin: Actor) -> Actor:
    return clinician(services, admin)


@pytest.fixture
def rn(services: Services, admin: Actor) -> Actor:
    return nurse(services, admin)


def shipped(services: Services, actor: Actor, drug: Drug) -> LibraryVersion:
    (version,) = [v for v in services.library.list_versions(actor) if v.entry.drug is drug]
    return version


def with_rate(entry: LibraryEntry, **bounds: Decimal | None) -> LibraryEntry:
    """The entry with other bounds for the mg/kg/h rate (validated on construction)."""
    limits = dict(entry.limits)
    limits[LimitParameter.RATE_MG_PER_KG_H] = replace(
        limits[LimitParameter.RATE_MG_PER_KG_H], **bounds)
    return replace(entry, limits=limits)


def library_rows(services: Services, admin: Actor, version_id: int) -> list[str]:
    return actions(services, admin, entity_type="library_entry", entity_id=str(version_id))


# ---------------------------------------------------------------- shipped defaults


def test_setup_installs_both_shipped_entries_as_separate_drafts(
    services: Services, admin: Actor, rn: Actor, clock,
) -> None:
    versions = services.library.list_versions(rn)  # a nurse may read the library
    assert len(versions) == 2
    assert {v.entry.drug for v in versions} == {Drug.KETAMINE, Drug.ESKETAMINE}
    assert all(v.status is LibraryStatus.DRAFT for v in versions)
    assert all(v.version == 1 and v.approval is None for v in versions)
    assert services.library.approved(rn) == []
    ketamine = shipped(services, rn, Drug.KETAMINE)
    esketamine = shipped(services, rn, Drug.ESKETAMINE)
    assert ketamine.entry == default_ketamine_iv()
    assert esketamine.entry == default_esketamine_iv()
    # Separate drugs are separate lineages: a version of one never replaces the other.
    assert ketamine.lineage_id == ketamine.id
    assert esketamine.lineage_id == esketamine.id
    assert ketamine.lineage_id != esketamine.lineage_id
    assert ketamine.created_by == admin.user_id
    assert ketamine.created_at == clock.now()
    assert services.library.get(rn, esketamine.id) == esketamine
    for version in (ketamine, esketamine):
        (row,) = audit_rows(services, admin, entity_type="library_entry",
                            entity_id=str(version.id))
        assert (row.action, row.actor_id) == ("library.drafted", admin.user_id)
        assert row.decoded_new() == entry_to_dict(version.entry)
        assert row.reason == "shipped default, awaiting a clinician's approval"


# ---------------------------------------------------------------- approval


def test_only_a_clinician_can_approve(
    services: Services, admin: Actor, rn: Actor, database: Database,
) -> None:
    entry = shipped(services, admin, Drug.KETAMINE)
    before = everything(database)
    with pytest.raises(PermissionDenied, match="clinician"):
        services.library.approve(rn, entry.id, password=NURSE_PASSWORD)
    with pytest.raises(PermissionDenied, match="clinician"):
        services.library.approve(admin, entry.id, password=ADMIN_PASSWORD)
    # Refused before the password was even checked: nothing at all was written.
    assert everything(database) == before
    assert services.library.get(admin, entry.id).status is LibraryStatus.DRAFT


def test_approval_creates_a_signature_bound_to_the_entry(
    services: Services, admin: Actor, doctor: Actor, clock,
) -> None:
    entry = shipped(services, doctor, Drug.KETAMINE)
    clock.advance(timedelta(hours=1))
    approved = services.library.approve(doctor, entry.id, password=CLINICIAN_PASSWORD)

    assert approved.status is LibraryStatus.APPROVED
    assert approved.entry == entry.entry
    signature = approved.approval
    assert signature is not None
    assert signature.meaning is SignatureMeaning.APPROVED
    assert signature.printed_name == "Dr Priya Patel"
    assert signature.signer_id == doctor.user_id
    assert signature.signed_at == clock.now()
    assert (signature.record_type, signature.record_id) == ("library_entry", entry.id)
    assert signature.content_hash == content_hash(entry_to_dict(approved.entry))
    assert signature.content_hash == content_hash(entry_to_dict(default_ketamine_iv()))
    assert services.library.get(doctor, entry.id) == approved
    assert services.library.approved(doctor) == [approved]
    # The other shipped entry is untouched.
    assert shipped(services, doctor, Drug.ESKETAMINE).status is LibraryStatus.DRAFT

    rows = audit_rows(services, admin, entity_type="library_entry", entity_id=str(entry.id))
    assert [r.action for r in rows] == ["library.drafted", "signature.added", "library.approved"]
    signed, done = rows[1:]
    assert signed.actor_id == done.actor_id == doctor.user_id
    assert signed.decoded_new() == {"meaning": "approved", "printed_name": "Dr Priya Patel",
                                    "content_hash": signature.content_hash}
    assert (done.decoded_old(), done.decoded_new()) == ({"status": "draft"},
                                                        {"status": "approved"})
    confirmed = audit_rows(services, admin, entity_type="user", entity_id=str(doctor.user_id),
                           action_prefix="auth.identity_confirmed")
    assert [r.decoded_new() for r in confirmed] == [
        {"purpose": "signature: approve library entry"}]
    assert services.audit.verify().intact


def test_a_wrong_password_approves_nothing_and_counts_toward_lockout(
    services: Services, admin: Actor, doctor: Actor, database: Database, stored,
) -> None:
    entry = shipped(services, doctor, Drug.KETAMINE)
    library_before = everything(database)[1]
    with pytest.raises(AuthenticationFailed):
        services.library.approve(doctor, entry.id, password="not-my-password")
    assert everything(database)[1] == library_before
    assert services.library.get(doctor, entry.id).status is LibraryStatus.DRAFT
    assert library_rows(services, admin, entry.id) == ["library.drafted"]
    assert stored.user("dpatel").failed_attempts == 1
    failed = audit_rows(services, admin, action_prefix="auth.sign_in_failed")
    assert [(r.entity_id, r.decoded_new()) for r in failed] == [
        (str(doctor.user_id), {"why": "wrong password", "username": "dpatel"})]

    for _ in range(4):  # the default policy locks after five failures
        with pytest.raises(AuthenticationFailed):
            services.library.approve(doctor, entry.id, password="not-my-password")
    assert actions(services, admin, action_prefix="auth.account_locked") == [
        "auth.account_locked"]
    # Locked: even the right password does not sign now.
    with pytest.raises(AuthenticationFailed):
        services.library.approve(doctor, entry.id, password=CLINICIAN_PASSWORD)
    assert services.library.get(doctor, entry.id).status is LibraryStatus.DRAFT
    assert library_rows(services, admin, entry.id) == ["library.drafted"]


def test_only_a_draft_can_be_approved_and_it_is_refused_before_the_password(
    services: Services, admin: Actor, doctor: Actor, database: Database,
) -> None:
    entry = shipped(services, doctor, Drug.KETAMINE)
    services.library.approve(doctor, entry.id, password=CLINICIAN_PASSWORD)
    before = everything(database)
    with pytest.raises(ConflictError, match="Only a draft"):
        services.library.approve(doctor, entry.id, password=CLINICIAN_PASSWORD)
    assert everything(database) == before


# ---------------------------------------------------------------- versions


def test_revising_an_approved_entry_keeps_it_in_force_until_the_new_version_is_approved(
    services: Services, admin: Actor, doctor: Actor, database: Database, clock,
) -> None:
    v1 = services.library.approve(doctor, shipped(services, doctor, Drug.KETAMINE).id,
                                  password=CLINICIAN_PASSWORD)
    changed = with_rate(v1.entry, soft_max=D("0.45"))
    clock.advance(timedelta(days=1))
    v2 = services.library.revise(doctor, v1.id, changed)

    assert (v2.version, v2.lineage_id, v2.status) == (2, v1.lineage_id, LibraryStatus.DRAFT)
    assert v2.entry == changed
    assert v2.approval is None
    # Version 1 did not change and is still the one in use.
    assert services.library.get(doctor, v1.id) == v1
    assert [v.id for v in services.library.approved(doctor)] == [v1.id]
    (revised,) = audit_rows(services, admin, entity_type="library_entry",
                            entity_id=str(v2.id))
    assert revised.action == "library.revised"
    assert revised.decoded_old() == entry_to_dict(v1.entry)
    assert revised.decoded_new() == entry_to_dict(changed)
    assert revised.decoded_new()["limits"]["rate_mg_per_kg_h"]["soft_max"] == "0.45"

    # A second draft in the same lineage is refused, from either version.
    before = everything(database)
    for source in (v1.id, v2.id):
        with pytest.raises(ConflictError, match="Version 2 of this entry is already a draft"):
            services.library.revise(doctor, source, with_rate(v1.entry, soft_max=D("0.4")))
    assert everything(database) == before

    clock.advance(timedelta(hours=1))
    approved_v2 = services.library.approve(doctor, v2.id, password=CLINICIAN_PASSWORD)
    retired_v1 = services.library.get(doctor, v1.id)
    assert approved_v2.status is LibraryStatus.APPROVED
    assert retired_v1.status is LibraryStatus.RETIRED
    assert retired_v1.retired_reason == "replaced by version 2"
    # Retiring changes the state, never the approved content or its signature.
    assert retired_v1.entry == v1.entry
    assert retired_v1.approval == v1.approval
    assert v1.approval is not None
    assert v1.approval.content_hash == content_hash(entry_to_dict(retired_v1.entry))
    assert [v.id for v in services.library.approved(doctor)] == [v2.id]
    (retired,) = audit_rows(services, admin, entity_type="library_entry",
                            entity_id=str(v1.id), action_prefix="library.retired")
    assert (retired.decoded_old(), retired.decoded_new(), retired.reason) == (
        {"status": "approved"}, {"status": "retired"}, "replaced by version 2")
    assert services.audit.verify().intact

    # A retired version cannot be the base of another.
    before = everything(database)
    with pytest.raises(ConflictError, match="retired"):
        services.library.revise(doctor, v1.id, with_rate(v1.entry, soft_max=D("0.4")))
    assert everything(database) == before


def test_a_draft_is_not_edited_in_place_it_is_retired_and_drafted_anew(
    services: Services, admin: Actor, doctor: Actor, database: Database,
) -> None:
    """An approval signs exactly what was reviewed, so a draft's content never changes."""
    draft = shipped(services, doctor, Drug.KETAMINE)
    changed = with_rate(draft.entry, soft_min=D("0.15"))
    before = everything(database)
    with pytest.raises(ConflictError, match="approve or retire that draft"):
        services.library.revise(doctor, draft.id, changed)
    assert everything(database) == before

    services.library.retire(doctor, draft.id, reason="shipped soft minimum too low for us")
    fresh = services.library.create_draft(doctor, changed)
    approved = services.library.approve(doctor, fresh.id, password=CLINICIAN_PASSWORD)
    assert approved.entry == changed
    assert approved.approval is not None
    assert approved.approval.content_hash == content_hash(entry_to_dict(changed))
    assert [v.id for v in services.library.approved(doctor)] == [fresh.id]
    assert services.library.get(doctor, draft.id).status is LibraryStatus.RETIRED


def test_a_revision_cannot_change_the_drug(
    services: Services, admin: Actor, doctor: Actor, database: Database,
) -> None:
    ketamine = services.library.approve(doctor, shipped(services, doctor, Drug.KETAMINE).id,
                                        password=CLINICIAN_PASSWORD)
    as_esketamine = replace(ketamine.entry, drug=Drug.ESKETAMINE)
    before = everything(database)
    for source in (ketamine.id, shipped(services, doctor, Drug.ESKETAMINE).id):
        entry = as_esketamine if source == ketamine.id else ketamine.entry
        with pytest.raises(ValidationError, match="different drugs") as caught:
            services.library.revise(doctor, source, entry)
        assert caught.value.field == "drug"
    assert everything(database) == before


def test_retiring_needs_a_reason_and_an_editor(
    services: Services, admin: Actor, doctor: Actor, rn: Actor, database: Database, clock,
) -> None:
    entry = shipped(services, doctor, Drug.ESKETAMINE)
    before = everything(database)
    for reason in ("", "   ", "no"):
        with pytest.raises(ValidationError) as caught:
            services.library.retire(doctor, entry.id, reason=reason)
        assert caught.value.field == "reason"
    with pytest.raises(PermissionDenied):
        services.library.retire(rn, entry.id, reason="not used in this clinic")
    assert everything(database) == before

    clock.advance(timedelta(minutes=5))
    retired = services.library.retire(doctor, entry.id, reason="  not used   in this clinic ")
    assert retired.status is LibraryStatus.RETIRED
    assert retired.retired_reason == "not used in this clinic"
    rows = audit_rows(services, admin, entity_type="library_entry", entity_id=str(entry.id))
    assert [r.action for r in rows] == ["library.drafted", "library.retired"]
    assert (rows[1].actor_id, rows[1].reason, rows[1].decoded_old(), rows[1].at) == (
        doctor.user_id, "not used in this clinic", {"status": "draft"}, clock.now())
    before = everything(database)
    with pytest.raises(ConflictError, match="already retired"):
        services.library.retire(doctor, entry.id, reason="still not used")
    # A retired draft can no longer be approved either.
    with pytest.raises(ConflictError, match="Only a draft"):
        services.library.approve(doctor, entry.id, password=CLINICIAN_PASSWORD)
    assert everything(database) == before


# ---------------------------------------------------------------- new entries


def test_clinicians_and_administrators_draft_entries_nurses_do_not(
    services: Services, admin: Actor, doctor: Actor, rn: Actor, database: Database,
) -> None:
    entry = replace(default_ketamine_iv(), name="Ketamine IV — short sessions",
                    limits={**default_ketamine_iv().limits,
                            LimitParameter.SESSION_MINUTES: LimitRange(soft_max=D(60),
                                                                       hard_max=D(90))})
    before = everything(database)
    with pytest.raises(PermissionDenied):
        services.library.create_draft(rn, entry)
    assert everything(database) == before

    by_doctor = services.library.create_draft(doctor, entry)
    by_admin = services.library.create_draft(admin, replace(entry, name="Another entry"))
    for version, author in ((by_doctor, doctor), (by_admin, admin)):
        assert (version.version, version.status) == (1, LibraryStatus.DRAFT)
        assert version.lineage_id == version.id
        assert version.created_by == author.user_id
        (row,) = audit_rows(services, admin, entity_type="library_entry",
                            entity_id=str(version.id))
        assert (row.action, row.actor_id) == ("library.drafted", author.user_id)
        assert row.decoded_new() == entry_to_dict(version.entry)
    assert by_doctor.entry == entry
    assert len(services.library.list_versions(rn)) == 4


INCONSISTENT = [
    pytest.param({"soft_max": D("1.2")}, "soft maximum (1.2) is above the hard maximum",
                 id="soft-max-above-hard-max"),
    pytest.param({"soft_min": D("0.6")}, "soft minimum (0.6) is above the soft maximum",
                 id="min-above-max"),
    pytest.param({"hard_min": D("0.2")}, "hard minimum (0.2) is above the soft minimum",
                 id="soft-min-below-hard-min"),
    pytest.param({"soft_min": D("-0.1")}, "soft minimum must be a number of zero or more",
                 id="negative"),
    pytest.param({"hard_max": D("NaN")}, "hard maximum must be a number",
                 id="not-a-number"),
]


@pytest.mark.parametrize(("bounds", "message"), INCONSISTENT)
def test_inconsistent_limit_sets_are_refused(
    services: Services, admin: Actor, doctor: Actor, database: Database,
    bounds: dict[str, Decimal], message: str,
) -> None:
    good = default_ketamine_iv()
    # The entry refuses to exist with such limits ...
    with pytest.raises(ValidationError, match=re.escape(message)) as caught:
        with_rate(good, **bounds)
    assert caught.value.field == "rate_mg_per_kg_h"
    # ... and the service checks again whatever it is handed, storing nothing.
    limits = dict(good.limits)
    limits[LimitParameter.RATE_MG_PER_KG_H] = replace(
        limits[LimitParameter.RATE_MG_PER_KG_H], **bounds)
    bad = replace(good, name="Tampered entry")
    object.__setattr__(bad, "limits", limits)
    before = everything(database)
    with pytest.raises(ValidationError, match=re.escape(message)):
        services.library.create_draft(doctor, bad)
    assert everything(database) == before
    approved = services.library.approve(doctor, shipped(services, doctor, Drug.KETAMINE).id,
                                        password=CLINICIAN_PASSWORD)
    after_approval = everything(database)
    with pytest.raises(ValidationError, match=re.escape(message)):
        services.library.revise(doctor, approved.id, bad)
    assert everything(database) == after_approval
    assert len(services.library.list_versions(doctor)) == 2


def test_a_nurse_reads_the_library_but_changes_nothing(
    services: Services, admin: Actor, doctor: Actor, rn: Actor, database: Database,
) -> None:
    entry = services.library.approve(doctor, shipped(services, doctor, Drug.KETAMINE).id,
                                     password=CLINICIAN_PASSWORD)
    assert services.library.get(rn, entry.id) == entry
    assert [v.id for v in services.library.approved(rn)] == [entry.id]
    before = everything(database)
    with pytest.raises(PermissionDenied):
        services.library.revise(rn, entry.id, with_rate(entry.entry, soft_max=D("0.4")))
    assert everything(database) == before
