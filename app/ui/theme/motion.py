"""How long the window's few movements last, and when they do not move at all.

"Reduce motion" is honoured from two places, the first that says something wins:
- TASK_ASSISTANT_REDUCE_MOTION=1 (or 0) in the environment: a person's own choice, and what
  tests and screenshots pin;
- the desktop's animation switch as Qt reports it (QApplication.isEffectEnabled(UI_General):
  GNOME's "Animations", Windows' "Show animations", macOS' "Reduce motion" off or on). A
  desktop that reports none (no platform theme, the offscreen platform) gets no animation.
With motion reduced a change simply happens: every duration here is 0.
"""

import os

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.ui.theme.tokens import MOTION_MS

ENVIRONMENT = "TASK_ASSISTANT_REDUCE_MOTION"


def reduce_motion() -> bool:
    chosen = os.environ.get(ENVIRONMENT, "").strip()
    if chosen in ("1", "0"):
        return chosen == "1"
    return not QApplication.isEffectEnabled(Qt.UIEffect.UI_General)


def motion_ms(duration: int = MOTION_MS) -> int:
    """`duration`, or 0 when the user asked for reduced motion."""
    return 0 if reduce_motion() else duration
