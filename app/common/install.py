"""This copy of the app: how to repair it, and how a check of it reports what is missing.

Shared by the self-test (app.diagnostics) and its window check
(app.ui.lifecycle.window_check), which must not import each other.
"""

import sys


class CheckFailed(Exception):
    """A check's verdict: one sentence saying what is missing and what to do."""


def reinstall_hint() -> str:
    if getattr(sys, "frozen", False):
        return "reinstall Task Assistant"
    return "reinstall the app's Python packages (pip install -e .)"
