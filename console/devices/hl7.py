"""HL7 v2 ORU^R01 observation messages from bedside monitors, parsed into device readings.

One OBX per value: OBX-2 value type (NM), OBX-3 code (``identifier^text^coding system``, LOINC or
IEEE 11073 MDC), OBX-5 value, OBX-6 UCUM unit, OBX-14 observation time. Anything the console
cannot use with confidence is refused with an :class:`Hl7Error` whose ``reason`` says why and whose
``ack_code`` says which NAK to send: nothing is dropped silently. A value that parses but that no
patient could have (SpO2 above 100 %, a heart rate above 300, diastolic at or above systolic) is
kept and marked as an ``artifact`` so it is shown and logged but never charted or alarmed on as if
it were real.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from console.domain.vitals import VitalValues

MAX_MESSAGE_CHARS = 64 * 1024
SUPPORTED_VERSION_PREFIX = "2."
ACK_SENDING_APPLICATION = "KETAMINE_CONSOLE"

AckCode = Literal["AA", "AE", "AR"]


class Hl7Reason(enum.StrEnum):
    """Why a message (or an MLLP frame) was refused."""

    OVERSIZED = "oversized"
    TRUNCATED = "truncated"
    NOT_FRAMED = "not-framed"
    NO_MSH = "no-msh"
    MALFORMED = "malformed"
    WRONG_MESSAGE_TYPE = "wrong-message-type"
    UNSUPPORTED_VERSION = "unsupported-version"
    NO_OBSERVATIONS = "no-observations"
    UNKNOWN_CODE = "unknown-code"
    BAD_UNIT = "bad-unit"
    NOT_NUMERIC = "not-numeric"
    BAD_TIME = "bad-time"


# Reasons that mean the message itself could not be accepted (AR); the rest are content errors (AE).
_REJECT_REASONS = frozenset({
    Hl7Reason.OVERSIZED, Hl7Reason.TRUNCATED, Hl7Reason.NOT_FRAMED, Hl7Reason.NO_MSH,
    Hl7Reason.MALFORMED, Hl7Reason.WRONG_MESSAGE_TYPE, Hl7Reason.UNSUPPORTED_VERSION,
})

# HL7 table 0357 (message error condition codes) for the ERR segment of a NAK.
_ERROR_CONDITION: dict[Hl7Reason, tuple[str, str]] = {
    Hl7Reason.OVERSIZED: ("207", "Application internal error"),
    Hl7Reason.TRUNCATED: ("100", "Segment sequence error"),
    Hl7Reason.NOT_FRAMED: ("100", "Segment sequence error"),
    Hl7Reason.NO_MSH: ("100", "Segment sequence error"),
    Hl7Reason.MALFORMED: ("101", "Required field missing"),
    Hl7Reason.WRONG_MESSAGE_TYPE: ("200", "Unsupported message type"),
    Hl7Reason.UNSUPPORTED_VERSION: ("203", "Unsupported version id"),
    Hl7Reason.NO_OBSERVATIONS: ("101", "Required field missing"),
    Hl7Reason.UNKNOWN_CODE: ("103", "Table value not found"),
    Hl7Reason.BAD_UNIT: ("103", "Table value not found"),
    Hl7Reason.NOT_NUMERIC: ("102", "Data type error"),
    Hl7Reason.BAD_TIME: ("102", "Data type error"),
}


class Hl7Error(Exception):
    """A message or frame the console refuses. The text never contains patient identifiers."""

    def __init__(self, reason: Hl7Reason, detail: str, *, control_id: str | None = None,
                 location: str | None = None) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail
        self.control_id = control_id
        self.location = location

    @property
    def ack_code(self) -> AckCode:
        return "AR" if self.reason in _REJECT_REASONS else "AE"


class VitalField(enum.StrEnum):
    """The :class:`VitalValues` field a device reading fills."""

    HEART_RATE = "heart_rate"
    SYSTOLIC = "systolic"
    DIASTOLIC = "diastolic"
    SPO2 = "spo2"
    RESPIRATORY_RATE = "respiratory_rate"
    TEMPERATURE_C = "temperature_c"


LOINC_CODES: dict[str, VitalField] = {
    "8867-4": VitalField.HEART_RATE,
    "2708-6": VitalField.SPO2,
    "59408-5": VitalField.SPO2,
    "9279-1": VitalField.RESPIRATORY_RATE,
    "8480-6": VitalField.SYSTOLIC,
    "8462-4": VitalField.DIASTOLIC,
    "8310-5": VitalField.TEMPERATURE_C,
}

# IEEE 11073-10101 codes as sent in OBX-3 (numeric code, reference id as text).
MDC_CODES: dict[str, tuple[str, VitalField]] = {
    "149530": ("MDC_PULS_OXIM_PULS_RATE", VitalField.HEART_RATE),
    "147842": ("MDC_ECG_HEART_RATE", VitalField.HEART_RATE),
    "150456": ("MDC_PULS_OXIM_SAT_O2", VitalField.SPO2),
    "151562": ("MDC_RESP_RATE", VitalField.RESPIRATORY_RATE),
    "150021": ("MDC_PRESS_BLD_NONINV_SYS", VitalField.SYSTOLIC),
    "150022": ("MDC_PRESS_BLD_NONINV_DIA", VitalField.DIASTOLIC),
    "150344": ("MDC_TEMP", VitalField.TEMPERATURE_C),
}
_MDC_BY_NAME = {name: (code, vital) for code, (name, vital) in MDC_CODES.items()}

# Codes monitors send alongside the vitals that the console knowingly does not use. They are
# returned in ``Hl7Message.ignored`` rather than refused, so a normal NIBP message is accepted.
KNOWN_UNUSED_CODES: dict[str, str] = {
    "150023": "MDC_PRESS_BLD_NONINV_MEAN",
    "8478-0": "Mean blood pressure",
    "85354-9": "Blood pressure panel",
}

_LOINC_SYSTEMS = frozenset({"LN", "LOINC"})
_MDC_SYSTEMS = frozenset({"MDC", "99MDC", "ISO/IEEE 11073", "IEEE 11073"})

_RATE_UNITS = frozenset({"/min", "{beat}/min", "{beats}/min", "{breath}/min", "{breaths}/min",
                         "264864", "MDC_DIM_BEAT_PER_MIN", "264928", "MDC_DIM_RESP_PER_MIN"})
_PERCENT_UNITS = frozenset({"%", "262688", "MDC_DIM_PERCENT"})
_MMHG_UNITS = frozenset({"mm[Hg]", "266016", "MDC_DIM_MMHG"})
_CELSIUS_UNITS = frozenset({"Cel", "268192", "MDC_DIM_DEGC"})
_FAHRENHEIT_UNITS = frozenset({"[degF]", "266560", "MDC_DIM_FAHR"})

UNITS: dict[VitalField, frozenset[str]] = {
    VitalField.HEART_RATE: _RATE_UNITS,
    VitalField.RESPIRATORY_RATE: _RATE_UNITS,
    VitalField.SPO2: _PERCENT_UNITS,
    VitalField.SYSTOLIC: _MMHG_UNITS,
    VitalField.DIASTOLIC: _MMHG_UNITS,
    VitalField.TEMPERATURE_C: _CELSIUS_UNITS | _FAHRENHEIT_UNITS,
}

# The range of values a patient could have; outside it a reading is an artifact. These match the
# bounds of ``VitalValues`` so every reading that is not an artifact can be recorded.
PLAUSIBLE: dict[VitalField, tuple[Decimal, Decimal]] = {
    VitalField.HEART_RATE: (Decimal(0), Decimal(300)),
    VitalField.SYSTOLIC: (Decimal(0), Decimal(300)),
    VitalField.DIASTOLIC: (Decimal(0), Decimal(250)),
    VitalField.SPO2: (Decimal(0), Decimal(100)),
    VitalField.RESPIRATORY_RATE: (Decimal(0), Decimal(80)),
    VitalField.TEMPERATURE_C: (Decimal(25), Decimal(45)),
}


@dataclass(frozen=True, slots=True)
class DeviceReading:
    """One observation from a monitor, mapped to a :class:`VitalValues` field."""

    field: VitalField
    value: int | Decimal
    at: datetime
    code: str                      # "LN:8867-4" or "MDC:149530"
    unit: str                      # the unit as received
    control_id: str
    artifact: bool = False
    artifact_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Hl7Message:
    control_id: str
    version: str
    sending_application: str
    sent_at: datetime | None
    patient_id: str | None
    readings: tuple[DeviceReading, ...]
    ignored: tuple[str, ...] = field(default=())


# --------------------------------------------------------------------------- parsing

@dataclass(frozen=True, slots=True)
class _Encoding:
    field: str = "|"
    component: str = "^"
    repetition: str = "~"
    escape: str = "\\"
    subcomponent: str = "&"


def split_segments(message: str) -> list[str]:
    """Segments split by CR; a stray LF (CR LF or LF alone) is tolerated, empty lines dropped."""
    return [s for s in re.split(r"\r\n|\r|\n", message) if s.strip()]


def _encoding_of(msh: str) -> _Encoding:
    if len(msh) < 8 or not msh.startswith("MSH"):
        raise Hl7Error(Hl7Reason.MALFORMED, "MSH segment is too short for its encoding characters")
    sep = msh[3]
    chars = msh[4:].split(sep, 1)[0]
    if sep.isalnum() or len(chars) < 4 or sep in chars or len(set(chars[:4])) != 4:
        raise Hl7Error(Hl7Reason.MALFORMED, "MSH encoding characters are not valid")
    return _Encoding(field=sep, component=chars[0], repetition=chars[1], escape=chars[2],
                     subcomponent=chars[3])


def _msh_fields(msh: str, enc: _Encoding) -> list[str]:
    """MSH fields numbered as in the standard: index 1 is the field separator itself."""
    parts = msh.split(enc.field)
    return ["MSH", enc.field, *parts[1:]]


def _get(fields: Sequence[str], index: int) -> str:
    return fields[index] if index < len(fields) else ""


def _component(value: str, enc: _Encoding, index: int) -> str:
    first = value.split(enc.repetition, 1)[0]
    parts = first.split(enc.component)
    return parts[index - 1].strip() if index - 1 < len(parts) else ""


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_TS = re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?"
                 r"(?:\.(\d{1,4}))?(?:([+-])(\d{2})(\d{2}))?$")


def parse_timestamp(text: str, default_tz: tzinfo) -> datetime:
    """An HL7 DTM ``YYYYMMDDHHMM[SS[.S[S[S[S]]]]][+/-ZZZZ]``, at least to the minute.

    Without an offset the time is read in ``default_tz`` (the sender's declared zone or the
    console's local zone).
    """
    match = _TS.match(text.strip())
    if match is None:
        raise Hl7Error(Hl7Reason.BAD_TIME, f"time {text!r} is not YYYYMMDDHHMM[SS][+ZZZZ]")
    year, month, day, hour, minute, second, fraction, sign, tz_h, tz_m = match.groups()
    tz = default_tz
    if sign is not None:
        if int(tz_h) > 14 or int(tz_m) >= 60:
            raise Hl7Error(Hl7Reason.BAD_TIME, f"time zone offset in {text!r} is not valid")
        offset = timedelta(hours=int(tz_h), minutes=int(tz_m))
        tz = timezone(-offset if sign == "-" else offset)
    micro = int((fraction or "0").ljust(6, "0")) if fraction else 0
    try:
        return datetime(int(year), int(month), int(day), int(hour), int(minute),
                        int(second or 0), micro, tzinfo=tz)
    except ValueError:
        raise Hl7Error(Hl7Reason.BAD_TIME, f"time {text!r} is not a real date and time") from None


def _local_tz() -> tzinfo:
    return datetime.now().astimezone().tzinfo or UTC


def _lookup(identifier: str, text: str, system: str) -> tuple[str, VitalField] | str | None:
    """The reading's code and field, the name of a known unused code, or None if unknown."""
    system = system.upper()
    check_loinc = not system or system in _LOINC_SYSTEMS
    check_mdc = not system or system in _MDC_SYSTEMS
    if check_loinc and identifier in LOINC_CODES:
        return f"LN:{identifier}", LOINC_CODES[identifier]
    if check_mdc:
        if identifier in MDC_CODES:
            return f"MDC:{identifier}", MDC_CODES[identifier][1]
        for name in (identifier, text):
            if name in _MDC_BY_NAME:
                code, vital = _MDC_BY_NAME[name]
                return f"MDC:{code}", vital
    if (check_loinc or check_mdc) and identifier in KNOWN_UNUSED_CODES:
        return KNOWN_UNUSED_CODES[identifier]
    return None


def _convert(vital: VitalField, number: Decimal, unit: str) -> int | Decimal:
    if vital is VitalField.TEMPERATURE_C:
        if unit in _FAHRENHEIT_UNITS:
            number = (number - 32) * 5 / 9
        return number.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return int(number.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _parse_obx(fields: list[str], enc: _Encoding, position: int, control_id: str,
               fallback_time: datetime | None, default_tz: tzinfo) -> DeviceReading | str:
    where = f"OBX^{position}"

    def fail(reason: Hl7Reason, detail: str, field_no: int) -> Hl7Error:
        return Hl7Error(reason, f"OBX {position}: {detail}", control_id=control_id,
                        location=f"{where}^{field_no}")

    if len(fields) < 6:
        raise fail(Hl7Reason.MALFORMED, "segment ends before the value and unit", len(fields))
    identifier = _component(fields[3], enc, 1)
    text = _component(fields[3], enc, 2)
    system = _component(fields[3], enc, 3)
    if not identifier and not text:
        raise fail(Hl7Reason.MALFORMED, "no observation identifier (OBX-3)", 3)
    found = _lookup(identifier, text, system)
    if found is None:
        raise fail(Hl7Reason.UNKNOWN_CODE,
                   f"observation code {identifier or text!r} ({system or 'no coding system'}) "
                   "is not one the console knows", 3)
    if isinstance(found, str):
        return f"{identifier} {found}"
    code, vital = found
    value_type = fields[2].strip()
    if value_type != "NM":
        raise fail(Hl7Reason.NOT_NUMERIC, f"{code} has value type {value_type!r}, not NM", 2)
    raw_value = _get(fields, 5).strip()
    if len(raw_value) > 16 or not _NUMBER.fullmatch(raw_value):
        raise fail(Hl7Reason.NOT_NUMERIC, f"{code} value {raw_value[:20]!r} is not a number", 5)
    unit = _component(_get(fields, 6), enc, 1)
    unit_text = _component(_get(fields, 6), enc, 2)
    allowed = UNITS[vital]
    if unit not in allowed:
        if unit_text in allowed:
            unit = unit_text
        else:
            ucum = sorted(u for u in allowed if not u[0].isdigit() and "MDC" not in u)
            raise fail(Hl7Reason.BAD_UNIT,
                       f"{code} unit {unit or '(none)'!r} is not one of {', '.join(ucum)}", 6)
    time_text = _get(fields, 14).strip()
    if time_text:
        try:
            at = parse_timestamp(time_text, default_tz)
        except Hl7Error as exc:
            raise fail(Hl7Reason.BAD_TIME, exc.detail, 14) from None
    elif fallback_time is not None:
        at = fallback_time
    else:
        raise fail(Hl7Reason.BAD_TIME, "no observation time (OBX-14) and none in MSH-7", 14)
    value = _convert(vital, Decimal(raw_value), unit)
    low, high = PLAUSIBLE[vital]
    if not low <= Decimal(value) <= high:
        return DeviceReading(vital, value, at, code, unit, control_id, artifact=True,
                             artifact_reason=f"{vital.value} {value} is outside {low}-{high}")
    return DeviceReading(vital, value, at, code, unit, control_id)


def _flag_inverted_pressure(readings: list[DeviceReading]) -> list[DeviceReading]:
    systolic = [i for i, r in enumerate(readings) if r.field is VitalField.SYSTOLIC]
    diastolic = [i for i, r in enumerate(readings) if r.field is VitalField.DIASTOLIC]
    result = list(readings)
    for s, d in zip(systolic, diastolic, strict=False):
        if readings[d].value >= readings[s].value:
            reason = (f"diastolic {readings[d].value} is not below "
                      f"systolic {readings[s].value}")
            for i in (s, d):
                if not result[i].artifact:
                    r = result[i]
                    result[i] = DeviceReading(r.field, r.value, r.at, r.code, r.unit,
                                              r.control_id, True, reason)
    return result


def parse_message(message: str, *, default_tz: tzinfo | None = None,
                  max_chars: int = MAX_MESSAGE_CHARS) -> Hl7Message:
    """Parse one ORU^R01 message; raise :class:`Hl7Error` for anything the console cannot use.

    Every OBX must be a known vital with a numeric value, a matching unit and a time, or a known
    code the console does not use (listed in ``ignored``); one bad OBX refuses the whole message so
    the sender learns of it from the NAK.
    """
    if len(message) > max_chars:
        raise Hl7Error(Hl7Reason.OVERSIZED,
                       f"message of {len(message)} characters exceeds the {max_chars} limit",
                       control_id=extract_control_id(message[:4096]))
    segments = split_segments(message)
    if not segments or not segments[0].startswith("MSH"):
        raise Hl7Error(Hl7Reason.NO_MSH, "message does not start with an MSH segment")
    enc = _encoding_of(segments[0])
    msh = _msh_fields(segments[0], enc)
    control_id = _get(msh, 10).strip()
    if len(msh) < 13:
        raise Hl7Error(Hl7Reason.TRUNCATED, f"MSH has {len(msh) - 1} fields, at least 12 needed",
                       control_id=control_id or None, location="MSH")
    if not control_id:
        raise Hl7Error(Hl7Reason.MALFORMED, "no message control id (MSH-10)", location="MSH^1^10")
    message_type = _component(msh[9], enc, 1), _component(msh[9], enc, 2)
    if message_type != ("ORU", "R01"):
        raise Hl7Error(Hl7Reason.WRONG_MESSAGE_TYPE,
                       f"message type {'^'.join(message_type)!r} is not ORU^R01",
                       control_id=control_id, location="MSH^1^9")
    version = _component(msh[12], enc, 1)
    if not version.startswith(SUPPORTED_VERSION_PREFIX):
        raise Hl7Error(Hl7Reason.UNSUPPORTED_VERSION, f"HL7 version {version!r} is not 2.x",
                       control_id=control_id, location="MSH^1^12")
    tz = default_tz if default_tz is not None else _local_tz()
    sent_at: datetime | None = None
    if msh[7].strip():
        try:
            sent_at = parse_timestamp(_component(msh[7], enc, 1), tz)
        except Hl7Error as exc:
            raise Hl7Error(Hl7Reason.BAD_TIME, f"MSH-7: {exc.detail}", control_id=control_id,
                           location="MSH^1^7") from None
        tz = sent_at.tzinfo or tz  # a sender that states its zone in MSH-7 means it throughout
    patient_id: str | None = None
    readings: list[DeviceReading] = []
    ignored: list[str] = []
    obx_count = 0
    for segment in segments[1:]:
        fields = segment.split(enc.field)
        kind = fields[0]
        if kind == "PID" and patient_id is None:
            patient_id = _component(_get(fields, 3), enc, 1) or None
        elif kind == "OBX":
            obx_count += 1
            parsed = _parse_obx(fields, enc, obx_count, control_id, sent_at, tz)
            if isinstance(parsed, str):
                ignored.append(parsed)
            else:
                readings.append(parsed)
        elif kind == "MSH":
            raise Hl7Error(Hl7Reason.MALFORMED, "a second MSH inside one message",
                           control_id=control_id)
        elif not re.fullmatch(r"[A-Z][A-Z0-9]{2}", kind):
            raise Hl7Error(Hl7Reason.MALFORMED, f"segment {kind[:8]!r} is not an HL7 segment id",
                           control_id=control_id)
    if obx_count == 0:
        raise Hl7Error(Hl7Reason.NO_OBSERVATIONS, "message has no OBX segment",
                       control_id=control_id)
    return Hl7Message(control_id=control_id, version=version,
                      sending_application=_component(msh[3], enc, 1), sent_at=sent_at,
                      patient_id=patient_id, readings=tuple(_flag_inverted_pressure(readings)),
                      ignored=tuple(ignored))


def parse_readings(message: str, *, default_tz: tzinfo | None = None) -> list[DeviceReading]:
    return list(parse_message(message, default_tz=default_tz).readings)


def readings_to_values(readings: Iterable[DeviceReading]) -> VitalValues | None:
    """The latest plausible value of each field as one ``VitalValues`` (None if nothing usable).

    Artifacts are left out; a pressure is used only when both systolic and diastolic are present.
    """
    latest: dict[VitalField, DeviceReading] = {}
    for reading in readings:
        if not reading.artifact and (reading.field not in latest
                                     or reading.at >= latest[reading.field].at):
            latest[reading.field] = reading
    if (VitalField.SYSTOLIC in latest) != (VitalField.DIASTOLIC in latest):
        latest.pop(VitalField.SYSTOLIC, None)
        latest.pop(VitalField.DIASTOLIC, None)
    if not latest:
        return None
    values: dict[str, int | Decimal] = {f.value: r.value for f, r in latest.items()}
    return VitalValues(**values)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- writing

def escape(text: str, enc: _Encoding = _Encoding()) -> str:
    """Escape free text for a field (HL7 escape sequences; line breaks become spaces)."""
    out = text.replace(enc.escape, f"{enc.escape}E{enc.escape}")
    for char, code in ((enc.field, "F"), (enc.component, "S"), (enc.repetition, "R"),
                       (enc.subcomponent, "T")):
        out = out.replace(char, f"{enc.escape}{code}{enc.escape}")
    return re.sub(r"[\r\n]+", " ", out)


def format_timestamp(at: datetime) -> str:
    return at.strftime("%Y%m%d%H%M%S%z")


def extract_control_id(message: str) -> str | None:
    """MSH-10 of a message, or None; never raises (used to answer messages that failed)."""
    try:
        segments = split_segments(message)
        if not segments or not segments[0].startswith("MSH"):
            return None
        enc = _encoding_of(segments[0])
        return _get(_msh_fields(segments[0], enc), 10).strip() or None
    except Hl7Error:
        return None


def build_ack(message: str | None, code: AckCode = "AA", text: str = "", *,
              error: Hl7Error | None = None, now: datetime | None = None) -> str:
    """An ACK (AA) or NAK (AE/AR) answering ``message``, echoing its control id in MSA-2.

    Works for messages that failed to parse: whatever MSH fields can be read are echoed, the rest
    left empty. A NAK with ``error`` carries an ERR segment (HL7 table 0357 code and the reason).
    """
    msh: list[str] = []
    control_id = error.control_id if error is not None and error.control_id else None
    if message:
        segments = split_segments(message)
        if segments and segments[0].startswith("MSH"):
            try:
                enc_in = _encoding_of(segments[0])
                msh = [_component(f, enc_in, 1) for f in _msh_fields(segments[0], enc_in)]
            except Hl7Error:
                msh = []
        control_id = control_id or (_get(msh, 10) or None)
    stamp = format_timestamp(now or datetime.now(UTC))
    original = control_id or ""
    version = _get(msh, 12) or "2.5.1"
    header = ["MSH", "^~\\&", ACK_SENDING_APPLICATION, escape(_get(msh, 6)),
              escape(_get(msh, 3)), escape(_get(msh, 4)), stamp, "", "ACK^R01^ACK",
              escape(f"ACK{original}" if original else f"ACK{stamp}")[:199],
              escape(_get(msh, 11)) or "P", escape(version)]
    segments_out = ["|".join(header), "|".join(["MSA", code, escape(original), escape(text)])]
    if error is not None and code != "AA":
        number, name = _ERROR_CONDITION[error.reason]
        segments_out.append("|".join(["ERR", "", error.location or "",
                                      f"{number}^{name}^HL70357", "E", "", "", "",
                                      escape(error.detail)]))
    return "\r".join(segments_out) + "\r"


def build_oru(control_id: str, observations: Sequence[tuple[str, str, str, str, str, datetime]],
              *, at: datetime, patient_id: str = "", sending_application: str = "MONITOR",
              version: str = "2.5.1") -> str:
    """An ORU^R01 with one OBX per ``(identifier, text, system, value, unit, time)``."""
    segments = [
        "|".join(["MSH", "^~\\&", escape(sending_application), "", ACK_SENDING_APPLICATION, "",
                  format_timestamp(at), "", "ORU^R01^ORU_R01", escape(control_id), "P",
                  version]),
        "|".join(["PID", "1", "", escape(patient_id)]),
        "|".join(["OBR", "1", "", "", "Vital signs"]),
    ]
    for n, (identifier, text, system, value, unit, when) in enumerate(observations, start=1):
        segments.append("|".join(["OBX", str(n), "NM", f"{identifier}^{text}^{system}", "",
                                  value, f"{unit}^{unit}^UCUM", "", "", "", "", "F", "", "",
                                  format_timestamp(when)]))
    return "\r".join(segments) + "\r"
