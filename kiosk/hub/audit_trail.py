"""The console's audit trail: who did what in the console (roll calls, check-outs, invitations),
per site, in the same transaction as the change itself."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from kiosk.hub import schema as t


def audit(
    db: Connection, at: str, site: str, login: str, action: str, record: str, detail: str
) -> None:
    db.execute(
        t.console_audit.insert(),
        {
            "at": at,
            "site": site,
            "login": login,
            "action": action,
            "record": record,
            "detail": detail,
        },
    )
