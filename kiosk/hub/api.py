"""The hub's HTTP API under /v1 (FastAPI: the OpenAPI document comes from the same types).

Every route except health needs a kiosk's bearer token; the token decides the site, so a kiosk
can only see and change its own site. Handlers are plain functions: FastAPI runs them in its
thread pool, which suits the blocking database driver.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Query, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from kiosk.hub.alerts import take_alerts
from kiosk.hub.api_auth import Kiosk, problems
from kiosk.hub.api_directory import add_directory_route
from kiosk.hub.api_site import add_site_routes
from kiosk.hub.console_app import add_console
from kiosk.hub.enrolment import add_enrol_route
from kiosk.hub.guard import Guard
from kiosk.hub.hub_invitations import HubInvitations
from kiosk.hub.service import (
    HubService,
    ReceiptInUseError,
    RecordRejectedError,
)
from kiosk.hub.upkeep import purge_everything

log = logging.getLogger(__name__)
MAX_BATCH = 500
MAX_CURSOR = 2**63 - 1  # the counter is a 64-bit integer on both databases


class Event(BaseModel):
    event: str = Field(description="checkin or checkout")
    idempotency_key: str = Field(
        max_length=160, description="visit id and event, e.g. 'v1:checkin'"
    )
    record: dict[str, Any] = Field(description="the kiosk's minimal projection of the visit")


class EventBatch(BaseModel):
    events: list[Event] = Field(max_length=MAX_BATCH)


class EventResult(BaseModel):
    idempotency_key: str
    status: str = Field(description="stored, rejected, erased or expired")
    reason: str | None = None
    replayed: bool = False


class EventResults(BaseModel):
    results: list[EventResult]


class OnSiteVisit(BaseModel):
    visit_id: str
    kiosk_id: str
    host_id: str | None
    purpose: str | None
    checked_in_at: str
    name: str | None = Field(description="only if the site sends names for evacuation lists")


class OnSiteList(BaseModel):
    site: str
    visits: list[OnSiteVisit]


class Checkout(BaseModel):
    visit_id: str
    checked_out_at: str
    by: str


class Checkouts(BaseModel):
    cursor: int
    checkouts: list[Checkout]


class InvitationEntry(BaseModel):
    code: str
    host_id: str
    name: str
    email: str
    starts_at: str
    ends_at: str
    cancelled: bool


class Invitations(BaseModel):
    invitations: list[InvitationEntry]


class AlertEntry(BaseModel):
    id: int = Field(ge=0, le=2**53, description="the kiosk's own number for the alert")
    at: str = Field(max_length=27)
    kind: str = Field(max_length=16, description="denied or near_match")
    deny_id: str = Field(max_length=32)
    visit_id: str | None = Field(default=None, max_length=64)


class AlertBatch(BaseModel):
    alerts: list[AlertEntry] = Field(default_factory=list, max_length=MAX_BATCH)


class DenyEntry(BaseModel):
    deny_id: str = Field(max_length=32)
    key_id: str = Field(max_length=16, description="which site deny key made the hashes")
    name_hash: str | None = None
    name_tokens_hash: str | None = None
    email_hash: str | None = None
    email_local_hash: str | None = None
    reason: str = Field(max_length=200)
    created_at: str
    expires_at: str | None = None
    created_by: str = Field(max_length=64)


class DenyList(BaseModel):
    entries: list[DenyEntry]


class DenyUpdate(BaseModel):
    entries: list[DenyEntry] = Field(default_factory=list, max_length=MAX_BATCH)
    removed: list[str] = Field(default_factory=list, max_length=MAX_BATCH)


class EraseRequest(BaseModel):
    receipt: str = Field(min_length=8, max_length=64)
    visit_ids: list[str] = Field(max_length=10_000)


class EraseReceipt(BaseModel):
    receipt: str
    erased: int
    replayed: bool = False


class Health(BaseModel):
    status: str
    schema_version: int = Field(alias="schema")
    time: str


KEYED = problems(400, 401, 413, 422)


def create_app(
    service: HubService,
    purge_interval: float = 3600.0,
    mail_url: str = "",
    timezone: str = "Asia/Taipei",
) -> FastAPI:
    """``purge_interval`` seconds between purges (0: no timer; ``kiosk hub purge`` still works);
    ``mail_url`` sends the console's invitations; ``timezone`` is the one the console shows."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        task = (
            asyncio.create_task(_purge_timer(service, purge_interval)) if purge_interval else None
        )
        try:
            yield
        finally:
            if task:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = FastAPI(
        title="Lobby Kiosk hub",
        version="1",
        description="Minimal visit records from many kiosks: exactly once, purged on time.",
        openapi_url="/v1/openapi.json",
        docs_url="/v1/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.service = service
    app.state.console = add_console(app, service, mail_url, timezone)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_middleware(Guard, service=service)

    add_enrol_route(app, service, problems(400, 403, 413, 422))
    add_site_routes(app, service)
    add_directory_route(app, service)

    @app.get("/v1/health", response_model=Health)
    def health() -> dict[str, Any]:
        return service.health()

    @app.post("/v1/events", response_model=EventResults, responses=KEYED)
    def events(batch: EventBatch, who: Kiosk) -> dict[str, Any]:
        """Store check-ins and check-outs; a replayed key gets its first answer again."""
        return {"results": service.ingest(who, [event.model_dump() for event in batch.events])}

    @app.get("/v1/onsite", response_model=OnSiteList, responses=KEYED)
    def onsite(who: Kiosk) -> dict[str, Any]:
        """Everyone checked in and not out at any kiosk of the caller's site."""
        return {"site": who.site, "visits": service.on_site(who.site)}

    @app.get("/v1/checkouts", response_model=Checkouts, responses=KEYED)
    def checkouts(
        who: Kiosk, since: Annotated[int, Query(ge=0, le=MAX_CURSOR)] = 0
    ) -> dict[str, Any]:
        """The caller's visits that another kiosk checked out after change ``since``."""
        listed, cursor = service.checkouts_elsewhere(who, since)
        return {"cursor": cursor, "checkouts": listed}

    @app.get("/v1/invitations", response_model=Invitations, responses=KEYED)
    def invitations(who: Kiosk) -> dict[str, Any]:
        """Invitations made in the console whose window has not ended (cancelled ones too, so
        the kiosks can drop them)."""
        return {"invitations": HubInvitations(service.engine, service.clock).for_kiosks(who.site)}

    @app.post("/v1/alerts", status_code=status.HTTP_204_NO_CONTENT, responses=KEYED)
    def alerts(batch: AlertBatch, who: Kiosk) -> None:
        """What this kiosk's deny list flagged, for the front desk's console (no names)."""
        try:
            take_alerts(
                service.engine, who.site, who.kiosk_id, [a.model_dump() for a in batch.alerts]
            )
        except ValueError as error:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(error)) from None

    @app.get("/v1/deny", response_model=DenyList, responses=KEYED)
    def deny(who: Kiosk) -> dict[str, Any]:
        return {"entries": service.deny_entries(who.site)}

    @app.post("/v1/deny", status_code=status.HTTP_204_NO_CONTENT, responses=KEYED)
    def update_deny(update: DenyUpdate, who: Kiosk) -> None:
        try:
            service.update_deny(who, [e.model_dump() for e in update.entries], update.removed)
        except RecordRejectedError as error:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None

    @app.post("/v1/erase", response_model=EraseReceipt, responses=problems(400, 401, 409, 413, 422))
    def erase(request: EraseRequest, who: Kiosk) -> dict[str, Any]:
        """Erase these visits of the caller's site now, on the person's request."""
        try:
            return service.erase(who, request.receipt, request.visit_ids)
        except ReceiptInUseError as error:
            raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
        except RecordRejectedError as error:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None

    return app


async def _invalid_request(_request: Request, error: Exception) -> JSONResponse:
    """FastAPI's default 422 echoes the offending input, and an input that is not valid Unicode
    (a lone surrogate) then fails to encode: a 500. Say where and why, never what."""
    assert isinstance(error, RequestValidationError)
    details = [
        {
            "loc": [str(part) for part in problem.get("loc", ())],
            "msg": str(problem.get("msg", "")),
            "type": str(problem.get("type", "")),
        }
        for problem in error.errors()
    ]
    return JSONResponse({"detail": details}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


async def _purge_timer(service: HubService, interval: float) -> None:
    while True:
        try:
            counts = await asyncio.to_thread(purge_everything, service)
            if any(counts.values()):
                log.info("purged %s", counts)
        except Exception:  # keep the timer alive; the next run tries again
            log.exception("purge failed")
        await asyncio.sleep(interval)
