"""The only package that speaks SQL: one SQLite file, opened for durability and real deletion.

``database`` holds the ``Store``; ``schema`` its numbered migrations; ``sql`` the prepared
statements of the hot paths; ``rows`` the conversion between rows and model objects;
``checkins`` the rows of one check-in, written together.
"""

from kiosk.store.checkins import CheckinRecord
from kiosk.store.database import AUTOCHECKPOINT_PAGES, PURGE_CHUNK, Store, StoreError
from kiosk.store.schema import MIGRATIONS

__all__ = [
    "AUTOCHECKPOINT_PAGES",
    "MIGRATIONS",
    "PURGE_CHUNK",
    "CheckinRecord",
    "Store",
    "StoreError",
]
