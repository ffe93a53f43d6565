"""ORM rows. Only repositories touch these; services and the UI see domain objects."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from console.storage.base import Base, DecimalText, UTCDateTime


class SettingRow(Base):
    """One clinic-wide setting (JSON text), changed only through services with an audit record."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class UserRow(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    full_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class PatientRow(Base):
    __tablename__ = "patient"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mrn: Mapped[str] = mapped_column(String(32), unique=True)
    family_name: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(20))
    diagnosis: Mapped[str] = mapped_column(String(120), default="", server_default="")
    allergies: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class AuditRow(Base):
    """Append-only: the console only ever inserts; verify-audit checks the hash chain."""

    __tablename__ = "audit_record"
    __table_args__ = (
        UniqueConstraint("prev_hash", name="uq_audit_record_prev_hash"),
        Index("ix_audit_record_entity", "entity_type", "entity_id"),
    )

    sequence: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_name: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60), index=True)
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    old_values: Mapped[str | None] = mapped_column(Text)
    new_values: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHeadRow(Base):
    """A single row pointing at the newest audit record; locking it serialises writers."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class SignatureRow(Base):
    """An electronic signature: who, when, what it means, and a hash of what was signed."""

    __tablename__ = "signature"
    __table_args__ = (Index("ix_signature_record", "record_type", "record_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    signer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    printed_name: Mapped[str] = mapped_column(String(100))
    meaning: Mapped[str] = mapped_column(String(20))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))


class LibraryEntryRow(Base):
    """One version of a drug library entry. Approved versions are never updated."""

    __tablename__ = "library_entry"
    __table_args__ = (UniqueConstraint("lineage_id", "version", name="uq_library_entry_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lineage_id: Mapped[int] = mapped_column(Integer, index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
    drug: Mapped[str] = mapped_column(String(20))
    route: Mapped[str] = mapped_column(String(20))
    definition: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approval_id: Mapped[int | None] = mapped_column(ForeignKey("signature.id"))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retired_reason: Mapped[str | None] = mapped_column(Text)


class ScreeningAnswerRow(Base):
    """A contraindication screen answer; append-only, the newest per item is current."""

    __tablename__ = "screening_answer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    item: Mapped[str] = mapped_column(String(40))
    answer: Mapped[str] = mapped_column(String(10))
    details: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProtocolRow(Base):
    """One version of a patient's protocol. Verified versions are never updated in place."""

    __tablename__ = "protocol"
    __table_args__ = (UniqueConstraint("lineage_id", "version", name="uq_protocol_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    lineage_id: Mapped[int] = mapped_column(Integer, index=True)
    version: Mapped[int] = mapped_column(Integer)
    library_entry_id: Mapped[int] = mapped_column(ForeignKey("library_entry.id"))
    dose_order: Mapped[str] = mapped_column(Text)
    course_sessions: Mapped[int] = mapped_column(Integer)
    sessions_per_week: Mapped[int] = mapped_column(Integer)
    titration_min: Mapped[Decimal | None] = mapped_column(DecimalText())
    titration_max: Mapped[Decimal | None] = mapped_column(DecimalText())
    notes: Mapped[str] = mapped_column(Text, default="")
    planning_weight_kg: Mapped[Decimal] = mapped_column(DecimalText())
    status: Mapped[str] = mapped_column(String(20))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    override_reasons: Mapped[str] = mapped_column(Text, default="{}")
    contraindication_ack: Mapped[str | None] = mapped_column(Text)
    verification_id: Mapped[int | None] = mapped_column(ForeignKey("signature.id"))
    discontinued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    discontinued_reason: Mapped[str | None] = mapped_column(Text)


class InfusionSessionRow(Base):
    """One visit: check-in to signed record. Signed rows are locked (services refuse changes)."""

    __tablename__ = "infusion_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    protocol_id: Mapped[int] = mapped_column(ForeignKey("protocol.id"))
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    checked_in_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    weight_kg: Mapped[Decimal | None] = mapped_column(DecimalText())
    weight_measured_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    weight_entered: Mapped[str | None] = mapped_column(String(40))
    weight_reason: Mapped[str | None] = mapped_column(Text)
    preparation: Mapped[str | None] = mapped_column(Text)
    prepared_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    prepared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    program: Mapped[str | None] = mapped_column(Text)
    checked_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    check_overrides: Mapped[str] = mapped_column(Text, default="{}")
    discharge: Mapped[str | None] = mapped_column(Text)
    discharged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signature_id: Mapped[int | None] = mapped_column(ForeignKey("signature.id"))
    cancelled_reason: Mapped[str | None] = mapped_column(Text)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class InfusionEventRow(Base):
    """Append-only infusion timeline."""

    __tablename__ = "infusion_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("infusion_session.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    rate_ml_per_h: Mapped[Decimal | None] = mapped_column(DecimalText())
    bolus_mg: Mapped[Decimal | None] = mapped_column(DecimalText())
    reason: Mapped[str] = mapped_column(Text, default="")
    stop_kind: Mapped[str | None] = mapped_column(String(20))
    authorised_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class DoubleCheckRow(Base):
    """Every attempt of the independent double check, matched or not."""

    __tablename__ = "double_check"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("infusion_session.id"), index=True)
    checker_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    entered: Mapped[str] = mapped_column(Text)
    mismatches: Mapped[str] = mapped_column(Text)


class VitalSignRow(Base):
    """One set of observations; a correction is a new row pointing at the one it corrects."""

    __tablename__ = "vital_sign"
    __table_args__ = (Index("ix_vital_sign_session_at", "session_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("infusion_session.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source: Mapped[str] = mapped_column(String(10))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    values: Mapped[str] = mapped_column(Text)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("vital_sign.id"), index=True)
    correction_reason: Mapped[str | None] = mapped_column(Text)
    device: Mapped[str | None] = mapped_column(String(60))
    confirmed: Mapped[str] = mapped_column(Text, default="[]")  # unusual values confirmed


class DeviceArtifactRow(Base):
    """A monitor value kept as received but not charted as real or judged by the alarms."""

    __tablename__ = "device_artifact"
    __table_args__ = (Index("ix_device_artifact_session_at", "session_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("infusion_session.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    field: Mapped[str] = mapped_column(String(30))
    value: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text)
    device: Mapped[str] = mapped_column(String(60))


class AlarmRow(Base):
    """One alarm from raise to resolve; ``number`` is its id within the session's alarm book.
    What happened to it (raise, escalations, acknowledgements, audio pauses, resolve) is the
    append-only ``alarm_event`` list; the columns here are the current state."""

    __tablename__ = "alarm"
    __table_args__ = (UniqueConstraint("session_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("infusion_session.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    parameter: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(20))
    priority: Mapped[str] = mapped_column(String(10))
    condition: Mapped[str] = mapped_column(Text)  # the latest condition, JSON
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    audio_paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    clearing_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    peak_condition: Mapped[str | None] = mapped_column(Text)  # the reading that set priority


class AlarmEventRow(Base):
    __tablename__ = "alarm_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alarm_id: Mapped[int] = mapped_column(ForeignKey("alarm.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    by_name: Mapped[str] = mapped_column(String(120), default="")
    priority: Mapped[str] = mapped_column(String(10))
    from_priority: Mapped[str | None] = mapped_column(String(10))
    action: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")


class AddendumRow(Base):
    """A correction or late note to a signed record; the original stays as it was."""

    __tablename__ = "addendum"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("infusion_session.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    signature_id: Mapped[int | None] = mapped_column(ForeignKey("signature.id"))


class SideEffectListRow(Base):
    """One version of a clinic list behind the side-effect log (effect terms or rescue
    medications). Versions are never updated: an edit inserts the next version."""

    __tablename__ = "side_effect_list"
    __table_args__ = (UniqueConstraint("kind", "version", name="uq_side_effect_list_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    items: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(Text)


class SideEffectRow(Base):
    """A side effect logged in a session; the term as the list version read it."""

    __tablename__ = "side_effect"
    __table_args__ = (Index("ix_side_effect_session_onset", "session_id", "onset_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("infusion_session.id"))
    list_id: Mapped[int] = mapped_column(ForeignKey("side_effect_list.id"))
    term_code: Mapped[str] = mapped_column(String(40))
    term_label: Mapped[str] = mapped_column(String(80))
    other_text: Mapped[str] = mapped_column(Text, default="")
    onset_at: Mapped[datetime] = mapped_column(UTCDateTime())
    grade: Mapped[int] = mapped_column(Integer)
    serious: Mapped[bool] = mapped_column(Boolean)
    relationship: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20))
    linked_event_id: Mapped[int | None] = mapped_column(ForeignKey("infusion_event.id"))
    outcome: Mapped[str | None] = mapped_column(String(30))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    notified_name: Mapped[str | None] = mapped_column(String(100))
    notified_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    notification_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    notification_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SideEffectTreatmentRow(Base):
    """A rescue dose given for a side effect (append-only), as the rescue list version read."""

    __tablename__ = "side_effect_treatment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    effect_id: Mapped[int] = mapped_column(ForeignKey("side_effect.id"), index=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("side_effect_list.id"))
    medication_code: Mapped[str] = mapped_column(String(40))
    medication_name: Mapped[str] = mapped_column(String(80))
    dose: Mapped[Decimal] = mapped_column(DecimalText())
    unit: Mapped[str] = mapped_column(String(10))
    route: Mapped[str] = mapped_column(String(20))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime())
    given_by: Mapped[str] = mapped_column(String(100))
    recorded_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SideEffectReviewRow(Base):
    """The discharge side-effect review; a new row per recording, the newest is current."""

    __tablename__ = "side_effect_review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("infusion_session.id"), index=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("side_effect_list.id"))
    answers: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FollowUpRow(Base):
    """A follow-up entry between sessions (urinary, psychiatric, liver tests, other);
    append-only."""

    __tablename__ = "follow_up"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    observed_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text, default="")
    alt_u_per_l: Mapped[Decimal | None] = mapped_column(DecimalText())
    ast_u_per_l: Mapped[Decimal | None] = mapped_column(DecimalText())
    alp_u_per_l: Mapped[Decimal | None] = mapped_column(DecimalText())
    ggt_u_per_l: Mapped[Decimal | None] = mapped_column(DecimalText())
    bilirubin: Mapped[Decimal | None] = mapped_column(DecimalText())
    bilirubin_unit: Mapped[str | None] = mapped_column(String(10))
    effect_id: Mapped[int | None] = mapped_column(ForeignKey("side_effect.id"))
    effect_outcome: Mapped[str | None] = mapped_column(String(30))
    recorded_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
