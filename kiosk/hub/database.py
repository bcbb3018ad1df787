"""Open the hub's database from a URL: SQLite for one small office, PostgreSQL for the rest."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kiosk.hub.writer_turns import WriterTurns

BUSY_SECONDS = 30  # how long a transaction waits for the write lock before it gives up
_HOLDS_TURN = "holds_writer_turn"


class DatabaseUrlError(ValueError):
    """The --db URL names no database the hub supports."""


def engine_url(url: str) -> str:
    """Accept what people paste (``postgresql://``, ``postgres://``, ``sqlite:///file``) and pick
    the driver the hub ships with (psycopg 3)."""
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith(("postgresql+psycopg://", "sqlite:///")):
        return url
    raise DatabaseUrlError(
        "use sqlite:///path/to/hub.db or postgresql://user@host:port/database for --db"
    )


def open_engine(url: str) -> Engine:
    real_url = engine_url(url)
    if real_url.startswith("sqlite"):
        engine = sa.create_engine(real_url, connect_args={"timeout": BUSY_SECONDS})
        sa.event.listen(engine, "connect", _sqlite_setup)
        _take_turns(engine, WriterTurns(BUSY_SECONDS))
        return engine
    return sa.create_engine(real_url, pool_pre_ping=True, pool_size=8, max_overflow=8)


def _sqlite_setup(dbapi_connection: Any, _record: object) -> None:
    """WAL for concurrent readers, full sync so an answered batch survives a power cut, and
    secure_delete so purged rows are overwritten rather than left in free pages."""
    dbapi_connection.isolation_level = None  # we say BEGIN ourselves (below)
    for pragma in (
        "journal_mode=WAL",
        "synchronous=FULL",
        "secure_delete=ON",
        f"busy_timeout={BUSY_SECONDS * 1000}",
    ):
        dbapi_connection.execute(f"PRAGMA {pragma}")


def _take_turns(engine: Engine, turns: WriterTurns) -> None:
    """Every transaction takes the write lock at BEGIN (BEGIN IMMEDIATE: two hub workers then
    queue instead of failing with 'database is locked' when both upgrade a read to a write),
    and first its turn in this process (``WriterTurns``), given back when it ends."""

    def begin(connection: sa.Connection) -> None:
        turns.acquire()
        connection.info[_HOLDS_TURN] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            end(connection)
            raise

    def end(connection: sa.Connection) -> None:
        if connection.info.pop(_HOLDS_TURN, False):
            turns.release()

    def finished_first(finish: str) -> Callable[[sa.Connection], None]:
        """SQLAlchemy announces a commit or rollback before it makes it. Handing the turn on
        then let the next transaction's BEGIN IMMEDIATE find the lock still held and sleep in
        SQLite's polling (1 ms, 2, 5 ...): 0.7 s of a 5.6 s purge beside a kiosk, measured. So
        the transaction is finished here, and SQLAlchemy's own commit or rollback that follows
        finds none open and does nothing. If finishing fails, that call meets the error again
        and reports it, and the turn goes back when the transaction or its connection ends."""

        def finish_then_end(connection: sa.Connection) -> None:
            if not (connection.invalidated or connection.closed):  # else its lock went with it
                try:
                    getattr(connection.connection.dbapi_connection, finish)()
                except (sqlite3.Error, sa.exc.SQLAlchemyError):
                    return
            end(connection)

        return finish_then_end

    def returned(_dbapi_connection: object, record: Any) -> None:
        if record.info.pop(_HOLDS_TURN, False):  # a transaction the connection never ended
            turns.release()

    sa.event.listen(engine, "begin", begin)
    sa.event.listen(engine, "commit", finished_first("commit"))
    sa.event.listen(engine, "rollback", finished_first("rollback"))
    sa.event.listen(engine.pool, "checkin", returned)
