"""Pictures of the real window, so the README's stay true:
`.venv/bin/python scripts/screenshots.py`.

Opens the real MainWindow (offscreen) on a throwaway data folder holding one believable
exchange (a question, the agent adding two tasks, each line with Undo, an answer with Undo
all, a list and a code block) and a few tasks, then saves it in the light and the dark palette:

  docs/screenshot-light.png, docs/screenshot-dark.png      what the README shows (1180×760)
  --sizes DIR: also 520×640, 900×640 and 1600×900 in both palettes, and 900×640 in a
               high-contrast palette (white on black, as GNOME's and Windows' themes do), to
               look at by eye
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
    from PySide6.QtGui import QPalette

REPO = Path(__file__).resolve().parent.parent
README_SIZE = (1180, 760)
CHECK_SIZES = [(520, 640), (900, 640), (1600, 900)]

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
        talk = conversations.create("Passport and dentist").id
    calls = [("c1", {"title": "Renew passport", "due": friday.isoformat()}),
             ("c2", {"title": "Book dentist"})]
    answer = Step(Origin("agent", talk))  # the agent's two adds: one step, each with Undo
    with TaskStore(home / "tasks.sqlite3") as store:
        store.add("Water the plants", due=today.isoformat(), by=Origin("window"))
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


def palette_of(colours: dict) -> "QPalette":
    """A QPalette with these roles set ("Window": "#2b2b2e", …)."""
    from PySide6.QtGui import QColor, QPalette

    made = QPalette()
    for role, colour in colours.items():
        made.setColor(getattr(QPalette.ColorRole, role), QColor(colour))
    return made


def dark_palette():
    return palette_of({"Window": "#2b2b2e", "WindowText": "#e8e8e8", "Base": "#1f1f22",
                       "AlternateBase": "#2a2a2e", "Text": "#e8e8e8", "Button": "#35353a",
                       "ButtonText": "#e8e8e8", "Highlight": "#3d7bd9",
                       "HighlightedText": "#ffffff", "ToolTipBase": "#35353a",
                       "ToolTipText": "#e8e8e8", "PlaceholderText": "#9a9aa0",
                       "Link": "#79a8f0"})


def high_contrast_palette():
    """White on pure black with a yellow highlight: what high-contrast themes hand to Qt."""
    return palette_of({"Window": "#000000", "WindowText": "#ffffff", "Base": "#000000",
                       "AlternateBase": "#000000", "Text": "#ffffff", "Button": "#000000",
                       "ButtonText": "#ffffff", "Highlight": "#ffff00",
                       "HighlightedText": "#000000", "ToolTipBase": "#000000",
                       "ToolTipText": "#ffffff", "PlaceholderText": "#ffffff",
                       "Link": "#00ffff"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=Path, help="also save three sizes here, to check by eye")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="screenshots-"))
    os.environ.update(TASK_ASSISTANT_HOME=str(home), QT_QPA_PLATFORM="offscreen",
                      GEMINI_API_KEY="screenshot-key-not-used-0123456789",
                      PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    sys.path.insert(0, str(REPO))
    seed(home)

    import qasync
    from PySide6.QtWidgets import QApplication

    from app.ui.main_window import MainWindow
    from app.ui.task_runner import TaskRunner
    from app.workspace import Workspace

    app = QApplication([])
    app.setStyle("Fusion")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    light = app.palette()
    workspace = Workspace()
    window = MainWindow(workspace.store, workspace.conversations, workspace.settings,
                        workspace.keys, workspace.agent, TaskRunner())
    window.show()
    shots = [(REPO / "docs" / f"screenshot-{name}.png", README_SIZE, palette)
             for name, palette in (("light", light), ("dark", dark_palette()))]
    if args.sizes:
        args.sizes.mkdir(parents=True, exist_ok=True)
        shots += [(args.sizes / f"{name}-{w}x{h}.png", (w, h), palette)
                  for name, palette in (("light", light), ("dark", dark_palette()))
                  for w, h in CHECK_SIZES]
        shots.append((args.sizes / "high-contrast-900x640.png", (900, 640),
                      high_contrast_palette()))
    for path, (width, height), palette in shots:
        app.setPalette(palette)
        window.resize(width, height)
        for _ in range(30):
            app.processEvents()
        window.chat.view.scroll_to_bottom()
        app.processEvents()
        window.grab().save(str(path))
        print(path)
    loop.run_until_complete(workspace.close())


if __name__ == "__main__":
    main()
