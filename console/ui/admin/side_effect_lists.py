"""The Side-effect lists tab: the effects nurses log from and the rescue medications they may
give (name, unit, routes, single-dose range), each saved with a reason as a new version, and
every earlier version, read-only.

Entries made under an earlier version keep the wording and doses they were made with; a code
already in use cannot be changed here (remove the item and add a new one instead).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.domain.identity import Actor
from console.domain.side_effects import (
    OTHER_CODE,
    RESCUE_DOSE_UNITS,
    AdministrationRoute,
    EffectList,
    EffectTerm,
    ListKind,
    RescueList,
    RescueMedication,
    decimal_or_none,
    validate_effect_terms,
    validate_rescue_medications,
)
from console.domain.units import Unit, format_number
from console.errors import UserFacingError, ValidationError
from console.services.container import Services
from console.ui.admin.common import (
    card,
    fixed_table,
    format_local_time,
    mark_reason_refused,
    reason_edit,
    scrolling_page,
)
from console.ui.forms import mark_invalid, primary_button
from console.ui.messages import InlineMessage
from console.ui.widgets.inputs import Choice

EFFECT_COLUMNS = ("Code", "Label")
RESCUE_COLUMNS = ("Code", "Name", "Unit", "Routes", "Lowest dose", "Highest dose",
                  "Doses per session")
HISTORY_COLUMNS = ("List", "Version", "Saved", "By", "Reason")
INVALID_CELL = QColor("#6b1d22")
_ROUTES = {route.label.casefold(): route for route in AdministrationRoute}


def code_from(label: str) -> str:
    """A code for a new item from its label: ``"Jaw tension"`` is ``jaw_tension``."""
    code = re.sub(r"[^a-z0-9]+", "_", label.casefold()).strip("_")
    if code and not code[0].isalpha():
        code = f"x_{code}"
    return code[:40]


def parse_routes(text: str) -> tuple[AdministrationRoute, ...]:
    routes = []
    for part in re.split(r"[\s/,;]+", text.strip()):
        if not part:
            continue
        route = _ROUTES.get(part.casefold())
        if route is None:
            allowed = ", ".join(r.label for r in AdministrationRoute)
            raise ValidationError(f"'{part}' is not a route the console knows. Use {allowed}, "
                                  "separated by '/'.", field="routes")
        routes.append(route)
    return tuple(routes)


def _item(text: str, *, editable: bool = True) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if not editable:
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        item.setToolTip("A code in use never changes: entries made under it keep their "
                        "meaning. Remove the item and add a new one instead.")
    return item


def _table(columns: Sequence[str], name: str, *, editable: bool) -> QTableWidget:
    table = fixed_table(columns, name)
    if editable:
        table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                              | QAbstractItemView.EditTrigger.EditKeyPressed
                              | QAbstractItemView.EditTrigger.AnyKeyPressed)
    return table


def _text(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return "" if item is None else item.text().strip()


class ListEditor(QWidget):
    """One list: its table, Add / Remove, a reason and Save, and a message under it."""

    def __init__(self, *, kind: ListKind, columns: Sequence[str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        name = "effects" if kind is ListKind.EFFECTS else "rescue"
        self.table = _table(columns, f"{name}ListTable", editable=True)
        self.table.setMinimumHeight(360 if kind is ListKind.EFFECTS else 220)
        self.version_label = QLabel(self)
        self.version_label.setObjectName("muted")
        self.version_label.setWordWrap(True)
        noun = "effect" if kind is ListKind.EFFECTS else "medication"
        self.add_button = QPushButton(f"Add {noun}", self)
        self.add_button.setObjectName(f"add{name.capitalize()}Button")
        self.remove_button = QPushButton(f"Remove selected {noun}", self)
        self.remove_button.setObjectName(f"remove{name.capitalize()}Button")
        self.reason = reason_edit(f"{name}ReasonEdit", "Reason for the change (required), for "
                                  "example: agreed at the clinical governance meeting", self)
        self.save_button = primary_button(f"Save {kind.label}", self)
        self.save_button.setObjectName(f"save{name.capitalize()}ListButton")
        self.message = InlineMessage(self)
        edit_row = QHBoxLayout()
        edit_row.addWidget(self.add_button)
        edit_row.addWidget(self.remove_button)
        edit_row.addStretch(1)
        save_row = QHBoxLayout()
        save_row.addWidget(QLabel("Reason", self))
        save_row.addWidget(self.reason, 1)
        save_row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.version_label)
        layout.addWidget(self.table)
        layout.addLayout(edit_row)
        layout.addLayout(save_row)
        layout.addWidget(self.message)
        self.remove_button.clicked.connect(self.remove_selected)

    def remove_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()}, reverse=True)
        for row in rows:
            if self.kind is ListKind.EFFECTS and _text(self.table, row, 0) == OTHER_CODE:
                self.message.show_error("'Other' stays on the list: it lets a nurse describe "
                                        "an effect that is not listed.")
                continue
            self.table.removeRow(row)

    def mark_cell(self, row: int, column: int) -> None:
        self.table.setCurrentCell(row, column)
        item = self.table.item(row, column)
        if item is not None:
            item.setBackground(INVALID_CELL)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def clear_marks(self) -> None:
        self.message.clear_message()
        mark_invalid(self.reason, False)
        for row in range(self.table.rowCount()):
            for column in range(self.table.columnCount()):
                item = self.table.item(row, column)
                if item is not None:
                    item.setData(Qt.ItemDataRole.BackgroundRole, None)


class SideEffectListsPanel(QWidget):
    """Edit and save the clinic's side-effect and rescue-medication lists; read every
    earlier version."""

    def __init__(self, *, services: Services, actor: Actor,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sideEffectListsPanel")
        self._service = services.side_effects
        self._actor = actor
        self.effects_list: EffectList | None = None
        self.rescue_list: RescueList | None = None
        self.versions: list[EffectList | RescueList] = []

        self.effects = ListEditor(kind=ListKind.EFFECTS, columns=EFFECT_COLUMNS)
        self.effects.add_button.clicked.connect(self.add_effect)
        self.effects.save_button.clicked.connect(self.save_effects)
        self.rescue = ListEditor(kind=ListKind.RESCUE, columns=RESCUE_COLUMNS)
        self.rescue.add_button.clicked.connect(self.add_medication)
        self.rescue.save_button.clicked.connect(self.save_rescue)
        effects_hint = QLabel("Double-click a label to change its wording. A new item's code "
                              "is made from its label when left empty. 'Other' always stays.")
        effects_hint.setObjectName("muted")
        effects_hint.setWordWrap(True)
        rescue_hint = QLabel("One dose must lie between the lowest and highest dose, in mg or "
                             "mcg. Routes: IV, IM, PO, SL, subcut, intranasal, separated by "
                             "'/'. Leave 'doses per session' empty for no count limit.")
        rescue_hint.setObjectName("muted")
        rescue_hint.setWordWrap(True)

        self.history = _table(HISTORY_COLUMNS, "listHistoryTable", editable=False)
        self.history.setMinimumHeight(180)
        self.history.itemSelectionChanged.connect(self._version_selected)
        self.version_title = QLabel(self)
        self.version_title.setObjectName("oldVersionNote")
        self.version_title.setWordWrap(True)
        self.version_items = _table(RESCUE_COLUMNS, "versionItemsTable", editable=False)
        self.version_items.setMinimumHeight(200)
        self.history_message = InlineMessage(self)

        content = QWidget()
        content.setObjectName("sideEffectListsContent")
        page = QVBoxLayout(content)
        page.setContentsMargins(16, 16, 16, 16)
        page.setSpacing(16)
        intro = QLabel("The lists nurses log side effects and rescue doses from. Each save is a "
                       "new version with your name and reason in the audit trail; entries made "
                       "under an earlier version keep their meaning.")
        intro.setObjectName("muted")
        intro.setWordWrap(True)
        page.addWidget(intro)
        page.addWidget(card("Side-effect list", effects_hint, self.effects))
        page.addWidget(card("Rescue-medication list", rescue_hint, self.rescue))
        page.addWidget(card("Versions (read-only)", self.history_message, self.history,
                             self.version_title, self.version_items))
        page.addStretch(1)
        scrolling_page(self, content)

    # ------------------------------------------------------------------ reading
    def refresh(self) -> None:
        """Show the lists in use and every version (unsaved edits are discarded)."""
        try:
            lists = self._service.lists(self._actor)
        except UserFacingError as error:
            self.effects.message.show_error(error.message)
            return
        self._show_effects(lists.effects)
        self._show_rescue(lists.rescue)
        self._show_history()

    def _show_effects(self, effects: EffectList) -> None:
        self.effects_list = effects
        self.effects.clear_marks()
        self.effects.reason.clear()
        self.effects.version_label.setText(self._version_text(effects))
        table = self.effects.table
        table.setRowCount(len(effects.items))
        for row, term in enumerate(effects.items):
            table.setItem(row, 0, _item(term.code, editable=False))
            table.setItem(row, 1, _item(term.label))

    def _show_rescue(self, rescue: RescueList) -> None:
        self.rescue_list = rescue
        self.rescue.clear_marks()
        self.rescue.reason.clear()
        self.rescue.version_label.setText(self._version_text(rescue))
        table = self.rescue.table
        table.setRowCount(0)
        for medication in rescue.items:
            self._add_medication_row(medication)

    @staticmethod
    def _version_text(version: EffectList | RescueList) -> str:
        return (f"In use: version {version.version}, saved {format_local_time(version.changed_at)}"
                f" by {version.changed_by}.")

    def _show_history(self) -> None:
        try:
            effects = self._service.list_history(self._actor, ListKind.EFFECTS)
            rescue = self._service.list_history(self._actor, ListKind.RESCUE)
        except UserFacingError as error:
            self.history_message.show_error(error.message)
            return
        versions: list[Any] = [*effects, *rescue]
        versions.sort(key=lambda v: (v.changed_at, v.version), reverse=True)
        self.versions = versions
        self.history.setRowCount(len(versions))
        for row, version in enumerate(versions):
            cells = (version.kind.label.capitalize(), str(version.version),
                     format_local_time(version.changed_at), version.changed_by, version.reason)
            for column, text in enumerate(cells):
                item = _item(text, editable=False)
                item.setToolTip(text)
                self.history.setItem(row, column, item)
        self.history.resizeRowsToContents()
        self.version_title.setText("Choose a version above to read its items.")
        self.version_items.setRowCount(0)

    def select_version(self, kind: ListKind, number: int) -> None:
        for row, version in enumerate(self.versions):
            if version.kind is kind and version.version == number:
                self.history.selectRow(row)
                return

    def _version_selected(self) -> None:
        rows = {index.row() for index in self.history.selectedIndexes()}
        if not rows:
            return
        version = self.versions[min(rows)]
        current = self.effects_list if version.kind is ListKind.EFFECTS else self.rescue_list
        in_use = current is not None and current.version == version.version
        self.version_title.setText(
            f"Version {version.version} of the {version.kind.label}"
            + (" (in use)" if in_use else " (no longer in use; entries made under it keep "
               "this wording)") + ":")
        table = self.version_items
        if version.kind is ListKind.EFFECTS:
            table.setColumnCount(len(EFFECT_COLUMNS))
            table.setHorizontalHeaderLabels(list(EFFECT_COLUMNS))
            table.setRowCount(len(version.items))
            for row, term in enumerate(version.items):
                if isinstance(term, EffectTerm):
                    table.setItem(row, 0, _item(term.code, editable=False))
                    table.setItem(row, 1, _item(term.label, editable=False))
        else:
            table.setColumnCount(len(RESCUE_COLUMNS))
            table.setHorizontalHeaderLabels(list(RESCUE_COLUMNS))
            table.setRowCount(len(version.items))
            for row, medication in enumerate(version.items):
                if isinstance(medication, RescueMedication):
                    for column, text in enumerate(self._medication_cells(medication)):
                        table.setItem(row, column, _item(text, editable=False))

    def version_rows(self) -> list[list[str]]:
        table = self.version_items
        return [[_text(table, r, c) for c in range(table.columnCount())]
                for r in range(table.rowCount())]

    # ------------------------------------------------------------------ editing
    def add_effect(self) -> None:
        table = self.effects.table
        row = table.rowCount()
        other = next((r for r in range(row) if _text(table, r, 0) == OTHER_CODE), None)
        if other is not None:
            row = other  # new items go above 'other', which stays last
        table.insertRow(row)
        label = _item("")
        table.setItem(row, 0, _item(""))
        table.setItem(row, 1, label)
        table.setCurrentCell(row, 1)
        table.editItem(label)

    @staticmethod
    def _medication_cells(medication: RescueMedication) -> tuple[str, ...]:
        return (medication.code, medication.name, medication.unit.value,
                "/".join(r.label for r in medication.routes), format_number(medication.min_dose),
                format_number(medication.max_dose),
                "" if medication.max_doses_per_session is None
                else str(medication.max_doses_per_session))

    def _add_medication_row(self, medication: RescueMedication | None) -> int:
        table = self.rescue.table
        row = table.rowCount()
        table.insertRow(row)
        cells = self._medication_cells(medication) if medication is not None \
            else ("", "", Unit.MG.value, "", "", "", "")
        for column, text in enumerate(cells):
            if column == 2:
                unit = Choice(table)
                unit.setObjectName("rescueUnit")
                for choice in RESCUE_DOSE_UNITS:
                    unit.addItem(choice.value, choice.value)
                unit.setCurrentIndex(unit.findData(text))
                table.setCellWidget(row, column, unit)
            else:
                table.setItem(row, column, _item(text, editable=column != 0
                                                 or medication is None))
        return row

    def add_medication(self) -> None:
        row = self._add_medication_row(None)
        self.rescue.table.setCurrentCell(row, 1)
        name = self.rescue.table.item(row, 1)
        if name is not None:
            self.rescue.table.editItem(name)

    def typed_terms(self) -> list[EffectTerm]:
        """The effect list on screen; a row-level fault marks its cell and is raised."""
        table = self.effects.table
        terms = []
        for row in range(table.rowCount()):
            label = _text(table, row, 1)
            code = _text(table, row, 0) or code_from(label)
            term = EffectTerm(code, label)
            try:
                # The row alone, with a stand-in for what the whole list must also hold.
                partner = EffectTerm("stand_in", "Stand-in") if code == OTHER_CODE \
                    else EffectTerm(OTHER_CODE, "Other (describe)")
                validate_effect_terms([term, partner])
            except ValidationError as error:
                self.effects.mark_cell(row, 0 if error.field == "code" else 1)
                raise
            terms.append(term)
        return terms

    def typed_medications(self) -> list[RescueMedication]:
        table = self.rescue.table
        medications = []
        columns = {"code": 0, "name": 1, "unit": 2, "routes": 3, "min_dose": 4, "max_dose": 5,
                   "max_doses_per_session": 6}
        for row in range(table.rowCount()):
            try:
                medication = self._medication_at(row)
                validate_rescue_medications([medication])
            except ValidationError as error:
                self.rescue.mark_cell(row, columns.get(error.field or "", 1))
                raise
            medications.append(medication)
        return medications

    def _medication_at(self, row: int) -> RescueMedication:
        table = self.rescue.table
        name = _text(table, row, 1)
        unit_box = table.cellWidget(row, 2)
        unit = Unit(unit_box.currentData()) if isinstance(unit_box, Choice) else Unit.MG
        low = decimal_or_none(_text(table, row, 4), field_name="min_dose")
        high = decimal_or_none(_text(table, row, 5), field_name="max_dose")
        if low is None or high is None:
            raise ValidationError(f"Give {name or 'the medication'}'s lowest and highest single "
                                  "dose.", field="min_dose" if low is None else "max_dose")
        count_text = _text(table, row, 6)
        count = None
        if count_text:
            if not count_text.isdigit():
                raise ValidationError("Doses per session is a whole number, or empty for no "
                                      "limit.", field="max_doses_per_session")
            count = int(count_text)
        return RescueMedication(_text(table, row, 0) or code_from(name), name, unit,
                                parse_routes(_text(table, row, 3)), low, high, count)

    # ------------------------------------------------------------------ saving
    def save_effects(self) -> None:
        editor = self.effects
        editor.clear_marks()
        try:
            saved = self._service.update_effect_list(self._actor, self.typed_terms(),
                                                     reason=editor.reason.text())
        except UserFacingError as error:
            self._refused(editor, error)
            return
        self._show_effects(saved)
        self._show_history()
        editor.message.show_info(f"Saved as version {saved.version} of the side-effect list.")

    def save_rescue(self) -> None:
        editor = self.rescue
        editor.clear_marks()
        try:
            saved = self._service.update_rescue_list(self._actor, self.typed_medications(),
                                                     reason=editor.reason.text())
        except UserFacingError as error:
            self._refused(editor, error)
            return
        self._show_rescue(saved)
        self._show_history()
        editor.message.show_info(f"Saved as version {saved.version} of the rescue-medication "
                                 "list.")

    @staticmethod
    def _refused(editor: ListEditor, error: UserFacingError) -> None:
        editor.message.show_error(error.message + " Nothing was saved.")
        mark_reason_refused(editor.reason, error)
