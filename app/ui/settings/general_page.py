"""Settings → General, as laid out: the Gemini API key, the model and endpoint, and the desktop
choices. Only widgets: what they do (the keyring on worker threads, saving, the connection
test) is the dialog's, which holds on to these fields by name."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.settings.shortcut_field import ShortcutField
from app.ui.theme.tokens import SPACE

SUGGESTED_MODELS = ("gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.5-flash-lite")
DESKTOP_CHOICES = (
    ("close_to_tray", "Keep running in the tray when the window is closed"),
    ("reminders", "Remind me when a task falls due"),
    ("start_on_login", "Start Task Assistant when I log in (in the tray)"),
)


def sentence_label(name: str) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)  # server and keyring text is never markup
    label.setAccessibleName(name)
    label.hide()
    return label


def section(title: str) -> tuple[QWidget, QVBoxLayout]:
    """A heading and the rows under it: whitespace groups them, not a box around them."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(SPACE["s"])
    heading = QLabel(title)
    heading.setProperty("role", "heading")
    heading.setAccessibleName(title)
    layout.addWidget(heading)
    return box, layout


class GeneralPage(QWidget):
    def __init__(self, shortcut=None, parent=None) -> None:
        """`shortcut`: the app's GlobalShortcut, whose status the shortcut field shows."""
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACE["l"], SPACE["l"], SPACE["l"], SPACE["l"])
        layout.setSpacing(SPACE["xl"])
        layout.addWidget(self._key_section())
        layout.addWidget(self._model_section())
        layout.addWidget(self._desktop_section(shortcut))
        layout.addStretch(1)

    def _key_section(self) -> QWidget:
        self.key_status = QLabel("Checking the system keyring…")
        self.key_status.setWordWrap(True)
        self.key_status.setOpenExternalLinks(True)  # the AI Studio link opens the browser
        self.key_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.key_status.setAccessibleName("API key status")
        self.key_edit = QLineEdit()
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText("Paste a new API key")
        self.key_edit.setAccessibleName("New API key")
        self.key_edit.setMinimumWidth(200)  # the buttons beside it never squeeze it to a stub
        self.save_key_button = QPushButton("Save key")
        self.remove_key_button = QPushButton("Remove key")
        self.remove_key_button.setEnabled(False)  # until the status says there is one
        key_row = QHBoxLayout()
        key_row.setSpacing(SPACE["s"])
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.save_key_button)
        key_row.addWidget(self.remove_key_button)
        # Without a usable keyring: the key can still be used until the app quits. On its own
        # row, so the key field keeps its width beside the other two.
        self.session_key_button = QPushButton("Use for this session only")
        self.session_key_button.setToolTip("Keep the key in memory until Task Assistant quits; "
                                           "it is never written anywhere")
        self.session_key_button.hide()

        # "Remove key" asks in a row of the dialog: a message box's exec() would nest a loop.
        self.confirm_remove = QWidget()
        self.confirm_remove.setAccessibleName("Confirm removing the key")
        question = QLabel("Remove the saved API key from the system keyring?")
        question.setWordWrap(True)
        self.confirm_remove_button = QPushButton("Remove")
        self.cancel_remove_button = QPushButton("Keep it")
        self.cancel_remove_button.clicked.connect(self.confirm_remove.hide)
        confirm_row = QHBoxLayout(self.confirm_remove)
        confirm_row.setContentsMargins(0, 0, 0, 0)
        confirm_row.addWidget(question, 1)
        confirm_row.addWidget(self.confirm_remove_button)
        confirm_row.addWidget(self.cancel_remove_button)
        self.confirm_remove.hide()
        self.key_message = sentence_label("API key message")

        box, layout = section("Gemini API key")
        layout.addWidget(self.key_status)
        layout.addLayout(key_row)
        layout.addWidget(self.session_key_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.confirm_remove)
        layout.addWidget(self.key_message)
        return box

    def _model_section(self) -> QWidget:
        self.model_field = QComboBox()
        self.model_field.setEditable(True)  # any model name goes; these are suggestions
        self.model_field.addItems(SUGGESTED_MODELS)
        self.model_field.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.model_field.setAccessibleName("Model")
        self.base_url_field = QLineEdit()
        self.base_url_field.setAccessibleName("Base URL")
        self.model_note = sentence_label("Model note")
        self.base_url_note = sentence_label("Base URL note")
        self.reset_button = QPushButton("Reset to defaults")
        self.reset_button.setProperty("role", "quiet")
        self.reset_button.setToolTip("Fill in the default model and base URL; Save keeps them.")
        self.test_button = QPushButton("Test connection")
        self.test_button.setToolTip("Send one tiny request with the key, model and base URL "
                                    "shown here, saved or not.")
        self.test_result = sentence_label("Connection test result")
        tools_row = QHBoxLayout()
        tools_row.addWidget(self.test_button)
        tools_row.addStretch(1)
        tools_row.addWidget(self.reset_button)

        box, layout = section("Model")
        form = QFormLayout()
        form.setHorizontalSpacing(SPACE["m"])
        form.setVerticalSpacing(SPACE["s"])
        form.addRow("&Model", self.model_field)
        form.addRow(self.model_note)  # full-width rows: QFormLayout clips a wrapped label in
        form.addRow("&Base URL", self.base_url_field)  # its field column
        form.addRow(self.base_url_note)
        form.addRow(tools_row)
        form.addRow(self.test_result)
        layout.addLayout(form)
        return box

    def _desktop_section(self, shortcut) -> QWidget:
        self.desktop_boxes = {name: QCheckBox(text) for name, text in DESKTOP_CHOICES}
        box, layout = section("Desktop")
        for check in self.desktop_boxes.values():
            layout.addWidget(check)
        self.shortcut_field = ShortcutField(shortcut)
        layout.addWidget(self.shortcut_field)
        return box
