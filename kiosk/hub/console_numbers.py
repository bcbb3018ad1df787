"""The console's visitor numbers (/console/numbers): check-ins per day as a chart drawn on the
server (SVG, no script, described for screen readers) and as CSV."""

from __future__ import annotations

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import Response

from kiosk.hub.console import DESK_ROLES, Console, download, role_session, to_sign_in, words_for
from kiosk.hub.numbers import bars, daily_check_ins, numbers_csv


def add_numbers(router: APIRouter, console: Console) -> None:
    @router.get("/numbers")
    async def numbers(request: Request) -> Response:
        session = await role_session(console, request, DESK_ROLES)
        if session is None:
            return to_sign_in()
        service = console.service
        days = await anyio.to_thread.run_sync(
            daily_check_ins, service.engine, session.user.site, service.clock(), console.zone
        )
        if request.query_params.get("format") == "csv":
            return download(numbers_csv(days), "text/csv; charset=utf-8", "visitor-numbers.csv")
        words = words_for(request)
        return console.page(
            request,
            "numbers.html",
            session,
            bars=bars(days),
            total=words.counted("numbers_total", sum(c for _, c in days)),
            summary=", ".join(f"{day:%m-%d}: {count}" for day, count in days),
            title_key="numbers_title",
        )
