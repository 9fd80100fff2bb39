"""Starts the desktop app the way `task-assistant --tray` does, on a desktop with a tray
(offscreen has none, so its availability is patched as tests/ui/test_ui_tray.py does), and says
what it has loaded, for tests/desktop/test_quick_ask_shortcut.py:

    idle: loading=False agents=False    once start-up is over and the event loop has run
    asked: agents=True                  once something asked (a second launch's quick ask)
"""

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QSystemTrayIcon

# A patch of the class (setattr: a type checker refuses assigning to a method), as
# tests/ui/test_ui_tray.py makes with monkeypatch.setattr.
setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))  # noqa: B010

from app.ui.lifecycle import desktop  # noqa: E402  (after the patch)


def on_shown(window) -> None:
    loader = window.agent
    watch = QTimer(window, interval=50)

    def idle() -> None:
        print(f"idle: loading={loader.loading_started} agents={'agents' in sys.modules}",
              flush=True)
        watch.start()

    def asked() -> None:
        if loader.loading_started and "agents" in sys.modules and loader._loading.done():
            watch.stop()
            print("asked: agents=True", flush=True)

    watch.timeout.connect(asked)
    QTimer.singleShot(0, idle)


sys.exit(desktop.run("tray", on_shown=on_shown))
