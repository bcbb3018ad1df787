"""The evacuation roll call: a snapshot of who was on site when it started, and who has been
ticked as accounted for, when and by whom.

Qt-free, so the screen, the printed list and the tests read the same record: a tick made on the
tablet is the tick that appears on paper.
"""

from __future__ import annotations

from datetime import datetime

from kiosk.models import OnSite
from kiosk.records import field, record


@record
class Tick:
    """One person marked as accounted for."""

    at: datetime
    by: str  # the staff member's name, as they signed in


@record(frozen=False)
class RollCall:
    started_at: datetime
    people: list[OnSite]
    ticks: dict[str, Tick] = field(default_factory=dict)

    def tick(self, visit_id: str, at: datetime, by: str) -> None:
        """Mark a person accounted for; ticking again keeps the first time and name."""
        if visit_id in self.ids() and visit_id not in self.ticks:
            self.ticks[visit_id] = Tick(at, by)

    def untick(self, visit_id: str) -> None:
        self.ticks.pop(visit_id, None)

    def ids(self) -> set[str]:
        return {person.visit_id for person in self.people}

    @property
    def accounted(self) -> int:
        return len(self.ticks)

    @property
    def missing(self) -> int:
        return len(self.people) - len(self.ticks)
