"""What every keyed /v1 route shares: the calling kiosk behind its bearer token, and the
described refusals for the OpenAPI document."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from kiosk.hub.records import KioskIdentity


class Problem(BaseModel):
    """Why a request was refused: a sentence, or for a malformed body where and what."""

    detail: str | list[dict[str, Any]]


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    described = {
        400: "the request could not be read",
        401: "unknown or revoked kiosk key",
        403: "unknown, used or expired enrolment code",
        404: "no such request for this kiosk",
        409: "the receipt id is already in use",
        413: "request body over the hub's limit (2 MiB)",
        422: "the request does not match this document; detail says where",
    }
    return {code: {"model": Problem, "description": described[code]} for code in codes}


_bearer = HTTPBearer(auto_error=False)


def _kiosk(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> KioskIdentity:
    """The kiosk behind the bearer token; the token decides the site. The guard in front of the
    app (``kiosk.hub.guard``) looked the key up once, before the body was read; this only hands
    its answer to the route (and, through ``_bearer``, puts the scheme in the OpenAPI document)."""
    identity: KioskIdentity | None = getattr(request.state, "kiosk", None)
    if identity is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "unknown or revoked kiosk key",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return identity


Kiosk = Annotated[KioskIdentity, Depends(_kiosk)]
