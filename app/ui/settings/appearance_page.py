"""Settings → Appearance: the theme (System, Light, Dark), the text size and the font (the
bundled Inter or the system's). A choice is saved at once, as `task-assistant settings set
theme dark` would, and the app's ThemeFollower puts it on screen while the dialog is open."""

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from app.common.errors import UserError
from app.config.settings import Settings
from app.ui.settings.general_page import section, sentence_label
from app.ui.theme.tokens import SPACE

CHOICES = {
    "theme": ("&Theme", (("system", "System"), ("light", "Light"), ("dark", "Dark"))),
    "text_size": ("Text &size", (("small", "Small"), ("normal", "Normal"), ("large", "Large"),
                                 ("larger", "Larger"))),
    "font": ("&Font", (("inter", "Inter (bundled)"), ("system", "The system's font"))),
}
SYSTEM_NOTE = ("System follows your desktop's light or dark setting, and its high-contrast "
               "setting where it has one.")


class AppearancePage(QWidget):
    def __init__(self, settings: Settings, parent=None) -> None:
        super().__init__(parent)
        self._settings = settings
        self.fields: dict[str, QComboBox] = {}
        box, rows = section("Look")
        form = QFormLayout()
        form.setHorizontalSpacing(SPACE["m"])
        form.setVerticalSpacing(SPACE["s"])
        for name, (label, options) in CHOICES.items():
            field = QComboBox()
            field.setAccessibleName(label.replace("&", ""))
            for value, text in options:
                field.addItem(text, value)
            field.activated.connect(lambda _index, n=name: self._chosen(n))
            self.fields[name] = field
            form.addRow(label, field)
        rows.addLayout(form)
        note = QLabel(SYSTEM_NOTE)
        note.setWordWrap(True)
        note.setProperty("role", "muted")
        rows.addWidget(note)
        self.problem = sentence_label("Appearance problem")
        rows.addWidget(self.problem)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACE["l"], SPACE["l"], SPACE["l"], SPACE["l"])
        layout.addWidget(box)
        layout.addStretch(1)
        self.reload()

    def reload(self) -> None:
        """Show what is set now (the CLI may have changed it while the dialog was closed)."""
        for name, field in self.fields.items():
            index = field.findData(self._settings.get(name))
            field.setCurrentIndex(max(0, index))

    def choose(self, name: str, value: str) -> None:
        """Pick `value` for `name`, as a click in its list does."""
        field = self.fields[name]
        field.setCurrentIndex(field.findData(value))
        self._chosen(name)

    def _chosen(self, name: str) -> None:
        value = self.fields[name].currentData()
        self.problem.hide()
        try:
            if value == self._settings.setting(name).default:
                self._settings.reset(name)  # no pinned copy: a future default applies
            else:
                self._settings.set(name, value)
        except UserError as error:  # a settings file that cannot be written
            self.problem.setText(str(error))
            self.problem.show()
            self.reload()
