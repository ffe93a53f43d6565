"""Side effects seen during a session, the clinic's pick-lists, and follow-up between sessions.

A side effect is logged against one infusion session: the term from the clinic's list (or
"other" with a description), its onset on the session timeline, the CTCAE v5.0 grade, whether it
is serious, its relationship to ketamine, what was done with the infusion (linked to the
infusion event that did it, never entered twice), rescue treatment from the clinic's list, and
its outcome (CLINICAL.md "Side effects"; clinical-notes §3.2, §3.3).

The clinic's lists (effect terms, rescue medications) are versioned: every entry records the
list version it was made under and keeps the label, name and unit as they read then, so an
entry keeps its meaning when the list changes later.

Between sessions, follow-up entries belong to the patient (urinary symptoms, persistent
psychiatric effects, liver test results), and :func:`follow_up_prompts` says what to ask given
the patient's cumulative exposure (clinical-notes §3.1).

Everything here is pure: no database, no screen. Checks raise ``ValidationError`` with a
message that says what is wrong and what to do, and ``field`` naming the input at fault.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from console.domain.infusion import EventKind, InfusionEvent, PumpState, StopKind
from console.domain.units import Unit, format_number, format_quantity, parse_quantity
from console.errors import ValidationError

# ---------------------------------------------------------------- limits of what is typed

CLOCK_SKEW = timedelta(seconds=5)
"""How far in the future a time may be (clocks of two PCs differ by a little)."""
MAX_NOTES = 2000
MAX_OTHER_TEXT = 200
MAX_FOLLOW_UP_TEXT = 2000
OTHER_CODE = "other"
"""The one term every effect list keeps: a free-text description of anything not listed."""
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


# ---------------------------------------------------------------- enumerations


class Grade(enum.IntEnum):
    """CTCAE v5.0 severity grade (clinical-notes §3.2)."""

    MILD = 1
    MODERATE = 2
    SEVERE = 3
    LIFE_THREATENING = 4
    DEATH = 5

    @property
    def word(self) -> str:
        """The CTCAE wording: mild, moderate, severe, life-threatening, death."""
        return self.name.lower().replace("_", "-")

    @property
    def label(self) -> str:
        """``"Grade 3 (severe)"``."""
        return f"Grade {self.value} ({self.word})"

    @property
    def definition(self) -> str:
        """The CTCAE general definition, for a tooltip beside the grade picker."""
        return {
            Grade.MILD: "Asymptomatic or mild symptoms; observation only; no intervention "
                        "indicated.",
            Grade.MODERATE: "Minimal, local or non-invasive intervention indicated; limits "
                            "instrumental activities of daily living.",
            Grade.SEVERE: "Severe or medically significant but not immediately "
                          "life-threatening; hospitalisation indicated; limits self-care.",
            Grade.LIFE_THREATENING: "Life-threatening consequences; urgent intervention "
                                    "indicated.",
            Grade.DEATH: "Death related to the adverse event.",
        }[self]


class Relationship(enum.StrEnum):
    """Relationship of the effect to ketamine (CDISC AEREL wording)."""

    UNRELATED = "unrelated"
    UNLIKELY = "unlikely"
    POSSIBLE = "possible"
    PROBABLE = "probable"
    DEFINITE = "definite"

    @property
    def label(self) -> str:
        return "Not related" if self is Relationship.UNRELATED else self.value.capitalize()


class InfusionAction(enum.StrEnum):
    """What was done with the infusion because of the effect (CDISC AEACN).

    Every action but "not changed" and "not applicable" is done through the infusion controls,
    and the effect points at that infusion event (``linked_event_id``): it is never entered
    twice. "Not applicable" is for an effect whose onset was while no infusion ran (before the
    start, during a pause, or in recovery).
    """

    NOT_CHANGED = "not_changed"
    RATE_REDUCED = "rate_reduced"
    PAUSED = "paused"
    STOPPED = "stopped"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        return {InfusionAction.NOT_CHANGED: "Not changed",
                InfusionAction.RATE_REDUCED: "Rate reduced",
                InfusionAction.PAUSED: "Paused", InfusionAction.STOPPED: "Stopped",
                InfusionAction.NOT_APPLICABLE: "Not applicable (no infusion running)"}[self]

    @property
    def event_kind(self) -> EventKind | None:
        """The infusion event that carries this action out, if any."""
        return {InfusionAction.RATE_REDUCED: EventKind.RATE_CHANGE,
                InfusionAction.PAUSED: EventKind.PAUSE,
                InfusionAction.STOPPED: EventKind.STOP}.get(self)


class Outcome(enum.StrEnum):
    """Outcome of the effect (CDISC AEOUT)."""

    RESOLVED = "resolved"
    RESOLVING = "resolving"
    NOT_RESOLVED = "not_resolved"
    RESOLVED_WITH_SEQUELAE = "resolved_with_sequelae"
    FATAL = "fatal"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def closes(self) -> bool:
        """Resolved, resolved with sequelae and fatal close the effect and need a resolution
        time; the others leave it open (it stays on the session screen and is followed up)."""
        return self in {Outcome.RESOLVED, Outcome.RESOLVED_WITH_SEQUELAE, Outcome.FATAL}


class FollowUpKind(enum.StrEnum):
    URINARY = "urinary"
    PSYCHIATRIC = "psychiatric"
    LIVER_TESTS = "liver_tests"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {FollowUpKind.URINARY: "Urinary symptoms",
                FollowUpKind.PSYCHIATRIC: "Persistent psychiatric effects",
                FollowUpKind.LIVER_TESTS: "Liver tests", FollowUpKind.OTHER: "Other"}[self]


class AdministrationRoute(enum.StrEnum):
    """Routes a rescue medication may be given by (ISMP abbreviations on screen)."""

    IV = "iv"
    IM = "im"
    PO = "po"
    SL = "sl"
    SUBCUT = "subcut"
    INTRANASAL = "intranasal"

    @property
    def label(self) -> str:
        return {AdministrationRoute.SUBCUT: "subcut",
                AdministrationRoute.INTRANASAL: "intranasal"}.get(self, self.value.upper())


class ListKind(enum.StrEnum):
    """The two clinic lists behind the side-effect log."""

    EFFECTS = "effects"
    RESCUE = "rescue"

    @property
    def label(self) -> str:
        return {ListKind.EFFECTS: "side-effect list",
                ListKind.RESCUE: "rescue-medication list"}[self]


class BilirubinUnit(enum.StrEnum):
    UMOL_PER_L = "umol/L"
    MG_PER_DL = "mg/dL"

    @property
    def label(self) -> str:
        return "µmol/L" if self is BilirubinUnit.UMOL_PER_L else "mg/dL"


RESCUE_DOSE_UNITS = (Unit.MG, Unit.MCG)


# ---------------------------------------------------------------- clinic list items


@dataclass(frozen=True, slots=True)
class EffectTerm:
    """One item of the clinic's side-effect pick-list."""

    code: str
    label: str


@dataclass(frozen=True, slots=True)
class RescueMedication:
    """One drug of the clinic's rescue-medication list, with its single-dose limits."""

    code: str
    name: str
    unit: Unit
    routes: tuple[AdministrationRoute, ...]
    min_dose: Decimal
    max_dose: Decimal
    max_doses_per_session: int | None = None

    @property
    def dose_range(self) -> str:
        """``"4–8 mg"`` (or ``"0.1 mg"`` when the range is one dose)."""
        if self.min_dose == self.max_dose:
            return format_quantity(self.min_dose, self.unit)
        return f"{format_number(self.min_dose)}–{format_quantity(self.max_dose, self.unit)}"

    @property
    def description(self) -> str:
        """``"ondansetron 4–8 mg IV/PO"``."""
        return f"{self.name} {self.dose_range} {'/'.join(r.label for r in self.routes)}"


SHIPPED_DEFAULTS_NOTE = (
    "Shipped defaults (CLINICAL.md pick-list; rescue doses from published ketamine-clinic "
    "pathways, clinical-notes §3.3). The clinic must review them before use."
)

DEFAULT_EFFECT_TERMS: tuple[EffectTerm, ...] = (
    EffectTerm("dissociation", "Dissociation"),
    EffectTerm("hallucinations", "Hallucinations / vivid dreams"),
    EffectTerm("dysphoria", "Dysphoria / emergence reaction"),
    EffectTerm("anxiety", "Anxiety / agitation"),
    EffectTerm("sedation", "Sedation"),
    EffectTerm("nausea", "Nausea"),
    EffectTerm("vomiting", "Vomiting"),
    EffectTerm("hypertension", "Hypertension"),
    EffectTerm("tachycardia", "Tachycardia"),
    EffectTerm("hypotension_bradycardia", "Hypotension / bradycardia"),
    EffectTerm("dizziness", "Dizziness"),
    EffectTerm("headache", "Headache"),
    EffectTerm("visual", "Diplopia / nystagmus / blurred vision"),
    EffectTerm("hypersalivation", "Hypersalivation"),
    EffectTerm("respiratory_depression", "Respiratory depression"),
    EffectTerm("injection_site", "Injection-site reaction"),
    EffectTerm("rash_allergy", "Rash / allergic reaction"),
    EffectTerm("urinary", "Urinary symptoms"),
    EffectTerm(OTHER_CODE, "Other (describe)"),
)
"""The CLINICAL.md pick-list, shipped as version 1 of the clinic's effect list."""

_IV, _PO = AdministrationRoute.IV, AdministrationRoute.PO
DEFAULT_RESCUE_MEDICATIONS: tuple[RescueMedication, ...] = (
    RescueMedication("ondansetron", "ondansetron", Unit.MG, (_IV, _PO), Decimal(4), Decimal(8)),
    RescueMedication("midazolam", "midazolam", Unit.MG, (_IV,), Decimal("0.5"), Decimal(2)),
    RescueMedication("clonidine", "clonidine", Unit.MG, (_PO,), Decimal("0.05"),
                     Decimal("0.2")),
    RescueMedication("labetalol", "labetalol", Unit.MG, (_IV,), Decimal(5), Decimal(20)),
)
"""Shipped as version 1 of the rescue list: defaults the clinic must review
(:data:`SHIPPED_DEFAULTS_NOTE`). Usual doses: ondansetron 4 mg, clonidine 0.1 mg."""

PSYCHIATRIC_TERMS = frozenset({"dissociation", "hallucinations", "dysphoria", "anxiety"})
"""Terms whose persistence after discharge is followed up as a psychiatric effect."""
URINARY_TERMS = frozenset({"urinary"})


@dataclass(frozen=True)
class ClinicList[ItemT: (EffectTerm, RescueMedication)]:
    """One version of a clinic list. Versions are never changed: an edit makes a new one.

    (No ``slots``: a slotted frozen generic cannot be built through ``EffectList(...)``.)
    """

    kind: ListKind
    version: int
    items: tuple[ItemT, ...]
    changed_by: str
    changed_at: datetime
    reason: str

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(item.code for item in self.items)

    def find(self, code: str) -> ItemT | None:
        return next((item for item in self.items if item.code == code), None)


EffectList = ClinicList[EffectTerm]
RescueList = ClinicList[RescueMedication]


def _name(raw: str, *, what: str, field_name: str, low: int = 2, high: int = 80) -> str:
    text = " ".join(raw.split())
    if not low <= len(text) <= high:
        raise ValidationError(f"Give {what} ({low} to {high} characters).", field=field_name)
    return text


def _code(raw: str, *, what: str) -> str:
    code = raw.strip().lower()
    if not _CODE.fullmatch(code):
        raise ValidationError(
            f"The code of {what} must be 2 to 40 lower-case letters, digits or underscores, "
            "starting with a letter (for example 'blurred_vision').", field="code")
    return code


def validate_effect_terms(terms: Iterable[EffectTerm]) -> tuple[EffectTerm, ...]:
    """The normalised terms of a new effect-list version, or a refusal saying what to fix.

    Codes and labels are unique, and "other" always stays so that anything unlisted can be
    described.
    """
    result: list[EffectTerm] = []
    codes: set[str] = set()
    labels: set[str] = set()
    for term in terms:
        label = _name(term.label, what="every effect a label", field_name="label")
        code = _code(term.code, what=f"'{label}'")
        if code in codes:
            raise ValidationError(f"The code '{code}' is used twice. Give each effect its own "
                                  "code.", field="code")
        if label.casefold() in labels:
            raise ValidationError(f"'{label}' is listed twice. Remove one.", field="label")
        codes.add(code)
        labels.add(label.casefold())
        result.append(EffectTerm(code, label))
    if OTHER_CODE not in codes:
        raise ValidationError("Keep the 'other' item (code 'other'): it lets a nurse describe "
                              "an effect that is not listed.", field="code")
    if len(result) < 2:
        raise ValidationError("List at least one effect besides 'other'.", field="items")
    return tuple(result)


def validate_rescue_medications(
    medications: Iterable[RescueMedication],
) -> tuple[RescueMedication, ...]:
    """The normalised drugs of a new rescue-list version, or a refusal saying what to fix."""
    result: list[RescueMedication] = []
    codes: set[str] = set()
    for medication in medications:
        name = _name(medication.name, what="every medication a name", field_name="name")
        code = _code(medication.code, what=f"'{name}'")
        if code in codes:
            raise ValidationError(f"The code '{code}' is used twice. Give each medication its "
                                  "own code.", field="code")
        codes.add(code)
        if medication.unit not in RESCUE_DOSE_UNITS:
            raise ValidationError(f"Give {name}'s dose in mg or mcg.", field="unit")
        routes = tuple(dict.fromkeys(AdministrationRoute(r) for r in medication.routes))
        if not routes:
            raise ValidationError(f"Choose at least one route for {name}.", field="routes")
        for bound in (medication.min_dose, medication.max_dose):
            if not isinstance(bound, Decimal) or not bound.is_finite() or bound <= 0:
                raise ValidationError(f"{name}'s dose limits must be numbers above zero.",
                                      field="min_dose")
        if medication.min_dose > medication.max_dose:
            raise ValidationError(
                f"{name}'s lowest dose ({format_quantity(medication.min_dose, medication.unit)})"
                f" is above its highest ({format_quantity(medication.max_dose, medication.unit)})"
                ". Swap them.", field="min_dose")
        if medication.max_doses_per_session is not None \
                and not 1 <= medication.max_doses_per_session <= 20:
            raise ValidationError(f"{name}'s doses per session must be 1 to 20, or left empty "
                                  "for no count limit.", field="max_doses_per_session")
        result.append(RescueMedication(code, name, medication.unit, routes, medication.min_dose,
                                       medication.max_dose, medication.max_doses_per_session))
    return tuple(result)


# ---------------------------------------------------------------- the log entry


@dataclass(frozen=True, slots=True)
class Treatment:
    """A rescue dose given for an effect, with the medication as the list version read."""

    id: int
    medication_code: str
    medication_name: str
    rescue_list_version: int
    dose: Decimal
    unit: Unit
    route: AdministrationRoute
    given_at: datetime
    given_by: str
    recorded_by: str
    recorded_at: datetime

    @property
    def description(self) -> str:
        """``"ondansetron 4 mg IV at 10:15 by Nora Kim, RN"`` (local time)."""
        return (f"{self.medication_name} {format_quantity(self.dose, self.unit)} "
                f"{self.route.label} at {self.given_at.astimezone():%H:%M} by {self.given_by}")


@dataclass(frozen=True, slots=True)
class Notification:
    """Who was told of a severe or serious effect, and when."""

    clinician_name: str
    clinician_user_id: int | None
    at: datetime
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class SideEffect:
    """One logged side effect of one session, as recorded (term as the list version read)."""

    id: int
    session_id: int
    patient_id: int
    term_code: str
    term_label: str
    effect_list_version: int
    other_text: str
    onset_at: datetime
    grade: Grade
    serious: bool
    relationship: Relationship
    action: InfusionAction
    linked_event_id: int | None
    treatments: tuple[Treatment, ...]
    outcome: Outcome | None
    resolved_at: datetime | None
    outcome_note: str
    notes: str
    recorded_by: str
    recorded_at: datetime
    notification: Notification | None

    @property
    def term(self) -> str:
        """What the nurse picked, as shown: ``"Nausea"`` or ``"Other: jaw tension"``."""
        if self.term_code == OTHER_CODE:
            return f"Other: {self.other_text}"
        return self.term_label

    @property
    def needs_notification(self) -> bool:
        """Grade 3 or higher, or serious: the clinician must be told (and it is recorded)."""
        return self.grade >= Grade.SEVERE or self.serious

    @property
    def notification_pending(self) -> bool:
        return self.needs_notification and self.notification is None

    @property
    def is_open(self) -> bool:
        """No outcome yet, or an outcome that does not close it (resolving, not resolved,
        unknown): it stays on the session screen and is followed up."""
        return self.outcome is None or not self.outcome.closes

    @property
    def awaiting_outcome(self) -> bool:
        """No outcome recorded at all: the session record cannot be signed."""
        return self.outcome is None

    @property
    def summary(self) -> str:
        """One line for the timeline, a chart marker's tooltip or the record."""
        parts = [self.term, self.grade.label]
        if self.serious:
            parts.append("serious")
        parts.append(f"onset {self.onset_at.astimezone():%H:%M}")
        if self.outcome is not None:
            parts.append(self.outcome.label.lower()
                         + (f" {self.resolved_at.astimezone():%H:%M}" if self.resolved_at
                            else ""))
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class TreatmentDraft:
    """A rescue dose as the nurse enters it. ``given_at`` None means now; ``given_by`` empty
    means the person recording it."""

    medication_code: str
    dose: Decimal | str
    route: AdministrationRoute | str
    given_at: datetime | None = None
    given_by: str = ""


@dataclass(frozen=True, slots=True)
class SideEffectDraft:
    """Everything the one-step log takes. ``onset_at`` None means now.

    ``action`` other than not-changed / not-applicable needs ``linked_event_id``: the pause,
    stop or lower-rate change recorded through the infusion controls. Treatments, outcome and
    resolution time may be given at once or added later.
    """

    term_code: str
    grade: Grade | int
    serious: bool
    relationship: Relationship | str
    action: InfusionAction | str = InfusionAction.NOT_CHANGED
    onset_at: datetime | None = None
    other_text: str = ""
    linked_event_id: int | None = None
    treatments: tuple[TreatmentDraft, ...] = ()
    outcome: Outcome | str | None = None
    resolved_at: datetime | None = None
    notes: str = ""


# ---------------------------------------------------------------- checks


def check_time(moment: datetime, *, now: datetime, field_name: str, what: str) -> datetime:
    """Aware and not in the future (a few seconds of clock difference are allowed)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationError(f"The {what} needs a time zone (the screen converts local time).",
                              field=field_name)
    if moment > now + CLOCK_SKEW:
        raise ValidationError(f"The {what} ({moment.astimezone():%d %b %H:%M}) is in the "
                              "future. Enter the time it happened.", field=field_name)
    return moment


def check_onset(onset_at: datetime, *, session_began: datetime, now: datetime) -> datetime:
    """The onset lies on this session's timeline: not before check-in, not in the future."""
    check_time(onset_at, now=now, field_name="onset_at", what="onset time")
    if onset_at < session_began:
        raise ValidationError(
            f"The onset ({onset_at.astimezone():%d %b %H:%M}) is before this session began "
            f"(check-in {session_began.astimezone():%H:%M}). Pick a time on this session's "
            "timeline, or record an earlier effect as a follow-up on the patient.",
            field="onset_at")
    return onset_at


def check_resolution(outcome: Outcome | None, resolved_at: datetime | None, *,
                     onset_at: datetime, now: datetime) -> None:
    """A closing outcome needs its resolution time (after the onset, not in the future); an
    open outcome takes none."""
    if outcome is None:
        if resolved_at is not None:
            raise ValidationError("Choose the outcome for the resolution time (resolved, "
                                  "resolved with sequelae or fatal).", field="outcome")
        return
    if not outcome.closes:
        if resolved_at is not None:
            raise ValidationError(
                f"'{outcome.label}' leaves the effect open, so it has no resolution time. "
                "Clear the time, or choose 'resolved' if it is over.", field="resolved_at")
        return
    if resolved_at is None:
        raise ValidationError(f"'{outcome.label}' needs the time the effect resolved.",
                              field="resolved_at")
    check_time(resolved_at, now=now, field_name="resolved_at", what="resolution time")
    if resolved_at < onset_at:
        raise ValidationError(
            f"The resolution time ({resolved_at.astimezone():%H:%M}) is before the onset "
            f"({onset_at.astimezone():%H:%M}). Check both times.", field="resolved_at")


def check_outcome_for_grade(outcome: Outcome | None, grade: Grade) -> None:
    """Grade 5 is death related to the effect: its outcome, once given, is fatal, and a fatal
    outcome is grade 5."""
    if outcome is Outcome.FATAL and grade is not Grade.DEATH:
        raise ValidationError("A fatal outcome is CTCAE grade 5. Reassess the grade first.",
                              field="outcome")
    if grade is Grade.DEATH and outcome is not None and outcome is not Outcome.FATAL:
        raise ValidationError("Grade 5 means death related to the effect: its outcome is "
                              "fatal. Reassess the grade if the patient survived.",
                              field="outcome")


def check_grade_and_serious(grade: Grade, serious: bool) -> None:
    if grade is Grade.DEATH and not serious:
        raise ValidationError("A grade 5 (fatal) effect is always serious.", field="serious")


def check_other_text(term_code: str, other_text: str) -> str:
    """The description "other" needs (and that no listed term takes)."""
    text = " ".join(other_text.split())
    if term_code != OTHER_CODE:
        if text:
            raise ValidationError("A description is only for 'other'. Clear it, or choose "
                                  "'other'.", field="other_text")
        return ""
    if len(text) < 3:
        raise ValidationError("Describe the effect for 'other' (a few words).",
                              field="other_text")
    if len(text) > MAX_OTHER_TEXT:
        raise ValidationError(f"Keep the description under {MAX_OTHER_TEXT} characters; use "
                              "the notes for more.", field="other_text")
    return text


def check_notes(notes: str, *, field_name: str = "notes", limit: int = MAX_NOTES) -> str:
    text = notes.strip()
    if len(text) > limit:
        raise ValidationError(f"Keep the notes under {limit} characters (now {len(text)}).",
                              field=field_name)
    return text


def parse_dose(raw: Decimal | str, medication: RescueMedication) -> Decimal:
    """A dose typed as text ("4" or "4 mg") or given as a Decimal, in the list's unit."""
    return parse_quantity(raw, unit=medication.unit, field="dose",
                          label=f"{medication.name} dose")


def check_dose(medication: RescueMedication, dose: Decimal, route: AdministrationRoute | str,
               *, doses_already_given: int = 0) -> AdministrationRoute:
    """Within the list's single-dose range, by an allowed route, and within the count per
    session when the list sets one."""
    if not isinstance(dose, Decimal) or not dose.is_finite() or not \
            medication.min_dose <= dose <= medication.max_dose:
        shown = format_quantity(dose, medication.unit) if isinstance(dose, Decimal) \
            and dose.is_finite() else str(dose)
        raise ValidationError(
            f"{shown} of {medication.name} is outside the clinic's list: one dose is "
            f"{medication.dose_range}. Enter a dose in that range, or call the clinician for "
            "an order outside the list.", field="dose")
    try:
        chosen = AdministrationRoute(route)
    except ValueError:
        chosen = None
    if chosen is None or chosen not in medication.routes:
        allowed = " or ".join(r.label for r in medication.routes)
        raise ValidationError(f"The clinic's list gives {medication.name} {allowed} only. "
                              "Choose one of those routes.", field="route")
    limit = medication.max_doses_per_session
    if limit is not None and doses_already_given >= limit:
        raise ValidationError(
            f"{medication.name} has already been given {doses_already_given} time"
            f"{'s' if doses_already_given != 1 else ''} this session; the clinic's list allows "
            f"{limit}. Call the clinician.", field="medication_code")
    return chosen


def check_treatment_time(given_at: datetime, *, onset_at: datetime, now: datetime) -> datetime:
    check_time(given_at, now=now, field_name="given_at", what="time the dose was given")
    if given_at < onset_at:
        raise ValidationError(
            f"The dose time ({given_at.astimezone():%H:%M}) is before the effect's onset "
            f"({onset_at.astimezone():%H:%M}). Check both times.", field="given_at")
    return given_at


def check_action(action: InfusionAction, *, event: InfusionEvent | None,
                 rate_before: Decimal | None, onset_at: datetime,
                 state_at_onset: PumpState) -> None:
    """The action agrees with the infusion event it is linked to.

    ``event`` is the linked event (None when no link was given), ``rate_before`` the pump rate
    in force just before it, ``state_at_onset`` the pump's state at the onset.
    """
    wanted = action.event_kind
    if wanted is None:
        if event is not None:
            raise ValidationError(
                f"'{action.label}' takes no infusion event. Choose the action that event "
                "records, or clear the link.", field="linked_event_id")
        if action is InfusionAction.NOT_APPLICABLE and state_at_onset is PumpState.RUNNING:
            raise ValidationError(
                "The infusion was running at the onset, so an action applies: choose 'not "
                "changed', or reduce, pause or stop it with the infusion controls.",
                field="action")
        return
    if event is None:
        raise ValidationError(
            f"'{action.label}' is done with the infusion controls. {action.label} the "
            "infusion there first, then choose that entry here (it is linked, not entered "
            "twice).", field="linked_event_id")
    if event.kind is not wanted:
        raise ValidationError(
            f"The chosen infusion entry is '{event.kind.label.lower()}', not "
            f"'{action.label.lower()}'. Choose the matching entry.", field="linked_event_id")
    if event.at < onset_at:
        raise ValidationError(
            f"The infusion was {event.kind.label.lower()} at {event.at.astimezone():%H:%M}, "
            f"before this effect's onset ({onset_at.astimezone():%H:%M}), so it cannot be the "
            "action taken for it. Check the onset time.", field="linked_event_id")
    if action is InfusionAction.RATE_REDUCED and (
            event.rate_ml_per_h is None or rate_before is None
            or event.rate_ml_per_h >= rate_before):
        raise ValidationError("That rate change did not lower the rate. Choose a change to a "
                              "lower rate.", field="linked_event_id")
    if action is InfusionAction.STOPPED and event.stop_kind is StopKind.COMPLETED:
        raise ValidationError(
            "That stop was recorded as the completed infusion. An infusion stopped because of "
            "a side effect is an early stop.", field="linked_event_id")


def action_for(event: InfusionEvent, rate_before: Decimal | None) -> InfusionAction | None:
    """The action an infusion event stands for, or None when it stands for none (a start, a
    resume, a bolus, a rate increase, a completed stop)."""
    if event.kind is EventKind.PAUSE:
        return InfusionAction.PAUSED
    if event.kind is EventKind.STOP:
        return None if event.stop_kind is StopKind.COMPLETED else InfusionAction.STOPPED
    if event.kind is EventKind.RATE_CHANGE and event.rate_ml_per_h is not None \
            and rate_before is not None and event.rate_ml_per_h < rate_before:
        return InfusionAction.RATE_REDUCED
    return None


# ---------------------------------------------------------------- discharge review


@dataclass(frozen=True, slots=True)
class ReviewAnswer:
    """One pick-list item at discharge: none, or present with its worst grade."""

    term_code: str
    term_label: str
    grade: Grade | None
    detail: str = ""

    @property
    def present(self) -> bool:
        return self.grade is not None


@dataclass(frozen=True, slots=True)
class DischargeReview:
    """The structured side-effect review that completes the session record."""

    session_id: int
    effect_list_version: int
    answers: tuple[ReviewAnswer, ...]
    recorded_by: str
    recorded_at: datetime

    @property
    def present(self) -> tuple[ReviewAnswer, ...]:
        return tuple(a for a in self.answers if a.present)


def build_review(effects: EffectList, answers: Mapping[str, Grade | int | None], *,
                 other_text: str = "") -> tuple[ReviewAnswer, ...]:
    """Every term of the list version answered: ``None`` for none, a grade for present.

    The review covers the whole session (worst grade of each item). "Other", when present,
    needs ``other_text``.
    """
    unknown = sorted(set(answers) - set(effects.codes))
    if unknown:
        raise ValidationError(
            f"Not on version {effects.version} of the side-effect list: {', '.join(unknown)}. "
            "Reload the review.", field="answers")
    missing = [term.label for term in effects.items if term.code not in answers]
    if missing:
        raise ValidationError("Answer every item (none, or present with a grade): "
                              + ", ".join(missing) + ".", field="answers")
    result = []
    for term in effects.items:
        raw = answers[term.code]
        grade = None if raw is None else as_grade(raw)
        detail = ""
        if term.code == OTHER_CODE and grade is not None:
            detail = check_other_text(OTHER_CODE, other_text)
        result.append(ReviewAnswer(term.code, term.label, grade, detail))
    if other_text.strip() and answers.get(OTHER_CODE) is None:
        raise ValidationError("A description is only for 'other' when it is present.",
                              field="other_text")
    return tuple(result)


def check_review_against_effects(answers: Sequence[ReviewAnswer],
                                 effects: Sequence[SideEffect]) -> None:
    """Each effect logged in the session is present in the review, at least at its grade."""
    by_code = {a.term_code: a for a in answers}
    for effect in effects:
        answer = by_code.get(effect.term_code)
        if answer is None:
            continue  # a term the clinic has since removed: the logged entry stands alone
        if answer.grade is None or answer.grade < effect.grade:
            raise ValidationError(
                f"{effect.term} was logged at {effect.onset_at.astimezone():%H:%M} "
                f"({effect.grade.label.lower()}): answer '{answer.term_label}' as present, "
                f"grade {effect.grade.value} or higher.", field=answer.term_code)


def signing_blockers(effects: Sequence[SideEffect],
                     review: DischargeReview | None) -> list[str]:
    """What in the side-effect log stops the session record being signed, each as a sentence
    saying what to do (empty when nothing does)."""
    problems = []
    for effect in effects:
        when = f"onset {effect.onset_at.astimezone():%H:%M}"
        if effect.awaiting_outcome:
            problems.append(f"{effect.term} ({when}) has no outcome: record its outcome "
                            "(resolved, resolving, not resolved, …).")
        if effect.notification_pending:
            problems.append(f"{effect.term} ({when}) is {effect.grade.label.lower()}"
                            f"{', serious' if effect.serious else ''}: record which clinician "
                            "was notified and when.")
    if review is None:
        problems.append("Record the discharge side-effect review (each item none, or present "
                        "with a grade).")
    else:
        try:
            check_review_against_effects(review.answers, effects)
        except ValidationError as error:
            problems.append("The side-effect review is out of date: " + error.message)
    return problems


def as_grade(raw: Grade | int | str) -> Grade:
    """A CTCAE grade from a picker value, or a refusal."""
    try:
        return Grade(int(raw))
    except (TypeError, ValueError):
        raise ValidationError("Choose a CTCAE grade from 1 to 5.", field="grade") from None


# ---------------------------------------------------------------- between sessions


@dataclass(frozen=True, slots=True)
class LiverTests:
    """Liver test results (U/L, bilirubin in the unit given); any may be missing."""

    alt_u_per_l: Decimal | None = None
    ast_u_per_l: Decimal | None = None
    alp_u_per_l: Decimal | None = None
    ggt_u_per_l: Decimal | None = None
    bilirubin: Decimal | None = None
    bilirubin_unit: BilirubinUnit = BilirubinUnit.UMOL_PER_L

    def values(self) -> dict[str, Decimal]:
        names = ("alt_u_per_l", "ast_u_per_l", "alp_u_per_l", "ggt_u_per_l", "bilirubin")
        found = {n: getattr(self, n) for n in names}
        return {n: v for n, v in found.items() if v is not None}

    @property
    def summary(self) -> str:
        parts = [f"{label} {format_number(v)} U/L" for label, v in (
            ("ALT", self.alt_u_per_l), ("AST", self.ast_u_per_l), ("ALP", self.alp_u_per_l),
            ("GGT", self.ggt_u_per_l)) if v is not None]
        if self.bilirubin is not None:
            parts.append(f"bilirubin {format_number(self.bilirubin)} {self.bilirubin_unit.label}")
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class FollowUpDraft:
    """A follow-up entry between sessions. ``effect_id`` names an earlier logged effect this
    entry follows up, and ``effect_outcome`` its outcome as now known (the signed session
    record itself is never changed)."""

    kind: FollowUpKind | str
    observed_on: date
    text: str = ""
    liver: LiverTests | None = None
    effect_id: int | None = None
    effect_outcome: Outcome | str | None = None


@dataclass(frozen=True, slots=True)
class FollowUp:
    id: int
    patient_id: int
    kind: FollowUpKind
    observed_on: date
    text: str
    liver: LiverTests | None
    effect_id: int | None
    effect_outcome: Outcome | None
    recorded_by: str
    recorded_at: datetime


LIVER_VALUE_MAX = Decimal(100_000)


def check_follow_up(draft: FollowUpDraft, *, today: date) -> FollowUpDraft:
    """The normalised draft, or a refusal: not dated in the future, words for every kind but
    liver tests, at least one value for liver tests (and values only there)."""
    try:
        kind = FollowUpKind(draft.kind)
    except ValueError:
        raise ValidationError("Choose what is followed up: urinary, psychiatric, liver tests "
                              "or other.", field="kind") from None
    if draft.observed_on > today:
        raise ValidationError(f"The date ({draft.observed_on:%d %b %Y}) is in the future. "
                              "Enter the day it was observed or the sample taken.",
                              field="observed_on")
    text = check_notes(draft.text, field_name="text", limit=MAX_FOLLOW_UP_TEXT)
    liver = draft.liver
    if kind is FollowUpKind.LIVER_TESTS:
        if liver is None or not liver.values():
            raise ValidationError("Enter at least one liver test result (ALT, AST, ALP, GGT or "
                                  "bilirubin).", field="alt_u_per_l")
        for name, value in liver.values().items():
            if not isinstance(value, Decimal) or not value.is_finite() or \
                    not Decimal(0) <= value < LIVER_VALUE_MAX:
                raise ValidationError("A liver test result is a number from 0 (as printed on "
                                      "the lab report).", field=name)
        liver = LiverTests(alt_u_per_l=liver.alt_u_per_l, ast_u_per_l=liver.ast_u_per_l,
                           alp_u_per_l=liver.alp_u_per_l, ggt_u_per_l=liver.ggt_u_per_l,
                           bilirubin=liver.bilirubin,
                           bilirubin_unit=BilirubinUnit(liver.bilirubin_unit))
    else:
        if liver is not None and liver.values():
            raise ValidationError("Liver test values go in a 'liver tests' entry.",
                                  field="kind")
        liver = None
        if len(text) < 3:
            raise ValidationError(f"Describe what was found ({kind.label.lower()}).",
                                  field="text")
    outcome = None
    if draft.effect_outcome is not None:
        if draft.effect_id is None:
            raise ValidationError("Choose the effect whose outcome this records.",
                                  field="effect_id")
        outcome = Outcome(draft.effect_outcome)
    return FollowUpDraft(kind, draft.observed_on, text, liver, draft.effect_id, outcome)


# ---------------------------------------------------------------- follow-up prompts

URINARY_PROMPT_AFTER_SESSIONS = 1
"""Clinic default: once a patient has had this many sessions, ask about urinary symptoms at
every visit (repeated exposure; urological toxicity with repeated use, clinical-notes §3.1)."""
LIVER_TESTS_AFTER_SESSIONS = 10
"""Clinic default: liver tests are due once a patient has had this many sessions (one usual
course) since the last result, or in all (hepatotoxicity with repeated exposure, §3.1)."""
LIVER_TESTS_EVERY_DAYS = 90
"""Clinic default: with repeated exposure (:data:`LIVER_TESTS_AFTER_SESSIONS` sessions in all),
liver tests are due again when the newest result is older than this many days."""


@dataclass(frozen=True, slots=True)
class Exposure:
    """A patient's cumulative ketamine exposure: the sessions behind them (started, with a
    signed record), by local check-in date, and the ketamine they delivered."""

    session_dates: tuple[date, ...]
    cumulative_mg: Decimal

    @property
    def sessions(self) -> int:
        return len(self.session_dates)


@dataclass(frozen=True, slots=True)
class FollowUpPrompt:
    """Something the clinic should ask or arrange now, and why."""

    kind: FollowUpKind
    title: str
    detail: str
    effect_id: int | None = None
    last_recorded_on: date | None = None


def follow_up_prompts(exposure: Exposure, follow_ups: Sequence[FollowUp],
                      effects: Sequence[SideEffect], *, today: date,
                      open_session_ids: frozenset[int] = frozenset(),
                      ) -> tuple[FollowUpPrompt, ...]:
    """What to ask the patient now, given exposure, follow-ups so far and earlier effects.

    - Urinary symptoms at every visit once :data:`URINARY_PROMPT_AFTER_SESSIONS` sessions are
      behind the patient, unless asked since the latest session.
    - Liver tests after :data:`LIVER_TESTS_AFTER_SESSIONS` sessions without a result, or when
      the newest is older than :data:`LIVER_TESTS_EVERY_DAYS` days (with repeated exposure).
    - Each effect left open at the end of an earlier session (resolving, not resolved,
      unknown), until a follow-up records it closed. ``open_session_ids`` are sessions still in
      progress, whose effects are on the session screen instead.
    """
    prompts: list[FollowUpPrompt] = []
    latest_session = max(exposure.session_dates, default=None)

    def newest(kind: FollowUpKind) -> date | None:
        return max((f.observed_on for f in follow_ups if f.kind is kind), default=None)

    urinary = newest(FollowUpKind.URINARY)
    if exposure.sessions >= URINARY_PROMPT_AFTER_SESSIONS and latest_session is not None \
            and (urinary is None or urinary < latest_session):
        prompts.append(FollowUpPrompt(
            FollowUpKind.URINARY, "Ask about urinary symptoms",
            f"{exposure.sessions} session{'s' if exposure.sessions != 1 else ''} so far "
            f"({format_quantity(exposure.cumulative_mg, Unit.MG)} in all): ask about "
            "frequency, urgency, pain on passing urine and blood in the urine at every visit.",
            last_recorded_on=urinary))

    liver = newest(FollowUpKind.LIVER_TESTS)
    since = exposure.sessions if liver is None else sum(
        1 for d in exposure.session_dates if d > liver)
    if since >= LIVER_TESTS_AFTER_SESSIONS:
        prompts.append(FollowUpPrompt(
            FollowUpKind.LIVER_TESTS, "Liver tests due",
            f"{since} sessions {'in all' if liver is None else 'since the last result'} and "
            f"{'no result recorded' if liver is None else f'the last on {liver:%d %b %Y}'}: "
            "arrange ALT, AST, ALP, GGT and bilirubin and record the results.",
            last_recorded_on=liver))
    elif liver is not None and exposure.sessions >= LIVER_TESTS_AFTER_SESSIONS \
            and (today - liver).days > LIVER_TESTS_EVERY_DAYS:
        prompts.append(FollowUpPrompt(
            FollowUpKind.LIVER_TESTS, "Liver tests due",
            f"The last result is from {liver:%d %b %Y}, more than {LIVER_TESTS_EVERY_DAYS} "
            f"days ago, after {exposure.sessions} sessions: arrange liver tests again.",
            last_recorded_on=liver))

    closed = {f.effect_id for f in follow_ups
              if f.effect_id is not None and f.effect_outcome is not None
              and f.effect_outcome.closes}
    for effect in effects:
        if not effect.is_open or effect.id in closed or effect.session_id in open_session_ids:
            continue
        kind = FollowUpKind.PSYCHIATRIC if effect.term_code in PSYCHIATRIC_TERMS else \
            FollowUpKind.URINARY if effect.term_code in URINARY_TERMS else FollowUpKind.OTHER
        later = max((f.observed_on for f in follow_ups if f.effect_id == effect.id),
                    default=None)
        state = "no outcome" if effect.outcome is None else effect.outcome.label.lower()
        prompts.append(FollowUpPrompt(
            kind, f"Follow up: {effect.term}",
            f"Logged {effect.onset_at.astimezone():%d %b %Y} ({effect.grade.label.lower()}), "
            f"{state} at the end of that session. Ask how it is now and record it.",
            effect_id=effect.id, last_recorded_on=later))
    return tuple(prompts)


# ---------------------------------------------------------------- small helpers


def decimal_or_none(raw: str | Decimal | None, *, field_name: str) -> Decimal | None:
    """An optional number typed in a form: empty is None, anything else must be a number."""
    if raw is None or isinstance(raw, Decimal):
        return raw
    text = raw.strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"'{text}' is not a number.", field=field_name) from None
    if not value.is_finite():
        raise ValidationError(f"'{text}' is not a number.", field=field_name)
    return value


