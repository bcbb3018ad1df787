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
    before = _apply(db, settings)
    try:
        yield
    except BaseException:
        db.invalidate()
        raise
    _apply(db, before)


def _apply(db: Connection, settings: Mapping[str, str]) -> dict[str, str]:
    """Makes ``settings`` and answers what undoes them: on SQLite the values they replaced, on
    PostgreSQL the session's defaults (``reset_val``, what RESET would give)."""
    if db.dialect.name == "sqlite":
        raw: Any = db.connection.dbapi_connection  # straight to the driver: no BEGIN, no turn
        before = {}
        for name, value in settings.items():
            before[name] = str(raw.execute(f"PRAGMA {name}").fetchone()[0])
            raw.execute(f"PRAGMA {name}={value}")
        return before
    names = ", ".join(f"'{name}'" for name in settings)
    defaults = db.exec_driver_sql(
        f"SELECT name, reset_val FROM pg_settings WHERE name IN ({names})"  # noqa: S608
    )
    before = {str(name): str(value) for name, value in defaults}
    made = ", ".join(f"set_config('{name}', '{value}', false)" for name, value in settings.items())
    db.exec_driver_sql(f"SELECT {made}")
    db.commit()  # a setting made in a transaction that is rolled back is undone
    return before
