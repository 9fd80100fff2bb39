"""The quick-ask shortcut's backends, one per desktop: x11.py, wayland.py (the GlobalShortcuts
portal), windows.py, macos.py. Each binds one `app.config.shortcut_text.Shortcut`, calls back when
it is pressed, and raises UserError with one sentence when it cannot (a key another app holds).
"""

NOT_AVAILABLE = ("The quick-ask shortcut is not available on this desktop; bind `task-assistant "
                 "--quick-ask` in your desktop's keyboard settings (README).")
