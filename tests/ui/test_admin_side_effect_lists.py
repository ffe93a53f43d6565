"""The Side-effect lists tab: versioned, audited edits of the clinic's lists; earlier versions
read as they were, and entries made under them keep their meaning."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from console.domain.side_effects import Grade, ListKind, Relationship, SideEffectDraft
from console.domain.vitals import VitalValues
from console.services.audit import AuditFilter
from console.ui.admin import AdministrationView
from tests.ui.session_support import double_checked, programmed


@pytest.fixture
def demo_admin(services):  # type: ignore[no-untyped-def]
    services.demo.seed()
    return services.auth.sign_in("admin", "clinic-demo-1")


def open_tab(qtbot, services, admin) -> AdministrationView:  # type: ignore[no-untyped-def]
    view = AdministrationView(services=services, actor=admin)
    qtbot.addWidget(view)
    view.resize(1300, 900)
    view.show()
    view.show_tab(view.SIDE_EFFECTS)
    assert view.tabs.tabText(view.SIDE_EFFECTS) == "Side-effect lists"
    return view


def row_of(table, code: str) -> int:  # type: ignore[no-untyped-def]
    for row in range(table.rowCount()):
        if table.item(row, 0).text() == code:
            return row
    raise AssertionError(f"{code} not listed")


def set_cell(table, row: int, column: int, text: str) -> None:  # type: ignore[no-untyped-def]
    table.item(row, column).setText(text)


def nausea_logged(services) -> int:  # type: ignore[no-untyped-def]
    nurse = services.auth.sign_in("nkim", "nurse-demo-1")
    record = programmed(services, nurse)
    double_checked(services, record)
    services.sessions.record_vitals(nurse, record.id, VitalValues(
        heart_rate=72, systolic=124, diastolic=78, spo2=98, respiratory_rate=14))
    services.sessions.start(nurse, record.id)
    services.side_effects.log(nurse, record.id, SideEffectDraft(
        "nausea", Grade.MILD, False, Relationship.POSSIBLE))
    return record.id


def test_an_edited_effect_list_is_a_new_version_and_the_old_one_reads_as_before(  # type: ignore[no-untyped-def]
    qtbot, services, demo_admin
):
    session_id = nausea_logged(services)
    view = open_tab(qtbot, services, demo_admin)
    panel = view.side_effect_lists_panel
    table = panel.effects.table
    assert "In use: version 1" in panel.effects.version_label.text()
    nausea = row_of(table, "nausea")
    assert not table.item(nausea, 0).flags() & Qt.ItemFlag.ItemIsEditable  # codes stay
    set_cell(table, nausea, 1, "Nausea / retching")
    panel.add_effect()
    new = row_of(table, "")
    assert new == table.rowCount() - 2  # above 'other'
    set_cell(table, new, 1, "Jaw tension")

    qtbot.mouseClick(panel.effects.save_button, Qt.MouseButton.LeftButton)
    assert "reason" in panel.effects.message.text().lower()
    assert "Nothing was saved" in panel.effects.message.text()
    assert panel.effects.reason.property("invalid") is True
    assert table.item(nausea, 1).text() == "Nausea / retching"  # the edit is kept
    assert services.side_effects.lists(demo_admin).effects.version == 1

    qtbot.keyClicks(panel.effects.reason, "Wording agreed with the nurses")
    qtbot.mouseClick(panel.effects.save_button, Qt.MouseButton.LeftButton)
    assert panel.effects.message.text() == "Saved as version 2 of the side-effect list."
    current = services.side_effects.lists(demo_admin).effects
    assert current.version == 2
    assert current.find("nausea").label == "Nausea / retching"
    assert current.find("jaw_tension").label == "Jaw tension"
    assert current.codes[-1] == "other"
    (audit,) = services.audit.search(demo_admin,
                                     AuditFilter(action_prefix="side_effect.list_changed"))
    assert audit.reason == "Wording agreed with the nurses"

    history = [[panel.history.item(r, c).text() for c in (0, 1, 3)]
               for r in range(panel.history.rowCount())]
    assert ["Side-effect list", "2", "Alex Morgan"] in history
    assert any(row[:2] == ["Side-effect list", "1"] for row in history)
    panel.select_version(ListKind.EFFECTS, 1)
    assert "no longer in use" in panel.version_title.text()
    assert ["nausea", "Nausea"] in panel.version_rows()
    assert not any(row[0] == "jaw_tension" for row in panel.version_rows())
    assert not panel.version_items.item(0, 1).flags() & Qt.ItemFlag.ItemIsEditable

    (effect,) = services.side_effects.for_session(demo_admin, session_id)
    assert effect.term == "Nausea"  # logged under version 1, read as it was
    assert effect.effect_list_version == 1


def test_other_stays_on_the_effect_list(qtbot, services, demo_admin):  # type: ignore[no-untyped-def]
    view = open_tab(qtbot, services, demo_admin)
    panel = view.side_effect_lists_panel
    table = panel.effects.table
    table.selectRow(row_of(table, "other"))
    panel.effects.remove_selected()
    assert row_of(table, "other") >= 0
    assert "'Other' stays" in panel.effects.message.text()


def test_rescue_limits_are_edited_with_a_reason_and_bad_cells_marked(  # type: ignore[no-untyped-def]
    qtbot, services, demo_admin
):
    view = open_tab(qtbot, services, demo_admin)
    panel = view.side_effect_lists_panel
    table = panel.rescue.table
    ondansetron = row_of(table, "ondansetron")
    assert [table.item(ondansetron, c).text() for c in (1, 3, 4, 5)] == \
        ["ondansetron", "IV/PO", "4", "8"]
    set_cell(table, ondansetron, 3, "IV/drip")
    qtbot.keyClicks(panel.rescue.reason, "Medical lead's order of 3 March")
    qtbot.mouseClick(panel.rescue.save_button, Qt.MouseButton.LeftButton)
    assert "'drip' is not a route" in panel.rescue.message.text()
    assert table.currentRow() == ondansetron
    assert table.currentColumn() == 3
    assert services.side_effects.lists(demo_admin).rescue.version == 1

    set_cell(table, ondansetron, 3, "IV/PO")
    set_cell(table, ondansetron, 5, "2")  # highest below lowest
    qtbot.mouseClick(panel.rescue.save_button, Qt.MouseButton.LeftButton)
    assert "Swap them" in panel.rescue.message.text()
    assert services.side_effects.lists(demo_admin).rescue.version == 1

    set_cell(table, ondansetron, 5, "16")
    panel.add_medication()
    new = table.rowCount() - 1
    for column, text in ((1, "Diphenhydramine"), (3, "IV"), (4, "12.5"), (5, "25"), (6, "2")):
        set_cell(table, new, column, text)
    qtbot.mouseClick(panel.rescue.save_button, Qt.MouseButton.LeftButton)
    assert panel.rescue.message.text() == "Saved as version 2 of the rescue-medication list."
    rescue = services.side_effects.lists(demo_admin).rescue
    assert rescue.find("ondansetron").max_dose == Decimal(16)
    added = rescue.find("diphenhydramine")
    assert added is not None
    assert added.dose_range == "12.5–25 mg"
    assert added.max_doses_per_session == 2

    panel.select_version(ListKind.RESCUE, 1)
    rows = panel.version_rows()
    assert ["ondansetron", "ondansetron", "mg", "IV/PO", "4", "8", ""] in rows
    assert len(rows) == 4
