"""The hub's web console, served by the hub itself under /console (the API stays under /v1).

Server-rendered pages (Jinja2, autoescaped) that work without JavaScript. A console user signs
in with a login and password (``kiosk.hub.accounts``); the session is a random token in an
HttpOnly, SameSite=Strict cookie (Secure under TLS) kept in the database (``kiosk.hub.sessions``),
so several hub processes share it. Every form carries a CSRF token; every page is sent with a
Content-Security-Policy that allows no inline script and no framing, and with no referrer. A user
sees only their own site.
"""

from __future__ import annotations

import secrets
from datetime import tzinfo
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import anyio.to_thread
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from kiosk.hub.accounts import Accounts
from kiosk.hub.console_words import Words, shared_words, words_in
from kiosk.hub.service import HubService
from kiosk.hub.sessions import Session, Sessions
from kiosk.hub.totp import SECOND_FACTOR_ROLES

HERE = Path(__file__).resolve().parent
LANGUAGES = ("zh-TW", "en")
DESK_ROLES = frozenset({"admin", "frontdesk"})  # who may check a guest out
ADMIN_ROLES = frozenset({"admin"})  # users, kiosks, hosts, deny list, the audit trail
PRIVACY_ROLES = frozenset({"privacy"})  # a person's requests: export, erase
SESSION_COOKIE = "console_session"
LOGIN_CSRF_COOKIE = "console_login_csrf"
LANGUAGE_COOKIE = "console_lang"
MAX_FORM_BYTES = 16 * 1024
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def words_for(request: Request) -> Words:
    """The console's words in the request's language."""
    return words_for_language(language_of(request))


def words_for_language(language: str) -> Words:
    """The console's words in ``language`` (a supported one: see ``language_of``)."""
    return words_in(language)


@cache
def _templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(("html",)),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def language_of(request: Request) -> str:
    """``?lang=`` (remembered in a cookie), else the cookie, else the browser's preference."""
    asked = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE, "")
    if asked in LANGUAGES:
        return asked
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh-TW"
        if tag.startswith("en"):
            return "en"
    return LANGUAGES[0]


class Console:
    def __init__(self, service: HubService, zone: tzinfo | None = None, mail_url: str = "") -> None:
        self.service = service
        self.mail_url = mail_url  # apprise mailto(s):// URL the hub sends invitations through
        self.accounts = Accounts(service.engine, service.clock)
        self.sessions = Sessions(service.engine, service.clock)
        self.zone = zone or ZoneInfo("Asia/Taipei")

    def words(self, language: str) -> Words:
        return shared_words(language if language in LANGUAGES else LANGUAGES[0])

    def page(
        self,
        request: Request,
        template: str,
        session: Session | None,
        status: int = 200,
        **values: Any,
    ) -> HTMLResponse:
        language = language_of(request)
        words = shared_words(language)
        html = (
            _templates()
            .get_template(template)
            .render(
                lang=language,
                other_lang="en" if language == "zh-TW" else "zh-TW",
                t=words,
                session=session,
                page_title=words[values.pop("title_key", "title")],
                **values,
            )
        )
        response = HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)
        if request.query_params.get("lang") in LANGUAGES:
            _cookie(response, request, LANGUAGE_COOKIE, language, max_age=365 * 86400)
        return response

    async def session(self, request: Request) -> Session | None:
        """The signed-in session, with its second factor given where the role needs one."""
        found = await self.any_session(request)
        return found if found is not None and found.verified else None

    async def any_session(self, request: Request) -> Session | None:
        """The session behind the cookie, also one still waiting for its second factor."""
        token = request.cookies.get(SESSION_COOKIE, "")
        return await anyio.to_thread.run_sync(self.sessions.find, token)


def _cookie(
    response: Response, request: Request, name: str, value: str, max_age: int | None = None
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/console",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


async def read_form(request: Request, limit: int = MAX_FORM_BYTES) -> dict[str, str]:
    """A URL-encoded form, at most 16 KiB unless the page allows more (a pasted host CSV);
    no multipart, so nothing is ever written to disk on the way."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return {}
    fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    # No field of any form may hold a NUL: PostgreSQL refuses it in text (a 500, not an answer).
    return {key.replace("\0", ""): values[0].replace("\0", "") for key, values in fields.items()}


async def posted(
    request: Request, session: Session | None, limit: int = MAX_FORM_BYTES
) -> tuple[Session, dict[str, str]] | None:
    """The signed-in session and its posted form, if the form carries the session's CSRF token;
    None for anything else (answer it with ``forbidden``)."""
    form = await read_form(request, limit)
    if session is None or not session.csrf_ok(form.get("csrf", "")):
        return None
    return session, form


def home_for(role: str) -> str:
    """Where a user lands after signing in: the page their role is for."""
    return "/console/privacy" if role in PRIVACY_ROLES else "/console/onsite"


async def role_session(console: Console, request: Request, roles: frozenset[str]) -> Session | None:
    """The signed-in session if its role may use the page, else None (redirect to sign-in)."""
    session = await console.session(request)
    return session if session is not None and session.user.role in roles else None


def to_sign_in() -> Response:
    return RedirectResponse("/console/login?expired=1", 303, headers=SECURITY_HEADERS)


def download(body: str | bytes, media_type: str, filename: str) -> Response:
    """A file for the browser to save (CSV, PDF, JSON), never cached."""
    disposition = f'attachment; filename="{filename}"'
    headers = {**SECURITY_HEADERS, "Content-Disposition": disposition}
    return Response(body, media_type=media_type, headers=headers)


def forbidden() -> Response:
    return Response("form expired: reload the page", 403, headers=SECURITY_HEADERS)


def console_routes(console: Console) -> APIRouter:
    """Sign-in, sign-out and the on-site list; other pages add their routes to the same router
    (``kiosk.hub.api`` puts them together and mounts them)."""
    router = APIRouter(prefix="/console", include_in_schema=False)

    @router.get("")
    async def home(request: Request) -> Response:
        session = await console.session(request)
        target = home_for(session.user.role) if session else "/console/login"
        return RedirectResponse(target, 303, headers=SECURITY_HEADERS)

    @router.get("/login")
    async def login_form(request: Request) -> Response:
        csrf = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
        expired = request.query_params.get("expired") == "1"
        message = shared_words(language_of(request))["expired"] if expired else ""
        response = console.page(
            request,
            "login.html",
            None,
            login_csrf=csrf,
            login="",
            message=message,
            title_key="login_title",
        )
        _cookie(response, request, LOGIN_CSRF_COOKIE, csrf)
        return response

    @router.post("/login")
    async def login(request: Request) -> Response:
        form = await read_form(request)
        csrf = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not csrf or not secrets.compare_digest(csrf, form.get("csrf", "")):
            return forbidden()
        login_name = form.get("login", "")
        check = await anyio.to_thread.run_sync(
            console.accounts.check_login, login_name, form.get("password", "")
        )
        if check.user is None:
            words = shared_words(language_of(request))
            message = (
                words["locked"].format(seconds=check.wait_seconds)
                if check.wait_seconds
                else words["wrong"]
            )
            return console.page(
                request,
                "login.html",
                None,
                status=401,
                login_csrf=csrf,
                login=login_name,
                message=message,
                title_key="login_title",
            )
        second = check.user.role in SECOND_FACTOR_ROLES
        token = await anyio.to_thread.run_sync(console.sessions.start, check.user.login, not second)
        target = "/console/totp" if second else home_for(check.user.role)
        response = RedirectResponse(target, 303, headers=SECURITY_HEADERS)
        _cookie(response, request, SESSION_COOKIE, token)
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/console")
        return response

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        post = await posted(request, await console.any_session(request))
        if post is None:
            return forbidden()
        _session, _form = post
        token = request.cookies.get(SESSION_COOKIE, "")
        await anyio.to_thread.run_sync(console.sessions.end, token)
        response = RedirectResponse("/console/login", 303, headers=SECURITY_HEADERS)
        response.delete_cookie(SESSION_COOKIE, path="/console")
        return response

    return router


def mount_console(app: FastAPI, router: APIRouter) -> None:
    app.include_router(router)
    app.mount("/console/static", StaticFiles(directory=HERE / "static"), name="console-static")
