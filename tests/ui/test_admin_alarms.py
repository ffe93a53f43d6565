"""The Alarms tab: the clinic's alarm threshold table and scales, edited, checked in place,
saved as audited versions with a reason."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtWidgets import QWidget

from console.domain.alarms import DEFAULT_THRESHOLDS, AlarmPriority, at, beyond
from console.domain.identity import Role
from console.domain.scales import DissociationScale, MonitoringScales, SedationScale
from console.services.audit import AuditFilter
from console.services.base import actor_of
from console.ui.admin import AdministrationView
from console.ui.admin.alarm_settings import NOTHING_CHANGED, AlarmSettingsPanel, CutoffEdit
from tests.ui.test_patients_support import click, retype, shown

LOW, MEDIUM, HIGH = AlarmPriority.LOW, AlarmPriority.MEDIUM, AlarmPriority.HIGH


@pytest.fixture
def panel(qtbot, services, admin):  # type: ignore[no-untyped-def]
    return shown(qtbot, AlarmSettingsPanel(services=services, actor=admin), size=(1180, 1000))


def cell(panel: AlarmSettingsPanel, key: str, side: str, priority: AlarmPriority) -> CutoffEdit:
    return panel.editors[(key, side, priority)]


def invalid(widget: QWidget) -> bool:
    return bool(widget.property("invalid"))


def changes(services, admin):  # type: ignore[no-untyped-def]
    return services.audit.search(admin, AuditFilter(action_prefix="settings.changed"))


def test_the_table_reads_like_the_clinical_table(panel):  # type: ignore[no-untyped-def]
    assert cell(panel, "systolic", "above", MEDIUM).text() == "≥ 160 mmHg"
    assert cell(panel, "systolic", "above", HIGH).text() == "> 180 mmHg"
    assert cell(panel, "systolic", "below", HIGH).text() == "≤ 90 mmHg"
    assert cell(panel, "systolic", "below", MEDIUM).text() == "off"
    assert cell(panel, "spo2", "below", LOW).text() == "≤ 95 %"
    assert cell(panel, "spo2", "below", HIGH).text() == "≤ 91 %"
    assert cell(panel, "heart_rate", "below", MEDIUM).text() == "≤ 50 /min"
    assert cell(panel, "sedation_rass", "below", HIGH).text() == "≤ -3"
    assert panel.rise_edit.value.text() == "25 %"
    # Low priority only where the clinic uses it (SpO2); red alarms cannot be switched off.
    assert [k for (k, _s, p) in panel.editors if p is LOW] == ["spo2"]
    assert all(e.operator.findData(None) == -1 for (_k, _s, p), e in panel.editors.items()
               if p is HIGH)
    assert "the console's defaults" in panel.in_use_label.text()
    assert panel.history_rows() == []


def test_a_change_needs_a_reason_then_saves_a_version_that_is_audited(  # type: ignore[no-untyped-def]
        qtbot, panel, services, admin):
    retype(qtbot, cell(panel, "spo2", "below", HIGH).value, "90")
    click(qtbot, panel.save_thresholds_button)
    assert "reason" in panel.thresholds_message.text().lower()
    assert panel.thresholds_message.property("kind") == "error"
    assert invalid(panel.thresholds_reason)
    assert services.monitoring_settings.current_thresholds().version == 0, "nothing saved"

    qtbot.keyClicks(panel.thresholds_reason, "altitude clinic, approved by Dr Patel")
    assert not invalid(panel.thresholds_reason), "typing clears the mark"
    with qtbot.waitSignal(panel.thresholds_saved, timeout=1000) as saved:
        click(qtbot, panel.save_thresholds_button)
    assert saved.args == [1]
    stored = services.monitoring_settings.thresholds()
    assert stored.spo2.below.high == at(90)
    assert stored.spo2.below.medium == at(93), "the rest of the table is kept"
    assert panel.thresholds_message.text() == "Saved as version 1 of the alarm thresholds."
    assert panel.thresholds_reason.text() == ""
    (row,) = panel.history_rows()
    assert [row[0], row[1], row[3], row[4]] == ["Alarm thresholds", "1", "Ada Admin",
                                                "altitude clinic, approved by Dr Patel"]
    assert "version 1" in panel.in_use_label.text()
    (entry,) = changes(services, admin)
    assert entry.reason == "altitude clinic, approved by Dr Patel"
    assert entry.decoded_new()["thresholds"]["spo2"]["below"]["high"] == {"at": 90}


def test_a_faulty_row_is_marked_in_place_and_nothing_is_saved(  # type: ignore[no-untyped-def]
        qtbot, panel, services, admin):
    hr_high = cell(panel, "heart_rate", "above", HIGH)
    retype(qtbot, hr_high.value, "100")
    rr_low = cell(panel, "respiratory_rate", "below", MEDIUM)
    rr_low.operator.setCurrentIndex(rr_low.operator.findText("≤"))
    rr_low.value.setValue(20)  # would alarm at a normal rate of 16
    qtbot.keyClicks(panel.thresholds_reason, "tighter heart-rate alarms")
    click(qtbot, panel.save_thresholds_button)

    assert panel.thresholds_message.text() == "Check the 2 rows marked in red: nothing was saved."
    hr_error = panel.row_errors["heart_rate"]
    assert hr_error.isVisible()
    assert "must be higher than the medium-priority cut-off" in hr_error.text()
    assert "normal reading" in panel.row_errors["respiratory_rate"].text()
    assert invalid(hr_high.value)
    assert invalid(cell(panel, "heart_rate", "above", MEDIUM).value)
    assert not invalid(cell(panel, "heart_rate", "below", HIGH).value), "only the faulty side"
    assert not invalid(cell(panel, "systolic", "above", HIGH).value)
    assert not panel.row_errors["systolic"].isVisible()
    assert changes(services, admin) == []
    assert services.monitoring_settings.thresholds() == DEFAULT_THRESHOLDS

    retype(qtbot, hr_high.value, "140")  # correcting the row clears its marks
    assert not invalid(hr_high.value)
    assert not hr_error.isVisible()
    assert invalid(rr_low.value), "the other faulty row stays marked"


def test_saving_an_unchanged_table_says_so(qtbot, panel, services, admin):  # type: ignore[no-untyped-def]
    qtbot.keyClicks(panel.thresholds_reason, "just checking")
    click(qtbot, panel.save_thresholds_button)
    assert panel.thresholds_message.text() == NOTHING_CHANGED
    assert panel.thresholds_message.property("kind") == "info"
    assert changes(services, admin) == []


def test_operators_switch_alarms_on_and_off(qtbot, panel, services):  # type: ignore[no-untyped-def]
    sbp_low = cell(panel, "systolic", "below", MEDIUM)
    assert not sbp_low.value.isVisibleTo(panel), "an alarm that is off shows no number"
    sbp_low.operator.setCurrentIndex(sbp_low.operator.findText("<"))
    assert sbp_low.value.isVisibleTo(panel)
    assert sbp_low.text() == "< 95 mmHg", "offered a little nearer normal than the red alarm"
    dbp_high = cell(panel, "diastolic", "above", HIGH)
    dbp_high.operator.setCurrentIndex(dbp_high.operator.findText("≥"))
    spo2_low = cell(panel, "spo2", "below", LOW)
    spo2_low.operator.setCurrentIndex(spo2_low.operator.findText("off"))
    panel.rise_edit.operator.setCurrentIndex(panel.rise_edit.operator.findText("off"))
    qtbot.keyClicks(panel.thresholds_reason, "medical lead's review")
    click(qtbot, panel.save_thresholds_button)
    stored = services.monitoring_settings.thresholds()
    assert stored.systolic.below.medium == beyond(95)
    assert stored.diastolic.above.high == at(110)
    assert stored.spo2.below.low is None
    assert stored.systolic_rise_percent is None


def test_a_fractional_rise_is_kept_and_a_whole_one_is_not_a_new_version(  # type: ignore[no-untyped-def]
        qtbot, panel, services, admin):
    panel.rise_edit.value.setValue(22.5)
    qtbot.keyClicks(panel.thresholds_reason, "rise over baseline 22.5 %")
    click(qtbot, panel.save_thresholds_button)
    assert services.monitoring_settings.thresholds().systolic_rise_percent == Decimal("22.5")
    assert panel.rise_edit.value.text() == "22.5 %"
    panel.rise_edit.value.setValue(25)
    assert panel.rise_edit.percent() == Decimal(25)
    assert str(panel.rise_edit.percent()) == "25"


def test_the_defaults_can_be_filled_in_and_saved_back(qtbot, panel, services, admin):  # type: ignore[no-untyped-def]
    services.monitoring_settings.change_thresholds(
        admin, DEFAULT_THRESHOLDS.__class__(systolic_rise_percent=Decimal(30)), "wider rise")
    panel.refresh()
    assert panel.rise_edit.value.text() == "30 %"
    click(qtbot, panel.defaults_button)
    assert panel.rise_edit.value.text() == "25 %"
    assert services.monitoring_settings.thresholds().systolic_rise_percent == Decimal(30)
    qtbot.keyClicks(panel.thresholds_reason, "back to the defaults")
    click(qtbot, panel.save_thresholds_button)
    assert services.monitoring_settings.current_thresholds().version == 2
    assert services.monitoring_settings.thresholds() == DEFAULT_THRESHOLDS
    assert [row[1] for row in panel.history_rows()] == ["2", "1"], "newest first"


def test_a_colleagues_newer_version_is_not_overwritten(qtbot, panel, services, admin):  # type: ignore[no-untyped-def]
    clinician = actor_of(services.users.create_user(
        admin, username="dpatel", full_name="Dr Priya Patel", role=Role.CLINICIAN,
        temporary_password="clinic-temp-pass"))
    services.monitoring_settings.change_thresholds(
        clinician, DEFAULT_THRESHOLDS.__class__(systolic_rise_percent=Decimal(20)),
        "clinician's review")
    retype(qtbot, cell(panel, "spo2", "below", HIGH).value, "90")
    qtbot.keyClicks(panel.thresholds_reason, "altitude clinic")
    click(qtbot, panel.save_thresholds_button)
    assert "Someone saved version 1" in panel.thresholds_message.text()
    assert services.monitoring_settings.thresholds().spo2.below.high == at(91)
    click(qtbot, panel.discard_button)
    assert panel.rise_edit.value.text() == "20 %", "discarding shows the colleague's version"
    assert cell(panel, "spo2", "below", HIGH).text() == "≤ 91 %"
    assert panel.history_rows()[0][3] == "Dr Priya Patel"


def test_the_scales_are_chosen_with_a_reason_without_losing_table_edits(  # type: ignore[no-untyped-def]
        qtbot, panel, services, admin):
    assert panel.typed_scales() == MonitoringScales()
    assert panel.sedation_combo.currentText().startswith("RASS")
    assert panel.dissociation_combo.currentText() == "CADSS-6 (0 to 24)"
    assert "charted here" in panel.readings_labels[SedationScale.RASS].text()
    retype(qtbot, cell(panel, "spo2", "below", HIGH).value, "90")  # typed, not saved
    panel.sedation_combo.setCurrentIndex(panel.sedation_combo.findData(SedationScale.POSS))
    panel.dissociation_combo.setCurrentIndex(
        panel.dissociation_combo.findData(DissociationScale.CADSS))
    click(qtbot, panel.save_scales_button)
    assert "reason" in panel.scales_message.text().lower()
    assert invalid(panel.scales_reason)
    qtbot.keyClicks(panel.scales_reason, "nurses trained on POSS")
    with qtbot.waitSignal(panel.scales_saved, timeout=1000):
        click(qtbot, panel.save_scales_button)
    assert services.monitoring_settings.scales() == MonitoringScales(SedationScale.POSS,
                                                                     DissociationScale.CADSS)
    assert panel.scales_message.text() == ("Saved as version 1: sedation on POSS, "
                                           "dissociation on CADSS.")
    assert "charted here" in panel.readings_labels[SedationScale.POSS].text()
    assert "charted here" not in panel.readings_labels[SedationScale.RASS].text()
    assert cell(panel, "spo2", "below", HIGH).text() == "≤ 90 %", "table edits are kept"
    assert panel.history_rows()[0][:2] == ["Scales", "1"]
    click(qtbot, panel.save_scales_button)
    assert panel.scales_message.text() == NOTHING_CHANGED


def test_the_alarms_tab_keeps_typed_values_when_switching_tabs(qtbot, services, admin):  # type: ignore[no-untyped-def]
    view = AdministrationView(services=services, actor=admin)
    qtbot.addWidget(view)
    view.show_tab(view.ALARMS)
    assert view.tabs.tabText(view.ALARMS) == "Alarms"
    panel = view.alarms_panel
    assert cell(panel, "spo2", "below", HIGH).text() == "≤ 91 %"
    cell(panel, "spo2", "below", HIGH).value.setValue(90)
    view.show_tab(view.USERS)
    view.show_tab(view.ALARMS)
    assert cell(panel, "spo2", "below", HIGH).text() == "≤ 90 %"
    view.refresh()  # the main window re-reads when the area is shown again
    assert cell(panel, "spo2", "below", HIGH).text() == "≤ 91 %"
