"""Pictures of the task panel's add box with its chips, so the README's stay true:
`.venv/bin/python scripts/quick_add_screenshot.py` saves docs/quick-add-chips-light.png and
docs/quick-add-chips-dark.png (the real TaskPanel, offscreen, on a throwaway data folder).
"""

import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LINE = "Weekly report every friday #work p1 ^Office"


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="screenshots-"))
    os.environ.update(TASK_ASSISTANT_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    sys.path[:0] = [str(REPO), str(REPO / "scripts")]
    from PySide6.QtWidgets import QApplication

    from app.tasks import TaskStore
    from app.ui.tasks.task_panel import TaskPanel
    from app.ui.theme.apply import apply_theme

    app = QApplication([])
    with TaskStore(home / "tasks.sqlite3") as store:
        for name in ("light", "dark"):
            apply_theme(app, name)  # the app's own look, as scripts/screenshots.py takes it
            panel = TaskPanel(store)
            panel.resize(1000, 260)  # the add box beside the sidebar, wide enough for all
            panel.show()
            panel.add_line.setText(LINE)
            panel.add_box.update_chips()
            panel.add_box.reading_chips()[2].setFocus()  # the focus ring Backspace acts on
            for _ in range(5):
                app.processEvents()
            box = panel.add_box
            top = box.mapTo(panel, box.rect().topLeft())
            picture = panel.grab(box.geometry().adjusted(-8, -8, 8, 8).translated(
                top - box.geometry().topLeft()))
            picture.save(str(REPO / "docs" / f"quick-add-chips-{name}.png"))
            panel.close()
            panel.deleteLater()
            app.processEvents()


if __name__ == "__main__":
    main()
