"""How one task row looks: a round checkbox, the title taking the width (elided; the tooltip
has it whole), then ↻ for a repeat, a bell for a reminder, tags, a priority flag and the due.

Overdue is said in words for screen readers and shown bold in the palette's "failed" ink,
which design.py derives from the palette so it reads on light and dark pages alike.
"""

from collections import namedtuple

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.ui.theme import design
from app.ui.theme.icons import icon

LOOK_ROLE = Qt.ItemDataRole.UserRole + 1  # a RowLook: what the row shows
ICON = 16
TAGS_SHARE = 0.3       # tags take at most this part of the row
TITLE_AT_LEAST = 90    # pixels: below this the tags give way to the title


class RowLook(namedtuple("RowLook", ("title", "when", "overdue", "repeats", "reminds", "tags",
                                     "priority", "done"))):
    """What a row shows: `when` is the due in friendly form ("Today", "Tomorrow 17:00")."""

    __slots__ = ()

    def spoken(self) -> str:
        parts = [self.title, "done" if self.done else ""]
        if self.when:
            parts.append(self.when + (", overdue" if self.overdue else ""))
        parts += ["repeats" if self.repeats else "", "reminder set" if self.reminds else "",
                  f"{self.priority} priority" if self.priority != "none" else "",
                  " ".join("#" + tag for tag in self.tags)]
        return ", ".join(part for part in parts if part)


def checkbox_rect(row: QRect) -> QRect:
    """Where the round checkbox is drawn (and clicked) in a row's rectangle."""
    return QRect(row.left() + design.M, row.center().y() - ICON // 2 + 1, ICON, ICON)


class TaskRowDelegate(QStyledItemDelegate):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.show_checkbox = True  # not in the Trash view

    def sizeHint(self, option, index) -> QSize:
        height = max(QFontMetrics(option.font).height(), ICON) + 2 * design.M + design.S
        return QSize(option.rect.width(), height)

    def paint(self, painter, option, index) -> None:
        look: RowLook = index.data(LOOK_ROLE)
        base = QStyleOptionViewItem(option)
        self.initStyleOption(base, index)
        base.text = ""
        base.features &= ~QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
        widget = option.widget
        style = widget.style() if widget else None
        if style is not None:  # the background, selection and focus as the style draws them
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, base, painter, widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        colours = option.palette
        text_colour = colours.color(QPalette.ColorRole.HighlightedText if selected
                                    else QPalette.ColorRole.Text)
        muted = text_colour if selected else design.ink("muted", colours)

        painter.save()
        rect = option.rect.adjusted(design.M, 0, -design.M, 0)
        left = rect.left()
        if self.show_checkbox:
            ring = text_colour if selected else design.priority_ink(look.priority, colours)
            box = checkbox_rect(option.rect)
            icon("circle-check-big" if look.done else "circle", design.rgb(ring)).paint(
                painter, box)
            left = box.right() + design.M + 1
        right = rect.right()
        small = design.small_font(widget) if widget else QFont(option.font)

        if look.when:  # the due, rightmost
            font = QFont(small)
            font.setBold(look.overdue)
            colour = text_colour if selected else (design.ink("failed", colours) if look.overdue
                                                   else muted)
            right = self._text_right(painter, look.when + (" · overdue" if look.overdue else ""),
                                     font, colour, right, rect)
        if look.priority != "none" and not look.done:
            flag = text_colour if selected else design.priority_ink(look.priority, colours)
            right = self._icon_right(painter, "flag", design.rgb(flag), right, rect)
        if look.tags:
            room = right - left - TITLE_AT_LEAST
            width = min(int(rect.width() * TAGS_SHARE), room)
            if width > 30:
                tags = QFontMetrics(small).elidedText(" ".join("#" + tag for tag in look.tags),
                                                      Qt.TextElideMode.ElideRight, width)
                right = self._text_right(painter, tags, small, muted, right, rect)
        if look.reminds:
            right = self._icon_right(painter, "bell", design.rgb(muted), right, rect)
        if look.repeats:
            right = self._icon_right(painter, "repeat", design.rgb(muted), right, rect)

        font = QFont(option.font)
        font.setStrikeOut(look.done)
        painter.setFont(font)
        painter.setPen(muted if look.done and not selected else text_colour)
        title_rect = QRect(left, rect.top(), max(0, right - left), rect.height())
        title = QFontMetrics(font).elidedText(look.title, Qt.TextElideMode.ElideRight,
                                              title_rect.width())
        painter.drawText(title_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         title)
        painter.restore()

    @staticmethod
    def _text_right(painter, text, font, colour, right, rect) -> int:
        width = QFontMetrics(font).horizontalAdvance(text)
        painter.setFont(font)
        painter.setPen(colour)
        painter.drawText(QRect(right - width, rect.top(), width, rect.height()),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, text)
        return right - width - design.M

    @staticmethod
    def _icon_right(painter, name, colour, right, rect) -> int:
        size = ICON - 2
        icon(name, colour).paint(painter, QRect(right - size, rect.center().y() - size // 2 + 1,
                                                size, size))
        return right - size - design.M

    def editorEvent(self, event, model, option, index) -> bool:
        """A click on the circle ticks the task (and neither selects nor opens it)."""
        mouse = (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease,
                 QEvent.Type.MouseButtonDblClick)
        if (self.show_checkbox and event.type() in mouse
                and event.button() == Qt.MouseButton.LeftButton
                and checkbox_rect(option.rect).contains(event.position().toPoint())):
            if event.type() == QEvent.Type.MouseButtonRelease:
                done = index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
                model.setData(index, (Qt.CheckState.Unchecked if done else Qt.CheckState.Checked
                                      ).value, Qt.ItemDataRole.CheckStateRole)
            return True
        return False
