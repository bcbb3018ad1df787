"""Staff: who is on site (check out, reprint) and the evacuation roll call (tick who is safe).

One screen in two modes; the people come from a worker, never from the GUI thread.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout

from kiosk.i18n import Translator
from kiosk.onsite import OnSite
from ui.widgets import Screen, plain_label, set_accessible, set_placeholder, set_text

VISIT_ID = Qt.ItemDataRole.UserRole


class OnSiteScreen(Screen):
    back = Signal()
    search_changed = Signal(str)
    check_out = Signal(list)  # visit ids
    reprint = Signal(str)
    print_list = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("onsite")
        self.evacuation = False
        self._status_id, self._status_values = "", {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(64, 8, 64, 24)
        layout.setSpacing(10)
        self.title = plain_label("title")
        layout.addWidget(self.title)
        self.hint = self.label("subtitle", "evacuation.accounted")
        layout.addWidget(self.hint)
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.search.textEdited.connect(self.search_changed)
        self.bind(lambda tr: set_placeholder(self.search, tr("onsite.search")))
        self.bind(lambda tr: set_accessible(self.search, tr("onsite.search")))
        layout.addWidget(self.search)
        self.people = QListWidget()
        self.people.setObjectName("people")
        layout.addWidget(self.people, stretch=1)
        self.status = plain_label("status")
        layout.addWidget(self.status)

        self.back_button = self.button("secondary", "onsite.back")
        self.back_button.clicked.connect(self.back)
        self.reprint_button = self.button("secondary", "onsite.reprint")
        self.reprint_button.clicked.connect(self._on_reprint_clicked)
        self.check_out_button = self.button("primary", "onsite.check_out")
        self.check_out_button.clicked.connect(lambda: self.check_out.emit(self.ticked()))
        self.print_button = self.button("primary", "evacuation.pdf")
        self.print_button.clicked.connect(self.print_list)
        row = self._buttons = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        row.addWidget(self.back_button)
        row.addStretch(1)
        for button in (self.reprint_button, self.check_out_button, self.print_button):
            row.addWidget(button)
        layout.addLayout(row)
        self.bind(self._translate)

    def rescale(self, scale: float) -> None:
        """At 200 % the three buttons no longer fit side by side: they stack."""
        direction = QBoxLayout.Direction
        self._buttons.setDirection(direction.TopToBottom if scale >= 2.0 else direction.LeftToRight)

    def show_mode(self, evacuation: bool, tr: Translator) -> None:
        self.evacuation = evacuation
        for widget in (self.search, self.reprint_button, self.check_out_button):
            widget.setVisible(not evacuation)
        for widget in (self.hint, self.print_button):
            widget.setVisible(evacuation)
        self._translate(tr)

    def show_people(self, people: Sequence[OnSite], since: dict[str, str], tr: Translator) -> None:
        self.people.clear()
        for person in people:
            minutes = f"({person.minutes_on_site} min)"
            item = QListWidgetItem(
                f"{since[person.visit_id]}   {person.name}   → {person.host}   {minutes}"
            )
            item.setData(VISIT_ID, person.visit_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.people.addItem(item)
        self.set_status("onsite.empty" if not people else "", tr)

    def ticked(self) -> list[str]:
        items = (self.people.item(row) for row in range(self.people.count()))
        return [str(i.data(VISIT_ID)) for i in items if i.checkState() == Qt.CheckState.Checked]

    def _on_reprint_clicked(self) -> None:
        chosen = self.ticked()
        if len(chosen) == 1:
            self.reprint.emit(chosen[0])

    def set_status(self, string_id: str, tr: Translator, **values: object) -> None:
        self._status_id, self._status_values = string_id, values
        self._translate(tr)

    def _translate(self, tr: Translator) -> None:
        set_text(self.title, tr("evacuation.title") if self.evacuation else tr("onsite.button"))
        message = tr(self._status_id, **self._status_values) if self._status_id else ""
        self.status.setText(message)

    def reset(self) -> None:
        self.people.clear()
        self.search.setText("")
        self._status_id, self._status_values = "", {}
        self.status.setText("")
