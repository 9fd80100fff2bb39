"""Pictures of the real window, so the README's stay true:
`.venv/bin/python scripts/screenshots.py`.

Opens the real MainWindow and quick ask (offscreen, in the real theme: app/ui/theme/apply.py)
on a throwaway data folder holding believable data: lists, a repeating task, an overdue task, a
long title, and a conversation where the agent added tasks (tool lines with Undo) and answered
with a list and a code block. Then saves, into docs/screenshots/:

  window-960x700-SCHEME.png, window-1280x800-SCHEME.png, window-1920x1080-SCHEME.png
  quick-ask-SCHEME.png, task-editor-SCHEME.png (editing the monthly rent)
for SCHEME in light, dark and contrast. The README shows window-1280x800 in light and dark.
Also one picture per component for docs/DESIGN.md, into docs/design/ (light): the type scale
and the roles, buttons, the command palette, the conversation drawer, the folded task sidebar
and the Settings pages. `--out DIR` writes elsewhere; `--only light` makes one scheme.
"""

import argparse
import asyncio
import json
import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Qt is imported where the window is built
    pass

REPO = Path(__file__).resolve().parent.parent
WINDOW_SIZES = [(960, 700), (1280, 800), (1920, 1080)]
SCHEMES = ("light", "dark", "contrast")
DEFAULT_OUT = REPO / "docs" / "screenshots"

ANSWER = """Done. I added both tasks:

- **Renew passport**, due next Friday
- **Book dentist**, no date yet

To list what is due this week from a terminal:

```sh
task-assistant tasks list --due-before "in 7 days"
```
"""


def seed(home: Path) -> None:
    from app.common import clock
    from app.conversations.sdk_history import open_session
    from app.conversations.store import ConversationStore
    from app.tasks import Origin, Step, TaskStore

    today = clock.today()
    friday = today + timedelta(days=(4 - today.weekday()) % 7 or 7)
    with ConversationStore(home / "conversations.sqlite3") as conversations:
        conversations.create("Groceries for the week")
        conversations.create("Plan my day · Mon")
        talk = conversations.create("Passport and dentist").id
    calls = [("c1", {"title": "Renew passport", "due": friday.isoformat()}),
             ("c2", {"title": "Book dentist"})]
    answer = Step(Origin("agent", talk))  # the agent's two adds: one step, each with Undo
    me = Origin("window")
    with TaskStore(home / "tasks.sqlite3") as store:
        for name in ("Home", "Work"):
            store.add_list(name, by=me)
        store.add("Water the plants", due=today.isoformat(), repeat="every 3 days",
                  list="Home", by=me)
        store.add("Send the insurance claim", due=(today - timedelta(days=2)).isoformat(),
                  priority="high", by=me)
        store.add("Renew the passport before the summer trip to Lisbon and Porto",
                  due=today.isoformat(), tags=["admin"], priority="medium", by=me)
        store.add("Weekly report", due=today.isoformat(), repeat="every friday", list="Work",
                  by=me)
        store.add("Review the pull request for the sync engine", list="Work", priority="low",
                  tags=["code"], by=me)
        store.add("Pay rent", due=(today + timedelta(days=3)).isoformat(), repeat="every month",
                  list="Home", tags=["home"], by=me)
        added = [(store.add(**arguments, by=answer), answer.change_ids[-1])
                 for _, arguments in calls]
    items = [{"role": "user", "content": "Remind me to renew my passport next Friday, and "
                                         "to book the dentist.\nWhat's due this week?"}]
    for (call_id, arguments), (task, change) in zip(calls, added, strict=True):
        items.append({"type": "function_call", "call_id": call_id, "name": "add_task",
                      "arguments": json.dumps(arguments), "id": "__fake_id__"})
        items.append({"type": "function_call_output", "call_id": call_id,
                      "output": json.dumps({"added": {"id": task.id, **arguments},
                                            "change": change})})
    items.append({"id": "msg_1", "type": "message", "role": "assistant",
                  "status": "completed",
                  "content": [{"type": "output_text", "text": ANSWER, "annotations": []}]})
    session = open_session(talk, home / "conversations.sqlite3")
    asyncio.run(session.add_items(items))
    session.close()


def settle(app, rounds: int = 30) -> None:
    for _ in range(rounds):
        app.processEvents()


def specimen():
    """The type scale and the roles of the style sheet, on a page, as widgets opt into them."""
    from PySide6.QtWidgets import (
        QHBoxLayout,
        QLabel,
        QPushButton,
        QToolButton,
        QVBoxLayout,
        QWidget,
    )

    from app.ui.theme.icons import icon

    page = QWidget()
    page.setObjectName("Page")
    layout = QVBoxLayout(page)
    layout.setContentsMargins(24, 24, 24, 24)
    for role, text in (("display", "Good morning"), ("title", "Today"),
                       ("heading", "LISTS"), ("", "Renew the passport (body)"),
                       ("muted", "Fri 11 Dec · every month (muted)"),
                       ("caption", "3 tasks (caption)"),
                       ("error", "The key was rejected. (error)")):
        label = QLabel(text)
        if role:
            label.setProperty("role", role)
        layout.addWidget(label)
    row = QHBoxLayout()
    for role, text in (("primary", "Save"), ("", "Test connection"), ("quiet", "Reset")):
        button = QPushButton(text)
        if role:
            button.setProperty("role", role)
        row.addWidget(button)
    tool = QToolButton()
    tool.setProperty("role", "icon")
    tool.setIcon(icon("square-pen"))
    row.addWidget(tool)
    row.addStretch(1)
    layout.addLayout(row)
    page.resize(420, 330)
    return page


def design_pictures(app, window, out: Path) -> None:
    """One picture per component, for docs/DESIGN.md."""
    out.mkdir(parents=True, exist_ok=True)

    def save(widget, name: str) -> None:
        settle(app)
        widget.grab().save(str(out / f"{name}.png"))
        print(out / f"{name}.png")

    sample = specimen()
    sample.show()
    save(sample, "type-and-roles")
    sample.close()
    window.resize(1280, 800)
    settle(app)
    window.open_command_palette()
    window.palette_popup.field.setText("go to")
    settle(app)
    palette = window.palette_popup
    save(palette, "command-palette")
    palette.close_palette()
    window.resize(960, 700)
    settle(app)
    window.open_drawer()
    save(window, "conversation-drawer")
    window.drawer.close_drawer()
    save(window.tasks, "task-panel-compact")
    window.open_settings()
    dialog = window.settings_dialog
    save(dialog, "settings-general")
    dialog.show_page("Appearance")
    save(dialog, "settings-appearance")
    dialog.close()


def editor_picture(app, window, store, path: Path) -> None:
    """The task editor as Enter on a row opens it: over the window, on the repeating task."""
    rent = next(task for task in store.list_tasks() if task.title == "Pay rent")
    window.tasks.edit_task(rent.id)
    editor = window.tasks.editor
    settle(app)
    editor.grab().save(str(path))
    print(path)
    editor.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--only", choices=SCHEMES, help="one scheme instead of all three")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="screenshots-"))
    os.environ.update(TASK_ASSISTANT_HOME=str(home), QT_QPA_PLATFORM="offscreen",
                      GEMINI_API_KEY="screenshot-key-not-used-0123456789",
                      PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    sys.path.insert(0, str(REPO))
    seed(home)

    from PySide6.QtWidgets import QApplication

    from app.ui.chat.quick_ask import QuickAsk
    from app.ui.lifecycle.event_loop import AppEventLoop
    from app.ui.main_window import MainWindow
    from app.ui.task_runner import TaskRunner
    from app.ui.theme.apply import apply_theme
    from app.workspace import Workspace

    app = QApplication([])
    apply_theme(app, "light")  # before any widget, as the app does
    loop = AppEventLoop(app)  # the app's own loop
    asyncio.set_event_loop(loop)
    workspace = Workspace()
    runner = TaskRunner()
    window = MainWindow(workspace.store, workspace.conversations, workspace.settings,
                        workspace.keys, workspace.agent, runner)
    window.show()
    window.tasks.show_view("Today")
    ask = QuickAsk(workspace.conversations, workspace.store, workspace.agent, runner)
    ask.popup()  # as the tray and the shortcut open it: with its recent requests
    args.out.mkdir(parents=True, exist_ok=True)
    for scheme in [args.only] if args.only else SCHEMES:
        apply_theme(app, scheme)
        for width, height in WINDOW_SIZES:
            window.resize(width, height)
            settle(app)
            window.chat.view.scroll_to_bottom()
            settle(app, 5)
            path = args.out / f"window-{width}x{height}-{scheme}.png"
            window.grab().save(str(path))
            print(path)
        settle(app)
        path = args.out / f"quick-ask-{scheme}.png"
        ask.grab().save(str(path))
        print(path)
        editor_picture(app, window, workspace.store, args.out / f"task-editor-{scheme}.png")
        if scheme == "light" and args.out == DEFAULT_OUT:
            design_pictures(app, window, REPO / "docs" / "design")
    loop.run_until_complete(workspace.close())


if __name__ == "__main__":
    main()
