"""Building blocks shared by the screens: translatable labels and buttons, form fields, the
language switch. Every text a guest reads is bound to a string id, so switching language
refills the whole screen and nothing is left in the previous language."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyleOptionFrame,
    QVBoxLayout,
    QWidget,
)

from kiosk.i18n import LANGUAGE_NAMES, Translator
from ui.style import theme

Binding = Callable[[Translator], None]


class _HasText(Protocol):
    def text(self) -> str: ...
    def setText(self, text: str, /) -> None: ...


def set_text(widget: _HasText, text: str) -> None:
    """Set a text only if it changed. Every guest resets every screen: re-applying hundreds of
    unchanged strings costs layout passes and, on a faulty binding, references to None."""
    if widget.text() != text:
        widget.setText(text)


def set_placeholder(edit: QLineEdit | QComboBox, text: str) -> None:
    if edit.placeholderText() != text:
        edit.setPlaceholderText(text)


def set_accessible(
    widget: QWidget, name: str | None = None, description: str | None = None
) -> None:
    """Accessible name and description for a screen reader, each set only when it changed."""
    if name is not None and widget.accessibleName() != name:
        widget.setAccessibleName(name)
    if description is not None and widget.accessibleDescription() != description:
        widget.setAccessibleDescription(description)


def plain_label(object_name: str, parent: QWidget | None = None) -> QLabel:
    """A label that shows text literally: user input is never interpreted as rich text."""
    label = QLabel(parent)
    label.setObjectName(object_name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


class MessageLabel(QLabel):
    """A message line that keeps its place whether or not it has something to say.

    It is never hidden: empty, it still takes the height of ``lines`` lines (and its background
    goes transparent through the ``empty`` property), so fields and buttons below it never move
    when a message appears or clears, and a finger aimed at a field lands on that field.
    """

    def __init__(self, object_name: str, lines: int = 1) -> None:
        super().__init__()
        self.setObjectName(object_name)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self._lines = lines
        self.setProperty("empty", True)

    def show_message(self, text: str) -> None:
        set_text(self, text)
        if self.property("empty") != (not text):
            self.setProperty("empty", not text)
            self.style().unpolish(self)
            self.style().polish(self)

    def _reserved(self) -> int:
        # Measured on a sample with the warning sign and CJK, whose fallback fonts make a line
        # taller than the label font's own line spacing.
        sample = "\n".join(["⚠ 國Hg"] * self._lines)
        needed = self.fontMetrics().boundingRect(QRect(0, 0, 10_000, 10_000), 0, sample).height()
        margins = self.contentsMargins()
        return needed + margins.top() + margins.bottom()

    def sizeHint(self) -> QSize:
        return super().sizeHint().expandedTo(QSize(0, self._reserved()))

    def minimumSizeHint(self) -> QSize:
        return super().minimumSizeHint().expandedTo(QSize(0, self._reserved()))

    def heightForWidth(self, width: int) -> int:
        return max(super().heightForWidth(width), self._reserved())


def data_label(object_name: str) -> QLabel:
    """A label showing a guest's own data (not translated, cleared between guests)."""
    label = plain_label(object_name)
    label.setProperty("guestData", True)
    return label


class Screen(QWidget):
    """A full-window step of the flow. Subclasses build widgets with ``label``/``button``."""

    def __init__(self) -> None:
        super().__init__()
        self._bindings: list[Binding] = []

    def bind(self, binding: Binding) -> None:
        self._bindings.append(binding)

    def label(self, object_name: str, string_id: str, **values: object) -> QLabel:
        label = plain_label(object_name)
        self.bind(lambda tr: set_text(label, tr(string_id, **values)))
        return label

    def button(self, object_name: str, string_id: str, help_id: str = "") -> QPushButton:
        button = QPushButton()
        button.setObjectName(object_name)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.setAutoDefault(True)

        def apply(tr: Translator) -> None:
            set_text(button, tr(string_id))
            set_accessible(button, tr(string_id), tr(help_id) if help_id else "")

        self.bind(apply)
        return button

    def retranslate(self, tr: Translator) -> None:
        for binding in self._bindings:
            binding(tr)

    def reset(self) -> None:
        """Forget everything about the current guest. Screens with inputs override this."""

    def rescale(self, scale: float) -> None:
        """Adapt the layout to the large-text mode (1.0, 1.5, 2.0); most screens need not."""

    def rescaled(self) -> None:
        """The new text size is laid out (called on the screen shown); most screens need not."""


class LanguageBar(QWidget):
    """One button per language, each named in its own language; emits the chosen code."""

    chosen = Signal(str)

    def __init__(self, languages: Sequence[str], object_name: str = "language") -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self._buttons: dict[str, QPushButton] = {}
        for code in languages:
            button = QPushButton(LANGUAGE_NAMES.get(code, code))
            button.setObjectName(object_name)
            button.setCheckable(True)
            button.setProperty("autonym", True)
            button.setAccessibleName(LANGUAGE_NAMES.get(code, code))
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(lambda _checked=False, c=code: self.chosen.emit(c))
            self._group.addButton(button)
            layout.addWidget(button)
            self._buttons[code] = button

    def show_current(self, language: str) -> None:
        if language in self._buttons:
            self._buttons[language].setChecked(True)

    def button(self, language: str) -> QAbstractButton:
        return self._buttons[language]


def on_surface(
    size: QSize, ratio: float, surface: QColor, draw: Callable[[QPainter], None]
) -> QPixmap:
    """A picture of ``size`` at the screen's pixel ratio, filled with the card's colour
    (``surface``) and then drawn on by ``draw``: what a widget lying on the card keeps of its
    styled box, so the style sheet draws that once rather than at every paint."""
    picture = QPixmap(size * ratio)
    picture.setDevicePixelRatio(ratio)
    painter = QPainter(picture)
    painter.fillRect(QRect(QPoint(0, 0), size), surface)
    draw(painter)
    painter.end()
    return picture


class CardLineEdit(QLineEdit):
    """A line edit that lies on a card (the details form's): it paints every one of its pixels,
    the corners outside its rounded border in the card's colour, then itself as the style sheet
    draws it. Seen through, Qt painted the window, the screen, its scroller, the card and the
    field's box beneath it again at every keystroke and every blink of the cursor.

    Its box (background and rounded border) is a picture, drawn once per size and state by the
    style sheet itself for a hidden line edit of its own (``_model``), and the field's own rule
    (``QLineEdit[ownPanel="true"]``) draws only the text, in the same place. Drawn by the style
    sheet at every keystroke, the box was ~65 µs of the field's ~110 µs paint, however little
    of it had changed."""

    def __init__(self) -> None:
        super().__init__()
        self._surface = QColor(theme()["surface"])
        self.setProperty("ownPanel", True)
        self._model = QLineEdit(self)  # styled as this field would be without ``ownPanel``
        self._model.hide()
        self._panels: dict[tuple[int, int, float, int, bool], QPixmap] = {}
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        # The style sheet's polish (at first show, at each new text size) clears the attribute.
        if event.type() in (QEvent.Type.Polish, QEvent.Type.StyleChange):
            self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
            self._panels.clear()  # a new text size: the border's radius grows with it
        return handled

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        if self.property("ownPanel"):
            painter.drawPixmap(event.rect(), self._panel(), event.rect())
        else:
            painter.fillRect(event.rect(), self._surface)
        painter.end()
        super().paintEvent(event)

    def _panel(self) -> QPixmap:
        """The box at this size and in this state (focused, marked invalid ...), on the card's
        colour, as the style sheet draws it."""
        option = QStyleOptionFrame()
        self.initStyleOption(option)
        invalid = bool(self.property("invalid"))
        ratio = self.devicePixelRatioF()
        key = (self.width(), self.height(), ratio, int(option.state.value), invalid)
        drawn = self._panels.get(key)
        if drawn is None:
            if len(self._panels) > 8:
                self._panels.clear()  # a bound: sizes follow the window
            model = self._model
            model.ensurePolished()
            if bool(model.property("invalid")) != invalid:
                model.setProperty("invalid", invalid)
                model.style().unpolish(model)
                model.style().polish(model)
            box = QStyle.PrimitiveElement.PE_PanelLineEdit
            drawn = on_surface(
                self.size(),
                ratio,
                self._surface,
                lambda painter: model.style().drawPrimitive(box, option, painter, model),
            )
            self._panels[key] = drawn
        return drawn


class Field(QWidget):
    """Label, one-line reason ("why we ask"), the input, and an error line under it."""

    def __init__(self, screen: Screen, label_id: str, why_id: str, editor: QWidget) -> None:
        super().__init__()
        self.editor = editor
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.title = screen.label("fieldLabel", label_id)
        self.title.setBuddy(editor)
        self.why = screen.label("why", why_id)
        self.error = MessageLabel("fieldError")
        for widget in (self.title, self.why, editor, self.error):
            layout.addWidget(widget)

        def apply(tr: Translator) -> None:
            set_accessible(editor, tr(label_id), tr(why_id))

        screen.bind(apply)

    def has_error(self) -> bool:
        return bool(self.error.text())

    def show_error(self, message: str) -> None:
        """Show a problem in words (with a sign, not colour alone) and mark the input."""
        self.error.show_message(f"⚠ {message}" if message else "")
        self.editor.setAccessibleDescription(message or self.why.text())
        if self.editor.property("invalid") == bool(message):
            return  # each keystroke in a fine field clears its error: nothing to restyle
        self.editor.setProperty("invalid", bool(message))
        style = self.editor.style()
        style.unpolish(self.editor)
        style.polish(self.editor)
        # And say so, as Qt does when a style sheet changes: an editor that paints itself whole
        # (``CardLineEdit``) sets again what the polish cleared.
        QApplication.sendEvent(self.editor, QEvent(QEvent.Type.StyleChange))
