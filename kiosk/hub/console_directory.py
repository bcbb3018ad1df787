"""The administrator's host directory (/console/admin/hosts): the site's hosts with a form to
add or edit one, a CSV import (pasted; all rows or none, each bad line with its reason) and
export, and the companies hosts belong to (``kiosk.hub.admin_directory``)."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from kiosk.hub.admin_directory import Directory
from kiosk.hub.admin_site import AdminError
from kiosk.hub.console import (
    ADMIN_ROLES,
    MAX_FORM_BYTES,
    SECURITY_HEADERS,
    Console,
    download,
    forbidden,
    posted,
    role_session,
    to_sign_in,
    words_for,
)
from kiosk.hub.console_admin import error_words
from kiosk.hub.sessions import Session
from kiosk.wire import SUPPORTED_LANGUAGES, ImportReport

MAX_CSV_BYTES = 1024 * 1024  # a few thousand hosts, pasted


def add_directory(router: APIRouter, console: Console) -> None:
    directory = Directory(console.service)

    async def render(
        request: Request, session: Session, message: str = "", **values: Any
    ) -> Response:
        site = session.user.site
        hosts = await anyio.to_thread.run_sync(directory.hosts, site)
        companies = await anyio.to_thread.run_sync(directory.companies, site)
        words = words_for(request)
        done = request.query_params.get("done", "")
        editing = values.pop("editing", None)
        if editing is None:
            wanted = request.query_params.get("edit", "")
            found = next((h for h in hosts if h.id == wanted), None)
            editing = _fields(found) if found else _fields(None)
        return console.page(
            request,
            "admin_hosts.html",
            session,
            admin_page="hosts",
            hosts=hosts,
            companies=companies,
            company_names={c["id"]: c["name"] for c in companies},
            languages=SUPPORTED_LANGUAGES,
            editing=editing,
            message=message,
            notice=words.get(f"admin_done_{done}", "") if done.isalpha() else "",
            rejected=values.pop("rejected", []),
            csv_text=values.pop("csv_text", ""),
            title_key="admin_hosts_title",
        )

    async def admin_post(
        request: Request, limit: int = MAX_FORM_BYTES
    ) -> tuple[Session, dict[str, str]] | None:
        return await posted(request, await role_session(console, request, ADMIN_ROLES), limit)

    def back(done: str) -> Response:
        return RedirectResponse(f"/console/admin/hosts?done={done}", 303, headers=SECURITY_HEADERS)

    @router.get("/admin/hosts")
    async def hosts(request: Request) -> Response:
        session = await role_session(console, request, ADMIN_ROLES)
        if session is None:
            return to_sign_in()
        return await render(request, session)

    @router.get("/admin/hosts.csv")
    async def export(request: Request) -> Response:
        session = await role_session(console, request, ADMIN_ROLES)
        if session is None:
            return to_sign_in()
        text = await anyio.to_thread.run_sync(directory.export_csv, session.user.site)
        return download("\ufeff" + text, "text/csv; charset=utf-8", "hosts.csv")

    @router.post("/admin/hosts/save")
    async def save(request: Request) -> Response:
        post = await admin_post(request)
        if post is None:
            return forbidden()
        session, form = post
        fields: dict[str, str | None] = {name: form.get(name, "") for name in _FIELDS}
        fields["active"] = "yes" if form.get("active") == "yes" else "no"
        try:
            await anyio.to_thread.run_sync(
                directory.save_host, session.user.site, fields, session.user.login
            )
        except AdminError as error:
            message = error_words(words_for(request), error)
            return await render(request, session, message, editing=fields)
        return back("hosts_save")

    @router.post("/admin/hosts/import")
    async def import_csv(request: Request) -> Response:
        post = await admin_post(request, MAX_CSV_BYTES)
        if post is None:
            return forbidden()
        session, form = post
        text = form.get("csv", "")
        report: ImportReport = await anyio.to_thread.run_sync(
            directory.import_csv, session.user.site, text, session.user.login
        )
        if not report.ok:
            words = words_for(request)
            rejected = [
                words["admin_csv_line"].format(line=line, reason=reason)
                for line, reason in report.rejected[:50]
            ]
            return await render(
                request, session, words["admin_csv_rejected"], rejected=rejected, csv_text=text
            )
        return back("hosts_import")

    @router.post("/admin/companies/save")
    async def save_company(request: Request) -> Response:
        return await _company(
            request,
            lambda s, f: directory.save_company(
                s.user.site, f.get("company_id", ""), f.get("name", ""), s.user.login
            ),
        )

    @router.post("/admin/companies/remove")
    async def remove_company(request: Request) -> Response:
        return await _company(
            request,
            lambda s, f: directory.remove_company(
                s.user.site, f.get("company_id", ""), s.user.login
            ),
        )

    async def _company(request: Request, change: Any) -> Response:
        post = await admin_post(request)
        if post is None:
            return forbidden()
        session, form = post
        try:
            await anyio.to_thread.run_sync(change, session, form)
        except AdminError as error:
            return await render(request, session, error_words(words_for(request), error))
        return back("companies_save")


_FIELDS = ("id", "name", "department", "email", "notify", "language", "active", "company")


def _fields(host: Any) -> dict[str, str | None]:
    if host is None:
        return {
            "id": "",
            "name": "",
            "department": "",
            "email": "",
            "notify": "",
            "language": "",
            "active": "yes",
            "company": "",
            "new": "yes",
        }
    return {
        "id": host.id,
        "name": host.name,
        "department": host.department,
        "email": host.email,
        "notify": " ".join(host.notify),
        "language": host.language,
        "active": "yes" if host.active else "no",
        "company": host.company_id,
        "new": "",
    }
