"""The ``Store``: one SQLite store, its rows grouped by aggregate, each group in its own module
over one connection and one transaction helper (``kiosk.store.base.Database``)."""

from __future__ import annotations

from kiosk.store.audit_rows import AuditRows
from kiosk.store.base import AUTOCHECKPOINT_PAGES, PURGE_CHUNK, Database, StoreError
from kiosk.store.checkins import Sealer
from kiosk.store.deny_rows import DenyRows
from kiosk.store.exchange import ExchangeRows
from kiosk.store.invitation_rows import InvitationRows
from kiosk.store.outbox import OutboxRows
from kiosk.store.staff_rows import StaffRows
from kiosk.store.visits import VisitRows

__all__ = ["AUTOCHECKPOINT_PAGES", "PURGE_CHUNK", "Sealer", "Store", "StoreError"]


class Store(
    VisitRows,
    OutboxRows,
    AuditRows,
    StaffRows,
    DenyRows,
    InvitationRows,
    ExchangeRows,
    Database,
):
    """Visits, notice versions, acknowledgements, the outbox, the audit trail, staff, the deny
    list, invitations and what is exchanged with the hub."""
