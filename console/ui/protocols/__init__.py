"""Protocols and the drug library: the protocol editor, verification, and the library area."""

from console.ui.protocols.editor import ProtocolDialog
from console.ui.protocols.library_dialogs import ApproveDialog, LibraryEntryDialog
from console.ui.protocols.library_view import LibraryView
from console.ui.protocols.models import LibraryTableModel, LimitTableModel, ProtocolTableModel
from console.ui.protocols.verify import VerifyDialog

__all__ = [
    "ApproveDialog",
    "LibraryEntryDialog",
    "LibraryTableModel",
    "LibraryView",
    "LimitTableModel",
    "ProtocolDialog",
    "ProtocolTableModel",
    "VerifyDialog",
]
