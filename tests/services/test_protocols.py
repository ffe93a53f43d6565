"""Patient protocols: written by a clinician against an approved library entry, checked against
its limits, verified by a second clinician's signature, and never changed once verified."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from console.domain.dosing import DoseOrder
from console.domain.drugs import DosingForm, Drug
from console.domain.identity import Actor
from console.domain.library import default_ketamine_iv
from console.domain.limits import LimitParameter
from console.domain.patients import Answer, Contraindication, Patient
from console.domain.protocols import (
    Course,
    LibraryStatus,
    LibraryVersion,
    PatientProtocol,
    ProtocolStatus,
    Titration,
)
from console.domain.signatures import SignatureMeaning, content_hash
from console.errors import (
    AuthenticationFailed,
    ConflictError,
    LimitExceeded,
    PermissionDenied,
    ReasonRequired,
    ValidationError,
)
from console.services.container import Services
from console.services.demo import DEMO_ACCOUNTS
from console.services.protocols import VERIFIER_MUST_DIFFER, ProtocolDraft
from console.storage.serialization import order_to_dict
from console.storage.unit_of_work import Database
from tests.conftest import ADMIN_PASSWORD
from tests.services.people import (
    CLINICIAN_PASSWORD,
    NURSE_PASSWORD,
    SECOND_CLINICIAN_PASSWORD,
    actions,
    audit_rows,
    clinician,
    everything,
    nurse,
    register,
    screen_all,
    second_clinician,
)

D = Decimal
STANDARD_TITRATION = Titration(D("0.1"), D("0.5"))
RATE_PER_KG = LimitParameter.RATE_MG_PER_KG_H
RATE_PER_H = LimitParameter.RATE_MG_PER_H


@dataclass(frozen=True)
class Clinic:
    author: Actor
    verifier: Actor
    nurse: Actor
    ketamine: LibraryVersion
    esketamine: LibraryVersion
    patient: Patient


@pytest.fixture
def clinic(services: Services, admin: Actor) -> Clinic:
    """Two clinicians and a nurse, the shipped library approved, one fully screened patient."""
    author = clinician(services, admin)
    verifier = second_clinician(services, admin)
    rn = nurse(services, admin)
    approved = {}
    for version in services.library.list_versions(author):
        approved[version.entry.drug] = services.library.approve(
            author, version.id, password=CLINICIAN_PASSWORD)
    patient = register(services, rn)
    screen_all(services, rn, patient.id)
    return Clinic(author=author, verifier=verifier, nurse=rn,
                  ketamine=approved[Drug.KETAMINE], esketamine=approved[Drug.ESKETAMINE],
                  patient=patient)


def order(rate: str = "0.35", minutes: int = 240, drug: Drug = Drug.KETAMINE) -> DoseOrder:
    return DoseOrder(drug, DosingForm.RATE_DURATION, concentration_mg_per_ml=D(1),
                     rate_mg_per_kg_h=D(rate), duration_minutes=D(minutes))


def draft(entry: LibraryVersion, dose: DoseOrder | None = None, *, weight: str = "70",
          titration: Titration | None = STANDARD_TITRATION,
          reasons: dict[LimitParameter, str] | None = None, notes: str = "CRPS regimen",
          ) -> ProtocolDraft:
    return ProtocolDraft(library_entry_id=entry.id, order=dose or order(),
                         course=Course(sessions=10, sessions_per_week=5), titration=titration,
                         planning_weight_kg=D(weight), notes=notes, override_reasons=reasons)


def protocol_rows(services: Services, admin: Actor, protocol_id: int) -> list[str]:
    return actions(services, admin, entity_type="protocol", entity_id=str(protocol_id))


def signed_content(protocol: PatientProtocol) -> dict[str, Any]:
    """What a verification signature covers, spelled out independently of the service."""
    titration = protocol.titration
    return {
        "patient_id": protocol.patient_id, "library_entry_id": protocol.library_entry_id,
        "order": order_to_dict(protocol.order),
        "course": [protocol.course.sessions, protocol.course.sessions_per_week],
        "titration": None if titration is None else [str(titration.min_mg_per_kg_h),
                                                     str(titration.max_mg_per_kg_h)],
        "planning_weight_kg": str(protocol.planning_weight_kg), "notes": protocol.notes,
        "override_reasons": {k.value: v for k, v in protocol.override_reasons.items()},
        "contraindication_ack": protocol.contraindication_ack,
    }


def verified(services: Services, clinic: Clinic, dose: DoseOrder | None = None
             ) -> PatientProtocol:
    written = services.protocols.create(clinic.author, clinic.patient.id,
                                        draft(clinic.ketamine, dose))
    return services.protocols.verify(clinic.verifier, written.id,
                                     password=SECOND_CLINICIAN_PASSWORD)


# ---------------------------------------------------------------- writing


def test_a_clinician_writes_a_draft_protocol(
    services: Services, admin: Actor, clinic: Clinic, clock,
) -> None:
    written = services.protocols.create(clinic.author, clinic.patient.id, draft(clinic.ketamine))
    assert (written.version, written.lineage_id, written.status) == (
        1, written.id, ProtocolStatus.DRAFT)
    assert (written.patient_id, written.library_entry_id) == (clinic.patient.id,
                                                              clinic.ketamine.id)
    assert written.order == order()
    assert written.titration == Titration(D("0.1"), D("0.5"))
    assert (written.planning_weight_kg, written.notes) == (D(70), "CRPS regimen")
    assert (written.author_id, written.author_name) == (clinic.author.user_id, "Dr Priya Patel")
    assert written.created_at == clock.now()
    assert written.override_reasons == {}
    assert written.verification is None
    assert written.contraindication_ack is None
    assert services.protocols.for_patient(clinic.nurse, clinic.patient.id) == [written]
    assert services.protocols.in_force(clinic.nurse, clinic.patient.id) is None
    (row,) = audit_rows(services, admin, entity_type="protocol", entity_id=str(written.id))
    assert (row.action, row.actor_id) == ("protocol.drafted", clinic.author.user_id)
    assert row.decoded_new() == signed_content(written)
    # Anyone may preview the figures for an order, which saves nothing.
    plan = services.protocols.preview(clinic.nurse, draft(clinic.ketamine))
    assert (plan.mg_per_h, plan.ml_per_h, plan.total_mg) == (D("24.5"), D("24.5"), D("98"))


def test_nurses_and_administrators_cannot_write_verify_or_discontinue(
    services: Services, admin: Actor, clinic: Clinic, database: Database,
) -> None:
    in_force = verified(services, clinic)
    pending = services.protocols.create(
        clinic.author, register(services, clinic.nurse, "MRN-2002").id, draft(clinic.ketamine))
    before = everything(database)
    for actor, password in ((clinic.nurse, NURSE_PASSWORD), (admin, ADMIN_PASSWORD)):
        with pytest.raises(PermissionDenied, match="Only a clinician"):
            services.protocols.create(actor, clinic.patient.id, draft(clinic.ketamine))
        with pytest.raises(PermissionDenied, match="Only a clinician"):
            services.protocols.revise(actor, in_force.id, draft(clinic.ketamine))
        with pytest.raises(PermissionDenied, match="Only a clinician"):
            services.protocols.verify(actor, pending.id, password=password)
        with pytest.raises(PermissionDenied, match="Only a clinician"):
            services.protocols.discontinue(actor, in_force.id, reason="patient moved away")
    assert everything(database) == before


def test_only_an_approved_library_entry_can_be_used(
    services: Services, admin: Actor, clinic: Clinic, database: Database,
) -> None:
    new_draft = services.library.create_draft(
        clinic.author, replace(default_ketamine_iv(), name="Ketamine IV — trial entry"))
    retired = services.library.retire(clinic.author, clinic.esketamine.id,
                                      reason="esketamine not used in this clinic")
    esketamine_order = order("0.2", drug=Drug.ESKETAMINE)
    before = everything(database)
    for entry, dose, status in ((new_draft, order(), LibraryStatus.DRAFT),
                                (retired, esketamine_order, LibraryStatus.RETIRED)):
        for call in (lambda e=entry, d=dose: services.protocols.create(
                         clinic.author, clinic.patient.id, draft(e, d, titration=None)),
                     lambda e=entry, d=dose: services.protocols.preview(
                         clinic.author, draft(e, d, titration=None))):
            with pytest.raises(ValidationError, match=f"is {status.value}: only an approved"
                               ) as caught:
                call()
            assert caught.value.field == "library_entry_id"
    assert everything(database) == before


def test_an_esketamine_order_cannot_use_the_ketamine_entry(
    services: Services, admin: Actor, clinic: Clinic, database: Database,
) -> None:
    before = everything(database)
    with pytest.raises(ValidationError, match="different drugs") as caught:
        services.protocols.create(clinic.author, clinic.patient.id, draft(
            clinic.ketamine, order("0.2", drug=Drug.ESKETAMINE), titration=None))
    assert caught.value.field == "drug"
    with pytest.raises(ValidationError, match="different drugs"):
        services.protocols.create(clinic.author, clinic.patient.id, draft(
            clinic.esketamine, order("0.2"), titration=None))
    assert everything(database) == before


def test_a_hard_limit_refuses_even_with_reasons(
    services: Services, admin: Actor, clinic: Clinic, database: Database,
) -> None:
    before = everything(database)
    reasons = dict.fromkeys(LimitParameter, "clinician insists on a high dose")
    with pytest.raises(LimitExceeded) as caught:
        services.protocols.create(clinic.author, clinic.patient.id, draft(
            clinic.ketamine, order("1.2"), titration=None, reasons=reasons))
    assert "Dose rate 1.2 mg/kg/h is above the hard maximum of 1 mg/kg/h" in (
        caught.value.message)
    with pytest.raises(LimitExceeded, match="Rate 105 mg/h is above the hard maximum"):
        services.protocols.create(clinic.author, clinic.patient.id, draft(
            clinic.ketamine, order("0.7", minutes=30), weight="150", titration=None,
            reasons=reasons))
    assert everything(database) == before


def test_each_soft_finding_needs_a_reason_then_the_reasons_are_stored(
    services: Services, admin: Actor, clinic: Clinic, database: Database,
) -> None:
    # 0.6 mg/kg/h at 70 kg for an hour: above the soft 0.5 mg/kg/h and the soft 25 mg/h.
    dose = order("0.6", minutes=60)
    wide = Titration(D("0.1"), D("0.8"))
    before = everything(database)
    with pytest.raises(ReasonRequired) as caught:
        services.protocols.create(clinic.author, clinic.patient.id,
                                  draft(clinic.ketamine, dose, titration=wide))
    assert caught.value.field == RATE_PER_KG.value
    assert "Dose rate 0.6 mg/kg/h is above the soft maximum of 0.5 mg/kg/h" in (
        caught.value.message)
    assert "Rate 42 mg/h is above the soft maximum of 25 mg/h" in caught.value.message
    for reasons in ({RATE_PER_KG: "tolerated 0.5 well for three sessions"},
                    {RATE_PER_KG: "tolerated 0.5 well for three sessions", RATE_PER_H: "ok"}):
        with pytest.raises(ReasonRequired, match="Rate 42 mg/h") as caught:
            services.protocols.create(clinic.author, clinic.patient.id,
                                      draft(clinic.ketamine, dose, titration=wide,
                                            reasons=reasons))
        assert caught.value.field == RATE_PER_H.value
    assert everything(database) == before

    reasons = {RATE_PER_KG: "  tolerated 0.5 well   for three sessions ",
               RATE_PER_H: "short session, same total",
               LimitParameter.SESSION_MINUTES: "not a finding: dropped"}
    written = services.protocols.create(clinic.author, clinic.patient.id,
                                        draft(clinic.ketamine, dose, titration=wide,
                                              reasons=reasons))
    expected = {RATE_PER_KG: "tolerated 0.5 well for three sessions",
                RATE_PER_H: "short session, same total"}
    assert written.override_reasons == expected
    assert services.protocols.for_patient(clinic.author, clinic.patient.id)[0]\
        .override_reasons == expected
    (row,) = audit_rows(services, admin, entity_type="protocol", entity_id=str(written.id))
    assert row.decoded_new()["override_reasons"] == {
        "rate_mg_per_kg_h": "tolerated 0.5 well for three sessions",
        "rate_mg_per_h": "short session, same total"}


def test_a_heavy_patient_needs_a_reason_for_35_mg_per_hour(
    services: Services, admin: Actor, clinic: Clinic, database: Database,
) -> None:
    before = everything(database)
    with pytest.raises(ReasonRequired, match=re.escape(
            "Rate 35 mg/h is above the soft maximum of 25 mg/h")) as caught:
        services.protocols.create(clinic.author, clinic.patient.id,
                                  draft(clinic.ketamine, weight="100"))
    assert caught.value.field == RATE_PER_H.value
    assert everything(database) == before
    written = services.protocols.create(clinic.author, clinic.patient.id, draft(
        clinic.ketamine, weight="100", reasons={RATE_PER_H: "weight-based dose, 100 kg"}))
    assert written.override_reasons == {RATE_PER_H: "weight-based dose, 100 kg"}
    assert written.planning_weight_kg == D(100)


def test_the_titration_range_is_checked(
    services: Services, admin: Actor, clinic: Clinic, database: Database,
) -> None:
    before = everything(database)
    with pytest.raises(LimitExceeded, match=re.escape(
            "titration range reaches 1.2 mg/kg/h, above the hard maximum 1 mg/kg/h")):
        services.protocols.create(clinic.author, clinic.patient.id, draft(
            clinic.ketamine, titration=Titration(D("0.1"), D("1.2"))))
    for titration in (Titration(D("0.4"), D("0.5")), Titration(D("0.1"), D("0.3"))):
        with pytest.raises(ValidationError, match=re.escape("starting rate 0.35 mg/kg/h is outside")
                           ) as caught:
            services.protocols.create(clinic.author, clinic.patient.id,
                                      draft(clinic.ketamine, titration=titration))
        assert caught.value.field == "titration"
    with pytest.raises(ValidationError) as caught:
        services.protocols.create(clinic.author, clinic.patient.id,
                                  draft(clinic.ketamine, notes="x" * 4001))
    assert caught.value.field == "notes"
    assert everything(database) == before
    # The range's ends are allowed: exactly the hard maximum, starting at its lowest rate.
    written = services.protocols.create(clinic.author, clinic.patient.id, draft(
        clinic.ketamine, titration=Titration(D("0.35"), D("1.0"))))
    assert written.titration == Titration(D("0.35"), D("1.0"))


# ---------------------------------------------------------------- verification


def test_verification_signs_the_protocol(
    services: Services, admin: Actor, clinic: Clinic, clock,
) -> None:
    written = services.protocols.create(clinic.author, clinic.patient.id, draft(clinic.ketamine))
    clock.advance(timedelta(minutes=30))
    done = services.protocols.verify(clinic.verifier, written.id,
                                     password=SECOND_CLINICIAN_PASSWORD)
    assert done.status is ProtocolStatus.VERIFIED
    assert (done.order, done.author_id) == (written.order, clinic.author.user_id)
    signature = done.verification
    assert signature is not None
    assert signature.meaning is SignatureMeaning.VERIFIED
    assert (signature.signer_id, signature.printed_name) == (clinic.verifier.user_id,
                                                             "Dr Chidi Okafor")
    assert signature.signed_at == clock.now()
    assert (signature.record_type, signature.record_id) == ("protocol", written.id)
    assert signature.content_hash == content_hash(signed_content(done))
    assert signature.content_hash == content_hash(signed_content(written))
    assert services.protocols.in_force(clinic.nurse, clinic.patient.id) == done

    rows = audit_rows(services, admin, entity_type="protocol", entity_id=str(written.id))
    assert [r.action for r in rows] == ["protocol.drafted", "signature.added",
                                        "protocol.verified"]
    assert rows[1].decoded_new() == {"meaning": "verified", "printed_name": "Dr Chidi Okafor",
                                     "content_hash": signature.content_hash}
    assert (rows[2].actor_id, rows[2].decoded_old(), rows[2].decoded_new()) == (
        clinic.verifier.user_id, {"status": "draft"},
        {"status": "verified", "contraindication_ack": None})
    assert services.audit.verify().intact


def test_the_author_cannot_verify_unless_the_clinic_allows_it(
    services: Services, admin: Actor, clinic: Clinic, database: Database, clock,
) -> None:
    written = services.protocols.create(clinic.author, clinic.patient.id, draft(clinic.ketamine))
    before = everything(database)
    with pytest.raises(ValidationError, match="second clinician"):
        services.protocols.verify(clinic.author, written.id, password=CLINICIAN_PASSWORD)
    assert everything(database) == before  # refused before the password was asked

    with database.write() as uow:
        uow.settings.put(VERIFIER_MUST_DIFFER, "false", at=clock.now(), by=admin.user_id)
    done = services.protocols.verify(clinic.author, written.id, password=CLINICIAN_PASSWORD)
    assert done.status is ProtocolStatus.VERIFIED
    assert done.verification is not None
    assert done.verification.signer_id == clinic.author.user_id


def test_an_incomplete_screen_blocks_verification(
    services: Services, admin: Actor, clinic: Clinic, database: Database,
) -> None:
    unscreened = register(services, clinic.nurse, "MRN-2002", "Nguyen", "Daniel")
    services.patients.record_screen(clinic.nurse, unscreened.id, {
        item: (Answer.NO, "") for item in Contraindication
        if item is not Contraindication.PREGNANCY})
    written = services.protocols.create(clinic.author, unscreened.id, draft(clinic.ketamine))
    before = everything(database)
    with pytest.raises(ValidationError, match=r"screen is incomplete \(Pregnancy\)") as caught:
        services.protocols.verify(clinic.verifier, written.id,
                                  password=SECOND_CLINICIAN_PASSWORD)
    assert caught.value.field == "contraindications"
    assert everything(database) == before


def test_a_yes_on_the_screen_needs_an_acknowledgement(
    services: Services, admin: Actor, clinic: Clinic, database: Database,
) -> None:
    services.patients.record_screen(clinic.nurse, clinic.patient.id, {
        Contraindication.UNCONTROLLED_HYPERTENSION: (Answer.YES, "150/95 on amlodipine")})
    written = services.protocols.create(clinic.author, clinic.patient.id, draft(clinic.ketamine))
    before = everything(database)
    for ack in (None, "", "  ", "ok"):
        with pytest.raises(ReasonRequired, match="Uncontrolled hypertension") as caught:
            services.protocols.verify(clinic.verifier, written.id,
                                      password=SECOND_CLINICIAN_PASSWORD,
                                      contraindication_ack=ack)
        assert caught.value.field == "contraindication_ack"
    assert everything(database) == before

    done = services.protocols.verify(
        clinic.verifier, written.id, password=SECOND_CLINICIAN_PASSWORD,
        contraindication_ack="  BP checked  before each session ")
    assert done.contraindication_ack == "BP checked before each session"
    assert done.verification is not None
    assert done.verification.content_hash == content_hash(signed_content(done))
    assert done.verification.content_hash != content_hash(signed_content(written))
    (row,) = audit_rows(services, admin, entity_type="protocol", entity_id=str(written.id),
                        action_prefix="protocol.verified")
    assert row.decoded_new() == {"status": "verified",
                                 "contraindication_ack": "BP checked before each session"}


def test_a_wrong_password_verifies_nothing(
    services: Services, admin: Actor, clinic: Clinic, database: Database, stored,
) -> None:
    written = services.protocols.create(clinic.author, clinic.patient.id, draft(clinic.ketamine))
    before = everything(database)
    with pytest.raises(AuthenticationFailed):
        services.protocols.verify(clinic.verifier, written.id, password=CLINICIAN_PASSWORD)
    after = everything(database)
    assert after[1:7] == before[1:7]  # no protocol, signature or screen changed
    assert services.protocols.in_force(clinic.author, clinic.patient.id) is None
    assert protocol_rows(services, admin, written.id) == ["protocol.drafted"]
    new_rows = after[0][len(before[0]):]
    assert [(r.action, r.decoded_new().get("why")) for r in new_rows] == [
        ("auth.sign_in_failed", "wrong password")]
    assert stored.user("dokafor").failed_attempts == 1


# ---------------------------------------------------------------- versions


def test_a_revision_waits_for_its_own_verification(
    services: Services, admin: Actor, clinic: Clinic, database: Database, clock,
) -> None:
    v1 = verified(services, clinic)
    clock.advance(timedelta(days=7))
    changed = draft(clinic.ketamine, order("0.3"), notes="step down after review")
    v2 = services.protocols.revise(clinic.author, v1.id, changed)
    assert (v2.lineage_id, v2.version, v2.status) == (v1.lineage_id, 2, ProtocolStatus.DRAFT)
    assert v2.order == order("0.3")
    # Version 1 stays in force, unchanged, until version 2 is verified.
    assert services.protocols.in_force(clinic.nurse, clinic.patient.id) == v1
    assert {p.id: p for p in services.protocols.for_patient(clinic.nurse, clinic.patient.id)
            }[v1.id] == v1
    (revised,) = audit_rows(services, admin, entity_type="protocol", entity_id=str(v2.id))
    assert revised.action == "protocol.revised"
    assert (revised.decoded_old(), revised.decoded_new()) == (signed_content(v1),
                                                              signed_content(v2))

    # A draft is not revised, and a second draft in the lineage is refused.
    before = everything(database)
    with pytest.raises(ConflictError, match="still a draft"):
        services.protocols.revise(clinic.author, v2.id, draft(clinic.ketamine, order("0.25")))
    with pytest.raises(ConflictError, match="Version 2 of this protocol is already a draft"):
        services.protocols.revise(clinic.author, v1.id, draft(clinic.ketamine, order("0.25")))
    # A verified version is not verified again (refused before the password is asked).
    with pytest.raises(ConflictError, match="Only a draft can be verified"):
        services.protocols.verify(clinic.verifier, v1.id, password=SECOND_CLINICIAN_PASSWORD)
    assert everything(database) == before

    clock.advance(timedelta(hours=1))
    v2 = services.protocols.verify(clinic.verifier, v2.id, password=SECOND_CLINICIAN_PASSWORD)
    old = {p.id: p for p in services.protocols.for_patient(clinic.nurse, clinic.patient.id)
           }[v1.id]
    assert old.status is ProtocolStatus.SUPERSEDED
    assert (old.order, old.verification) == (v1.order, v1.verification)
    assert services.protocols.in_force(clinic.nurse, clinic.patient.id) == v2
    (superseded,) = audit_rows(services, admin, entity_type="protocol", entity_id=str(v1.id),
                               action_prefix="protocol.superseded")
    assert (superseded.decoded_old(), superseded.decoded_new()) == (
        {"status": "verified"}, {"status": "superseded", "by_version": 2})

    before = everything(database)
    for protocol_id in (v1.id, v2.id):
        with pytest.raises(ConflictError, match="Only a draft can be verified"):
            services.protocols.verify(clinic.verifier, protocol_id,
                                      password=SECOND_CLINICIAN_PASSWORD)
    with pytest.raises(ConflictError, match="newer version"):
        services.protocols.revise(clinic.author, v1.id, draft(clinic.ketamine))
    with pytest.raises(ConflictError, match="already superseded"):
        services.protocols.discontinue(clinic.author, v1.id, reason="tidy up the old one")
    assert everything(database) == before
    assert services.audit.verify().intact


def test_discontinuing_needs_a_reason(
    services: Services, admin: Actor, clinic: Clinic, database: Database, clock,
) -> None:
    v1 = verified(services, clinic)
    before = everything(database)
    for reason in ("", "   ", "no"):
        with pytest.raises(ValidationError) as caught:
            services.protocols.discontinue(clinic.author, v1.id, reason=reason)
        assert caught.value.field == "reason"
    assert everything(database) == before

    clock.advance(timedelta(days=1))
    stopped = services.protocols.discontinue(clinic.verifier, v1.id,
                                             reason=" persistent hallucinations ")
    assert stopped.status is ProtocolStatus.DISCONTINUED
    assert stopped.discontinued_reason == "persistent hallucinations"
    assert services.protocols.in_force(clinic.nurse, clinic.patient.id) is None
    (row,) = audit_rows(services, admin, entity_type="protocol", entity_id=str(v1.id),
                        action_prefix="protocol.discontinued")
    assert (row.actor_id, row.at, row.reason, row.decoded_old(), row.decoded_new()) == (
        clinic.verifier.user_id, clock.now(), "persistent hallucinations",
        {"status": "verified"}, {"status": "discontinued"})
    before = everything(database)
    with pytest.raises(ConflictError, match="already discontinued"):
        services.protocols.discontinue(clinic.author, v1.id, reason="again")
    with pytest.raises(ConflictError, match="discontinued"):
        services.protocols.revise(clinic.author, v1.id, draft(clinic.ketamine))
    assert everything(database) == before


# ---------------------------------------------------------------- demonstration clinic


def test_the_demo_clinic_has_four_verified_protocols(services: Services) -> None:
    services.demo.seed()
    passwords = {a.username: a.password for a in DEMO_ACCOUNTS}
    admin = services.auth.sign_in("admin", passwords["admin"])
    doctor = services.auth.sign_in("dpatel", passwords["dpatel"])
    library = services.library.list_versions(doctor)
    assert {v.entry.drug for v in library} == {Drug.KETAMINE, Drug.ESKETAMINE}
    assert all(v.status is LibraryStatus.APPROVED and v.approval is not None for v in library)
    for version in library:
        assert version.approval is not None
        assert version.approval.printed_name == "Dr Priya Patel"
    protocols = [p for patient in services.patients.search(doctor)
                 for p in services.protocols.for_patient(doctor, patient.id)]
    assert len(protocols) == 4
    for protocol in protocols:
        assert protocol.status is ProtocolStatus.VERIFIED
        assert protocol.author_name == "Dr Priya Patel"
        assert protocol.verification is not None
        assert protocol.verification.printed_name == "Dr Chidi Okafor"
        assert protocol.verification.content_hash == content_hash(signed_content(protocol))
        assert services.protocols.in_force(doctor, protocol.patient_id) == protocol
    assert len({p.patient_id for p in protocols}) == 4
    assert actions(services, admin, action_prefix="protocol.verified") == [
        "protocol.verified"] * 4
    report = services.audit.verify()
    assert report.intact
    assert report.records > 50


def test_only_one_protocol_is_open_per_patient(
    services: Services, database: Database, clinic: Clinic,
) -> None:
    first = services.protocols.create(clinic.author, clinic.patient.id, draft(clinic.ketamine))
    before = everything(database)
    with pytest.raises(ConflictError, match="Revise or discontinue"):
        services.protocols.create(clinic.author, clinic.patient.id, draft(clinic.ketamine))
    assert everything(database) == before
    services.protocols.discontinue(clinic.author, first.id, reason="switching regimen")
    second = services.protocols.create(clinic.author, clinic.patient.id, draft(clinic.ketamine))
    assert second.lineage_id != first.lineage_id


def test_a_temporary_password_cannot_sign(
    services: Services, admin: Actor, database: Database, clinic: Clinic,
) -> None:
    from console.errors import PasswordChangeRequired

    written = services.protocols.create(clinic.author, clinic.patient.id, draft(clinic.ketamine))
    services.users.reset_password(admin, clinic.verifier.user_id,
                                  temporary_password="reset-temp-pass")
    before = everything(database)
    with pytest.raises(PasswordChangeRequired):
        services.protocols.verify(clinic.verifier, written.id, password="reset-temp-pass")
    assert everything(database)[1:] == before[1:], "nothing but audit rows was written"
    assert services.protocols.for_patient(clinic.nurse, clinic.patient.id)[0].verification is None


def test_a_revision_cannot_change_the_drug(
    services: Services, database: Database, clinic: Clinic,
) -> None:
    current = verified(services, clinic)
    esketamine = order("0.2", drug=Drug.ESKETAMINE)
    before = everything(database)
    with pytest.raises(ValidationError, match="cannot change the drug") as refused:
        services.protocols.revise(clinic.author, current.id, draft(clinic.esketamine, esketamine))
    assert refused.value.field == "drug"
    assert everything(database) == before
