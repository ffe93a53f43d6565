"""Qt table models for protocols, library entries and a library entry's limits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

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
)

Index = QModelIndex | QPersistentModelIndex

IN_FORCE = QColor("#5fd4a0")  # calm green: verified, approved
AWAITING = QColor("#f5c451")  # amber: a draft that cannot be used yet
ENDED = QColor("#8a96a3")  # grey: superseded, discontinued, retired


def _bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


class ProtocolTableModel(QAbstractTableModel):
    """A patient's protocols: version, status, dose summary, author, verification."""

    COLUMNS = ("Version", "Status", "Dose", "Written by", "Verification")
    VERSION, STATUS, DOSE, AUTHOR, VERIFICATION = range(5)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._protocols: list[PatientProtocol] = []
        self._entries: Mapping[int, LibraryVersion] = {}

    def set_protocols(self, protocols: Sequence[PatientProtocol],
                      entries: Mapping[int, LibraryVersion]) -> None:
        """``entries`` maps library entry ids to versions, to show the pump figures."""
        self.beginResetModel()
        self._protocols = list(protocols)
        self._entries = dict(entries)
        self.endResetModel()

    def protocols(self) -> Sequence[PatientProtocol]:
        return tuple(self._protocols)

    def protocol_at(self, row: int) -> PatientProtocol:
        return self._protocols[row]

    def entry_for(self, protocol: PatientProtocol) -> LibraryVersion | None:
        return self._entries.get(protocol.library_entry_id)

    def row_of(self, protocol_id: int) -> int | None:
        for row, protocol in enumerate(self._protocols):
            if protocol.id == protocol_id:
                return row
        return None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._protocols)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        protocol = self._protocols[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(protocol, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(protocol_details(protocol, self.entry_for(protocol)))
        if role == Qt.ItemDataRole.ForegroundRole and column in (self.VERSION, self.STATUS):
            return QBrush({ProtocolStatus.VERIFIED: IN_FORCE, ProtocolStatus.DRAFT: AWAITING}
                          .get(protocol.status, ENDED))
        if role == Qt.ItemDataRole.ForegroundRole \
                and protocol.status in (ProtocolStatus.SUPERSEDED, ProtocolStatus.DISCONTINUED):
            return QBrush(ENDED)
        if role == Qt.ItemDataRole.FontRole and column == self.STATUS \
                and protocol.status in (ProtocolStatus.VERIFIED, ProtocolStatus.DRAFT):
            return _bold()
        return None

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


class LibraryTableModel(QAbstractTableModel):
    """Library entries: name, drug, version, status and the approval."""

    COLUMNS = ("Entry", "Drug", "Version", "Status", "Approval")
    NAME, DRUG, VERSION, STATUS, APPROVAL = range(5)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._versions: list[LibraryVersion] = []

    def set_versions(self, versions: Sequence[LibraryVersion]) -> None:
        self.beginResetModel()
        self._versions = list(versions)
        self.endResetModel()

    def versions(self) -> Sequence[LibraryVersion]:
        return tuple(self._versions)

    def version_at(self, row: int) -> LibraryVersion:
        return self._versions[row]

    def row_of(self, entry_id: int) -> int | None:
        for row, version in enumerate(self._versions):
            if version.id == entry_id:
                return row
        return None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._versions)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        version = self._versions[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(version, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            if version.status is LibraryStatus.RETIRED:
                return QBrush(ENDED)
            if column == self.STATUS:
                return QBrush(IN_FORCE if version.status is LibraryStatus.APPROVED
                              else AWAITING)
        if role == Qt.ItemDataRole.FontRole and column == self.STATUS \
                and version.status is not LibraryStatus.RETIRED:
            return _bold()
        return None

    def text(self, version: LibraryVersion, column: int) -> str:
        match column:
            case self.NAME:
                return version.entry.name
            case self.DRUG:
                return drug_name(version.entry.drug)
            case self.VERSION:
                return f"v{version.version}"
            case self.STATUS:
                return LIBRARY_STATUS_TEXT[version.status]
            case _:
                if version.status is LibraryStatus.RETIRED:
                    return f"Retired: {version.retired_reason or 'no reason recorded'}"
                if version.approval is not None:
                    return version.approval.manifestation()
                return "Not approved: not usable yet"


def bound_text(value: Decimal | None) -> str:
    return "—" if value is None else format_number(value)


class LimitTableModel(QAbstractTableModel):
    """A library entry's limits: soft and hard side by side, one row per parameter."""

    COLUMNS = ("Parameter", "Soft min", "Soft max", "Hard min", "Hard max", "Unit")
    PARAMETER, SOFT_MIN, SOFT_MAX, HARD_MIN, HARD_MAX, UNIT = range(6)
    _FIELDS = ("soft_min", "soft_max", "hard_min", "hard_max")

    SOFT_TINT = QColor("#f5c451")
    HARD_TINT = QColor("#ff8a8e")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[LimitParameter, LimitRange]] = []

    def set_limits(self, limits: Mapping[LimitParameter, LimitRange]) -> None:
        self.beginResetModel()
        self._rows = [(parameter, limits[parameter]) for parameter in LimitParameter
                      if parameter in limits]
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            if section in (self.SOFT_MIN, self.SOFT_MAX):
                return "Soft limit: warns; going on needs a reason."
            if section in (self.HARD_MIN, self.HARD_MAX):
                return "Hard limit: refused; cannot be overridden."
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        parameter, bounds = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.PARAMETER:
                return parameter.label
            if column == self.UNIT:
                return parameter.unit.value
            return bound_text(getattr(bounds, self._FIELDS[column - 1]))
        if role == Qt.ItemDataRole.TextAlignmentRole and self.SOFT_MIN <= column <= self.HARD_MAX:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and self.SOFT_MIN <= column <= self.HARD_MAX:
            if getattr(bounds, self._FIELDS[column - 1]) is None:
                return QBrush(ENDED)
            return QBrush(self.SOFT_TINT if column <= self.SOFT_MAX else self.HARD_TINT)
        return None
