"""Staff: who is on site (check out, reprint) and the evacuation roll call (tick who is safe).

One screen in two modes. People are shown in a table whose columns wrap long text inside the
column (``people_table``), so a long name never runs into the host or past the column's edge.
In the roll call each tick shows when and by whom it was made, and the header keeps the count of
accounted for and missing in view. The people come from a worker, never from the GUI thread.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.i18n import Translator
from kiosk.models import OnSite
from kiosk.rollcall import RollCall
from ui.screens.people_table import PeopleTable
from ui.widgets import Screen, plain_label, set_accessible, set_placeholder, set_text

VISIT_ID = Qt.ItemDataRole.UserRole
NAME, HOST, SINCE, DONE = range(4)
HEADERS = ("evacuation.name", "evacuation.host", "evacuation.since", "evacuation.done")


class OnSiteScreen(Screen):
    back = Signal()
    search_changed = Signal(str)
    check_out = Signal(list)  # visit ids
    reprint = Signal(str)
    print_list = Signal()
    tick_changed = Signal(str, bool)  # visit id, accounted for (roll call only)
    restart = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("onsite")
        self.evacuation = False
        self._status_id: str = ""
        self._status_values: dict[str, object] = {}
        self._filling = False
        self._roll_call: RollCall | None = None
        self._started = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(64, 8, 64, 24)
        layout.setSpacing(10)
        self.title = plain_label("title")
        layout.addWidget(self.title)
        self.summary = plain_label("summary")
        layout.addWidget(self.summary)
        self.hint = self.label("subtitle", "evacuation.accounted")
        layout.addWidget(self.hint)
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.search.textEdited.connect(self.search_changed)
        self.bind(lambda tr: set_placeholder(self.search, tr("onsite.search")))
        self.bind(lambda tr: set_accessible(self.search, tr("onsite.search")))
        layout.addWidget(self.search)
        self.people = self._build_table()
        layout.addWidget(self.people, stretch=1)
        # An empty list says so where the list would be, not as a blank box.
        self.empty_note = self.label("emptyNote", "onsite.empty")
        self.empty_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_note.setVisible(False)
        layout.addWidget(self.empty_note, stretch=1)
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
        self.restart_button = self.button("secondary", "evacuation.restart")
        self.restart_button.clicked.connect(self.restart)
        row = self._buttons = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        row.addWidget(self.back_button)
        row.addStretch(1)
        buttons = (self.restart_button, self.reprint_button, self.check_out_button)
        for button in (*buttons, self.print_button):
            row.addWidget(button)
        layout.addLayout(row)
        self.bind(self._translate)

    def _build_table(self) -> QTableWidget:
        table = PeopleTable(0, len(HEADERS))
        table.setObjectName("people")
        table.setWordWrap(True)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.verticalHeader().setVisible(False)
        header = table.horizontalHeader()
        # Every column shares the width and wraps: in large text no column can squeeze the name
        # into an ellipsis.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.setTextElideMode(Qt.TextElideMode.ElideNone)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.sectionResized.connect(lambda *_: table.resizeRowsToContents())
        header.geometriesChanged.connect(table.resizeRowsToContents)
        table.itemChanged.connect(self._on_item_changed)
        return table

    def rescale(self, scale: float) -> None:
        """At 200 % the three buttons no longer fit side by side: they stack."""
        direction = QBoxLayout.Direction
        self._buttons.setDirection(direction.TopToBottom if scale >= 2.0 else direction.LeftToRight)
        # The screen scrolls in large text; the list keeps room for three people regardless.
        self.people.setMinimumHeight(round(300 * scale))
        self.people.resizeRowsToContents()

    def show_mode(self, evacuation: bool, tr: Translator) -> None:
        """Switch list or roll call; the previous mode's rows go at once (no stale list)."""
        self.evacuation = evacuation
        self.people.setRowCount(0)
        self._roll_call = None
        self._status_id, self._status_values = "", {}
        list_only: tuple[QWidget, ...] = (self.search, self.reprint_button, self.check_out_button)
        roll_call_only: tuple[QWidget, ...] = (
            self.hint,
            self.print_button,
            self.summary,
            self.restart_button,
        )
        for widget in list_only:
            widget.setVisible(not evacuation)
        for widget in roll_call_only:
            widget.setVisible(evacuation)
        self.people.setColumnHidden(DONE, not evacuation)
        self._translate(tr)

    def show_people(self, people: Sequence[OnSite], since: dict[str, str], tr: Translator) -> None:
        """One row per person: the name (with the box to tick), host, arrival and time on site."""
        self._filling = True
        try:
            self.people.setRowCount(0)
            self.people.setRowCount(len(people))
            for row, person in enumerate(people):
                name = QTableWidgetItem(person.name)
                name.setData(VISIT_ID, person.visit_id)
                name.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                name.setCheckState(Qt.CheckState.Unchecked)
                arrived = QTableWidgetItem()
                arrived.setData(VISIT_ID, (since[person.visit_id], person.minutes_on_site))
                cells = (name, QTableWidgetItem(person.host), arrived, QTableWidgetItem(""))
                for column, cell in enumerate(cells):
                    if column != NAME:
                        cell.setFlags(Qt.ItemFlag.ItemIsEnabled)
                    self.people.setItem(row, column, cell)
        finally:
            self._filling = False
        self.people.setVisible(bool(people))
        self.empty_note.setVisible(not people)
        self.set_status("", tr)

    def show_roll_call(
        self, roll_call: RollCall, started: str, ticks: dict[str, str], tr: Translator
    ) -> None:
        """Ticks as the roll call holds them (``ticks``: visit id → "10:42 Mei-Chen Lin"), and the
        header: when it started, how many on site, accounted for and missing."""
        self._filling = True
        try:
            for row in range(self.people.rowCount()):
                name = self._cell(row, NAME)
                visit_id = str(name.data(VISIT_ID))
                state = Qt.CheckState.Checked if visit_id in ticks else Qt.CheckState.Unchecked
                if name.checkState() != state:
                    name.setCheckState(state)
                self._cell(row, DONE).setText(ticks.get(visit_id, ""))
        finally:
            self._filling = False
        self._roll_call, self._started = roll_call, started
        self._translate(tr)

    def _cell(self, row: int, column: int) -> QTableWidgetItem:
        """Every cell is filled by ``show_people``; a missing one is a bug, not a state."""
        cell = self.people.item(row, column)
        assert cell is not None, (row, column)
        return cell

    def row_count(self) -> int:
        return self.people.rowCount()

    def name_at(self, row: int) -> str:
        return self._cell(row, NAME).text()

    def set_ticked(self, row: int, ticked: bool) -> None:
        """Tick or untick a row as a finger would (tests and keyboard use this too)."""
        state = Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked
        self._cell(row, NAME).setCheckState(state)

    def ticked(self) -> list[str]:
        names = (self._cell(row, NAME) for row in range(self.people.rowCount()))
        return [str(i.data(VISIT_ID)) for i in names if i.checkState() == Qt.CheckState.Checked]

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != NAME or not self.evacuation:
            return
        self.tick_changed.emit(str(item.data(VISIT_ID)), item.checkState() == Qt.CheckState.Checked)

    def _on_reprint_clicked(self) -> None:
        chosen = self.ticked()
        if len(chosen) == 1:
            self.reprint.emit(chosen[0])

    def set_status(self, string_id: str, tr: Translator, **values: object) -> None:
        self._status_id, self._status_values = string_id, values
        self._translate(tr)

    def _translate(self, tr: Translator) -> None:
        set_text(self.title, tr("evacuation.title") if self.evacuation else tr("onsite.button"))
        set_accessible(self.people, tr("evacuation.title" if self.evacuation else "onsite.button"))
        self.people.setHorizontalHeaderLabels([tr(key) for key in HEADERS])
        for row in range(self.people.rowCount()):
            arrived = self._cell(row, SINCE)
            since, minutes = arrived.data(VISIT_ID)
            set_text(arrived, f"{since}\n{tr('onsite.minutes', minutes=minutes)}")
        self.people.resizeRowsToContents()
        summary = ""
        if self._roll_call is not None:
            summary = tr("evacuation.started", time=self._started) + " · "
            summary += tr(
                "evacuation.summary",
                on_site=len(self._roll_call.people),
                accounted=self._roll_call.accounted,
                missing=self._roll_call.missing,
            )
        set_text(self.summary, summary)
        message = tr(self._status_id, **self._status_values) if self._status_id else ""
        self.status.setText(message)

    def reset(self) -> None:
        self.people.setRowCount(0)
        self.people.setVisible(True)
        self.empty_note.setVisible(False)
        self.search.setText("")
        self.summary.setText("")
        self._roll_call = None
        self._status_id, self._status_values = "", {}
        self.status.setText("")
