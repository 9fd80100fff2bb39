"""A question before a change, whose default answer can be seen.

Enter presses the default button; a person who cannot tell which one that is may pick Cancel
(or the change) without meaning to. So the default is drawn in bold and holds the focus ring,
in every style, and every question in the window is made here.
"""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget


class QuestionBox(QMessageBox):
    """A message box that knows which of its buttons makes the change."""

    confirm: QPushButton


def question(parent: QWidget | None, title: str, text: str, action: str, *,
             destructive: bool = True, icon: QMessageBox.Icon = QMessageBox.Icon.Question,
             ) -> QuestionBox:
    """A box asking `text` with `action` and Cancel. A destructive action defaults to Cancel;
    any other to the action the person just asked for. `box.confirm` is the action's button."""
    box = QuestionBox(parent)
    box.setIcon(icon)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.PlainText)  # titles are never markup
    box.setText(text)
    box.confirm = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole if destructive
                                else QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setEscapeButton(cancel)
    show_default(box, cancel if destructive else box.confirm)
    return box


def show_default(box: QMessageBox, default: QPushButton) -> None:
    """Make `default` what Enter presses, and let it be seen."""
    box.setDefaultButton(default)
    for button in box.buttons():
        font = button.font()
        font.setBold(button is default)
        button.setFont(font)
    default.setFocus()
