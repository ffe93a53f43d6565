"""What the session service hands to screens: plain, immutable data about one visit."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from console.domain.alarms import AlarmBook
from console.domain.bedside import (
    Addendum,
    DischargeChecklist,
    DoubleCheckAttempt,
    Preparation,
    Readiness,
)
from console.domain.infusion import InfusionEvent, Progress, PumpState
from console.domain.patients import Patient
from console.domain.protocols import PatientProtocol
from console.domain.signatures import Signature
from console.domain.vitals import DeviceArtifact, VitalSign


class SessionStage(enum.StrEnum):
    PREPARING = "preparing"
    RUNNING = "running"
    PAUSED = "paused"
    RECOVERY = "recovery"  # stopped, not yet discharged
    AWAITING_SIGNATURE = "awaiting signature"
    SIGNED = "signed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class PumpProgram:
    """The figures programmed into the pump, derived from the protocol at today's weight."""

    weight_kg: Decimal
    concentration_mg_per_ml: Decimal
    rate_mg_per_kg_h: Decimal
    mg_per_h: Decimal
    ml_per_h: Decimal
    duration_minutes: Decimal
    volume_ml: Decimal
    total_mg: Decimal
    soft_reasons: dict[str, str]


@dataclass(frozen=True, slots=True)
class SessionRecord:
    id: int
    patient: Patient
    protocol: PatientProtocol
    checked_in_at: datetime
    checked_in_by: str
    weight_kg: Decimal | None
    weight_measured_at: datetime | None
    weight_entered: str | None
    preparation: Preparation | None
    prepared_by: str | None
    program: PumpProgram | None
    checked_by: str | None
    checked_at: datetime | None
    double_checks: tuple[DoubleCheckAttempt, ...]
    events: tuple[InfusionEvent, ...]
    vitals: tuple[VitalSign, ...]  # hand-entered; monitor sets: MonitoringService.device_sets
    progress: Progress
    readiness: Readiness
    next_observation_due: datetime | None
    discharge: DischargeChecklist | None
    discharged_at: datetime | None
    signature: Signature | None
    addenda: tuple[Addendum, ...]
    cancelled_reason: str | None
    gap: tuple[datetime, datetime] | None
    total_warning: str | None
    stage: SessionStage
    alarms: AlarmBook = field(default_factory=AlarmBook)
    artifacts: tuple[DeviceArtifact, ...] = ()

    @property
    def locked(self) -> bool:
        return self.signature is not None

    @property
    def started(self) -> bool:
        return self.progress.state is not PumpState.NOT_STARTED

    @property
    def remaining(self) -> timedelta | None:
        if self.program is None or self.progress.started_at is None:
            return None
        planned = timedelta(minutes=float(self.program.duration_minutes))
        return max(planned - self.progress.running_time, timedelta(0))


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """One line of the Today view."""

    id: int
    patient: Patient
    stage: SessionStage
    checked_in_at: datetime
    rate_ml_per_h: Decimal
    delivered_mg: Decimal
    running_time: timedelta
    remaining: timedelta | None
    next_observation_due: datetime | None
