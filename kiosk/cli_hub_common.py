"""What every ``kiosk hub …`` command shares: the database option and the migrated service."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from kiosk.errors import UsageError
from kiosk.timeutil import to_db, utc_now

if TYPE_CHECKING:
    from kiosk.hub.service import HubService

DB_ENV = "KIOSK_HUB_DB"


class HubUsageError(UsageError):
    """Printed as one line, exit code 2."""


def db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        default=os.environ.get(DB_ENV, ""),
        help=f"sqlite:///hub.db or postgresql://user@host/db (or ${DB_ENV})",
    )


def retention_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-retention-days",
        type=int,
        default=30,
        help="no record is kept longer than this, whatever a kiosk asks",
    )
    parser.add_argument(
        "--audit-days",
        type=int,
        default=365,
        help="days the console's audit trail is kept (0: for good)",
    )


def open_service(args: argparse.Namespace) -> HubService:
    """The hub service over ``--db``, migrated to the newest schema (every hub command does it,
    so a fresh database needs no separate step)."""
    try:
        from kiosk.hub.database import DatabaseUrlError, open_engine
        from kiosk.hub.schema import migrate
        from kiosk.hub.service import HubService
    except ImportError as error:
        raise HubUsageError(
            f"the hub needs its extra libraries ({error.name}): pip install 'lobby-kiosk[hub]'"
        ) from None
    if not args.db:
        raise HubUsageError(f"say which database: --db URL (or set {DB_ENV})")
    days = getattr(args, "max_retention_days", 30)
    if days < 1:
        raise HubUsageError("--max-retention-days must be at least 1")
    audit_days = getattr(args, "audit_days", 365)
    if audit_days < 0:
        raise HubUsageError("--audit-days must be 0 (for good) or more")
    try:
        engine = open_engine(args.db)
    except (DatabaseUrlError, ImportError) as error:
        raise HubUsageError(str(error)) from None
    migrate(engine, to_db(utc_now()))
    return HubService(engine, utc_now, max_retention_days=days, audit_days=audit_days)
