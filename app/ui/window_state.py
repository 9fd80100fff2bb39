"""What the window remembers between runs: geometry, panel sizes, the open conversation.

Kept in an INI file in the app's data directory (beside the databases) rather than in Qt's
per-platform default place, so everything the app stores is in one folder the user can find.
"""

from PySide6.QtCore import QByteArray, QSettings

from app.common.paths import data_dir


class WindowState:
    def __init__(self) -> None:
        self._settings = QSettings(str(data_dir() / "window.ini"), QSettings.Format.IniFormat)

    def geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    def splitter(self) -> QByteArray | None:
        return self._bytes("window/splitter")

    def conversation(self) -> str | None:
        value = self._settings.value("chat/conversation")
        return value if isinstance(value, str) and value else None

    def tray_hint_shown(self) -> bool:
        """Whether the user has been told, once, that closing keeps the app in the tray."""
        return self._settings.value("tray/hint_shown") in (True, "true")

    def remember_tray_hint(self) -> None:
        self._settings.setValue("tray/hint_shown", True)
        self._settings.sync()

    def routines_offered(self) -> bool:
        """Whether the built-in routines have been offered, once, at first run."""
        return self._settings.value("routines/offered") in (True, "true")

    def remember_routines_offer(self) -> None:
        self._settings.setValue("routines/offered", True)
        self._settings.sync()

    def save(self, geometry: QByteArray, splitter: QByteArray, conversation: str | None) -> None:
        self._settings.setValue("window/geometry", geometry)
        self._settings.setValue("window/splitter", splitter)
        self._settings.setValue("chat/conversation", conversation or "")
        self._settings.sync()

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._settings.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None
