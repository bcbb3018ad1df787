"""The /v1 routes that keep a whole site together without anyone copying files: its shared keys
(deny and rights keys to the kiosks, badge public keys between them), each kiosk's health for
the admin, and the privacy requests made once at the hub that every kiosk answers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Path, status
from pydantic import BaseModel, Field

from kiosk.hub.api_auth import Kiosk, problems
from kiosk.hub.records import RecordRejectedError
from kiosk.hub.rights_desk import RightsDesk, UnknownRequestError
from kiosk.hub.service import HubService
from kiosk.hub.site_keys import (
    DENY,
    MAX_KEYS,
    RIGHTS,
    publish_badge_keys,
    site_badge_keys,
    site_secret,
)
from kiosk.hub.status import record_status
from kiosk.wire import deny_key_id

KEYED = problems(400, 401, 413, 422)


class BadgeKey(BaseModel):
    kid: str = Field(max_length=8, description="hex of the key's first four SHA-256 bytes")
    public_key: str = Field(max_length=64, description="base64 of the 32 raw Ed25519 bytes")
    created_at: str = Field(default="", max_length=27)
    retired_at: str = Field(default="", max_length=27)
    kiosk_id: str = Field(default="", max_length=64, description="who published it (answers)")


class BadgeKeys(BaseModel):
    keys: list[BadgeKey] = Field(max_length=MAX_KEYS)


class Published(BaseModel):
    new: int


class SiteKeys(BaseModel):
    site: str
    deny_key: str = Field(description="hex; the deny list's HMAC key, shared by the site")
    deny_key_id: str
    rights_key: str = Field(description="hex; hashes addresses in rights requests")
    badge_keys: list[BadgeKey]


class KioskStatus(BaseModel):
    version: str = Field(max_length=32)
    outbox: int = Field(ge=0, le=2**31 - 1, description="records still to send")
    clock: str = Field(max_length=27, description="the kiosk's clock when it asked")


class RightsTask(BaseModel):
    receipt: str
    kind: str = Field(description="export or erase")
    email_hash: str = Field(description="HMAC-SHA-256 of the normalised address, rights key")


class RightsTasks(BaseModel):
    requests: list[RightsTask]


class RightsAnswer(BaseModel):
    visit_ids: list[str] = Field(default_factory=list, max_length=10_000)
    records: list[dict[str, Any]] = Field(default_factory=list, max_length=10_000)


Receipt = Annotated[str, Path(min_length=1, max_length=16, pattern="^[0-9A-F]+$")]


def add_site_routes(app: FastAPI, service: HubService) -> None:
    desk = RightsDesk(service)
    engine, clock = service.engine, service.clock

    @app.get("/v1/site-keys", response_model=SiteKeys, responses=KEYED)
    def site_keys(who: Kiosk) -> dict[str, Any]:
        """The site's deny and rights keys, and every badge public key its kiosks published."""
        deny = site_secret(engine, clock, who.site, DENY)
        return {
            "site": who.site,
            "deny_key": deny.hex(),
            "deny_key_id": deny_key_id(deny),
            "rights_key": site_secret(engine, clock, who.site, RIGHTS).hex(),
            "badge_keys": site_badge_keys(engine, who.site),
        }

    @app.post("/v1/badge-keys", response_model=Published, responses=KEYED)
    def badge_keys(keys: BadgeKeys, who: Kiosk) -> dict[str, int]:
        """This kiosk's badge public keys (current and retired), for the site's other kiosks."""
        try:
            items = [key.model_dump() for key in keys.keys]
            return {"new": publish_badge_keys(engine, clock, who, items)}
        except RecordRejectedError as error:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None

    @app.post("/v1/status", status_code=status.HTTP_204_NO_CONTENT, responses=KEYED)
    def kiosk_status(report: KioskStatus, who: Kiosk) -> None:
        """How this kiosk is: its version, its backlog and its clock, for the admin's list."""
        try:
            record_status(engine, clock, who, report.version, report.outbox, report.clock)
        except ValueError as error:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None

    @app.get("/v1/rights", response_model=RightsTasks, responses=KEYED)
    def rights(who: Kiosk) -> dict[str, Any]:
        """Privacy requests made at the hub that this kiosk has still to carry out."""
        return {"requests": desk.pending(who)}

    @app.post(
        "/v1/rights/{receipt}",
        status_code=status.HTTP_204_NO_CONTENT,
        responses=problems(400, 401, 404, 413, 422),
    )
    def rights_done(receipt: Receipt, answer: RightsAnswer, who: Kiosk) -> None:
        """This kiosk carried out the request: the visits it erased, or the records it found."""
        try:
            desk.report(who, receipt, answer.visit_ids, answer.records)
        except UnknownRequestError:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such request") from None
        except RecordRejectedError as error:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None
