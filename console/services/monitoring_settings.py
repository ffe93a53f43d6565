"""The clinic's monitoring settings: the alarm threshold table and the scales it charts.

Both live in the ``setting`` table as JSON, each with a version number that goes up by one on
every change, and every change writes an audit record with the old and new values and the
reason in the same transaction. The audit trail is therefore the version history.

Other services read the settings inside their own unit of work with ``read_thresholds`` and
``read_scales``; until a clinic saves its own, the console's defaults (CLINICAL.md) apply.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from console.domain.alarms import (
    DEFAULT_THRESHOLDS,
    AlarmThresholds,
    thresholds_from_dict,
    thresholds_to_dict,
)
from console.domain.identity import Actor, Role
from console.domain.scales import DissociationScale, MonitoringScales, SedationScale
from console.errors import ConflictError, ValidationError
from console.services.base import Service, required_reason
from console.storage.unit_of_work import UnitOfWork

ALARM_THRESHOLDS = "monitoring.alarm_thresholds"
MONITORING_SCALES = "monitoring.scales"
SETTING_CHANGED = "settings.changed"

# Who may change clinical monitoring settings. The alarm table decides when the bedside
# screen tells a nurse to slow or pause an infusion and call the clinician: that is a clinical
# decision (like the drug library, which clinicians keep), so a clinician may make it. The
# administrator keeps the clinic's configuration and usually enters what the medical lead
# approved, so an administrator may too. Nurses work to the table but do not set it.
CHANGERS = (Role.ADMINISTRATOR, Role.CLINICIAN)
# Anyone signed in may read the history: it holds no patient data, and knowing who moved a
# limit, when and why helps at the bedside.
READERS = (Role.ADMINISTRATOR, Role.CLINICIAN, Role.NURSE)


@dataclass(frozen=True, slots=True)
class Versioned[T]:
    """A setting as stored now: version 0 means nothing was saved and the defaults apply."""

    version: int
    value: T


@dataclass(frozen=True, slots=True)
class SettingVersion[T]:
    """One saved version of a setting, as its audit record tells it."""

    number: int
    at: datetime
    by_name: str
    reason: str
    value: T


ThresholdVersion = SettingVersion[AlarmThresholds]
ScalesVersion = SettingVersion[MonitoringScales]


# ---------------------------------------------------------------- serialisation


def scales_to_dict(scales: MonitoringScales) -> dict[str, str]:
    return {"sedation": scales.sedation.value, "dissociation": scales.dissociation.value}


def scales_from_dict(raw: object) -> MonitoringScales:
    if not isinstance(raw, dict):
        raise ValidationError("The monitoring scales must be a table of named entries.",
                              field="scales")
    unknown = sorted(str(key) for key in raw if key not in {"sedation", "dissociation"})
    if unknown:
        raise ValidationError(f"Monitoring scales: unknown entries {', '.join(unknown)}.",
                              field="scales")
    try:
        return MonitoringScales(sedation=SedationScale(raw["sedation"]),
                                dissociation=DissociationScale(raw["dissociation"]))
    except (KeyError, ValueError) as error:
        raise ValidationError(f"Monitoring scales: {error} is missing or not a known scale.",
                              field="scales") from None


def _load(uow: UnitOfWork, key: str, name: str) -> tuple[int, object] | None:
    raw = uow.settings.get(key)
    if raw is None:
        return None
    stored = json.loads(raw)
    if not isinstance(stored, dict) or set(stored) != {"version", name} \
            or not isinstance(stored["version"], int) or stored["version"] < 1:
        raise ValidationError(f"The stored setting {key} is damaged: restore it from a backup "
                              "or save the setting again.", field=name)
    return stored["version"], stored[name]


def read_thresholds_versioned(uow: UnitOfWork) -> Versioned[AlarmThresholds]:
    stored = _load(uow, ALARM_THRESHOLDS, "thresholds")
    if stored is None:
        return Versioned(0, DEFAULT_THRESHOLDS)
    version, table = stored
    return Versioned(version, thresholds_from_dict(table))


def read_scales_versioned(uow: UnitOfWork) -> Versioned[MonitoringScales]:
    stored = _load(uow, MONITORING_SCALES, "scales")
    if stored is None:
        return Versioned(0, MonitoringScales())
    version, scales = stored
    return Versioned(version, scales_from_dict(scales))


def read_thresholds(uow: UnitOfWork) -> AlarmThresholds:
    """The clinic's alarm table (the defaults until one is saved), for use inside a unit of
    work that another service opened."""
    return read_thresholds_versioned(uow).value


def read_scales(uow: UnitOfWork) -> MonitoringScales:
    """The clinic's sedation and dissociation scales (RASS and CADSS-6 until chosen)."""
    return read_scales_versioned(uow).value


# ---------------------------------------------------------------- the service


class MonitoringSettingsService(Service):
    """Reading and changing the alarm table and the scales; changes are versioned and audited.

    A change is made by an administrator or a clinician (see ``CHANGERS`` for why), needs a
    reason, and is refused when it changes nothing. ``expected_version`` (the version the
    person was looking at) refuses a change when a colleague saved another version meanwhile.
    """

    # ------------------------------------------------------------ alarm thresholds

    def thresholds(self) -> AlarmThresholds:
        with self._db.read() as uow:
            return read_thresholds(uow)

    def current_thresholds(self) -> Versioned[AlarmThresholds]:
        """The table and its version number, read together (0: the console's defaults)."""
        with self._db.read() as uow:
            return read_thresholds_versioned(uow)

    def threshold_history(self, actor: Actor) -> Sequence[ThresholdVersion]:
        """Every saved version of the table, oldest first (empty: the defaults apply)."""
        with self._db.read() as uow:
            self.authorise(uow, actor, READERS)
            return [SettingVersion(number, at, by, reason, thresholds_from_dict(value))
                    for number, at, by, reason, value
                    in _history(uow, ALARM_THRESHOLDS, "thresholds")]

    def change_thresholds(self, actor: Actor, thresholds: AlarmThresholds, reason: str, *,
                          expected_version: int | None = None) -> int:
        """Save a new version of the alarm table; returns its version number."""
        why = required_reason(reason, what="changing the alarm thresholds")
        new_table = thresholds_to_dict(thresholds)
        thresholds_from_dict(new_table)  # validated again, as it will be read back
        with self._db.write() as uow:
            self.authorise(uow, actor, CHANGERS)
            before = read_thresholds_versioned(uow)
            _check_expected(before.version, expected_version, "alarm thresholds")
            if before.value == thresholds:  # by value: a rise of 25 and of 25.0 are the same
                raise ValidationError("The alarm thresholds are unchanged: there is nothing "
                                      "to save.", field="thresholds")
            return self._store(uow, actor, ALARM_THRESHOLDS, "thresholds", before.version,
                               thresholds_to_dict(before.value), new_table, why)

    # ------------------------------------------------------------ scales

    def scales(self) -> MonitoringScales:
        with self._db.read() as uow:
            return read_scales(uow)

    def current_scales(self) -> Versioned[MonitoringScales]:
        with self._db.read() as uow:
            return read_scales_versioned(uow)

    def scales_history(self, actor: Actor) -> Sequence[ScalesVersion]:
        """Every saved choice of scales, oldest first (empty: RASS and CADSS-6 apply)."""
        with self._db.read() as uow:
            self.authorise(uow, actor, READERS)
            return [SettingVersion(number, at, by, reason, scales_from_dict(value))
                    for number, at, by, reason, value
                    in _history(uow, MONITORING_SCALES, "scales")]

    def change_scales(self, actor: Actor, scales: MonitoringScales, reason: str, *,
                      expected_version: int | None = None) -> int:
        """Choose the sedation and dissociation scales; returns the new version number."""
        why = required_reason(reason, what="changing the monitoring scales")
        new = scales_to_dict(scales)
        scales_from_dict(new)
        with self._db.write() as uow:
            self.authorise(uow, actor, CHANGERS)
            before = read_scales_versioned(uow)
            _check_expected(before.version, expected_version, "monitoring scales")
            if before.value == scales:
                raise ValidationError("These are already the clinic's scales: there is "
                                      "nothing to save.", field="scales")
            return self._store(uow, actor, MONITORING_SCALES, "scales", before.version,
                               scales_to_dict(before.value), new, why)

    # ------------------------------------------------------------ shared

    def _store(self, uow: UnitOfWork, actor: Actor, key: str, name: str, old_version: int,
               old: object, new: object, reason: str) -> int:
        version = old_version + 1
        uow.settings.put(key, json.dumps({"version": version, name: new}, sort_keys=True),
                         at=self.now(), by=actor.user_id)
        self.audit(uow, actor, SETTING_CHANGED, entity_type="setting", entity_id=key,
                   old={"version": old_version, name: old},
                   new={"version": version, name: new}, reason=reason)
        return version


def _check_expected(current: int, expected: int | None, what: str) -> None:
    if expected is not None and expected != current:
        raise ConflictError(
            f"Someone saved version {current} of the {what} while you were editing version "
            f"{expected}. Reload to see their change, then make yours again.")


def _history(uow: UnitOfWork, key: str,
             name: str) -> list[tuple[int, datetime, str, str, Any]]:
    entries = sorted(uow.audit.for_entity("setting", key), key=lambda e: e.sequence)
    versions = []
    for entry in entries:
        if entry.action != SETTING_CHANGED:
            continue
        new = entry.decoded_new()
        versions.append((int(new["version"]), entry.at, entry.actor_name, entry.reason or "",
                         new[name]))
    return versions
