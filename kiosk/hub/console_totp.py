"""The second factor of admin and privacy users (/console/totp): after the password, a code from
an authenticator app; the first time, the app is enrolled by scanning a QR code shown here. Until
then the session can do nothing but this and sign out."""

from __future__ import annotations

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from kiosk.hub.console import (
    SECURITY_HEADERS,
    SESSION_COOKIE,
    Console,
    forbidden,
    home_for,
    posted,
    words_for,
)
from kiosk.hub.sessions import Session
from kiosk.hub.totp import matching_step, new_secret, provisioning_uri, qr_data_uri


def add_totp(router: APIRouter, console: Console) -> None:
    async def waiting(request: Request) -> Session | None:
        found = await console.any_session(request)
        return found if found is not None and not found.verified else None

    @router.get("/totp")
    async def ask(request: Request) -> Response:
        session = await waiting(request)
        if session is None:
            return RedirectResponse("/console", 303, headers=SECURITY_HEADERS)
        return await _form_page(request, console, session, "")

    @router.post("/totp")
    async def check(request: Request) -> Response:
        post = await posted(request, await waiting(request))
        if post is None:
            return forbidden()
        session, form = post
        login = session.user.login
        secret, last_used = await anyio.to_thread.run_sync(console.accounts.totp, login)
        enrolling = not secret
        secret = secret or session.pending_secret
        step = matching_step(secret, form.get("code", ""), console.service.clock(), last_used)
        accepted = step is not None and await anyio.to_thread.run_sync(
            console.accounts.use_totp_step, login, step, secret if enrolling else ""
        )
        if not accepted:
            return await _form_page(request, console, session, words_for(request)["totp_wrong"])
        token = request.cookies.get(SESSION_COOKIE, "")
        await anyio.to_thread.run_sync(console.sessions.verify, token)
        return RedirectResponse(home_for(session.user.role), 303, headers=SECURITY_HEADERS)


async def _form_page(
    request: Request, console: Console, session: Session, message: str
) -> Response:
    """The code form; with a QR to enrol an authenticator app if the user has none yet."""
    secret, _last = await anyio.to_thread.run_sync(console.accounts.totp, session.user.login)
    qr, pending = "", ""
    if not secret:
        pending = session.pending_secret or new_secret()
        if pending != session.pending_secret:
            token = request.cookies.get(SESSION_COOKIE, "")
            await anyio.to_thread.run_sync(console.sessions.set_pending_secret, token, pending)
        user = session.user
        qr = qr_data_uri(provisioning_uri(pending, user.login, user.site))
    return console.page(
        request,
        "totp.html",
        session,
        qr=qr,
        secret=" ".join(pending[i : i + 4] for i in range(0, len(pending), 4)),
        message=message,
        title_key="totp_title",
    )
