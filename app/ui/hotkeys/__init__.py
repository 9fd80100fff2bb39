"""The quick-ask shortcut's backends, one per desktop: x11.py, windows.py, macos.py (Wayland's
portal is still to come). Each binds one `app.config.shortcut_text.Shortcut`, calls back when
it is pressed, and raises UserError with one sentence when it cannot (a key another app holds).
"""
