"""The web console put together: sign-in and the shared helpers (``kiosk.hub.console``), then
each page's routes, mounted under /console of the hub's app beside the API."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fastapi import FastAPI

from kiosk.hub.console import Console, console_routes, mount_console
from kiosk.hub.console_admin import add_admin
from kiosk.hub.console_directory import add_directory
from kiosk.hub.console_evacuation import add_evacuation
from kiosk.hub.console_numbers import add_numbers
from kiosk.hub.console_onsite import add_onsite
from kiosk.hub.console_privacy import add_privacy
from kiosk.hub.console_totp import add_totp
from kiosk.hub.console_visitors import add_visitors
from kiosk.hub.service import HubService


def add_console(app: FastAPI, service: HubService, mail_url: str, timezone: str) -> Console:
    console = Console(service, ZoneInfo(timezone), mail_url=mail_url)
    router = console_routes(console)
    for add_pages in (
        add_onsite,
        add_evacuation,
        add_numbers,
        add_totp,
        add_visitors,
        add_privacy,
        add_admin,
        add_directory,
    ):
        add_pages(router, console)
    mount_console(app, router)
    return console
