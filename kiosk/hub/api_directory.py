"""``GET /v1/hosts``: the site's host directory for its kiosks, sent only when it changed.

Every kiosk asks at each sync; the answer carries the directory's tag as its ``ETag``, and a kiosk
that sends it back in ``If-None-Match`` is answered 304 with no body until the directory changes
(``directory_tags``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Header, Response, status
from pydantic import BaseModel

from kiosk.hub.api_auth import Kiosk, problems
from kiosk.hub.directory_tags import as_etag
from kiosk.hub.service import HubService

TAGGED: dict[int | str, dict[str, Any]] = {
    **problems(400, 401, 413, 422),
    200: {
        "headers": {"ETag": {"description": "the directory's tag", "schema": {"type": "string"}}}
    },
    304: {"description": "the directory is still the one If-None-Match names; no body"},
}


class HostEntry(BaseModel):
    id: str
    name: str
    department: str
    email: str
    notify: list[str]
    language: str
    active: bool
    company_id: str


class Hosts(BaseModel):
    hosts: list[HostEntry]


def add_directory_route(app: FastAPI, service: HubService) -> None:
    @app.get("/v1/hosts", response_model=Hosts, responses=TAGGED)
    def hosts(
        who: Kiosk,
        response: Response,
        if_none_match: Annotated[str | None, Header(max_length=200)] = None,
    ) -> Any:
        """The site's host directory, with its tag as the ``ETag``."""
        tag, listed = service.directory(who.site, if_none_match)
        headers = {} if tag is None else {"ETag": as_etag(tag)}
        if listed is None:
            return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
        response.headers.update(headers)
        return {"hosts": listed}
