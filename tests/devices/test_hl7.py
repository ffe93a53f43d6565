"""HL7 v2 ORU^R01 parsing: codes, units, times, artifacts, and a typed error for every bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from console.devices.hl7 import (
    Hl7Error,
    Hl7Reason,
    VitalField,
    build_ack,
    build_oru,
    parse_message,
    parse_timestamp,
    readings_to_values,
)
from console.domain.vitals import VitalValues

AT = datetime(2026, 11, 24, 9, 30, 15, tzinfo=UTC)
MSH = "MSH|^~\\&|MON|ICU|KETAMINE_CONSOLE||20261124093015+0000||ORU^R01^ORU_R01|MSG42|P|2.5.1"
PID = "PID|1||PAT-SECRET-123^^^HOSP^MR"


def message(*obx: str, msh: str = MSH) -> str:
    return "\r".join([msh, PID, "OBR|1|||Vitals", *obx]) + "\r"


def obx(code: str, value: str, unit: str, time: str = "20261124093015+0000",
        value_type: str = "NM") -> str:
    return f"OBX|1|{value_type}|{code}||{value}|{unit}|||||F|||{time}"


@pytest.mark.parametrize(("code", "value", "unit", "field", "expected"), [
    ("8867-4^Heart rate^LN", "72", "/min", VitalField.HEART_RATE, 72),
    ("149530^MDC_PULS_OXIM_PULS_RATE^MDC", "88", "/min", VitalField.HEART_RATE, 88),
    ("147842^MDC_ECG_HEART_RATE^MDC", "64", "{beats}/min^^UCUM", VitalField.HEART_RATE, 64),
    ("^MDC_ECG_HEART_RATE^MDC", "65", "/min", VitalField.HEART_RATE, 65),
    ("2708-6^SpO2^LN", "97", "%", VitalField.SPO2, 97),
    ("59408-5^SpO2 by pulse oximetry^LN", "98", "%^percent^UCUM", VitalField.SPO2, 98),
    ("150456^MDC_PULS_OXIM_SAT_O2^MDC", "99", "262688^MDC_DIM_PERCENT^MDC", VitalField.SPO2, 99),
    ("9279-1^Resp rate^LN", "14", "/min", VitalField.RESPIRATORY_RATE, 14),
    ("151562^MDC_RESP_RATE^MDC", "12", "{breaths}/min", VitalField.RESPIRATORY_RATE, 12),
    ("8480-6^Systolic^LN", "125", "mm[Hg]", VitalField.SYSTOLIC, 125),
    ("150021^MDC_PRESS_BLD_NONINV_SYS^MDC", "131", "mm[Hg]", VitalField.SYSTOLIC, 131),
    ("8462-4^Diastolic^LN", "78", "mm[Hg]", VitalField.DIASTOLIC, 78),
    ("150022^MDC_PRESS_BLD_NONINV_DIA^MDC", "80", "mm[Hg]", VitalField.DIASTOLIC, 80),
    ("8310-5^Body temperature^LN", "36.8", "Cel", VitalField.TEMPERATURE_C, Decimal("36.8")),
    ("150344^MDC_TEMP^MDC", "37.25", "Cel", VitalField.TEMPERATURE_C, Decimal("37.3")),
    ("150344^MDC_TEMP^MDC", "98.6", "[degF]", VitalField.TEMPERATURE_C, Decimal("37.0")),
    ("8310-5^^LN", "100.4", "[degF]", VitalField.TEMPERATURE_C, Decimal("38.0")),
    ("8867-4", "71.5", "/min", VitalField.HEART_RATE, 72),  # no coding system; rounds half up
])
def test_codes_and_units_map_to_vital_fields(code: str, value: str, unit: str,
                                              field: VitalField, expected: int | Decimal) -> None:
    parsed = parse_message(message(obx(code, value, unit)))
    assert [(r.field, r.value, r.artifact) for r in parsed.readings] == [(field, expected, False)]
    assert parsed.readings[0].control_id == "MSG42"
    assert parsed.patient_id == "PAT-SECRET-123"
    assert parsed.control_id == "MSG42"
    assert parsed.version == "2.5.1"


@pytest.mark.parametrize(("text", "expected"), [
    ("20261124093015+0000", datetime(2026, 11, 24, 9, 30, 15, tzinfo=UTC)),
    ("20261124103015+0100", datetime(2026, 11, 24, 9, 30, 15, tzinfo=UTC)),
    ("20261124043015-0500", datetime(2026, 11, 24, 9, 30, 15, tzinfo=UTC)),
    ("20261124150015+0530", datetime(2026, 11, 24, 9, 30, 15, tzinfo=UTC)),
    ("202611240930+0000", datetime(2026, 11, 24, 9, 30, tzinfo=UTC)),
    ("20261124093015.25+0000", datetime(2026, 11, 24, 9, 30, 15, 250000, tzinfo=UTC)),
])
def test_observation_times_with_zones(text: str, expected: datetime) -> None:
    parsed = parse_message(message(obx("8867-4^^LN", "70", "/min", time=text)))
    assert parsed.readings[0].at == expected


def test_time_without_zone_uses_the_zone_of_msh7_then_the_default() -> None:
    msh_plus2 = MSH.replace("20261124093015+0000", "20261124113015+0200")
    parsed = parse_message(message(obx("8867-4^^LN", "70", "/min", time="20261124113015"),
                                   msh=msh_plus2))
    assert parsed.readings[0].at == AT
    msh_local = MSH.replace("20261124093015+0000", "20261124093015")
    cet = timezone(timedelta(hours=1))
    parsed = parse_message(message(obx("8867-4^^LN", "70", "/min", time="20261124103015"),
                                   msh=msh_local), default_tz=cet)
    assert parsed.readings[0].at == AT


def test_missing_obx_time_falls_back_to_the_message_time() -> None:
    parsed = parse_message(message(obx("8867-4^^LN", "70", "/min", time="")))
    assert parsed.readings[0].at == AT


@pytest.mark.parametrize("text", ["2026112409", "20261324093015", "20261124093015+2400",
                                  "2026-11-24T09:30", "20261124093015+01", "now"])
def test_bad_times_are_refused(text: str) -> None:
    with pytest.raises(Hl7Error) as caught:
        parse_message(message(obx("8867-4^^LN", "70", "/min", time=text)))
    assert caught.value.reason is Hl7Reason.BAD_TIME
    assert caught.value.ack_code == "AE"
    with pytest.raises(Hl7Error):
        parse_timestamp(text, UTC)


def test_a_full_monitor_message_with_a_mean_pressure_it_does_not_use() -> None:
    parsed = parse_message(message(
        obx("147842^MDC_ECG_HEART_RATE^MDC", "76", "/min"),
        obx("150456^MDC_PULS_OXIM_SAT_O2^MDC", "98", "%"),
        obx("151562^MDC_RESP_RATE^MDC", "15", "/min"),
        obx("150021^MDC_PRESS_BLD_NONINV_SYS^MDC", "128", "mm[Hg]"),
        obx("150022^MDC_PRESS_BLD_NONINV_DIA^MDC", "79", "mm[Hg]"),
        obx("150023^MDC_PRESS_BLD_NONINV_MEAN^MDC", "95", "mm[Hg]"),
    ))
    assert parsed.ignored == ("150023 MDC_PRESS_BLD_NONINV_MEAN",)
    assert not any(r.artifact for r in parsed.readings)
    assert readings_to_values(parsed.readings) == VitalValues(
        heart_rate=76, spo2=98, respiratory_rate=15, systolic=128, diastolic=79)


@pytest.mark.parametrize(("obx_rows", "field", "why"), [
    ([obx("2708-6^^LN", "101", "%")], VitalField.SPO2, "outside"),
    ([obx("8867-4^^LN", "320", "/min")], VitalField.HEART_RATE, "outside"),
    ([obx("8867-4^^LN", "-5", "/min")], VitalField.HEART_RATE, "outside"),
    ([obx("9279-1^^LN", "95", "/min")], VitalField.RESPIRATORY_RATE, "outside"),
    ([obx("8310-5^^LN", "150", "[degF]")], VitalField.TEMPERATURE_C, "outside"),
    ([obx("8480-6^^LN", "120", "mm[Hg]"), obx("8462-4^^LN", "120", "mm[Hg]")],
     VitalField.DIASTOLIC, "not below systolic"),
    ([obx("8480-6^^LN", "90", "mm[Hg]"), obx("8462-4^^LN", "110", "mm[Hg]")],
     VitalField.SYSTOLIC, "not below systolic"),
])
def test_implausible_values_are_kept_and_flagged_as_artifacts(
        obx_rows: list[str], field: VitalField, why: str) -> None:
    parsed = parse_message(message(*obx_rows))
    flagged = [r for r in parsed.readings if r.field is field]
    assert len(flagged) == 1
    assert flagged[0].artifact
    assert flagged[0].artifact_reason is not None
    assert why in flagged[0].artifact_reason
    assert readings_to_values(parsed.readings) is None  # artifacts never become recorded values


def test_artifacts_are_left_out_of_the_values_but_the_rest_is_kept() -> None:
    parsed = parse_message(message(obx("2708-6^^LN", "104", "%"), obx("8867-4^^LN", "80", "/min")))
    assert readings_to_values(parsed.readings) == VitalValues(heart_rate=80)


@pytest.mark.parametrize(("text", "reason", "ack"), [
    ("", Hl7Reason.NO_MSH, "AR"),
    ("PID|1||X\rOBX|1|NM|8867-4^^LN||70|/min\r", Hl7Reason.NO_MSH, "AR"),
    ("MSH|^~\\&|MON|ICU|KC||20261124093015||ORU^R01", Hl7Reason.TRUNCATED, "AR"),
    ("MSH|^~", Hl7Reason.MALFORMED, "AR"),
    (MSH.replace("ORU^R01^ORU_R01", "ADT^A01^ADT_A01") + "\r", Hl7Reason.WRONG_MESSAGE_TYPE,
     "AR"),
    (MSH.replace("|2.5.1", "|3.0") + "\r", Hl7Reason.UNSUPPORTED_VERSION, "AR"),
    (MSH.replace("|MSG42|", "||") + "\r", Hl7Reason.MALFORMED, "AR"),
    (message().replace("PID|", "pid|"), Hl7Reason.MALFORMED, "AR"),
    (message(), Hl7Reason.NO_OBSERVATIONS, "AE"),
    (message(obx("1234-5^Unknown^LN", "1", "/min")), Hl7Reason.UNKNOWN_CODE, "AE"),
    (message(obx("149530^MDC_PULS_OXIM_PULS_RATE^LN", "70", "/min")), Hl7Reason.UNKNOWN_CODE,
     "AE"),
    (message(obx("8867-4^^SNOMED", "70", "/min")), Hl7Reason.UNKNOWN_CODE, "AE"),
    (message(obx("8867-4^^LN", "70", "bpm")), Hl7Reason.BAD_UNIT, "AE"),
    (message(obx("8867-4^^LN", "70", "")), Hl7Reason.BAD_UNIT, "AE"),
    (message(obx("2708-6^^LN", "97", "/min")), Hl7Reason.BAD_UNIT, "AE"),
    (message(obx("8480-6^^LN", "120", "kPa")), Hl7Reason.BAD_UNIT, "AE"),
    (message(obx("8310-5^^LN", "36.9", "[degC]")), Hl7Reason.BAD_UNIT, "AE"),
    (message(obx("8867-4^^LN", "seventy", "/min")), Hl7Reason.NOT_NUMERIC, "AE"),
    (message(obx("8867-4^^LN", "", "/min")), Hl7Reason.NOT_NUMERIC, "AE"),
    (message(obx("8867-4^^LN", "NaN", "/min")), Hl7Reason.NOT_NUMERIC, "AE"),
    (message(obx("8867-4^^LN", "1e3", "/min")), Hl7Reason.NOT_NUMERIC, "AE"),
    (message(obx("8867-4^^LN", "9" * 40, "/min")), Hl7Reason.NOT_NUMERIC, "AE"),
    (message(obx("8867-4^^LN", "70", "/min", value_type="ST")), Hl7Reason.NOT_NUMERIC, "AE"),
    (message("OBX|1|NM|8867-4^^LN"), Hl7Reason.MALFORMED, "AR"),
    (message(obx("8867-4^^LN", "70", "/min")) + "X" * 70_000, Hl7Reason.OVERSIZED, "AR"),
])
def test_every_bad_message_is_a_typed_error_with_the_right_nak(text: str, reason: Hl7Reason,
                                                                ack: str) -> None:
    with pytest.raises(Hl7Error) as caught:
        parse_message(text)
    error = caught.value
    assert error.reason is reason
    assert error.ack_code == ack
    assert "PAT-SECRET" not in str(error)
    nak = build_ack(text, error.ack_code, error.detail, error=error, now=AT)
    segments = nak.rstrip("\r").split("\r")
    assert segments[0].startswith("MSH|^~\\&|KETAMINE_CONSOLE|")
    assert segments[1].split("|")[1] == ack
    assert segments[2].startswith("ERR|")
    if "MSG42" in text:
        assert segments[1].split("|")[2] == "MSG42"


def test_one_bad_row_refuses_the_whole_message_and_names_the_row() -> None:
    with pytest.raises(Hl7Error) as caught:
        parse_message(message(obx("8867-4^^LN", "70", "/min"), obx("2708-6^^LN", "97", "mmol")))
    assert caught.value.location == "OBX^2^6"
    assert caught.value.control_id == "MSG42"


def test_other_encoding_characters_and_line_feeds_are_read() -> None:
    text = ("MSH#$~\\&#MON#ICU#KC##20261124093015+0000##ORU$R01#A1#P#2.4\r\n"
            "PID#1##77\r\nOBX#1#NM#8867-4$HR$LN##70#/min######20261124093015+0000\n")
    parsed = parse_message(text)
    assert parsed.control_id == "A1"
    assert parsed.patient_id == "77"
    assert parsed.readings[0].value == 70


def test_ack_echoes_the_control_id_and_addresses_the_sender() -> None:
    ack = build_ack(message(obx("8867-4^^LN", "70", "/min")), "AA", now=AT)
    msh, msa = ack.rstrip("\r").split("\r")
    fields = msh.split("|")
    assert fields[2] == "KETAMINE_CONSOLE"
    assert fields[4:6] == ["MON", "ICU"]
    assert fields[6] == "20261124093015+0000"
    assert fields[8] == "ACK^R01^ACK"
    assert fields[11] == "2.5.1"
    assert msa == "MSA|AA|MSG42|"
    assert ack.endswith("\r")


def test_ack_text_is_escaped_and_a_nak_for_garbage_still_parses() -> None:
    ack = build_ack("garbage", "AR", "bad | input ^ here\r")
    msa = ack.split("\r")[1]
    assert msa == "MSA|AR||bad \\F\\ input \\S\\ here "


def test_build_oru_round_trips() -> None:
    text = build_oru("R1", [("150456", "MDC_PULS_OXIM_SAT_O2", "MDC", "96", "%", AT)], at=AT,
                     patient_id="P|1")
    parsed = parse_message(text)
    assert parsed.control_id == "R1"
    assert [(r.field, r.value, r.at) for r in parsed.readings] == [(VitalField.SPO2, 96, AT)]
