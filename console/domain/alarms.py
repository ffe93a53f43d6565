"""In-session alarms: priorities, the clinic's threshold table, evaluation and the alarm lifecycle.

Priorities and presentation follow IEC 60601-1-8 conventions (clinical notes §6.1); the
thresholds are CLINICAL.md "Vital signs: alarms and gates" (notes §8.2), clinic-configurable.
Everything here is pure: the monitoring service feeds observations and times in, and gets back
conditions (what is wrong now) and an ``AlarmBook`` (what was raised, acknowledged, escalated and
resolved, and whether the tone should sound).

NEWS2 is not used here on purpose: see ``console.domain.news2``.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal

from console.domain.clock import require_aware
from console.domain.scales import PossLevel, check_moaa_s, format_rass
from console.domain.units import format_number
from console.domain.vitals import VitalValues
from console.errors import NotFound, ValidationError

# ---------------------------------------------------------------- priorities


class AlarmPriority(enum.StrEnum):
    """IEC 60601-1-8 alarm priorities with the presentation each one must have."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        """1 (low) to 3 (high): compare priorities by rank, never by their text."""
        return {"low": 1, "medium": 2, "high": 3}[self.value]

    @property
    def colour(self) -> str:
        return {"low": "cyan", "medium": "yellow", "high": "red"}[self.value]

    @property
    def flash_hz(self) -> tuple[Decimal, Decimal] | None:
        """Allowed flashing frequency range; ``None`` means a steady (constant) light."""
        return {"low": None, "medium": (Decimal("0.4"), Decimal("0.8")),
                "high": (Decimal("1.4"), Decimal("2.8"))}[self.value]

    @property
    def duty_cycle_percent(self) -> tuple[int, int]:
        """Share of each flash period the light is on (100 for steady)."""
        return (100, 100) if self is AlarmPriority.LOW else (20, 60)

    @property
    def tone_pulses(self) -> int:
        """Pulses in one burst of the tone: 10 (3+2, 3+2), 3, or a single pulse."""
        return {"low": 1, "medium": 3, "high": 10}[self.value]

    @property
    def marker(self) -> str:
        """Prefix used by bedside monitors: ``***`` high, ``**`` medium, ``*`` low."""
        return "*" * self.rank

    @property
    def action(self) -> str:
        return {
            "low": "check the patient and watch the trend",
            "medium": "notify the clinician and consider slowing the infusion",
            "high": "pause the infusion and call the clinician",
        }[self.value]


def highest(priorities: Iterable[AlarmPriority]) -> AlarmPriority | None:
    return max(priorities, key=lambda p: p.rank, default=None)


class AlarmParameter(enum.StrEnum):
    """What an alarm is about: one active alarm per parameter at a time."""

    SYSTOLIC = "systolic"
    DIASTOLIC = "diastolic"
    HEART_RATE = "heart_rate"
    SPO2 = "spo2"
    RESPIRATORY_RATE = "respiratory_rate"
    SEDATION = "sedation"
    AGITATION = "agitation"
    OBSERVATION_OVERDUE = "observation_overdue"
    DEVICE_FEED = "device_feed"
    INDEPENDENT_CHECK = "independent_check"


class AlarmKind(enum.StrEnum):
    PHYSIOLOGICAL = "physiological"  # the patient
    TECHNICAL = "technical"  # the equipment
    PROCESS = "process"  # the way of working (an overdue observation, a missing check)


VITAL_PARAMETERS = frozenset({
    AlarmParameter.SYSTOLIC, AlarmParameter.DIASTOLIC, AlarmParameter.HEART_RATE,
    AlarmParameter.SPO2, AlarmParameter.RESPIRATORY_RATE, AlarmParameter.SEDATION,
    AlarmParameter.AGITATION,
})


# ---------------------------------------------------------------- conditions


@dataclass(frozen=True, slots=True)
class AlarmCondition:
    """One thing wrong now: ``rule`` is the sentence the nurse reads."""

    parameter: AlarmParameter
    priority: AlarmPriority
    value: int | None
    rule: str
    kind: AlarmKind = AlarmKind.PHYSIOLOGICAL

    @property
    def message(self) -> str:
        return f"{self.priority.marker} {self.rule}"


def observation_overdue(*, due_at: datetime, now: datetime) -> AlarmCondition | None:
    """LOW process alarm once ``now`` is past the time the next observation was due."""
    late = require_aware(now) - require_aware(due_at)
    if late <= timedelta(0):
        return None
    minutes = -(-late // timedelta(minutes=1))  # whole minutes, rounded up
    return AlarmCondition(
        AlarmParameter.OBSERVATION_OVERDUE, AlarmPriority.LOW, minutes,
        f"Observations overdue by {minutes} min: take and record a full set now.",
        AlarmKind.PROCESS)


def device_feed_lost(device: str) -> AlarmCondition:
    """MEDIUM technical alarm: the monitor stopped sending readings."""
    name = device.strip() or "the monitor"
    return AlarmCondition(
        AlarmParameter.DEVICE_FEED, AlarmPriority.MEDIUM, None,
        f"No readings from {name}: check the monitor and its cable, and take observations "
        "by hand until readings return.", AlarmKind.TECHNICAL)


def independent_check_missing() -> AlarmCondition:
    """MEDIUM process alarm: the infusion runs without a completed independent double check."""
    return AlarmCondition(
        AlarmParameter.INDEPENDENT_CHECK, AlarmPriority.MEDIUM, None,
        "Independent double check missing at start: a second nurse must check weight, "
        "concentration and pump rate now.", AlarmKind.PROCESS)


# ---------------------------------------------------------------- the threshold table


@dataclass(frozen=True, slots=True)
class Cutoff:
    """A bound as the clinic writes it: ``at(160)`` is "≥160", ``beyond(180)`` is ">180".

    The direction (above or below normal) comes from the side of ``Bands`` it sits on.
    """

    value: int
    strict: bool = False

    def edge(self, *, rising: bool) -> int:
        """The first whole reading that is on or past the cut-off."""
        if not self.strict:
            return self.value
        return self.value + 1 if rising else self.value - 1

    def hits(self, reading: int, *, rising: bool) -> bool:
        edge = self.edge(rising=rising)
        return reading >= edge if rising else reading <= edge


def at(value: int) -> Cutoff:
    """At or beyond ``value`` (≥ on the high side, ≤ on the low side)."""
    return Cutoff(value)


def beyond(value: int) -> Cutoff:
    """Strictly beyond ``value`` (> on the high side, < on the low side)."""
    return Cutoff(value, strict=True)


@dataclass(frozen=True, slots=True)
class Side:
    """Cut-offs on one side of normal, one per priority; ``None`` means that priority is not
    used on this side."""

    low: Cutoff | None = None
    medium: Cutoff | None = None
    high: Cutoff | None = None

    def tiers(self) -> list[tuple[AlarmPriority, Cutoff]]:
        """Present cut-offs from the nearest to normal (low) to the furthest (high)."""
        pairs = [(AlarmPriority.LOW, self.low), (AlarmPriority.MEDIUM, self.medium),
                 (AlarmPriority.HIGH, self.high)]
        return [(priority, cutoff) for priority, cutoff in pairs if cutoff is not None]


@dataclass(frozen=True, slots=True)
class Bands:
    above: Side = Side()
    below: Side = Side()


@dataclass(frozen=True, slots=True)
class _Measure:
    key: str  # field of AlarmThresholds
    parameter: AlarmParameter
    label: str
    unit: str
    range: tuple[int, int]
    normal: int  # a reading that must never raise an alarm
    shown: Callable[[int], str]


def _plain(value: int) -> str:
    return str(value).replace("-", "−")


def _poss_shown(depth: int) -> str:
    return {0: "S/1"}.get(depth, str(depth))


_MEASURES = (
    _Measure("systolic", AlarmParameter.SYSTOLIC, "SBP", "mmHg", (0, 300), 120, _plain),
    _Measure("diastolic", AlarmParameter.DIASTOLIC, "DBP", "mmHg", (0, 250), 70, _plain),
    _Measure("heart_rate", AlarmParameter.HEART_RATE, "Heart rate", "/min", (0, 300), 75, _plain),
    _Measure("spo2", AlarmParameter.SPO2, "SpO2", "%", (0, 100), 100, _plain),
    _Measure("respiratory_rate", AlarmParameter.RESPIRATORY_RATE, "Resp. rate", "/min", (0, 80),
             16, _plain),
    _Measure("sedation_rass", AlarmParameter.SEDATION, "RASS", "", (-5, 4), 0, format_rass),
    _Measure("agitation_rass", AlarmParameter.AGITATION, "RASS", "", (-5, 4), 0, format_rass),
    _Measure("sedation_poss", AlarmParameter.SEDATION, "POSS", "", (0, 4), 0, _poss_shown),
    _Measure("sedation_moaa_s", AlarmParameter.SEDATION, "MOAA/S", "", (0, 5), 5, _plain),
)

# Red alarms a clinic may move but not switch off: (threshold field, side).
_REQUIRED_HIGH = (
    ("systolic", "above"), ("systolic", "below"), ("diastolic", "above"),
    ("heart_rate", "above"), ("heart_rate", "below"), ("spo2", "below"),
    ("respiratory_rate", "above"), ("respiratory_rate", "below"),
    ("sedation_rass", "below"), ("agitation_rass", "above"), ("sedation_poss", "above"),
    ("sedation_moaa_s", "below"),
)


def _with_unit(text: str, unit: str) -> str:
    return f"{text} {unit}" if unit else text


def _describe(cutoff: Cutoff, *, rising: bool, measure: _Measure) -> str:
    words = {(True, False): "at or above", (True, True): "above",
             (False, False): "at or below", (False, True): "below"}[(rising, cutoff.strict)]
    return f"{words} {_with_unit(measure.shown(cutoff.value), measure.unit)}"


@dataclass(frozen=True, slots=True)
class AlarmThresholds:
    """The clinic's alarm table. Defaults are CLINICAL.md; construction validates it.

    POSS is compared by depth (S and 1 count as 0). ``systolic_rise_percent`` is the MEDIUM
    rule "more than this percentage above the patient's own baseline SBP" (``None``: off).
    """

    systolic: Bands = Bands(above=Side(medium=at(160), high=beyond(180)),
                            below=Side(high=at(90)))
    diastolic: Bands = Bands(above=Side(medium=at(100), high=beyond(110)))
    heart_rate: Bands = Bands(above=Side(medium=at(111), high=at(131)),
                              below=Side(medium=at(50), high=at(40)))
    spo2: Bands = Bands(below=Side(low=at(95), medium=at(93), high=at(91)))
    respiratory_rate: Bands = Bands(above=Side(medium=at(21), high=at(25)),
                                    below=Side(medium=at(11), high=at(8)))
    sedation_rass: Bands = Bands(below=Side(medium=at(-2), high=at(-3)))
    agitation_rass: Bands = Bands(above=Side(medium=at(2), high=at(3)))
    sedation_poss: Bands = Bands(above=Side(medium=at(3), high=at(4)))
    sedation_moaa_s: Bands = Bands(below=Side(medium=at(3), high=at(2)))
    systolic_rise_percent: Decimal | None = Decimal(25)

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Refuse a table that cannot work: a cut-off outside what can be charted, a normal
        reading that would alarm, priorities out of order, a red alarm switched off."""
        for measure in _MEASURES:
            bands: Bands = getattr(self, measure.key)
            for side_name, side in (("above", bands.above), ("below", bands.below)):
                _validate_side(measure, side, rising=side_name == "above")
                if (measure.key, side_name) in _REQUIRED_HIGH and side.high is None:
                    which = "high" if side_name == "above" else "low"
                    raise ValidationError(
                        f"{measure.label}: the high-priority (red) alarm for {which} readings "
                        "cannot be switched off; move its cut-off instead.",
                        field=measure.key)
        percent = self.systolic_rise_percent
        if percent is not None and (not percent.is_finite() or not 0 < percent <= 100):
            raise ValidationError(
                "SBP rise over baseline: enter a percentage above 0 and at most 100 (or switch "
                "the rule off).", field="systolic_rise_percent")


def _validate_side(measure: _Measure, side: Side, *, rising: bool) -> None:
    low, high = measure.range
    normal = _with_unit(measure.shown(measure.normal), measure.unit)
    tiers = side.tiers()
    for priority, cutoff in tiers:
        edge = cutoff.edge(rising=rising)
        text = _describe(cutoff, rising=rising, measure=measure)
        if not low <= edge <= high:
            raise ValidationError(
                f"{measure.label}: the {priority.value}-priority cut-off ({text}) can never be "
                f"reached; readings are {measure.shown(low)} to {measure.shown(high)}.",
                field=measure.key)
        if cutoff.hits(measure.normal, rising=rising):
            raise ValidationError(
                f"{measure.label}: the {priority.value}-priority cut-off ({text}) would alarm "
                f"at a normal reading of {normal}.", field=measure.key)
    for (near_priority, near), (far_priority, far) in itertools.pairwise(tiers):
        near_edge, far_edge = near.edge(rising=rising), far.edge(rising=rising)
        if (far_edge <= near_edge) if rising else (far_edge >= near_edge):
            direction = "higher" if rising else "lower"
            raise ValidationError(
                f"{measure.label}: the {far_priority.value}-priority cut-off "
                f"({_describe(far, rising=rising, measure=measure)}) must be {direction} than "
                f"the {near_priority.value}-priority cut-off "
                f"({_describe(near, rising=rising, measure=measure)}).", field=measure.key)


DEFAULT_THRESHOLDS = AlarmThresholds()


# ---------------------------------------------------------------- evaluation


def _reading(measure: _Measure, values: VitalValues, poss: PossLevel | None,
             moaa_s: int | None) -> int | None:
    if measure.key in {"sedation_rass", "agitation_rass"}:
        return values.sedation_rass
    if measure.key == "sedation_poss":
        poss = poss if poss is not None else values.sedation_poss
        return None if poss is None else poss.depth
    if measure.key == "sedation_moaa_s":
        moaa_s = moaa_s if moaa_s is not None else values.sedation_moaa_s
        return None if moaa_s is None else check_moaa_s(moaa_s)
    value: int | None = getattr(values, measure.key)
    return value


def _fired(measure: _Measure, bands: Bands, reading: int) -> AlarmCondition | None:
    best: AlarmCondition | None = None
    for side, rising in ((bands.above, True), (bands.below, False)):
        for priority, cutoff in side.tiers():
            if cutoff.hits(reading, rising=rising) and (
                    best is None or priority.rank > best.priority.rank):
                shown = _with_unit(measure.shown(reading), measure.unit)
                best = AlarmCondition(
                    measure.parameter, priority, reading,
                    f"{measure.label} {shown} — {_describe(cutoff, rising=rising, measure=measure)}"
                    f": {priority.action}.")
    return best


def _baseline_rise(values: VitalValues, baseline: VitalValues | None,
                   percent: Decimal | None) -> AlarmCondition | None:
    if percent is None or baseline is None or baseline.systolic is None \
            or values.systolic is None:
        return None
    # SBP is a whole number, so "more than X" is exactly "more than floor(X)".
    limit = int(Decimal(baseline.systolic) * (100 + percent) // 100)
    if values.systolic <= limit:
        return None
    priority = AlarmPriority.MEDIUM
    return AlarmCondition(
        AlarmParameter.SYSTOLIC, priority, values.systolic,
        f"SBP {values.systolic} mmHg — more than {format_number(percent)} % above this "
        f"patient's baseline of {baseline.systolic} mmHg (above {limit} mmHg): "
        f"{priority.action}.")


def evaluate(values: VitalValues, *, baseline: VitalValues | None,
             thresholds: AlarmThresholds, poss: PossLevel | None = None,
             moaa_s: int | None = None,
             distressing_hallucinations: bool = False) -> list[AlarmCondition]:
    """Every parameter in alarm, one condition each: the highest priority that fired wins.

    Only what was measured is judged (a missing reading raises nothing; see ``assessed``).
    ``baseline`` is the patient's pre-start set, for the rule on SBP rise over baseline.
    POSS, MOAA/S and hallucinations are the sedation/agitation findings charted beside RASS.
    The list is ordered high to low priority, then by parameter.
    """
    candidates: list[AlarmCondition] = []
    for measure in _MEASURES:
        reading = _reading(measure, values, poss, moaa_s)
        if reading is not None:
            condition = _fired(measure, getattr(thresholds, measure.key), reading)
            if condition is not None:
                candidates.append(condition)
    rise = _baseline_rise(values, baseline, thresholds.systolic_rise_percent)
    if rise is not None:
        candidates.append(rise)
    if distressing_hallucinations:
        priority = AlarmPriority.MEDIUM
        candidates.append(AlarmCondition(
            AlarmParameter.AGITATION, priority, None,
            f"Distressing hallucinations: reassure the patient and {priority.action}."))
    winners: dict[AlarmParameter, AlarmCondition] = {}
    for condition in candidates:  # first listed wins a tie: absolute bounds before baseline
        current = winners.get(condition.parameter)
        if current is None or condition.priority.rank > current.priority.rank:
            winners[condition.parameter] = condition
    order = list(AlarmParameter)
    return sorted(winners.values(),
                  key=lambda c: (-c.priority.rank, order.index(c.parameter)))


def assessed(values: VitalValues, *, poss: PossLevel | None = None, moaa_s: int | None = None,
             hallucinations_assessed: bool = False) -> frozenset[AlarmParameter]:
    """The vital parameters this observation actually judged: only these can clear an alarm."""
    found = {measure.parameter for measure in _MEASURES
             if _reading(measure, values, poss, moaa_s) is not None}
    if hallucinations_assessed:
        found.add(AlarmParameter.AGITATION)
    return frozenset(found)


# ---------------------------------------------------------------- lifecycle

AUDIO_PAUSE = timedelta(minutes=2)


class AlarmAction(enum.StrEnum):
    """What the nurse did on acknowledging an alarm."""

    RATE_REDUCED = "rate_reduced"
    PAUSED = "paused"
    CLINICIAN_CALLED = "clinician_called"
    OBSERVED = "observed"
    OTHER = "other"  # needs a note

    @property
    def label(self) -> str:
        return {"rate_reduced": "rate reduced", "paused": "infusion paused",
                "clinician_called": "clinician called", "observed": "observed, no change",
                "other": "other"}[self.value]


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    at: datetime
    by_name: str
    action: AlarmAction
    priority: AlarmPriority  # the priority the alarm had when it was acknowledged
    note: str = ""


@dataclass(frozen=True, slots=True)
class Escalation:
    at: datetime
    from_priority: AlarmPriority
    to_priority: AlarmPriority


@dataclass(frozen=True, slots=True)
class Alarm:
    """One alarm from raise to resolve.

    ``priority`` is the highest the condition reached: an alarm escalates when its condition
    worsens but is not quietly downgraded while it lasts (``condition`` is the latest reading).
    An escalation needs a fresh acknowledgement and ends any audio pause.
    """

    id: int
    parameter: AlarmParameter
    kind: AlarmKind
    priority: AlarmPriority
    condition: AlarmCondition
    raised_at: datetime
    acknowledgements: tuple[Acknowledgement, ...] = ()
    escalations: tuple[Escalation, ...] = ()
    resolved_at: datetime | None = None
    audio_paused_until: datetime | None = None
    clearing_since: datetime | None = None  # condition absent since then, not yet long enough
    peak: AlarmCondition | None = None  # the reading that set ``priority`` (raise/escalation)

    @property
    def worst(self) -> AlarmCondition:
        """The condition at the alarm's priority: what the alarm is about, even after the
        reading improved (an alarm is not quietly downgraded while it lasts)."""
        return self.peak or self.condition

    @property
    def latched(self) -> bool:
        """The latest reading is less severe than the alarm's priority."""
        return self.condition.priority.rank < self.priority.rank

    @property
    def active(self) -> bool:
        return self.resolved_at is None

    @property
    def _acknowledgement(self) -> Acknowledgement | None:
        """The acknowledgement that covers the current priority, if any."""
        if not self.acknowledgements:
            return None
        last = self.acknowledgements[-1]
        if self.escalations and last.at < self.escalations[-1].at:
            return None
        return last

    @property
    def acknowledged(self) -> bool:
        return self._acknowledgement is not None

    @property
    def acknowledged_at(self) -> datetime | None:
        ack = self._acknowledgement
        return None if ack is None else ack.at

    @property
    def acknowledged_by(self) -> str | None:
        ack = self._acknowledgement
        return None if ack is None else ack.by_name

    @property
    def action(self) -> AlarmAction | None:
        ack = self._acknowledgement
        return None if ack is None else ack.action

    def should_sound(self, now: datetime) -> bool:
        """Active and not within an audio pause: the tone of ``priority`` plays."""
        if not self.active:
            return False
        return self.audio_paused_until is None or require_aware(now) >= self.audio_paused_until


@dataclass(frozen=True, slots=True)
class AlarmBook:
    """All alarms of one session. Immutable: every change returns a new book."""

    active: tuple[Alarm, ...] = ()
    resolved: tuple[Alarm, ...] = ()
    next_id: int = 1
    updated_at: datetime | None = None

    def _check_time(self, moment: datetime) -> datetime:
        moment = require_aware(moment)
        if self.updated_at is not None and moment < self.updated_at:
            raise ValueError("alarm book fed a time earlier than its last change")
        return moment

    def update(self, conditions: Iterable[AlarmCondition], *, at: datetime,
               assessed: Collection[AlarmParameter] | None = None,
               resolve_after: timedelta = timedelta(0)) -> BookUpdate:
        """Feed what is wrong at ``at``.

        New parameters raise alarms, continuing ones are kept (and escalate if worse), and an
        active alarm whose condition is absent resolves — but only if its parameter was
        ``assessed`` (``None``: the conditions are the complete picture). So an observation
        with only a heart rate does not clear a blood-pressure alarm.

        ``resolve_after`` is an alarm condition delay for resolving: the condition must stay
        absent that long (over several readings) before the alarm resolves, so a monitor value
        hovering on a threshold does not raise a new alarm every few seconds. Raising is never
        delayed.
        """
        moment = self._check_time(at)
        latest: dict[AlarmParameter, AlarmCondition] = {}
        for condition in conditions:
            current = latest.get(condition.parameter)
            if current is None or condition.priority.rank > current.priority.rank:
                latest[condition.parameter] = condition
        active: list[Alarm] = []
        resolved: list[Alarm] = []
        escalated: list[Alarm] = []
        for alarm in self.active:
            now_condition = latest.pop(alarm.parameter) if alarm.parameter in latest else None
            if now_condition is None:
                if assessed is not None and alarm.parameter not in assessed:
                    active.append(alarm)
                elif resolve_after > timedelta(0) and (
                        alarm.clearing_since is None
                        or moment - alarm.clearing_since < resolve_after):
                    active.append(alarm if alarm.clearing_since is not None
                                  else replace(alarm, clearing_since=moment))
                else:
                    resolved.append(replace(alarm, resolved_at=moment, audio_paused_until=None,
                                            clearing_since=None))
            elif now_condition.priority.rank > alarm.priority.rank:
                alarm = replace(alarm, priority=now_condition.priority, condition=now_condition,
                                audio_paused_until=None, clearing_since=None,
                                peak=now_condition,
                                escalations=(*alarm.escalations,
                                             Escalation(moment, alarm.priority,
                                                        now_condition.priority)))
                escalated.append(alarm)
                active.append(alarm)
            else:
                active.append(replace(alarm, condition=now_condition, clearing_since=None))
        raised: list[Alarm] = []
        next_id = self.next_id
        order = list(AlarmParameter)
        for condition in sorted(latest.values(), key=lambda c: order.index(c.parameter)):
            alarm = Alarm(next_id, condition.parameter, condition.kind, condition.priority,
                          condition, moment, peak=condition)
            next_id += 1
            raised.append(alarm)
            active.append(alarm)
        book = AlarmBook(tuple(active), (*self.resolved, *resolved), next_id, moment)
        return BookUpdate(book, tuple(raised), tuple(escalated), tuple(resolved))

    def find(self, alarm_id: int) -> Alarm:
        for alarm in (*self.active, *self.resolved):
            if alarm.id == alarm_id:
                return alarm
        raise NotFound(f"Alarm {alarm_id} is not in this session.")

    def acknowledge(self, alarm_id: int, *, by_name: str, action: AlarmAction, at: datetime,
                    note: str = "") -> AlarmBook:
        """Record who responded and what they did; the tone pauses for ``AUDIO_PAUSE``.

        An alarm that already cleared can still be acknowledged (charting after the event).
        """
        moment = self._check_time(at)
        alarm = self.find(alarm_id)
        if not by_name.strip():
            raise ValidationError("Say who acknowledged the alarm.", field="by_name")
        if action is AlarmAction.OTHER and not note.strip():
            raise ValidationError("Describe the action taken.", field="note")
        if alarm.acknowledged:
            raise ValidationError(
                f"This alarm was already acknowledged by {alarm.acknowledged_by}.",
                field="alarm")
        ack = Acknowledgement(moment, by_name.strip(), action, alarm.priority, note.strip())
        changed = replace(alarm, acknowledgements=(*alarm.acknowledgements, ack),
                          audio_paused_until=moment + AUDIO_PAUSE if alarm.active else None)
        return self._replace(changed, moment)

    def pause_audio(self, *, at: datetime) -> AlarmBook:
        """Silence every active alarm for ``AUDIO_PAUSE``; one still active then sounds again.
        Alarms raised or escalated during the pause sound at once."""
        moment = self._check_time(at)
        active = tuple(replace(a, audio_paused_until=moment + AUDIO_PAUSE) for a in self.active)
        return replace(self, active=active, updated_at=moment)

    def _replace(self, changed: Alarm, moment: datetime) -> AlarmBook:
        swap = {changed.id: changed}
        return replace(self, active=tuple(swap.get(a.id, a) for a in self.active),
                       resolved=tuple(swap.get(a.id, a) for a in self.resolved),
                       updated_at=moment)

    def should_sound(self, now: datetime) -> bool:
        return any(alarm.should_sound(now) for alarm in self.active)

    def sounding_priority(self, now: datetime) -> AlarmPriority | None:
        """The tone to play: the highest priority among alarms not audio-paused."""
        return highest(a.priority for a in self.active if a.should_sound(now))

    @property
    def highest_active(self) -> AlarmPriority | None:
        """What the screen shows (lights stay on during an audio pause)."""
        return highest(a.priority for a in self.active)


@dataclass(frozen=True, slots=True)
class BookUpdate:
    """The new book and what changed, for the audit trail and the screen."""

    book: AlarmBook
    raised: tuple[Alarm, ...] = field(default=())
    escalated: tuple[Alarm, ...] = field(default=())
    resolved: tuple[Alarm, ...] = field(default=())



# ---------------------------------------------------------------- the table as stored

_PRIORITY_KEYS = ("low", "medium", "high")
_SIDE_KEYS = ("above", "below")
_RISE_KEY = "systolic_rise_percent"
_BAND_KEYS = tuple(measure.key for measure in _MEASURES)
_LABELS = {measure.key: measure.label for measure in _MEASURES}


def thresholds_to_dict(thresholds: AlarmThresholds) -> dict[str, object]:
    """The table as plain JSON-ready values, the way the clinic writes it.

    Each band has ``above`` and ``below``; each side names only the priorities it uses, as
    ``{"at": 160}`` (≥ / ≤) or ``{"beyond": 180}`` (> / <). The SBP rise over baseline is a
    decimal string (``None``: the rule is off). ``thresholds_from_dict`` reads it back exactly.
    """
    table: dict[str, object] = {}
    for key in _BAND_KEYS:
        bands: Bands = getattr(thresholds, key)
        table[key] = {side_name: {name: {"beyond" if cutoff.strict else "at": cutoff.value}
                                  for name, cutoff in zip(_PRIORITY_KEYS,
                                                          (side.low, side.medium, side.high),
                                                          strict=True)
                                  if cutoff is not None}
                      for side_name, side in (("above", bands.above), ("below", bands.below))}
    percent = thresholds.systolic_rise_percent
    table[_RISE_KEY] = None if percent is None else str(percent)
    return table


def _refuse_unknown(found: Iterable[object], allowed: Collection[str], where: str,
                    field_name: str) -> None:
    unknown = sorted(str(key) for key in found if key not in allowed)
    if unknown:
        raise ValidationError(
            f"{where}: unknown entr{'y' if len(unknown) == 1 else 'ies'} "
            f"{', '.join(repr(k) for k in unknown)}; expected {', '.join(allowed)}.",
            field=field_name)


def _mapping(raw: object, where: str, field_name: str) -> dict[str, object]:
    if not isinstance(raw, dict):
        raise ValidationError(f"{where} must be a table of named entries.", field=field_name)
    return raw


def _cutoff_from(raw: object, where: str, field_name: str) -> Cutoff:
    entry = _mapping(raw, where, field_name)
    _refuse_unknown(entry, ("at", "beyond"), where, field_name)
    if len(entry) != 1:
        raise ValidationError(f"{where} needs exactly one of 'at' or 'beyond'.",
                              field=field_name)
    ((kind, value),) = entry.items()
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{where}: the cut-off must be a whole number.", field=field_name)
    return beyond(value) if kind == "beyond" else at(value)


def _side_from(raw: object, where: str, field_name: str) -> Side:
    entry = _mapping(raw, where, field_name)
    _refuse_unknown(entry, _PRIORITY_KEYS, where, field_name)
    cutoffs = {name: _cutoff_from(entry[name], f"{where}, {name} priority", field_name)
               for name in _PRIORITY_KEYS if name in entry}
    return Side(**cutoffs)


def _rise_from(raw: object) -> Decimal | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise ValidationError("SBP rise over baseline must be a percentage written as text or "
                              "a whole number.", field=_RISE_KEY)
    try:
        return Decimal(raw)
    except ArithmeticError:
        raise ValidationError(f"SBP rise over baseline: {raw!r} is not a number.",
                              field=_RISE_KEY) from None


def thresholds_from_dict(table: object) -> AlarmThresholds:
    """Read a table written by ``thresholds_to_dict``, refusing anything it would not write.

    Every band and the SBP rise must be present (a stored table is complete, so nothing
    silently falls back to a default); unknown entries are refused; the result is validated
    like any ``AlarmThresholds``.
    """
    entries = _mapping(table, "The alarm table", "thresholds")
    wanted = (*_BAND_KEYS, _RISE_KEY)
    _refuse_unknown(entries, wanted, "The alarm table", "thresholds")
    missing = [key for key in wanted if key not in entries]
    if missing:
        raise ValidationError(f"The alarm table is missing {', '.join(missing)}.",
                              field="thresholds")
    bands: dict[str, Bands] = {}
    for key in _BAND_KEYS:
        where = f"{_LABELS[key]} ({key})"
        sides = _mapping(entries[key], where, key)
        _refuse_unknown(sides, _SIDE_KEYS, where, key)
        if set(sides) != set(_SIDE_KEYS):
            raise ValidationError(f"{where} needs both 'above' and 'below' (empty for none).",
                                  field=key)
        bands[key] = Bands(above=_side_from(sides["above"], f"{where}, above", key),
                           below=_side_from(sides["below"], f"{where}, below", key))
    return AlarmThresholds(**bands,
                           systolic_rise_percent=_rise_from(entries[_RISE_KEY]))
