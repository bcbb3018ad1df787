"""The administrator's pages (/console/admin/…): the site's kiosks (enrol with a one-time code
and QR, revoke; last seen, version, backlog, clock), its console users and their roles, the deny
list (only hashes are stored) and the hub's audit trail. The host directory and companies are
in ``kiosk.hub.console_directory``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from kiosk.hub.accounts import ROLES
from kiosk.hub.admin_site import AdminError, SiteAdmin
from kiosk.hub.audit_trail import recent_state
from kiosk.hub.audit_words import detail_in_words
from kiosk.hub.console import (
    ADMIN_ROLES,
    SECURITY_HEADERS,
    Console,
    forbidden,
    posted,
    role_session,
    to_sign_in,
    words_for,
)
from kiosk.hub.console_words import Words
from kiosk.hub.sessions import Session
from kiosk.hub.status import site_kiosks
from kiosk.hub.totp import qr_data_uri
from kiosk.wire import from_db


def error_words(words: Mapping[str, str], error: AdminError) -> str:
    """The console's words for a refusal (account rules come worded already)."""
    return words.get(error.key, error.key)


def add_admin(router: APIRouter, console: Console) -> None:
    admin = SiteAdmin(console.service)

    def back(page: str, **query: str) -> Response:
        tail = "&".join(f"{key}={value}" for key, value in query.items())
        target = f"/console/admin/{page}" + (f"?{tail}" if tail else "")
        return RedirectResponse(target, 303, headers=SECURITY_HEADERS)

    async def render(
        request: Request, session: Session, page: str, message: str = "", **values: Any
    ) -> Response:
        loaders = {"kiosks": _kiosks, "users": _users, "deny": _deny, "audit": _audit}
        words = words_for(request)
        loaded = await anyio.to_thread.run_sync(
            loaders[page], console, admin, session.user.site, words
        )
        done = request.query_params.get("done", "")
        return console.page(
            request,
            f"admin_{page}.html",
            session,
            admin_page=page,
            message=message,
            notice=words.get(f"admin_done_{done}", "") if done.isalpha() else "",
            **loaded,
            **values,
            title_key=f"admin_{page}_title",
        )

    def action(path: str, page: str, handler: Callable[..., Any]) -> None:
        """A form post that changes something and comes back to its page (or says why not)."""

        @router.post(f"/admin/{path}")
        async def act(request: Request) -> Response:
            post = await posted(request, await role_session(console, request, ADMIN_ROLES))
            if post is None:
                return forbidden()
            session, form = post
            try:
                done = await anyio.to_thread.run_sync(handler, session, form)
            except AdminError as error:
                words = words_for(request)
                return await render(request, session, page, error_words(words, error), form=form)
            if isinstance(done, Response):
                return done
            if isinstance(done, dict):
                return await render(request, session, page, **done)
            return back(page, done=path.replace("/", "_"))

    @router.get("/admin")
    async def home(request: Request) -> Response:
        return back("kiosks")

    for page in ("kiosks", "users", "deny", "audit"):

        def make(page: str) -> None:
            @router.get(f"/admin/{page}", name=f"admin_{page}")
            async def show(request: Request) -> Response:
                session = await role_session(console, request, ADMIN_ROLES)
                if session is None:
                    return to_sign_in()
                return await render(request, session, page, form={})

        make(page)

    for path, (page, handler) in ACTIONS.items():
        action(path, page, lambda session, form, handler=handler: handler(admin, session, form))


def _enrol(admin: SiteAdmin, session: Session, form: dict[str, str]) -> dict[str, Any]:
    kiosk_id = form.get("kiosk_id", "").strip()
    code = admin.enrol_kiosk(session.user.site, kiosk_id, session.user.login)
    return {"enrolled": {"kiosk": kiosk_id, "code": code, "qr": qr_data_uri(code)}, "form": {}}


def _revoke(admin: SiteAdmin, session: Session, form: dict[str, str]) -> None:
    if not admin.revoke_kiosk(session.user.site, form.get("kiosk_id", ""), session.user.login):
        raise AdminError("admin_no_kiosk")


def _add_user(admin: SiteAdmin, session: Session, form: dict[str, str]) -> None:
    user = session.user
    admin.add_user(
        user.site,
        form.get("login", ""),
        form.get("role", ""),
        form.get("password", ""),
        form.get("host_id", "").strip(),
        user.login,
    )


def _set_role(admin: SiteAdmin, session: Session, form: dict[str, str]) -> None:
    user = session.user
    admin.set_role(
        user.site,
        form.get("login", ""),
        form.get("role", ""),
        form.get("host_id", ""),
        user.login,
    )


def _remove_user(admin: SiteAdmin, session: Session, form: dict[str, str]) -> None:
    admin.remove_user(session.user.site, form.get("login", ""), session.user.login)


def _add_deny(admin: SiteAdmin, session: Session, form: dict[str, str]) -> None:
    days_text = form.get("days", "").strip()
    if days_text and not days_text.isdigit():
        raise AdminError("admin_deny_bad_days")
    admin.add_deny(
        session.user.site,
        form.get("name", ""),
        form.get("email", ""),
        form.get("reason", ""),
        int(days_text) if days_text else None,
        session.user.login,
    )


def _remove_deny(admin: SiteAdmin, session: Session, form: dict[str, str]) -> None:
    if not admin.remove_deny(session.user.site, form.get("deny_id", ""), session.user.login):
        raise AdminError("admin_no_deny")


ACTIONS: dict[str, tuple[str, Callable[[SiteAdmin, Session, dict[str, str]], Any]]] = {
    "kiosks/enrol": ("kiosks", _enrol),
    "kiosks/revoke": ("kiosks", _revoke),
    "users/add": ("users", _add_user),
    "users/role": ("users", _set_role),
    "users/remove": ("users", _remove_user),
    "deny/add": ("deny", _add_deny),
    "deny/remove": ("deny", _remove_deny),
}


def _when(console: Console, stored: str | None) -> str:
    return f"{from_db(stored).astimezone(console.zone):%Y-%m-%d %H:%M}" if stored else ""


def _kiosks(console: Console, _admin: SiteAdmin, site: str, words: Words) -> dict[str, Any]:
    rows = []
    for kiosk in site_kiosks(console.service.engine, site):
        offset = kiosk.clock_offset_s
        rows.append(
            {
                "id": kiosk.kiosk_id,
                "state": words["admin_revoked"].format(when=_when(console, kiosk.revoked_at))
                if kiosk.revoked_at
                else words["admin_active"],
                "revoked": bool(kiosk.revoked_at),
                "seen": _when(console, kiosk.last_seen) or words["admin_never"],
                "version": kiosk.version or "–",
                "outbox": "–" if kiosk.outbox is None else str(kiosk.outbox),
                "clock": "–" if offset is None else words["admin_seconds"].format(seconds=offset),
                "clock_off": offset is not None and abs(offset) > 60,
            }
        )
    return {"kiosks": rows}


def _users(_console: Console, admin: SiteAdmin, site: str, words: Words) -> dict[str, Any]:
    users = [
        {"login": u.login, "role": u.role, "role_name": words[f"role_{u.role}"], "host": u.host_id}
        for u in admin.accounts.users(site)
    ]
    roles = [{"value": role, "name": words[f"role_{role}"]} for role in ROLES]
    return {"users": users, "roles": roles}


def _deny(console: Console, admin: SiteAdmin, site: str, _words: Words) -> dict[str, Any]:
    entries = [
        {
            "id": e["deny_id"],
            "reason": e["reason"],
            "created": _when(console, e["created_at"]),
            "expires": _when(console, e["expires_at"]),
            "by": e["created_by"],
        }
        for e in admin.deny_entries(site)
    ]
    return {"entries": entries}


def _audit(console: Console, admin: SiteAdmin, site: str, words: Words) -> dict[str, Any]:
    state = recent_state(console.service.engine)
    chain = (
        words.counted("admin_chain_ok", state.entries)
        if state.first_bad is None
        else words["admin_chain_broken"].format(entry=state.first_bad)
    )
    checked = (
        words["admin_chain_checked_at"].format(time=_when(console, state.checked_at))
        if state.checked_at
        else ""
    )
    entries = [
        {
            **e,
            "at": _when(console, e["at"]),
            "action": words.get(f"action:{e['action']}", e["action"]),
            "detail": detail_in_words(e["action"], e["detail"], words),
        }
        for e in admin.audit_entries(site)
    ]
    return {
        "entries": entries,
        "chain": chain,
        "chain_checked": checked,
        "chain_ok": state.first_bad is None,
    }
