"""How one task row looks, title first: a ring in the priority's colour, the title on its own
line (wrapped onto a second line before anything is cut; the tooltip has it whole), and under
it a quieter metadata line in the caption size and muted ink: the due (in the overdue colour
when it is past), ↻ for a repeat, a bell for a reminder, the list and the tags. The metadata
line is what gives way: it is elided at its end, the title never is while two lines hold it.

Every colour is a token of the scheme on screen (`apply.current()`), read at paint time, so a
theme switch repaints the rows in the new colours. Section headings ("Overdue", "Tomorrow")
are rows too, drawn in the heading role's size and ink. Overdue is also said in words for
screen readers.
"""

from collections import namedtuple

from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QGuiApplication, QPainter, QTextLayout
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTreeView

from app.ui.theme import apply
from app.ui.theme.icons import icon
from app.ui.theme.tokens import RADIUS, ROW_HEIGHT, SPACE, WEIGHTS, type_px

LOOK_ROLE = Qt.ItemDataRole.UserRole + 1     # a RowLook: what the row shows
HEADING_ROLE = Qt.ItemDataRole.UserRole + 2  # a section heading's text (None on a task row)
ICON = 16
META_ICON = 12
PAD_X, PAD_Y, LINE_GAP = SPACE["m"], SPACE["s"] - 1, SPACE["xxs"]
TITLE_LINES = 2  # a title wraps onto this many lines before it is cut
HEADING_BAND = 28  # px at the bottom of a heading's row where its text (and Reschedule) sit


class RowLook(namedtuple("RowLook", ("title", "when", "overdue", "repeats", "reminds", "tags",
                                     "priority", "done", "list"), defaults=("",))):
    """What a row shows: `when` is the due in friendly form ("Today", "Tomorrow 17:00");
    `list` the list's name where the view mixes lists ("" in a list's own view)."""

    __slots__ = ()

    def spoken(self) -> str:
        parts = [self.title, "done" if self.done else ""]
        if self.when:
            parts.append(self.when + (", overdue" if self.overdue else ""))
        parts += ["repeats" if self.repeats else "", "reminder set" if self.reminds else "",
                  f"{self.priority} priority" if self.priority != "none" else "",
                  f"in {self.list}" if self.list else "",
                  " ".join("#" + tag for tag in self.tags)]
        return ", ".join(part for part in parts if part)

    def has_metadata(self) -> bool:
        return bool(self.when or self.repeats or self.reminds or self.tags or self.list)


def title_font(base: QFont | None = None) -> QFont:
    font = QFont(base or QGuiApplication.font())
    font.setPixelSize(type_px("body", apply.text_size()))
    return font


def caption_font(base: QFont | None = None) -> QFont:
    font = QFont(base or QGuiApplication.font())
    font.setPixelSize(type_px("caption", apply.text_size()))
    return font


def checkbox_rect(row: QRect) -> QRect:
    """Where the ring is drawn (and clicked): beside the title's first line."""
    line = QFontMetrics(title_font()).height()
    return QRect(row.left() + PAD_X, row.top() + PAD_Y + (line - ICON) // 2, ICON, ICON)


def title_lines(title: str, font: QFont, width: int) -> list[str]:
    """The title as shown in `width` pixels: one line, or wrapped at words onto two with only
    the second cut (…) when even two cannot hold it."""
    metrics = QFontMetrics(font)
    if width <= 0 or metrics.horizontalAdvance(title) <= width:
        return [title]
    layout = QTextLayout(title, font)
    layout.beginLayout()
    first = layout.createLine()
    first.setLineWidth(width)
    layout.endLayout()
    cut = first.textLength()
    head, rest = title[:cut].rstrip(), title[cut:].lstrip()
    if not rest:
        return [head]
    return [head, metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width)]


def _ink(colour: str, opacity: float = 1.0) -> QColor:
    made = QColor(colour)
    made.setAlphaF(opacity)
    return made


class TaskRowDelegate(QStyledItemDelegate):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.show_checkbox = True  # not in the Trash view
        self.fading: dict[int, float] = {}  # a row being completed: how far its fade has gone
        self.highlighted: set[int] = set()  # rows the assistant just added, shown briefly

    # -- geometry --------------------------------------------------------------------------

    def _text_left(self, row: QRect) -> int:
        return row.left() + PAD_X + (ICON + PAD_X if self.show_checkbox else 0)

    def shown_title(self, look: RowLook, row: QRect) -> list[str]:
        """The title's lines as the row at `row` shows them (the tests read this too)."""
        width = row.right() - PAD_X - self._text_left(row)
        return title_lines(look.title, title_font(), width)  # the font paint() draws it in

    def sizeHint(self, option, index) -> QSize:
        width = option.rect.width()
        view = self.parent()
        if width <= 0 and isinstance(view, QTreeView):  # the task panel's tree
            width = view.viewport().width() - view.indentation() * _depth(index)
        heading = index.data(HEADING_ROLE)
        if heading is not None:
            return QSize(0, ROW_HEIGHT)  # no width asked: the column is the viewport's
        look: RowLook = index.data(LOOK_ROLE)
        line = QFontMetrics(title_font()).height()
        lines = len(self.shown_title(look, QRect(0, 0, width, 0))) if look else 1
        height = 2 * PAD_Y + lines * line
        if look is not None and look.has_metadata():
            height += LINE_GAP + QFontMetrics(caption_font()).height()
        return QSize(0, max(height, ROW_HEIGHT if lines == 1 else 0))

    def updateEditorGeometry(self, editor, option, index) -> None:
        """A widget laid over a heading's row (Reschedule) gets the whole row, so it can sit in
        the band the heading's text is drawn in; the style's default centres it in a smaller
        text rect, off the heading's line."""
        if index.data(HEADING_ROLE) is not None:
            editor.setGeometry(option.rect)
        else:
            super().updateEditorGeometry(editor, option, index)

    # -- painting --------------------------------------------------------------------------

    def paint(self, painter, option, index) -> None:
        heading = index.data(HEADING_ROLE)
        if heading is not None:
            self._paint_heading(painter, option.rect, heading)
            return
        look: RowLook = index.data(LOOK_ROLE)
        task_id = index.internalId()
        scheme = apply.current()
        base = QStyleOptionViewItem(option)
        self.initStyleOption(base, index)
        base.text = ""
        base.features &= ~QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
        widget = option.widget
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if task_id in self.highlighted and not selected:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(scheme.accent_soft))
            painter.drawRoundedRect(QRectF(option.rect).adjusted(SPACE["xs"], 1, -SPACE["xs"], -1),
                                    RADIUS["m"], RADIUS["m"])
        if widget is not None:  # hover, selection and focus as the one style sheet draws them
            widget.style().drawControl(QStyle.ControlElement.CE_ItemViewItem, base, painter,
                                       widget)
        fade = self.fading.get(task_id)
        done = look.done or fade is not None
        painter.setOpacity(1.0 - 0.6 * fade if fade is not None else 1.0)
        row = option.rect
        if self.show_checkbox:
            ring = scheme.success if done else (
                scheme.priority[("high", "medium", "low").index(look.priority)]
                if look.priority in ("high", "medium", "low") else scheme.muted)
            icon("circle-check-big" if done else "circle", ring).paint(painter,
                                                                     checkbox_rect(row))
        left, right = self._text_left(row), row.right() - PAD_X
        font = title_font()  # the font shown_title() measured with
        font.setStrikeOut(done)
        line = QFontMetrics(font).height()
        painter.setFont(font)
        painter.setPen(QColor(scheme.muted if done else scheme.text))
        top = row.top() + PAD_Y
        lines = self.shown_title(look, row)
        if len(lines) == 1 and not look.has_metadata():  # a lone line sits in the middle
            top = row.center().y() - line // 2
        for text in lines:
            painter.drawText(QRect(left, top, right - left, line),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)
            top += line
        if look.has_metadata():
            self._paint_metadata(painter, look, QRect(left, top + LINE_GAP, right - left,
                                                      QFontMetrics(caption_font()).height()))
        painter.restore()

    def _paint_metadata(self, painter, look: RowLook, rect: QRect) -> None:
        """due · ↻ 🔔 · list · #tags, left to right; what does not fit is cut at the end."""
        scheme = apply.current()
        font = caption_font()
        x = rect.left()

        def text(words: str, colour: str, bold: bool = False) -> None:
            nonlocal x
            if x >= rect.right():
                return
            shown = QFont(font)
            shown.setWeight(QFont.Weight(WEIGHTS["semibold"] if bold else WEIGHTS["regular"]))
            painter.setFont(shown)
            room = rect.right() - x
            words = QFontMetrics(shown).elidedText(words, Qt.TextElideMode.ElideRight, room)
            painter.setPen(QColor(colour))
            painter.drawText(QRect(x, rect.top(), room, rect.height()),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, words)
            x += QFontMetrics(shown).horizontalAdvance(words) + SPACE["s"]

        def mark(name: str) -> None:
            nonlocal x
            if x + META_ICON > rect.right():
                return
            top = rect.center().y() - META_ICON // 2 + 1
            icon(name, scheme.muted).paint(painter, QRect(x, top, META_ICON, META_ICON))
            x += META_ICON + SPACE["xs"]

        if look.when:
            text(look.when, scheme.overdue if look.overdue else scheme.muted, look.overdue)
        if look.repeats:
            mark("repeat")
        if look.reminds:
            mark("bell")
        if look.repeats or look.reminds:
            x += SPACE["xs"]
        if look.list:
            text(look.list, scheme.muted)
        if look.tags:
            text(" ".join("#" + tag for tag in look.tags), scheme.muted)

    def _paint_heading(self, painter, rect: QRect, heading: str) -> None:
        """A section's heading: the heading role (small, semibold, muted), near the rows it
        heads, with the room above it that separates sections."""
        scheme = apply.current()
        font = QFont(QGuiApplication.font())
        font.setPixelSize(type_px("small", apply.text_size()))
        font.setWeight(QFont.Weight(WEIGHTS["semibold"]))
        painter.save()
        painter.setFont(font)
        painter.setPen(QColor(scheme.muted))
        band = QRect(rect.left() + PAD_X, rect.bottom() - HEADING_BAND, rect.width() - 2 * PAD_X,
                     HEADING_BAND)
        painter.drawText(band, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         heading)
        painter.setPen(QColor(scheme.border))
        painter.drawLine(QPointF(rect.left() + PAD_X, rect.bottom()),
                         QPointF(rect.right() - PAD_X, rect.bottom()))
        painter.restore()

    def editorEvent(self, event, model, option, index) -> bool:
        """A click on the ring ticks the task (and neither selects nor opens it)."""
        mouse = (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease,
                 QEvent.Type.MouseButtonDblClick)
        if (self.show_checkbox and event.type() in mouse
                and index.data(HEADING_ROLE) is None
                and event.button() == Qt.MouseButton.LeftButton
                and checkbox_rect(option.rect).contains(event.position().toPoint())):
            if event.type() == QEvent.Type.MouseButtonRelease:
                done = index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
                model.setData(index, (Qt.CheckState.Unchecked if done else Qt.CheckState.Checked
                                      ).value, Qt.ItemDataRole.CheckStateRole)
            return True
        return False


def _depth(index) -> int:
    depth, parent = 0, index.parent()
    while parent.isValid():
        depth, parent = depth + 1, parent.parent()
    return depth
