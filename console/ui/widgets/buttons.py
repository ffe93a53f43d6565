"""Push buttons for the actions of a screen."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QPushButton, QWidget


def action_button(parent: QWidget, text: str, slot: Callable[[], None], *,
                  primary: bool = False) -> QPushButton:
    """A button that runs ``slot``, named after its text ("Reset password…" is
    ``resetPasswordButton``), that Enter in a form does not press; ``primary`` draws it as the
    screen's main action."""
    button = QPushButton(text, parent)
    words = text.strip("←… ").split()
    button.setObjectName(words[0].lower() + "".join(w.capitalize() for w in words[1:])
                         + "Button")
    button.setAutoDefault(False)
    if primary:
        button.setProperty("role", "primary")
    button.clicked.connect(slot)
    return button
