"""Every keyboard shortcut on one sheet (Ctrl+/ or F1), so none has to be discovered by chance."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout

from app.ui.chat.approval_card import ALLOW_KEYS
from app.ui.chat.voice_recorder import HOLD_KEYS
from app.ui.theme.icons import words_only

SHORTCUTS = [
    ("Chat", [
        ("Enter", "Send the message"),
        ("Shift+Enter", "New line in the message"),
        ("Esc", "Stop the answer (or give up editing a message)"),
        ("Up (in an empty message box)", "Edit your last message and send it again"),
        ("Ctrl+R", "Retry the last answer"),
        ("Ctrl+Shift+Enter", "Continue a stopped answer"),
        ("Ctrl+L", "Go to the message box"),
        ("Ctrl+End", "Scroll to the newest message"),
        ("Tab (in the conversation)", "Walk the messages and their actions; Space presses one"),
        (f"Hold {HOLD_KEYS}", "Record a voice message; let go to send it"),
        ("Enter / Esc (while recording)", "Send the voice message / cancel it"),
        ("Enter or Space (on an approval)", "Deny, the safe default"),
        (ALLOW_KEYS, "Allow what an approval asks"),
    ]),
    ("Conversations", [
        ("Ctrl+N", "New conversation"),
        ("Ctrl+F", "Search conversations"),
        ("Down or Enter (in search)", "Go to the results"),
        ("Esc (in search)", "Clear the search"),
        ("Up / Down (in the list)", "Open the previous / next conversation"),
        ("F2", "Rename the selected conversation"),
        ("Delete", "Delete the selected conversation (asks first)"),
    ]),
    ("Tasks", [
        ("Ctrl+Shift+N", "New task"),
        ("Ctrl+1 … Ctrl+5", "Today, Upcoming, All, Done, Trash (from anywhere)"),
        ("F6", "Go to the task list, and back to the message box"),
        ("Up / Down", "Walk the tasks, or the views and lists in the sidebar"),
        ("Space or Ctrl+Enter", "Complete the selected tasks (Reopen in Done, Restore in Trash)"),
        ("Enter or F2", "Edit the selected task"),
        ("Delete", "Move the selected tasks to the trash"),
        ("Ctrl+Z / Ctrl+Shift+Z", "Undo / redo the last change to the tasks"),
    ]),
    ("Lists", [
        ("Ctrl+Shift+L", "New list"),
        ("F2 (on a list)", "Rename the list (Enter saves, Esc gives up)"),
        ("Delete (on a list)", "Delete the list (asks first; its tasks move to Inbox)"),
    ]),
    ("Window", [
        ("Ctrl+K", "Command palette: every action, view, task and conversation by name"),
        ("Ctrl+B", "Show or hide the conversations (a drawer in a narrow window)"),
        ("Ctrl+Alt+B", "Show or hide the tasks"),
        ("F6", "Move between the chat and the tasks"),
    ]),
    ("App", [
        ("Ctrl+,", "Settings"),
        ("Ctrl+/ or F1", "This list"),
        ("Ctrl+Q", "Quit"),
    ]),
]


def sheet_html(columns: int = 2) -> str:
    """The sections side by side in `columns` columns (a sheet a screen tall, not a scroll),
    each key in the body font and weight, as Things and Linear set them out."""
    cells = []
    for section, shortcuts in SHORTCUTS:
        rows = [f"<tr><td colspan=2 style='padding-top:12px'><b>{section}</b></td></tr>"]
        rows += [f"<tr><td style='padding:2px 12px 2px 0'><b>{keys}</b></td>"
                 f"<td style='padding:2px 0'>{what}</td></tr>" for keys, what in shortcuts]
        cells.append("<table>" + "".join(rows) + "</table>")
    # Sections stay whole; a column takes sections until it holds its share of the rows.
    share = sum(len(shortcuts) + 1 for _, shortcuts in SHORTCUTS) / columns
    stacks: list[str] = []
    stack, rows_in = "", 0
    for cell, (_, shortcuts) in zip(cells, SHORTCUTS, strict=True):
        if stack and rows_in + (len(shortcuts) + 1) / 2 > share and len(stacks) < columns - 1:
            stacks.append(stack)
            stack, rows_in = "", 0
        stack += cell
        rows_in += len(shortcuts) + 1
    stacks.append(stack)
    return ("<table><tr>" + "".join(f"<td valign='top' style='padding-right:24px'>{stack}</td>"
                                    for stack in stacks) + "</tr></table>")


class ShortcutSheet(QDialog):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        layout = QVBoxLayout(self)
        title = QLabel("Keyboard shortcuts")
        title.setProperty("role", "title")
        layout.addWidget(title)
        self.table = QLabel(sheet_html())
        self.table.setTextFormat(Qt.TextFormat.RichText)
        self.table.setAccessibleName("Keyboard shortcuts")
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        words_only(buttons)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
