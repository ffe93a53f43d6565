"""Live monitoring: observations from the nurse and the monitor, corrections, device artifacts,
and the session's alarm book.

Every value, typed or sent by a monitor, goes through the same pure alarm engine
(``console.domain.alarms``) against the clinic's thresholds and the patient's own baseline.
Alarms run from the start of the infusion until the record is signed; before the start the
blood-pressure gate of the pre-start check applies instead.

Hand-entered sets are audited one by one. Monitor sets arrive every few seconds: each is its
own committed row (source = device, the device named) and is not copied into the audit trail;
what they cause — artifacts, alarms raised, escalated or resolved, a feed lost — is audited.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from console.domain.alarms import (
    Alarm,
    AlarmAction,
    AlarmBook,
    AlarmCondition,
    AlarmKind,
    AlarmParameter,
    BookUpdate,
    assessed,
    device_feed_lost,
    evaluate,
    observation_overdue,
)
from console.domain.bedside import BASELINE_WINDOW, next_observation_due
from console.domain.clock import Clock
from console.domain.identity import Actor, Role
from console.domain.infusion import EventKind, InfusionEvent
from console.domain.scales import MonitoringScales
from console.domain.vitals import (
    POSSIBLE,
    DeviceArtifact,
    VitalSign,
    VitalSource,
    VitalValues,
    implausible,
)
from console.errors import ConfirmationRequired, ConflictError, ValidationError
from console.services.base import Service, required_reason
from console.services.monitoring_settings import read_scales, read_thresholds
from console.storage.rows import InfusionSessionRow
from console.storage.unit_of_work import Database, UnitOfWork

BEDSIDE = (Role.NURSE, Role.CLINICIAN)
CLOCK_SKEW = timedelta(seconds=5)
# A monitor's reading must stay normal this long before its alarm resolves (alarm condition
# delay): a value hovering on a threshold keeps one alarm instead of one every few seconds.
# A nurse's re-measured set resolves at once.
DEVICE_RESOLVE_AFTER = timedelta(seconds=30)
_BP = ("systolic", "diastolic")


@dataclass(frozen=True, slots=True)
class DeviceValue:
    """One value as a monitor sent it (the transport maps codes and units to ``field``)."""

    field: str
    value: int | Decimal
    at: datetime
    artifact_reason: str | None = None  # set when the transport already found it impossible


@dataclass(frozen=True, slots=True)
class MonitoringUpdate:
    """What one call stored and what it did to the alarms, for the screen and the chart."""

    session_id: int
    book: AlarmBook
    vital: VitalSign | None = None
    artifacts: tuple[DeviceArtifact, ...] = ()
    raised: tuple[Alarm, ...] = field(default=())
    escalated: tuple[Alarm, ...] = field(default=())
    resolved: tuple[Alarm, ...] = field(default=())


def editable_session(uow: UnitOfWork, session_id: int) -> InfusionSessionRow:
    """The session row, locked, if its record may still change."""
    row = uow.sessions.lock(session_id)
    if row.signature_id is not None:
        raise ConflictError("This record is signed and locked. Add an addendum to correct "
                            "or complete it; the original stays as it was.")
    if row.cancelled_reason is not None:
        raise ConflictError("This session was cancelled.")
    return row


def _started_at(events: Sequence[InfusionEvent]) -> datetime | None:
    return next((e.at for e in events if e.kind is EventKind.START), None)


def check_scales(values: VitalValues, scales: MonitoringScales) -> None:
    """The dissociation score must fit the clinic's scale; sedation on another scale than the
    clinic charts is refused so two scales never mix on one record."""
    if values.dissociation is not None:
        scales.check_dissociation(values.dissociation)
    chosen = scales.sedation.vital_field
    for name in ("sedation_rass", "sedation_poss", "sedation_moaa_s"):
        if name != chosen and getattr(values, name) is not None:
            raise ValidationError(f"This clinic charts sedation on {scales.sedation.label}; "
                                  "enter the score on that scale.", field=name)


class MonitoringService(Service):
    def __init__(self, *, database: Database, clock: Clock) -> None:
        super().__init__(database=database, clock=clock)

    # ================================================================== reading
    def alarms(self, actor: Actor, session_id: int) -> AlarmBook:
        with self._db.read() as uow:
            self.authorise(uow, actor, tuple(Role))
            uow.sessions.lock(session_id)
            return uow.monitoring.book(session_id)

    def device_sets(self, actor: Actor, session_id: int, *,
                    after_id: int = 0) -> tuple[VitalSign, ...]:
        """The monitor's sets, all or those stored after ``after_id`` (a chart catching up)."""
        with self._db.read() as uow:
            self.authorise(uow, actor, tuple(Role))
            return tuple(uow.sessions.vitals(session_id, source=VitalSource.DEVICE,
                                             after_id=after_id))

    def artifacts(self, actor: Actor, session_id: int) -> tuple[DeviceArtifact, ...]:
        with self._db.read() as uow:
            self.authorise(uow, actor, tuple(Role))
            return uow.monitoring.artifacts(session_id)

    # ================================================================== observations
    def record_vitals(self, actor: Actor, session_id: int, values: VitalValues, *,
                      at: datetime | None = None,
                      confirm: Collection[str] = ()) -> MonitoringUpdate:
        """A hand-entered set. Unusual values raise ``ConfirmationRequired`` until confirmed."""
        with self._db.write() as uow:
            self.authorise(uow, actor, BEDSIDE)
            row = editable_session(uow, session_id)
            return self.record_in(uow, actor, row, values, at=at, confirm=confirm)

    def correct_vitals(self, actor: Actor, session_id: int, vital_id: int,
                       values: VitalValues, *, reason: str,
                       confirm: Collection[str] = ()) -> MonitoringUpdate:
        """A new set that replaces ``vital_id`` on the chart; the original stays, marked as
        corrected, with the reason. Alarms are judged again on the corrected values."""
        why = required_reason(reason, what="the correction")
        with self._db.write() as uow:
            self.authorise(uow, actor, BEDSIDE)
            row = editable_session(uow, session_id)
            original = uow.sessions.vital(row.id, vital_id)
            if original.source is not VitalSource.MANUAL:
                # A correction is a hand-entered set at the original's time: made from a
                # monitor's set it would chart an observation the nurse never took (and reset
                # the observation cadence). A wrong monitor reading is answered by a new set.
                raise ValidationError("A monitor's reading cannot be corrected by hand. If it "
                                      "was wrong, take and record a set now.", field="vital")
            if original.superseded:
                raise ConflictError("This observation was already corrected: correct the "
                                    "latest version instead.")
            if original.values == values:
                raise ValidationError("The corrected values are the same as the original. "
                                      "Change a value, or close without saving.",
                                      field="heart_rate")
            return self.record_in(uow, actor, row, values, at=original.at, confirm=confirm,
                                  corrects=original, reason=why)

    def record_in(self, uow: UnitOfWork, actor: Actor, row: InfusionSessionRow,
                  values: VitalValues, *, at: datetime | None, confirm: Collection[str] = (),
                  corrects: VitalSign | None = None, reason: str | None = None
                  ) -> MonitoringUpdate:
        """Store a hand-entered set inside the caller's unit of work (the session service
        records baseline and recovery sets through here too)."""
        now = self.now()
        moment = at or now
        if moment > now + CLOCK_SKEW:
            raise ValidationError("The observation time is in the future. Enter the time the "
                                  "observations were taken.", field="at")
        if moment < row.checked_in_at - BASELINE_WINDOW:
            raise ValidationError("The observation time is before the patient arrived. Check "
                                  "the time.", field="at")
        check_scales(values, read_scales(uow))
        findings = implausible(values)
        unconfirmed = [f for f in findings if f.field not in confirm]
        if unconfirmed:
            raise ConfirmationRequired(" ".join(f.message for f in unconfirmed),
                                       fields=tuple(f.field for f in unconfirmed))
        confirmed = tuple(dict.fromkeys(f.field for f in findings))
        vital_id = uow.sessions.add_vitals(
            row.id, values, at=moment, entered_at=now, source=VitalSource.MANUAL,
            by=actor.user_id, confirmed=confirmed,
            corrects_id=None if corrects is None else corrects.id, correction_reason=reason)
        self.audit(uow, actor, "session.vitals_corrected" if corrects else "session.vitals",
                   entity_type="session", entity_id=row.id,
                   old=None if corrects is None else {"vital_id": corrects.id,
                                                      **corrects.values.as_dict()},
                   new={"vital_id": vital_id, "at": moment, **values.as_dict(),
                        "confirmed": list(confirmed)},
                   reason=reason)
        row.last_seen_at = now
        vital = uow.sessions.vital(row.id, vital_id)
        return self._judge(uow, actor, row, vital)

    def ingest(self, session_id: int, values: Sequence[DeviceValue], *, device: str,
               patient_id: str | None = None) -> MonitoringUpdate:
        """One monitor message: plausible values become a device set, the rest are kept as
        artifacts; the set is judged by the alarm engine. The message is refused, with nothing
        stored, when it names another patient (``ValidationError``) or the record is signed or
        cancelled (``ConflictError``)."""
        name = " ".join(device.split())[:60] or "monitor"
        with self._db.write() as uow:
            row = editable_session(uow, session_id)
            if patient_id:
                patient = uow.patients.get(row.patient_id)
                if patient_id.strip().upper() != patient.mrn.upper():
                    raise ValidationError(
                        "The monitor sent readings for another patient: check which monitor "
                        "is connected to this bed.", field="patient_id")
            now = self.now()
            kept, rejected = _split(values)
            at = min(max((v.at for v in values), default=now), now)
            artifacts = [uow.monitoring.add_artifact(row.id, at=min(v.at, now), field=v.field,
                                                     value=str(v.value), reason=why,
                                                     device=name) for v, why in rejected]
            vital = None
            if kept is not None:
                vital_id = uow.sessions.add_vitals(row.id, kept, at=at, entered_at=now,
                                                   source=VitalSource.DEVICE, by=None,
                                                   device=name)
                # Built here rather than read back: a new set has no correction yet.
                vital = VitalSign(id=vital_id, at=at, values=kept, source=VitalSource.DEVICE,
                                  by_name=name, entered_at=now, device=name)
            if artifacts:
                self.audit(uow, None, "monitoring.artifact", entity_type="session",
                           entity_id=row.id,
                           new={"device": name, "at": at,
                                "artifacts": [[a.field, a.value, a.reason] for a in artifacts]})
            if vital is None:
                return MonitoringUpdate(row.id, uow.monitoring.book(row.id, active_only=True),
                                        artifacts=tuple(artifacts))
            update = self._judge(uow, None, row, vital)
            return MonitoringUpdate(row.id, update.book, vital, tuple(artifacts), update.raised,
                                    update.escalated, update.resolved)

    # ================================================================== technical alarms
    def feed_lost(self, session_id: int, *, device: str) -> MonitoringUpdate:
        """The monitor stopped sending: a technical alarm once the infusion has started."""
        return self._technical(session_id, [device_feed_lost(device)],
                               AlarmParameter.DEVICE_FEED, "monitoring.feed_lost", device)

    def feed_restored(self, session_id: int, *, device: str) -> MonitoringUpdate:
        return self._technical(session_id, [], AlarmParameter.DEVICE_FEED,
                               "monitoring.feed_restored", device)

    def check_overdue(self, actor: Actor, session_id: int) -> MonitoringUpdate:
        """Raise (or clear) the observation-overdue alarm for the open session screen."""
        with self._db.write() as uow:
            self.authorise(uow, actor, tuple(Role))
            row = editable_session(uow, session_id)
            condition = self._overdue(uow, row)
            return self._apply(uow, actor, row, [] if condition is None else [condition],
                               {AlarmParameter.OBSERVATION_OVERDUE})

    def _technical(self, session_id: int, conditions: list[AlarmCondition],
                   parameter: AlarmParameter, action: str, device: str) -> MonitoringUpdate:
        with self._db.write() as uow:
            row = editable_session(uow, session_id)
            events = uow.sessions.events(row.id)
            if _started_at(events) is None or row.discharged_at is not None:
                return MonitoringUpdate(row.id, uow.monitoring.book(row.id, active_only=True))
            self.audit(uow, None, action, entity_type="session", entity_id=row.id,
                       new={"device": device})
            return self._apply(uow, None, row, conditions, {parameter})

    def _overdue(self, uow: UnitOfWork, row: InfusionSessionRow) -> AlarmCondition | None:
        events = uow.sessions.events(row.id)
        if row.discharged_at is not None:
            return None
        due = observation_due(uow, row.id, events)
        return None if due is None else observation_overdue(due_at=due, now=self.now())

    def close_alarms(self, uow: UnitOfWork, actor: Actor, row: InfusionSessionRow) -> None:
        """At discharge: every alarm about the patient must have been acknowledged (who
        responded, and how). What is still active then is resolved, so no alarm outlives the
        visit; equipment and process alarms (monitor unplugged, observations due) just end."""
        before = uow.monitoring.book(row.id, active_only=True)
        waiting = [a for a in before.active
                   if a.kind is AlarmKind.PHYSIOLOGICAL and not a.acknowledged]
        if waiting:
            names = "; ".join(a.worst.rule for a in waiting[:3])
            raise ValidationError(
                f"Acknowledge the active alarm{'s' if len(waiting) > 1 else ''} before "
                f"discharge (say what was done): {names}", field="discharge")
        if before.active:
            self._apply(uow, actor, row, [], {a.parameter for a in before.active})

    # ================================================================== acknowledging
    def acknowledge(self, actor: Actor, session_id: int, alarm_id: int, *,
                    action: AlarmAction, note: str = "") -> AlarmBook:
        """Who responded and what they did; the tone pauses for two minutes."""
        with self._db.write() as uow:
            self.authorise(uow, actor, BEDSIDE)
            row = editable_session(uow, session_id)
            before = uow.monitoring.book(row.id)
            after = before.acknowledge(alarm_id, by_name=actor.full_name, action=action,
                                       at=self._book_time(before), note=note)
            uow.monitoring.save(row.id, before, after, by_id=actor.user_id,
                                by_name=actor.full_name)
            alarm = after.find(alarm_id)
            self.audit(uow, actor, "alarm.acknowledged", entity_type="session",
                       entity_id=row.id,
                       new={"alarm": alarm_id, "parameter": alarm.parameter.value,
                            "priority": alarm.priority.value, "action": action.value,
                            "note": note.strip()})
            return after

    def pause_audio(self, actor: Actor, session_id: int) -> AlarmBook:
        """Silence every active alarm for two minutes; lights stay on."""
        with self._db.write() as uow:
            self.authorise(uow, actor, BEDSIDE)
            row = editable_session(uow, session_id)
            before = uow.monitoring.book(row.id)
            if not before.active:
                raise ValidationError("No alarm is sounding.", field="alarm")
            after = before.pause_audio(at=self._book_time(before))
            uow.monitoring.save(row.id, before, after, by_id=actor.user_id,
                                by_name=actor.full_name)
            self.audit(uow, actor, "alarm.audio_paused", entity_type="session",
                       entity_id=row.id, new={"alarms": [a.id for a in after.active]})
            return after

    # ================================================================== internals
    def _book_time(self, book: AlarmBook) -> datetime:
        """Now, but never before the book's last change (a PC clock stepping back)."""
        now = self.now()
        return now if book.updated_at is None or now >= book.updated_at else book.updated_at

    def _judge(self, uow: UnitOfWork, actor: Actor | None, row: InfusionSessionRow,
               vital: VitalSign) -> MonitoringUpdate:
        events = uow.sessions.events(row.id)
        started = _started_at(events)
        # A set taken before the start (a baseline corrected or entered late) is judged by
        # the pre-start BP gate, not by the in-session alarms.
        if started is None or row.discharged_at is not None or vital.at < started:
            return MonitoringUpdate(row.id, uow.monitoring.book(row.id, active_only=True),
                                    vital)
        baseline = uow.sessions.latest_manual(row.id, at_or_before=started,
                                              with_pressure=True)
        # A set speaks only for what no later set measured: correcting or late-entering an
        # older reading must not clear (or raise) an alarm that a newer reading decides.
        newer = set().union(*(assessed(v) for v in uow.sessions.values_after(row.id, vital.at)))
        judged = set(assessed(vital.values)) - newer
        conditions = [c for c in evaluate(vital.values, baseline=None if baseline is None
                                          else baseline.values,
                                          thresholds=read_thresholds(uow))
                      if c.parameter in judged]
        if vital.source is VitalSource.MANUAL:
            judged.add(AlarmParameter.OBSERVATION_OVERDUE)
            overdue = self._overdue(uow, row)
            if overdue is not None:
                conditions.append(overdue)
        update = self._apply(uow, actor, row, conditions, judged,
                             resolve_after=DEVICE_RESOLVE_AFTER
                             if vital.source is VitalSource.DEVICE else timedelta(0))
        return MonitoringUpdate(row.id, update.book, vital, (), update.raised,
                                update.escalated, update.resolved)

    def _apply(self, uow: UnitOfWork, actor: Actor | None, row: InfusionSessionRow,
               conditions: Sequence[AlarmCondition],
               judged: Collection[AlarmParameter],
               resolve_after: timedelta = timedelta(0)) -> MonitoringUpdate:
        before = uow.monitoring.book(row.id, active_only=True)
        result: BookUpdate = before.update(conditions, at=self._book_time(before),
                                           assessed=judged, resolve_after=resolve_after)
        uow.monitoring.save(row.id, before, result.book)
        for verb, alarms in (("raised", result.raised), ("escalated", result.escalated),
                             ("resolved", result.resolved)):
            for alarm in alarms:
                self.audit(uow, actor, f"alarm.{verb}", entity_type="session",
                           entity_id=row.id,
                           new={"alarm": alarm.id, "parameter": alarm.parameter.value,
                                "kind": alarm.kind.value, "priority": alarm.priority.value,
                                "value": alarm.condition.value, "rule": alarm.condition.rule})
        return MonitoringUpdate(row.id, result.book, raised=result.raised,
                                escalated=result.escalated, resolved=result.resolved)


def intensifiers(events: Sequence[InfusionEvent]) -> list[datetime]:
    """Times of a bolus or a rate increase: each restarts the 5-minute observations."""
    found: list[datetime] = []
    rate = Decimal(0)
    for event in events:
        if event.kind is EventKind.BOLUS:
            found.append(event.at)
        if event.rate_ml_per_h is not None:
            if event.kind is EventKind.RATE_CHANGE and event.rate_ml_per_h > rate:
                found.append(event.at)
            rate = event.rate_ml_per_h
    return found


def observation_due(uow: UnitOfWork, session_id: int,
                    events: Sequence[InfusionEvent]) -> datetime | None:
    """When the nurse's next observation is due (``None`` before the start). It counts from
    the nurse's last set: a monitor feed does not replace the nurse's checks (sedation, pain
    and dissociation need a person)."""
    latest = uow.sessions.latest_manual(session_id)
    return next_observation_due(
        started_at=_started_at(events), intensifiers=intensifiers(events),
        last_observation=None if latest is None else latest.at,
        stopped_at=next((e.at for e in events if e.kind is EventKind.STOP), None))


def _split(values: Sequence[DeviceValue]) -> tuple[VitalValues | None,
                                                  list[tuple[DeviceValue, str]]]:
    """Plausible values as one set (latest per field), and every other value with why."""
    rejected: list[tuple[DeviceValue, str]] = []
    latest: dict[str, DeviceValue] = {}
    for value in values:
        if value.artifact_reason:
            rejected.append((value, value.artifact_reason))
        elif value.field not in POSSIBLE and value.field != "temperature_c":
            rejected.append((value, "not a value the console charts"))
        elif value.field not in latest or value.at >= latest[value.field].at:
            latest[value.field] = value
    if ("systolic" in latest) != ("diastolic" in latest):
        half = latest.pop("systolic", None) or latest.pop("diastolic")
        rejected.append((half, "half a blood pressure (systolic and diastolic come together)"))
    while latest:
        try:
            candidate = VitalValues(**{k: v.value for k, v in latest.items()})  # type: ignore[arg-type]
        except ValidationError as error:
            culprits = _BP if error.field in _BP else (error.field or next(iter(latest)),)
            for name in culprits:
                if name in latest:
                    rejected.append((latest.pop(name), f"impossible: {error}"))
            continue
        for finding in implausible(candidate):
            culprits = _BP if finding.field in _BP else (finding.field,)
            for name in culprits:
                if name in latest:
                    rejected.append((latest.pop(name), f"implausible: {finding.message}"))
        if len(latest) == len(candidate.present()):
            return candidate, rejected
    return None, rejected
