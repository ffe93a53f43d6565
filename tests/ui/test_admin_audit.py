"""The Audit trail tab: searching, reading a record's before and after, verifying the chain."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt

from console.domain.identity import Role
from console.services.audit import AuditFilter
from console.services.base import actor_of
from console.ui.admin import AdministrationView, AuditPanel, AuditTableModel
from console.ui.admin.audit import BETWEEN, LAST_7_DAYS, SEARCH_LIMIT, TODAY

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def nora(services, admin, clock):  # type: ignore[no-untyped-def]
    clock.advance(timedelta(minutes=10))
    return services.users.create_user(admin, username="nkim", full_name="Nora Kim, RN",
                                      role=Role.NURSE, temporary_password="nurse-temp-1")


@pytest.fixture
def panel(qtbot, services, admin, nora):  # type: ignore[no-untyped-def]
    widget = AuditPanel(services=services, actor=admin)
    qtbot.addWidget(widget)
    widget.resize(1300, 800)
    widget.show()
    qtbot.waitExposed(widget)
    widget.refresh()
    return widget


@pytest.fixture
def local_zone() -> Iterator[None]:
    """Lets a test move the PC's time zone (TZ + tzset) and puts it back afterwards."""
    yield
    time.tzset()


def shown(panel: AuditPanel, column: int) -> list[str]:
    view = panel.table.model()
    return [view.index(row, column).data() for row in range(view.rowCount())]


def click_row(qtbot, panel: AuditPanel, sequence: int) -> None:  # type: ignore[no-untyped-def]
    view = panel.table.model()
    for row in range(view.rowCount()):
        index = view.index(row, AuditTableModel.SEQUENCE)
        if index.data() == str(sequence):
            qtbot.mouseClick(panel.table.viewport(), LEFT,
                             pos=panel.table.visualRect(index).center())
            return
    raise AssertionError(f"record #{sequence} is not shown")


def click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    assert button.isEnabled()
    qtbot.mouseClick(button, LEFT)


def everything(services, admin):  # type: ignore[no-untyped-def]
    return services.audit.search(admin, AuditFilter(limit=10_000))


def test_records_are_listed_newest_first_with_local_time_user_action_and_record(  # type: ignore[no-untyped-def]
    panel, services, admin, nora
):
    trail = everything(services, admin)
    assert shown(panel, AuditTableModel.SEQUENCE) == [str(entry.sequence) for entry in trail]
    newest = trail[0]
    assert newest.action == "user.created"
    first_row = [panel.table.model().index(0, column).data() for column in range(6)]
    assert first_row == [
        str(newest.sequence),
        f"24 Nov 2026 {newest.at.astimezone():%H:%M}",
        "Ada Admin",
        "user.created",
        f"user #{nora.id} (nkim)",
        "",
    ]
    assert panel.results_label.text() == f"{len(trail)} records, newest first."


def test_selecting_a_record_shows_old_and_new_values_side_by_side(  # type: ignore[no-untyped-def]
    qtbot, panel, services, admin, nora
):
    services.users.update_user(admin, nora.id, full_name="Nora Kim-Lee, RN", role="clinician")
    services.users.deactivate(admin, nora.id, reason="Moved to another clinic")
    click(qtbot, panel.search_button)
    updated = services.audit.search(admin, AuditFilter(action_prefix="user.updated"))[0]

    click_row(qtbot, panel, updated.sequence)
    assert panel.selected_entry() == updated
    before = json.loads(panel.before_view.toPlainText())
    after = json.loads(panel.after_view.toPlainText())
    assert before == {"username": "nkim", "full_name": "Nora Kim, RN", "role": "nurse",
                      "active": True}
    assert after == {"username": "nkim", "full_name": "Nora Kim-Lee, RN", "role": "clinician",
                     "active": True}
    assert "\n  " in panel.after_view.toPlainText()  # indented for reading
    assert f"Record #{updated.sequence}" in panel.detail_title.text()
    assert "Changed: full_name, role" in panel.detail_meta.text()

    deactivated = services.audit.search(admin, AuditFilter(action_prefix="user.deactivated"))[0]
    click_row(qtbot, panel, deactivated.sequence)
    assert "Reason: Moved to another clinic" in panel.detail_meta.text()
    assert shown(panel, AuditTableModel.REASON)[0] == "Moved to another clinic"

    created = services.audit.search(admin, AuditFilter(action_prefix="user.created"))[0]
    click_row(qtbot, panel, created.sequence)
    assert panel.before_view.toPlainText() == "(nothing recorded)"


def test_filtering_by_user_shows_only_what_that_person_did(qtbot, panel, services, admin, nora):  # type: ignore[no-untyped-def]
    bea_user = services.users.create_user(admin, username="bea", full_name="Bea Boss",
                                          role="administrator", temporary_password="admin-temp-1")
    services.auth.change_password("bea", "admin-temp-1", "admin-own-11")
    bea = actor_of(bea_user)
    services.users.update_user(bea, nora.id, full_name="Nora Kim", role="nurse")
    services.settings.rename_clinic(bea, "Riverside Pain Clinic")
    panel.refresh()  # the user list of the filter now includes Bea

    qtbot.keyClicks(panel.user_combo, "Bea")
    assert panel.user_combo.currentData() == bea.user_id
    click(qtbot, panel.search_button)
    assert set(shown(panel, AuditTableModel.USER)) == {"Bea Boss"}
    assert shown(panel, AuditTableModel.ACTION) == [
        "settings.changed", "user.updated", "user.password_changed"
    ]

    click(qtbot, panel.clear_button)
    assert panel.user_combo.currentText() == "Anyone"
    assert set(shown(panel, AuditTableModel.USER)) >= {"Bea Boss", "Ada Admin"}


def test_record_type_id_and_action_filters_run_on_enter(qtbot, panel, services, admin, nora):  # type: ignore[no-untyped-def]
    services.settings.rename_clinic(admin, "Riverside Pain Clinic")
    type_line = panel.type_combo.lineEdit()
    type_line.selectAll()
    qtbot.keyClicks(type_line, "setting")
    qtbot.keyClick(type_line, Qt.Key.Key_Return)
    assert set(shown(panel, AuditTableModel.RECORD)) == {"setting #clinic.name"}
    assert shown(panel, AuditTableModel.ACTION) == ["settings.changed", "clinic.initialised"]

    panel.type_combo.lineEdit().selectAll()
    qtbot.keyClicks(panel.type_combo.lineEdit(), "user")
    qtbot.keyClicks(panel.record_id_edit, str(nora.id))
    qtbot.keyClick(panel.record_id_edit, Qt.Key.Key_Return)
    assert set(shown(panel, AuditTableModel.RECORD)) == {f"user #{nora.id} (nkim)"}

    panel.record_id_edit.clear()
    qtbot.keyClicks(panel.action_edit, "clinic.")
    qtbot.keyClick(panel.action_edit, Qt.Key.Key_Return)
    assert shown(panel, AuditTableModel.ACTION) == []  # clinic.* is a setting, not a user
    assert panel.results_label.text() == "No audit records match these filters."


def test_a_date_range_is_read_as_local_days(qtbot, panel, services, admin, nora, clock):  # type: ignore[no-untyped-def]
    clock.advance(timedelta(days=2))
    services.settings.rename_clinic(admin, "Two Days Later Clinic")
    clock.advance(timedelta(days=3))
    services.settings.rename_clinic(admin, "Five Days Later Clinic")

    panel.period_combo.setCurrentIndex(BETWEEN)
    assert panel.from_edit.isVisible()
    panel.from_edit.setDate(QDate(2026, 11, 25))
    panel.to_edit.setDate(QDate(2026, 11, 27))
    qtbot.keyClick(panel.to_edit, Qt.Key.Key_Return)  # Enter in a date box searches too
    trail = services.audit.search(admin, AuditFilter(limit=10_000))
    wanted = [entry for entry in trail
              if datetime(2026, 11, 25).astimezone() <= entry.at
              < datetime(2026, 11, 28).astimezone()]
    assert [entry.action for entry in wanted] == ["settings.changed"]
    assert shown(panel, AuditTableModel.SEQUENCE) == [str(wanted[0].sequence)]

    panel.period_combo.setCurrentIndex(TODAY)
    click(qtbot, panel.search_button)
    assert panel.from_edit.date() == panel.to_edit.date() == QDate(2026, 11, 29)
    assert shown(panel, AuditTableModel.SEQUENCE) == [str(trail[0].sequence)]
    assert trail[0].decoded_new() == {"value": "Five Days Later Clinic"}
    panel.period_combo.setCurrentIndex(LAST_7_DAYS)
    click(qtbot, panel.search_button)
    assert len(shown(panel, 0)) == len(trail)


def test_dates_follow_the_pc_time_zone(qtbot, services, admin, clock, local_zone, monkeypatch):  # type: ignore[no-untyped-def]
    # 09:00 and 12:00 UTC on 24 Nov are 22:00 on the 24th and 01:00 on the 25th in Auckland.
    monkeypatch.setenv("TZ", "Pacific/Auckland")
    time.tzset()
    clock.advance(timedelta(hours=3))
    services.settings.rename_clinic(admin, "After Auckland Midnight")
    panel = AuditPanel(services=services, actor=admin)
    qtbot.addWidget(panel)
    panel.show()
    panel.refresh()
    assert shown(panel, AuditTableModel.TIME)[0] == "25 Nov 2026 01:00"

    panel.period_combo.setCurrentIndex(BETWEEN)
    panel.from_edit.setDate(QDate(2026, 11, 25))
    panel.to_edit.setDate(QDate(2026, 11, 25))
    click(qtbot, panel.search_button)
    assert shown(panel, AuditTableModel.ACTION) == ["settings.changed"]
    wanted = panel.current_filter()
    assert wanted.since == datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
    assert wanted.until == datetime(2026, 11, 25, 11, 0, tzinfo=UTC)


def test_a_backwards_date_range_is_explained_and_keeps_the_results(qtbot, panel):  # type: ignore[no-untyped-def]
    before = shown(panel, 0)
    panel.period_combo.setCurrentIndex(BETWEEN)
    panel.from_edit.setDate(QDate(2026, 11, 26))
    panel.to_edit.setDate(QDate(2026, 11, 20))
    click(qtbot, panel.search_button)
    assert panel.filter_message.isVisible()
    assert panel.filter_message.text() == "The 'from' date must be on or before the 'to' date."
    assert panel.from_edit.property("invalid") is True
    assert shown(panel, 0) == before


def test_verify_chain_reports_an_intact_trail_with_its_record_count(qtbot, panel, services, admin):  # type: ignore[no-untyped-def]
    click(qtbot, panel.verify_button)
    count = len(everything(services, admin))
    assert panel.chain_status.isVisible()
    assert panel.chain_status.property("kind") == "intact"
    assert f"Audit trail intact: {count} records checked" in panel.chain_status.text()
    assert panel.chain_intact is True


def test_verify_chain_names_the_first_broken_record_after_tampering(  # type: ignore[no-untyped-def]
    qtbot, panel, services, admin, database_url
):
    trail = everything(services, admin)
    target = trail[-2].sequence  # an early record, well inside the chain
    with sqlite3.connect(Path(database_url.removeprefix("sqlite:///"))) as raw:
        raw.execute("UPDATE audit_record SET actor_name = 'Somebody Else' WHERE sequence = ?",
                    (target,))

    click(qtbot, panel.verify_button)
    assert panel.chain_status.property("kind") == "broken"
    assert f"Audit trail BROKEN at record #{target}: " in panel.chain_status.text()
    assert "altered" in panel.chain_status.text()
    assert panel.chain_intact is False
    assert panel.selected_entry() is not None
    assert panel.selected_entry().sequence == target  # the record is shown for inspection


def test_a_full_page_says_only_the_newest_records_are_shown(qtbot, panel, services, admin):  # type: ignore[no-untyped-def]
    for _ in range(SEARCH_LIMIT + 5):
        services.auth.record_idle_lock(admin)
    click(qtbot, panel.search_button)
    newest = everything(services, admin)[0].sequence
    assert panel.table.model().rowCount() == SEARCH_LIMIT
    assert shown(panel, 0)[0] == str(newest)
    assert panel.results_label.text().startswith(
        f"Showing the newest {SEARCH_LIMIT} records."
    )


def test_a_nurse_gets_no_audit_records(qtbot, services, admin, nora):  # type: ignore[no-untyped-def]
    panel = AuditPanel(services=services, actor=actor_of(nora))
    qtbot.addWidget(panel)
    panel.show()
    panel.refresh()
    assert panel.table.model().rowCount() == 0
    assert panel.filter_message.isVisible()
    assert panel.filter_message.text() == (
        "Only an administrator can do this. Ask a colleague with that role."
    )
    click(qtbot, panel.search_button)
    assert panel.table.model().rowCount() == 0


def test_the_audit_tab_shows_what_was_just_done_on_the_users_tab(  # type: ignore[no-untyped-def]
    qtbot, services, admin, nora
):
    view = AdministrationView(services=services, actor=admin)
    qtbot.addWidget(view)
    view.show()
    view.refresh()
    view.show_tab(AdministrationView.AUDIT)
    first = shown(view.audit_panel, AuditTableModel.ACTION)[0]
    assert first == "user.created"
    view.show_tab(AdministrationView.USERS)
    services.users.unlock(admin, nora.id)  # as if done with the Unlock button
    view.show_tab(AdministrationView.AUDIT)
    assert shown(view.audit_panel, AuditTableModel.ACTION)[0] == "user.unlocked"
