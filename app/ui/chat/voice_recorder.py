"""The microphone button beside the message box: press to record, press again (or Enter) to send,
Esc to cancel; or hold Ctrl+Shift+Space and let go to send. While it records, a level meter and
a timer show that it hears you.

The recorder itself is Qt-free (app/desktop/microphone.py); opening the microphone can take a
moment (PortAudio asks the sound system for its devices), so it runs on a worker thread.
"""

import asyncio
from typing import cast

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from app.assistant.voice import clip_from_pcm
from app.common.errors import UserError
from app.desktop.microphone import Recording, missing_microphone
from app.ui.task_runner import TaskRunner
from app.ui.theme.icons import icon
from app.ui.theme.tokens import SPACE

HOLD_KEYS = "Ctrl+Shift+Space"  # no desktop or input method binds it (Ctrl+Space and
                                # Super+Space switch input sources on some)
RECORD_TIP = f"Record a voice message (hold {HOLD_KEYS} to talk)"
SEND_TIP = "Send the voice message (Enter); Esc cancels"
REFRESH_MS = 100  # the meter and the timer: smooth enough, and cheap
HOLD_RELEASED = {Qt.Key.Key_Space, Qt.Key.Key_Control, Qt.Key.Key_Shift, Qt.Key.Key_Meta}
KEY_EVENTS = (QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)


def elapsed(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


class VoiceRecorder(QWidget):
    recorded = Signal(object)   # a VoiceClip, ready to send
    refused = Signal(str)       # why recording could not start: one sentence

    def __init__(self, runner: TaskRunner, message_box: QWidget, parent=None) -> None:
        """`message_box`: where Enter and Esc are typed while recording."""
        super().__init__(parent)
        self.runner = runner
        self._recording: Recording | None = None
        self._opening = False
        self._send_when_open = False   # hold-to-talk let go before the microphone opened
        self._holding = False
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACE["s"])
        self.meter = QProgressBar()
        self.meter.setRange(0, 100)
        self.meter.setTextVisible(False)
        self.meter.setFixedSize(48, 8)
        self.meter.setAccessibleName("Microphone level")
        self.timer = QLabel("0:00")
        self.timer.setAccessibleName("Recording time")
        self.button = QToolButton()
        self.button.setProperty("role", "icon")  # a quiet icon inside the composer
        self.button.setIcon(icon("mic"))
        self.button.setAccessibleName("Record a voice message")
        self.button.setToolTip(RECORD_TIP)
        self.button.clicked.connect(self.toggle)
        for widget in (self.meter, self.timer, self.button):
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignVCenter)
        self._show_recording(False)
        self._refresh = QTimer(self)
        self._refresh.setInterval(REFRESH_MS)
        self._refresh.timeout.connect(self._update)
        for watched in (message_box, self.button):
            watched.installEventFilter(self)
        hold = QShortcut(QKeySequence(HOLD_KEYS), self)
        hold.setContext(Qt.ShortcutContext.WindowShortcut)
        hold.setAutoRepeat(False)
        hold.activated.connect(self._hold)
        self._watched_window: QWidget | None = None

    @property
    def recording(self) -> bool:
        return self._recording is not None

    @property
    def listening(self) -> bool:
        """The microphone is open and its sound is being kept."""
        return self._recording is not None and self._recording.recording and not self._opening

    @property
    def seconds(self) -> float:
        return self._recording.seconds if self._recording is not None else 0.0

    def toggle(self) -> None:
        if self._recording is None:
            self.start()
        else:
            self.finish()

    def start(self) -> None:
        if self._recording is not None or not self.button.isEnabled():
            return
        self._recording = Recording()
        self._opening = True
        self._show_recording(True)
        self._refresh.start()
        self.runner.start(self._open(self._recording))

    async def _open(self, recording: Recording) -> None:
        try:
            await asyncio.to_thread(recording.start)
        except UserError as error:
            if recording is self._recording:
                self._stopped()
                self._disable(str(error))
                self.refused.emit(str(error))
            return
        finally:
            self._opening = False
        if recording is not self._recording:  # cancelled while it opened
            recording.cancel()
        elif self._send_when_open:
            self.finish()

    def finish(self) -> None:
        """Stop and send what was recorded."""
        recording = self._recording
        if recording is None:
            return
        if self._opening:
            self._send_when_open = True
            return
        self._stopped()
        try:
            clip = clip_from_pcm(recording.stop())
        except UserError as error:
            self.refused.emit(str(error))
            return
        self.recorded.emit(clip)

    def cancel(self) -> None:
        recording = self._recording
        if recording is not None:
            self._stopped()
            if not self._opening:  # else _open cancels it once it is open
                recording.cancel()

    def _stopped(self) -> None:
        self._recording = None
        self._send_when_open = self._holding = False
        self._refresh.stop()
        app = QApplication.instance()
        if app is not None:  # None only after the app has gone
            app.removeEventFilter(self)
        self._show_recording(False)

    def _show_recording(self, shown: bool) -> None:
        self.meter.setValue(0)
        self.timer.setText("0:00")
        self.meter.setVisible(shown)
        self.timer.setVisible(shown)
        self.button.setIcon(icon("send" if shown else "mic"))
        self.button.setToolTip(SEND_TIP if shown else RECORD_TIP)
        self.button.setAccessibleName("Send the voice message" if shown
                                      else "Record a voice message")

    def _update(self) -> None:
        recording = self._recording
        if recording is None:
            return
        self.meter.setValue(round(recording.level * 100))
        self.timer.setText(elapsed(recording.seconds))
        if recording.full:  # ten minutes: what there is goes, rather than being lost
            self.finish()

    # -- no microphone: the button says why, and looks again when the window comes back ------

    def _disable(self, why: str) -> None:
        self.button.setEnabled(False)
        self.button.setIcon(icon("mic-off"))
        self.button.setToolTip(why)
        window = self.window()
        if window is not self._watched_window:
            window.installEventFilter(self)
            self._watched_window = window

    async def _look_again(self) -> None:
        why = await asyncio.to_thread(missing_microphone)
        if why is None:
            self.button.setEnabled(True)
            self.button.setIcon(icon("mic"))
            self.button.setToolTip(RECORD_TIP)
        else:
            self.button.setToolTip(why)

    # -- keys while recording, and hold-to-talk -------------------------------------------------

    def _hold(self) -> None:
        if self._recording is None and self.button.isEnabled():
            self.start()
            self._holding = True
            app = QApplication.instance()
            if app is not None:  # None only after the app has gone
                app.installEventFilter(self)  # the release goes anywhere

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self._watched_window and kind == QEvent.Type.WindowActivate:
            if not self.button.isEnabled():
                self.runner.start(self._look_again())
            return False
        if self._recording is None or kind not in KEY_EVENTS:
            return False
        keys = cast(QKeyEvent, event)  # Qt delivers each of KEY_EVENTS as a QKeyEvent
        if self._holding and kind == QEvent.Type.KeyRelease and not keys.isAutoRepeat() \
                and keys.key() in HOLD_RELEASED:
            self.finish()
            return False
        if watched is QApplication.instance() or kind not in (QEvent.Type.ShortcutOverride,
                                                              QEvent.Type.KeyPress):
            return False
        key = keys.key()
        if key == Qt.Key.Key_Escape or key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and not keys.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            if kind == QEvent.Type.ShortcutOverride:
                event.accept()  # the key is ours: not the window's Esc (stop, or hide)
            else:
                self.cancel() if key == Qt.Key.Key_Escape else self.finish()
            return True
        return False
