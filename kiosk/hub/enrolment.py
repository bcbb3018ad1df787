"""Enrolling a kiosk without pasting a secret: ``kiosk hub add-kiosk`` also prints a one-time
code (and its QR) valid for 24 hours; the kiosk sends it once (``kiosk enroll URL CODE``) and
gets its API key back over the hub's HTTPS. The code is single-use and only its hash is stored;
trading it gives the kiosk a fresh key, so a key printed earlier stops working."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI, HTTPException, status
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine

from kiosk.hub import schema as t
from kiosk.hub.service import HubService
from kiosk.wire import Clock, to_db

VALID = timedelta(hours=24)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _hash(code: str) -> str:
    normal = code.strip().upper().replace("-", "").replace(" ", "")
    return hashlib.sha256(normal.encode("ascii", errors="replace")).hexdigest()


def new_enrolment(engine: Engine, clock: Clock, kiosk_id: str, site: str) -> str:
    """A code like ``K7Q2-M9XA-4FPT-WZ3C`` (80 bits), valid for 24 hours, usable once."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    code = "-".join(raw[i : i + 4] for i in range(0, 16, 4))
    with engine.begin() as db:
        db.execute(
            t.enrolments.insert(),
            {
                "code_hash": _hash(code),
                "kiosk_id": kiosk_id,
                "site": site,
                "expires_at": to_db(clock() + VALID),
            },
        )
    return code


def redeem(engine: Engine, clock: Clock, code: str) -> tuple[str, str] | None:
    """(kiosk id, site) for a code that is known, unused and in time; the code is used up."""
    e = t.enrolments.c
    now = to_db(clock())
    with engine.begin() as db:
        row = db.execute(
            sa.select(e.kiosk_id, e.site).where(
                e.code_hash == _hash(code), e.used_at.is_(None), e.expires_at > now
            )
        ).first()
        if row is None:
            return None
        used = db.execute(
            t.enrolments.update()
            .where(e.code_hash == _hash(code), e.used_at.is_(None))
            .values(used_at=now)
        ).rowcount
    return (row.kiosk_id, row.site) if used else None


class EnrolRequest(BaseModel):
    code: str = Field(max_length=64, description="the one-time code kiosk hub add-kiosk printed")


class Enrolled(BaseModel):
    kiosk_id: str
    site: str
    token: str = Field(description="this kiosk's API key; shown only in this answer")


def add_enrol_route(app: FastAPI, service: HubService, problems: dict[int | str, Any]) -> None:
    @app.post("/v1/enroll", response_model=Enrolled, responses=problems)
    def enroll(request: EnrolRequest) -> dict[str, str]:
        """Trade a one-time enrolment code for the kiosk's API key (no key needed to ask)."""
        found = redeem(service.engine, service.clock, request.code)
        if found is None:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "unknown, used or expired code")
        kiosk_id, site = found
        return {"kiosk_id": kiosk_id, "site": site, "token": service.add_kiosk(kiosk_id, site)}
