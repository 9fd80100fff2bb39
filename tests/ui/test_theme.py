"""The design system (issue 23): tokens that hold their contrast, one style sheet, the bundled
font, and a theme that follows the setting while the app runs."""

import pytest
from PySide6.QtGui import QFontInfo, QPalette
from PySide6.QtWidgets import QApplication, QLabel

from app.config.settings import Settings
from app.ui.theme import tokens
from app.ui.theme.apply import ThemeFollower, apply_theme, current, marks_for
from app.ui.theme.style_sheet import build_style_sheet


@pytest.fixture
def themed(qapp):
    """Leaves the app as the other tests expect it: no style sheet, the default palette."""
    palette, font = qapp.palette(), qapp.font()
    yield qapp
    qapp.setStyleSheet("")
    qapp.setPalette(palette)
    qapp.setFont(font)


@pytest.mark.parametrize("scheme", tokens.SCHEMES.values(), ids=tokens.SCHEMES)
def test_every_text_colour_reads_on_its_surface(scheme):
    weak = [(what, round(tokens.contrast(ink, surface), 2))
            for what, ink, surface in tokens.text_pairs(scheme)
            if tokens.contrast(ink, surface) < 4.5]
    assert weak == []


def test_the_type_scale_has_a_hierarchy_at_every_text_size():
    for size in tokens.TEXT_SIZES:
        steps = [tokens.type_px(step, size) for step in tokens.TYPE_SCALE]
        assert steps == sorted(steps) and len(set(steps)) == len(steps)
    assert tokens.type_px("body", "larger") > tokens.type_px("body", "normal")


def test_every_spacing_is_on_the_4_px_grid():
    assert all(value % 4 == 0 or value == 2 for value in tokens.SPACE.values())


def test_the_style_sheet_is_drawn_from_the_tokens_alone(themed):
    sheet = build_style_sheet(tokens.DARK, marks=marks_for(tokens.DARK))
    assert tokens.DARK.accent in sheet and tokens.DARK.page in sheet
    assert tokens.LIGHT.page not in sheet  # nothing of another scheme leaks in
    apply_theme(themed, "dark")
    assert themed.styleSheet() == sheet


@pytest.mark.parametrize("name", ["light", "dark", "contrast"])
def test_a_checkbox_shows_its_box_ticked_or_not(themed, qtbot, name):
    """The newcomer's walk found unticked boxes invisible: the box is drawn in every scheme,
    and a ticked one holds the check in the accent."""
    from PySide6.QtWidgets import QCheckBox

    scheme = tokens.SCHEMES[name]
    apply_theme(themed, name) if name != "contrast" else themed.setStyleSheet(
        build_style_sheet(scheme, marks=marks_for(scheme)))
    box = QCheckBox("Start on login")
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)

    def ink_in_the_box() -> set[str]:
        image = box.grab().toImage()
        return {image.pixelColor(x, y).name() for x in range(2, 18) for y in range(2, 18)}

    assert len(ink_in_the_box() - {scheme.page}) > 0  # the unticked box has an edge
    box.setChecked(True)
    qtbot.waitUntil(lambda: scheme.accent in ink_in_the_box())


def test_the_bundled_font_is_used_unless_the_user_chose_the_system_one(themed):
    apply_theme(themed, "light", font="inter")
    label = QLabel("Renew passport")
    assert QFontInfo(label.font()).family() == "Inter"
    apply_theme(themed, "light", font="system")
    assert QFontInfo(QLabel("x").font()).family() != "Inter"


def test_the_text_size_setting_scales_the_body_text(themed):
    apply_theme(themed, "light", size="normal")
    normal = themed.font().pixelSize()
    apply_theme(themed, "light", size="large")
    assert themed.font().pixelSize() > normal


def test_light_and_dark_put_their_colours_on_the_palette(themed):
    apply_theme(themed, "light")
    assert themed.palette().color(QPalette.ColorRole.Base).name() == tokens.LIGHT.page
    apply_theme(themed, "dark")
    assert themed.palette().color(QPalette.ColorRole.Base).name() == tokens.DARK.page
    assert current() is tokens.DARK


def test_changing_the_theme_setting_restyles_the_running_app(themed, qtbot, app_home):
    settings = Settings()
    settings.set("theme", "light")
    follower = ThemeFollower(themed, settings)
    label = QLabel("Today")
    qtbot.addWidget(label)
    with qtbot.waitSignal(follower.changed, timeout=5000) as changed:
        settings.set("theme", "dark")
    assert changed.args == ["dark"]
    assert label.palette().color(QPalette.ColorRole.WindowText).name() == tokens.DARK.text


def test_the_cli_sets_the_theme_and_refuses_a_colour_it_does_not_know(app_home):
    from app.cli.main import main

    assert main(["settings", "set", "theme", "dark"]) == 0
    assert Settings().get("theme") == "dark"
    assert main(["settings", "set", "theme", "purple"]) == 1
    assert Settings().get("theme") == "dark"


def test_fusion_is_only_the_base_and_never_shows_its_own_colours(themed):
    apply_theme(themed, "light")
    assert themed.palette().color(QPalette.ColorRole.Highlight).name() == tokens.LIGHT.accent
    assert QApplication.instance().styleSheet()  # every widget class is in the sheet


def test_the_appearance_page_restyles_the_open_window(themed, qtbot, window, workspace):
    """Settings → Appearance saves the choice, and the app's ThemeFollower puts it on the
    window at once, the dialog still open."""
    follower = ThemeFollower(themed, workspace.settings)
    window.open_settings()
    page = window.settings_dialog.appearance_page
    assert page.fields["theme"].currentData() == "system"
    with qtbot.waitSignal(follower.changed, timeout=5000):
        page.choose("theme", "dark")
    assert workspace.settings.get("theme") == "dark"
    assert window.palette().color(QPalette.ColorRole.Base).name() == tokens.DARK.page
    assert window.chat.palette().color(QPalette.ColorRole.Text).name() == tokens.DARK.text
    with qtbot.waitSignal(follower.changed, timeout=5000):
        page.choose("text_size", "large")
    assert themed.font().pixelSize() == tokens.type_px("body", "large")
    with qtbot.waitSignal(follower.changed, timeout=5000):
        page.choose("theme", "system")  # the default: nothing pinned in the file
    assert workspace.settings.source("theme") == "default"
    window.settings_dialog.close()


def test_a_theme_switch_retints_the_task_sidebar_once_qt_has_told_every_widget(themed, qtbot,
                                                                                window):
    """The rows are rebuilt in the new inks after Qt's change notice has reached every child,
    not inside it: rebuilding them there crashed a start once."""
    sidebar = window.tasks.sidebar
    today = sidebar._items()[0]
    ink = today.icon().pixmap(16, 16).toImage()
    apply_theme(themed, "dark")
    assert sidebar._items()[0] is today  # not rebuilt while Qt was still telling the children
    qtbot.waitUntil(lambda: sidebar._items()[0] is not today)
    assert sidebar._items()[0].icon().pixmap(16, 16).toImage() != ink  # the dark scheme's ink
