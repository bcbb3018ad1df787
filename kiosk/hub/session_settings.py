"""Settings made on one pooled connection for a while (a purge's chunks, a gentle vacuum), then
undone, so the connection goes back to the pool as it came.

PostgreSQL's are run-time parameters (``set_config``), SQLite's pragmas. Names and values come
from the code, never from a request.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import Connection


@contextmanager
def settings_for_a_while(db: Connection, settings: Mapping[str, str]) -> Iterator[None]:
    """``settings`` in force on this connection for the block, then as they were. Taken out of
    the pool and closed after instead, the pool came back a connection short, and a kiosk's next
    batch paid for opening one (a new PostgreSQL backend, 5-15 ms). If the block fails, the
    connection is closed all the same (invalidated): its settings may still be in force, and
    no batch may get them."""
    if not settings:
        yield
        return
    before = _replaced(db, settings)
    change_settings(db, settings)
    try:
        yield
    except BaseException:
        db.invalidate()
        raise
    change_settings(db, before)


def _replaced(db: Connection, settings: Mapping[str, str]) -> dict[str, str]:
    """What undoes ``settings``: on SQLite the values they replace, on PostgreSQL the session's
    defaults (``reset_val``, what RESET would give)."""
    names = list(settings)
    if db.dialect.name == "sqlite":
        raw: Any = db.connection.dbapi_connection  # straight to the driver: no BEGIN, no turn
        return {name: str(raw.execute(f"PRAGMA {name}").fetchone()[0]) for name in names}
    quoted = ", ".join(f"'{name}'" for name in names)
    defaults = db.exec_driver_sql(
        f"SELECT name, reset_val FROM pg_settings WHERE name IN ({quoted})"  # noqa: S608
    )
    return {str(name): str(value) for name, value in defaults}


def change_settings(db: Connection, settings: Mapping[str, str]) -> None:
    """``settings`` on this connection from now on, outside any transaction of its own (on
    PostgreSQL in one it commits; SQLite takes a pragma in none)."""
    if db.dialect.name == "sqlite":
        raw: Any = db.connection.dbapi_connection
        for name, value in settings.items():
            raw.execute(f"PRAGMA {name}={value}")
        return
    made = ", ".join(f"set_config('{name}', '{value}', false)" for name, value in settings.items())
    db.exec_driver_sql(f"SELECT {made}")
    db.commit()  # a setting made in a transaction that is rolled back is undone
