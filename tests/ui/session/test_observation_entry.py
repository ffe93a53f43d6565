"""Observations on the session screen: unusual values wait for a confirmation, corrections
keep the original, and the timeline shows both."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QScrollArea

from console.domain.vitals import VitalSource
from tests.ui.session.test_session_screen import click, open_view, running


def _type(qtbot, edits, **texts: str) -> None:  # type: ignore[no-untyped-def]
    for name, text in texts.items():
        edits[name].clear()
        qtbot.keyClicks(edits[name], text)


def test_an_unusual_value_is_saved_only_after_the_nurse_confirms(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = running(services, nurse)
    view = open_view(qtbot, services, nurse, clock, record.id)
    entry = view.observations
    before = len(services.sessions.get(nurse, record.id).vitals)
    _type(qtbot, entry.edits, heart_rate="24", spo2="97")
    qtbot.keyClick(entry.edits["spo2"], Qt.Key.Key_Return)
    assert "Heart rate 24/min is unusual" in entry.message.text()
    assert entry.gate.button.isVisible()
    assert entry.edits["heart_rate"].property("invalid")
    assert len(services.sessions.get(nurse, record.id).vitals) == before  # nothing saved

    # Changing the flagged box drops the pending confirmation: the new value is judged again.
    _type(qtbot, entry.edits, heart_rate="23")
    assert not entry.gate.button.isVisible()
    qtbot.keyClick(entry.edits["heart_rate"], Qt.Key.Key_Return)
    click(qtbot, entry.gate.button)
    saved = services.sessions.get(nurse, record.id).vitals[-1]
    assert saved.values.heart_rate == 23
    assert saved.confirmed == ("heart_rate",)
    assert entry.edits["heart_rate"].text() == ""
    assert any("unusual value confirmed" in line for line in view.timeline.lines())


def test_typing_mistakes_are_named_in_place_and_nothing_typed_is_lost(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = running(services, nurse)
    view = open_view(qtbot, services, nurse, clock, record.id)
    entry = view.observations
    _type(qtbot, entry.edits, heart_rate="72", temperature_c="36,8")
    click(qtbot, entry.save_button)
    assert "with a point" in entry.message.text()
    assert entry.edits["temperature_c"].property("invalid")
    assert entry.edits["heart_rate"].text() == "72"


def test_a_correction_keeps_the_original_struck_through(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = running(services, nurse)
    view = open_view(qtbot, services, nurse, clock, record.id)
    entry = view.observations
    _type(qtbot, entry.edits, heart_rate="72", systolic="142", diastolic="78")
    click(qtbot, entry.save_button)
    click(qtbot, entry.correct_button)
    dialog = entry.dialog
    assert dialog is not None
    assert "Original:" in dialog.findChild(type(entry.last), "originalVitals").text()
    assert dialog.grid.edits["systolic"].text() == "142"
    _type(qtbot, dialog.grid.edits, systolic="124")
    click(qtbot, dialog.save_button)
    assert "reason" in dialog.message.text().lower()  # a reason is required
    qtbot.keyClicks(dialog.reason, "Typed 142 for 124")
    click(qtbot, dialog.save_button)
    assert not dialog.isVisible()

    vitals = [v for v in services.sessions.get(nurse, record.id).vitals
              if v.source is VitalSource.MANUAL]
    original = next(v for v in vitals if v.values.systolic == 142)
    correction = next(v for v in vitals if v.corrects_id == original.id)
    assert original.superseded
    assert correction.values.systolic == 124
    assert correction.correction_reason == "Typed 142 for 124"
    struck = [view.timeline.item(i) for i in range(view.timeline.count())
              if view.timeline.item(i).font().strikeOut()]
    assert len(struck) == 1
    assert "142/78" in struck[0].text()
    assert "Last:" in entry.last.text()
    assert "124/78" in entry.last.text()


def test_on_a_short_screen_the_confirmation_is_scrolled_into_view(  # type: ignore[no-untyped-def]
    qtbot, services, nurse, clock
):
    record = running(services, nurse)
    view = open_view(qtbot, services, nurse, clock, record.id)
    view.resize(1400, 760)  # the entry area is below the fold of its scroll area
    qtbot.wait(50)
    entry = view.observations
    _type(qtbot, entry.edits, heart_rate="24")
    qtbot.keyClick(entry.edits["heart_rate"], Qt.Key.Key_Return)
    area = next(a for a in view.findChildren(QScrollArea) if a.isAncestorOf(entry))
    viewport = area.viewport()
    for widget in (entry.gate.button, entry.message):
        top_left = widget.mapTo(viewport, QPoint(0, 0))
        assert viewport.rect().contains(top_left), f"{widget.objectName()} is out of view"
