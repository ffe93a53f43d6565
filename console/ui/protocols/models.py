"""Qt table models for protocols, library entries and a library entry's limits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor

from console.domain.limits import LimitParameter, LimitRange
from console.domain.protocols import (
    LibraryStatus,
    LibraryVersion,
    PatientProtocol,
    ProtocolStatus,
)
from console.domain.units import format_number
from console.ui.protocols.describe import (
    LIBRARY_STATUS_TEXT,
    STATUS_TEXT,
    drug_name,
    protocol_details,
    protocol_dose_summary,
    route_name,
)
from console.ui.widgets.record_table import RecordTableModel

IN_FORCE = QColor("#5fd4a0")  # calm green: verified, approved
AWAITING = QColor("#f5c451")  # amber: a draft that cannot be used yet
ENDED = QColor("#8a96a3")  # grey: superseded, discontinued, retired


class ProtocolTableModel(RecordTableModel[PatientProtocol]):
    """A patient's protocols: version, status, dose summary, author, verification."""

    COLUMNS = ("Version", "Status", "Dose", "Written by", "Verification")
    VERSION, STATUS, DOSE, AUTHOR, VERIFICATION = range(5)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entries: Mapping[int, LibraryVersion] = {}

    def set_protocols(self, protocols: Sequence[PatientProtocol],
                      entries: Mapping[int, LibraryVersion]) -> None:
        """``entries`` maps library entry ids to versions, to show the pump figures."""
        with self.resetting():
            self._records = list(protocols)
            self._entries = dict(entries)

    def protocols(self) -> Sequence[PatientProtocol]:
        return self.records()

    def protocol_at(self, row: int) -> PatientProtocol:
        return self.record_at(row)

    def entry_for(self, protocol: PatientProtocol) -> LibraryVersion | None:
        return self._entries.get(protocol.library_entry_id)

    def text(self, protocol: PatientProtocol, column: int) -> str:
        match column:
            case self.VERSION:
                return f"v{protocol.version}"
            case self.STATUS:
                return STATUS_TEXT[protocol.status]
            case self.DOSE:
                return protocol_dose_summary(protocol, self.entry_for(protocol))
            case self.AUTHOR:
                return protocol.author_name
            case _:
                if protocol.verification is not None:
                    return protocol.verification.manifestation()
                if protocol.status is ProtocolStatus.DRAFT:
                    return "Not verified yet"
                return "Never verified"

    def tooltip(self, protocol: PatientProtocol, column: int) -> str | None:
        return "\n".join(protocol_details(protocol, self.entry_for(protocol)))

    def foreground(self, protocol: PatientProtocol, column: int) -> QColor | None:
        if column in (self.VERSION, self.STATUS):
            return {ProtocolStatus.VERIFIED: IN_FORCE,
                    ProtocolStatus.DRAFT: AWAITING}.get(protocol.status, ENDED)
        if protocol.status in (ProtocolStatus.SUPERSEDED, ProtocolStatus.DISCONTINUED):
            return ENDED
        return None

    def bold(self, protocol: PatientProtocol, column: int) -> bool:
        return column == self.STATUS and protocol.status in (ProtocolStatus.VERIFIED,
                                                             ProtocolStatus.DRAFT)


class LibraryTableModel(RecordTableModel[LibraryVersion]):
    """Library entries: name, drug, version, route, status and the approval."""

    COLUMNS = ("Entry", "Drug", "Version", "Route", "Status", "Approval")
    NAME, DRUG, VERSION, ROUTE, STATUS, APPROVAL = range(6)

    def set_versions(self, versions: Sequence[LibraryVersion]) -> None:
        self.set_records(versions)

    def versions(self) -> Sequence[LibraryVersion]:
        return self.records()

    def version_at(self, row: int) -> LibraryVersion:
        return self.record_at(row)

    def text(self, version: LibraryVersion, column: int) -> str:
        match column:
            case self.NAME:
                return version.entry.name
            case self.DRUG:
                return drug_name(version.entry.drug)
            case self.VERSION:
                return f"v{version.version}"
            case self.ROUTE:
                return route_name(version.entry.route)
            case self.STATUS:
                return LIBRARY_STATUS_TEXT[version.status]
            case _:
                if version.status is LibraryStatus.RETIRED:
                    return f"Retired: {version.retired_reason or 'no reason recorded'}"
                if version.approval is not None:
                    return version.approval.manifestation()
                return "Not approved: not usable yet"

    def foreground(self, version: LibraryVersion, column: int) -> QColor | None:
        if version.status is LibraryStatus.RETIRED:
            return ENDED
        if column == self.STATUS:
            return IN_FORCE if version.status is LibraryStatus.APPROVED else AWAITING
        return None

    def bold(self, version: LibraryVersion, column: int) -> bool:
        return column == self.STATUS and version.status is not LibraryStatus.RETIRED


def bound_text(value: Decimal | None) -> str:
    return "—" if value is None else format_number(value)


class LimitTableModel(RecordTableModel[tuple[LimitParameter, LimitRange]]):
    """A library entry's limits: soft and hard side by side, one row per parameter."""

    COLUMNS = ("Parameter", "Soft min", "Soft max", "Hard min", "Hard max", "Unit")
    PARAMETER, SOFT_MIN, SOFT_MAX, HARD_MIN, HARD_MAX, UNIT = range(6)
    RIGHT_ALIGNED = (SOFT_MIN, SOFT_MAX, HARD_MIN, HARD_MAX)
    _FIELDS = ("soft_min", "soft_max", "hard_min", "hard_max")

    SOFT_TINT = QColor("#f5c451")
    HARD_TINT = QColor("#ff8a8e")

    def set_limits(self, limits: Mapping[LimitParameter, LimitRange]) -> None:
        self.set_records((parameter, limits[parameter]) for parameter in LimitParameter
                         if parameter in limits)

    def key(self, row: tuple[LimitParameter, LimitRange]) -> object:
        return row[0]

    def text(self, row: tuple[LimitParameter, LimitRange], column: int) -> str:
        parameter, bounds = row
        if column == self.PARAMETER:
            return parameter.label
        if column == self.UNIT:
            return parameter.unit.value
        return bound_text(getattr(bounds, self._FIELDS[column - 1]))

    def foreground(self, row: tuple[LimitParameter, LimitRange], column: int) -> QColor | None:
        if column not in self.RIGHT_ALIGNED:
            return None
        if getattr(row[1], self._FIELDS[column - 1]) is None:
            return ENDED
        return self.SOFT_TINT if column <= self.SOFT_MAX else self.HARD_TINT

    def header_tooltip(self, section: int) -> str | None:
        if section in (self.SOFT_MIN, self.SOFT_MAX):
            return "Soft limit: warns; going on needs a reason."
        if section in (self.HARD_MIN, self.HARD_MAX):
            return "Hard limit: refused; cannot be overridden."
        return None
