"""The clinic's monitoring settings: versioned, audited with old and new values and a reason,
changed only by an administrator or a clinician, and nothing changes when a change is refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from console.domain.alarms import (
    DEFAULT_THRESHOLDS,
    AlarmThresholds,
    Bands,
    Side,
    at,
    beyond,
    thresholds_to_dict,
)
from console.domain.clock import ManualClock
from console.domain.identity import Actor
from console.domain.scales import DissociationScale, MonitoringScales, SedationScale
from console.errors import ConflictError, PermissionDenied, UserFacingError, ValidationError
from console.services.container import Services
from console.services.monitoring_settings import (
    ALARM_THRESHOLDS,
    MONITORING_SCALES,
    read_scales,
    read_thresholds,
)
from console.storage.unit_of_work import Database
from tests.services.conftest import Staff, Stored

LOWER_SPO2 = replace(DEFAULT_THRESHOLDS,
                     spo2=Bands(below=Side(low=at(94), medium=at(92), high=at(90))))
TIGHTER_BP = replace(DEFAULT_THRESHOLDS,
                     systolic=Bands(above=Side(medium=at(150), high=beyond(170)),
                                    below=Side(high=at(90))),
                     systolic_rise_percent=Decimal("20"))


def test_until_a_clinic_saves_its_own_the_defaults_apply(
        services: Services, database: Database, stored: Stored, admin: Actor) -> None:
    settings = services.monitoring_settings
    assert settings.thresholds() == DEFAULT_THRESHOLDS
    assert settings.current_thresholds().version == 0
    assert settings.threshold_history(admin) == []
    assert settings.scales() == MonitoringScales(SedationScale.RASS, DissociationScale.CADSS_6)
    assert settings.current_scales().version == 0
    assert settings.scales_history(admin) == []
    with database.read() as uow:
        assert read_thresholds(uow) == DEFAULT_THRESHOLDS
        assert read_scales(uow) == MonitoringScales()
    assert ALARM_THRESHOLDS not in stored.settings()


def test_a_change_is_stored_as_a_new_version_and_audited_with_old_and_new(
        services: Services, database: Database, stored: Stored, admin: Actor) -> None:
    settings = services.monitoring_settings
    version = settings.change_thresholds(admin, LOWER_SPO2, "  altitude clinic:   lower SpO2 ")
    assert version == 1
    assert settings.thresholds() == LOWER_SPO2
    assert settings.current_thresholds().version == 1
    with database.read() as uow:  # what another service sees inside its own unit of work
        assert read_thresholds(uow) == LOWER_SPO2
    entry = stored.last()
    assert (entry.action, entry.entity_type, entry.entity_id) == (
        "settings.changed", "setting", ALARM_THRESHOLDS)
    assert entry.actor_id == admin.user_id
    assert entry.reason == "altitude clinic: lower SpO2"
    assert entry.decoded_old() == {"version": 0,
                                   "thresholds": thresholds_to_dict(DEFAULT_THRESHOLDS)}
    assert entry.decoded_new() == {"version": 1, "thresholds": thresholds_to_dict(LOWER_SPO2)}
    assert entry.decoded_new()["thresholds"]["spo2"]["below"]["high"] == {"at": 90}
    saved = json.loads(stored.settings()[ALARM_THRESHOLDS])
    assert saved == {"version": 1, "thresholds": thresholds_to_dict(LOWER_SPO2)}


def test_every_version_is_in_the_history_with_when_who_and_why(
        services: Services, stored: Stored, admin: Actor, staff: Staff, clock: ManualClock) -> None:
    settings = services.monitoring_settings
    first_at = clock.now()
    settings.change_thresholds(admin, LOWER_SPO2, "altitude clinic")
    clock.advance(timedelta(days=3))
    assert settings.change_thresholds(staff.clinician, TIGHTER_BP, "medical lead's review",
                                      expected_version=1) == 2
    clock.advance(timedelta(hours=1))
    assert settings.change_thresholds(admin, DEFAULT_THRESHOLDS, "back to the defaults") == 3
    history = settings.threshold_history(staff.nurse)
    assert [(v.number, v.at, v.by_name, v.reason) for v in history] == [
        (1, first_at, "Ada Admin", "altitude clinic"),
        (2, first_at + timedelta(days=3), "Dr Priya Patel", "medical lead's review"),
        (3, first_at + timedelta(days=3, hours=1), "Ada Admin", "back to the defaults"),
    ]
    assert [v.value for v in history] == [LOWER_SPO2, TIGHTER_BP, DEFAULT_THRESHOLDS]
    second = stored.trail()[-2]
    assert second.decoded_old() == {"version": 1, "thresholds": thresholds_to_dict(LOWER_SPO2)}
    assert second.decoded_new()["version"] == 2
    assert settings.thresholds() == DEFAULT_THRESHOLDS
    assert settings.current_thresholds().version == 3, "returning to the defaults is a version"


def _corrupted() -> AlarmThresholds:
    """A table that slipped past construction (frozen objects can still be forced)."""
    table = replace(DEFAULT_THRESHOLDS)
    object.__setattr__(table, "heart_rate",
                       Bands(above=Side(medium=at(131), high=at(111)), below=Side(high=at(40))))
    return table


REFUSALS: dict[str, tuple[Callable[[Services, Actor, Staff], object], type[UserFacingError],
                          str]] = {
    "no reason": (lambda s, a, staff: s.monitoring_settings.change_thresholds(
        a, TIGHTER_BP, ""), ValidationError, "reason"),
    "a blank reason": (lambda s, a, staff: s.monitoring_settings.change_thresholds(
        a, TIGHTER_BP, "   "), ValidationError, "reason"),
    "nothing changed": (lambda s, a, staff: s.monitoring_settings.change_thresholds(
        a, LOWER_SPO2, "same again"), ValidationError, "unchanged"),
    "the same rise written differently": (lambda s, a, staff: s.monitoring_settings
                                          .change_thresholds(a, replace(
                                              LOWER_SPO2, systolic_rise_percent=Decimal("25.0")),
                                              "same again"), ValidationError, "unchanged"),
    "an invalid table": (lambda s, a, staff: s.monitoring_settings.change_thresholds(
        a, _corrupted(), "swap the heart-rate tiers"), ValidationError, "must be higher"),
    "a stale version": (lambda s, a, staff: s.monitoring_settings.change_thresholds(
        a, TIGHTER_BP, "tighter BP", expected_version=0), ConflictError,
        "Someone saved version 1"),
    "a nurse": (lambda s, a, staff: s.monitoring_settings.change_thresholds(
        staff.nurse, TIGHTER_BP, "tighter BP"),
        PermissionDenied, "Only an administrator or clinician"),
    "scales by a nurse": (lambda s, a, staff: s.monitoring_settings.change_scales(
        staff.nurse, MonitoringScales(SedationScale.POSS), "we chart POSS"),
        PermissionDenied, "Only an administrator or clinician"),
    "scales without a reason": (lambda s, a, staff: s.monitoring_settings.change_scales(
        a, MonitoringScales(SedationScale.POSS), ""), ValidationError, "reason"),
    "scales unchanged": (lambda s, a, staff: s.monitoring_settings.change_scales(
        a, MonitoringScales(), "same again"), ValidationError, "already"),
    "scales, a stale version": (lambda s, a, staff: s.monitoring_settings.change_scales(
        a, MonitoringScales(SedationScale.POSS), "we chart POSS", expected_version=3),
        ConflictError, "Reload"),
}


@pytest.mark.parametrize("name", REFUSALS)
def test_a_refused_change_changes_nothing_and_writes_no_record(
        services: Services, stored: Stored, admin: Actor, staff: Staff, name: str) -> None:
    services.monitoring_settings.change_thresholds(admin, LOWER_SPO2, "altitude clinic")
    call, error, words = REFUSALS[name]
    before = stored.snapshot()
    with pytest.raises(error) as refused:
        call(services, admin, staff)
    assert words in refused.value.message
    assert stored.snapshot() == before
    assert services.monitoring_settings.thresholds() == LOWER_SPO2
    assert services.monitoring_settings.current_thresholds().version == 1


def test_a_clinician_may_change_the_settings_and_a_nurse_may_read_the_history(
        services: Services, admin: Actor, staff: Staff) -> None:
    settings = services.monitoring_settings
    settings.change_scales(staff.clinician, MonitoringScales(SedationScale.MOAA_S),
                           "MOAA/S matches the procedural sedation policy")
    (version,) = settings.scales_history(staff.nurse)
    assert (version.number, version.by_name) == (1, "Dr Priya Patel")
    assert version.value == MonitoringScales(SedationScale.MOAA_S, DissociationScale.CADSS_6)


def test_a_deactivated_clinicians_stale_identity_is_refused(
        services: Services, stored: Stored, admin: Actor, staff: Staff) -> None:
    services.users.deactivate(admin, staff.clinician.user_id, reason="left the clinic")
    before = stored.snapshot()
    with pytest.raises(PermissionDenied, match="no longer active"):
        services.monitoring_settings.change_thresholds(staff.clinician, LOWER_SPO2, "lower SpO2")
    with pytest.raises(PermissionDenied, match="no longer active"):
        services.monitoring_settings.threshold_history(staff.clinician)
    assert stored.snapshot() == before


def test_the_scales_are_versioned_and_audited_on_their_own(
        services: Services, database: Database, stored: Stored, admin: Actor) -> None:
    settings = services.monitoring_settings
    chosen = MonitoringScales(SedationScale.POSS, DissociationScale.CADSS)
    assert settings.change_scales(admin, chosen, "nurses trained on POSS; full CADSS") == 1
    assert settings.scales() == chosen
    with database.read() as uow:
        assert read_scales(uow) == chosen
        assert read_thresholds(uow) == DEFAULT_THRESHOLDS, "the alarm table is untouched"
    entry = stored.last()
    assert entry.entity_id == MONITORING_SCALES
    assert entry.decoded_old() == {"version": 0, "scales": {"sedation": "rass",
                                                            "dissociation": "cadss_6"}}
    assert entry.decoded_new() == {"version": 1, "scales": {"sedation": "poss",
                                                            "dissociation": "cadss"}}
    assert settings.change_scales(admin, MonitoringScales(SedationScale.POSS),
                                  "CADSS-6 is quicker", expected_version=1) == 2
    assert [v.number for v in settings.scales_history(admin)] == [1, 2]
    assert settings.current_thresholds().version == 0


def test_a_damaged_stored_setting_is_reported_not_replaced_by_defaults(
        services: Services, database: Database, admin: Actor, clock: ManualClock) -> None:
    with database.write() as uow:
        table = thresholds_to_dict(DEFAULT_THRESHOLDS) | {"temperature": {}}
        uow.settings.put(ALARM_THRESHOLDS, json.dumps({"version": 4, "thresholds": table}),
                         at=clock.now(), by=admin.user_id)
        uow.settings.put(MONITORING_SCALES, json.dumps({"scales": {}}), at=clock.now(),
                         by=admin.user_id)
    with pytest.raises(ValidationError, match="unknown entry 'temperature'"):
        services.monitoring_settings.thresholds()
    with pytest.raises(ValidationError, match="damaged"):
        services.monitoring_settings.scales()
