"""The site's host directory and companies as the console's administrator keeps them: edit a
host, import a CSV (all rows or none, each bad line with its reason), export it, and the
companies hosts belong to. The kiosks take the directory on their next sync."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from kiosk.hub.admin_site import KIOSK_ID, AdminError
from kiosk.hub.audit_trail import audit
from kiosk.hub.schema_site import companies
from kiosk.hub.service import HubService
from kiosk.wire import (
    Host,
    ImportReport,
    export_hosts_csv,
    host_from_row,
    normalise_text,
    parse_hosts_rows,
    to_db,
)


class Directory:
    def __init__(self, service: HubService) -> None:
        self._service = service
        self._engine = service.engine
        self._clock = service.clock

    def hosts(self, site: str) -> list[Host]:
        return [_host(row) for row in self._service.hosts(site)]

    def host(self, site: str, host_id: str) -> Host | None:
        return next((h for h in self.hosts(site) if h.id == host_id), None)

    def save_host(self, site: str, fields: dict[str, str | None], by: str) -> Host:
        """A new or changed host from the console's form (the same checks as a CSV row)."""
        known = self.company_ids(site)
        try:
            host = host_from_row(fields, known.__contains__)
        except ValueError as error:
            raise AdminError(str(error)) from None
        self._service.import_hosts(site, [host])
        self._audit(site, by, "host_save", host.id, "active" if host.active else "inactive")
        return host

    def import_csv(self, site: str, text: str, by: str) -> ImportReport:
        """All rows or none: a file with any rejected line changes nothing."""
        parsed, report = parse_hosts_rows(text, self.company_ids(site).__contains__)
        if report.ok:
            before = {h.id for h in self.hosts(site)}
            self._service.import_hosts(site, parsed)
            report.added = sum(1 for h in parsed if h.id not in before)
            report.updated = len(parsed) - report.added
            self._audit(site, by, "hosts_import", "csv", f"rows={len(parsed)}")
        return report

    def export_csv(self, site: str) -> str:
        return export_hosts_csv(self.hosts(site))

    def companies(self, site: str) -> list[dict[str, Any]]:
        """The site's companies by name, each saying whether a host still belongs to it."""
        in_use = {h.company_id for h in self.hosts(site)}
        return [
            {"id": company_id, "name": name, "in_use": company_id in in_use}
            for company_id, name in self._companies(site)
        ]

    def company_ids(self, site: str) -> set[str]:
        return {company_id for company_id, _name in self._companies(site)}

    def _companies(self, site: str) -> list[tuple[str, str]]:
        c = companies.c
        with self._engine.connect() as db:
            rows = db.execute(
                sa.select(c.company_id, c.name).where(c.site == site).order_by(c.name)
            ).all()
        return [(row.company_id, row.name) for row in rows]

    def save_company(self, site: str, company_id: str, name: str, by: str) -> None:
        company_id, name = company_id.strip().lower(), normalise_text(name)
        if not KIOSK_ID.fullmatch(company_id) or not name or len(name) > 100:
            raise AdminError("admin_bad_company")
        c = companies.c
        with self._engine.begin() as db:
            where = (c.site == site) & (c.company_id == company_id)
            if not db.execute(companies.update().where(where).values(name=name)).rowcount:
                db.execute(
                    companies.insert(), {"site": site, "company_id": company_id, "name": name}
                )
            audit(db, to_db(self._clock()), site, by, "company_save", company_id, name)

    def remove_company(self, site: str, company_id: str, by: str) -> None:
        if company_id not in self.company_ids(site):
            raise AdminError("admin_no_company_here")
        if any(h.company_id == company_id for h in self.hosts(site)):
            raise AdminError("admin_company_in_use")
        c = companies.c
        with self._engine.begin() as db:
            db.execute(companies.delete().where(c.site == site, c.company_id == company_id))
            audit(db, to_db(self._clock()), site, by, "company_remove", company_id, "")

    def _audit(self, site: str, by: str, action: str, record: str, detail: str) -> None:
        with self._engine.begin() as db:
            audit(db, to_db(self._clock()), site, by, action, record, detail)


def _host(row: dict[str, Any]) -> Host:
    return Host(
        id=row["id"],
        name=row["name"],
        department=row["department"],
        email=row["email"],
        notify=tuple(row["notify"]),
        language=row["language"],
        active=row["active"],
        company_id=row["company_id"],
    )
