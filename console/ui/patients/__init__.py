"""The Patients area: the register, the contraindication screen, and each patient's protocols."""

from console.ui.patients.detail import PatientDetailPanel
from console.ui.patients.dialogs import PatientDialog, ScreeningDialog
from console.ui.patients.models import PatientTableModel, ScreeningTableModel
from console.ui.patients.view import PatientsView

__all__ = [
    "PatientDetailPanel",
    "PatientDialog",
    "PatientTableModel",
    "PatientsView",
    "ScreeningDialog",
    "ScreeningTableModel",
]
