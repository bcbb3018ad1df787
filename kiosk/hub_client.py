"""The kiosk's side of the hub's /v1 API: one HTTP session behind the kiosk's bearer token.

Anything worth trying again later (network, timeouts, 5xx, 408/429, and refusals the kiosk cannot
mend by itself) becomes ``HubUnavailableError`` with a message free of personal data; callers keep
their work in the outbox and try again. A connection cut after the request left
(``AnswerLostError``) is told apart: the hub may well have stored the records, so the caller can
ask again at once and the hub answers from its receipts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import requests

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 15.0


class HubUnavailableError(RuntimeError):
    """Worth trying again later; the message says why, without personal data."""


class HubRefusedError(HubUnavailableError):
    """The hub answered, and refused this request (4xx): other requests may still work."""


class AnswerLostError(HubUnavailableError):
    """The request reached the hub but the connection broke before its answer came back."""


class HubClient:
    """Calls the hub's /v1 API with the kiosk's token (see the module docstring for errors)."""

    def __init__(self, url: str, token: str, session: requests.Session | None = None) -> None:
        import requests  # on first use: it costs the kiosk's start-up about 60 ms

        self._requests = requests
        self._url = url.rstrip("/")
        self._session = session or requests.Session()
        self._session.headers["Authorization"] = f"Bearer {token}"

    def post(self, path: str, body: dict[str, Any], key: str) -> dict[str, Any]:
        return _json(self._send("POST", path, body, {"Idempotency-Key": key}))

    def get(self, path: str) -> dict[str, Any]:
        return _json(self._send("GET", path, None, {}))

    def get_changed(self, path: str, tag: str) -> tuple[dict[str, Any] | None, str]:
        """(answer, its ETag) of a tagged resource; (None, ``tag``) when the hub says it is still
        the one ``tag`` names (304), so nothing was sent or needs reading."""
        headers = {"If-None-Match": tag} if tag else {}
        answer = self._send("GET", path, None, headers)
        if answer.status_code == 304:
            return None, tag
        return _json(answer), answer.headers.get("ETag", "")

    def _send(
        self, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str]
    ) -> requests.Response:
        try:
            answer = self._session.request(
                method,
                f"{self._url}{path}",
                json=body,
                headers=headers,
                timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
            )
        except self._requests.RequestException as error:
            if _answer_lost(error):
                raise AnswerLostError(
                    "hub not reachable (connection closed before its answer)"
                ) from None
            raise HubUnavailableError(f"hub not reachable ({type(error).__name__})") from None
        if answer.status_code >= 500 or answer.status_code in (408, 429):
            raise HubUnavailableError(f"hub answered {answer.status_code}")
        if answer.status_code == 401:
            raise HubUnavailableError("hub does not know this kiosk's key (401): check [hub] token")
        if answer.status_code >= 400:
            raise HubRefusedError(f"hub refused the request ({answer.status_code})")
        return answer


def _json(answer: requests.Response) -> dict[str, Any]:
    if answer.status_code == 204:
        return {}
    try:
        result: dict[str, Any] = answer.json()
    except ValueError:
        raise HubUnavailableError("hub answered something that is not JSON") from None
    return result


def _answer_lost(error: Exception) -> bool:
    """requests wraps a connection cut mid-exchange as ConnectionError(ProtocolError); a refused
    or unreachable hub is a MaxRetryError instead, and a timeout its own class."""
    from urllib3.exceptions import ProtocolError

    cause = error.args[0] if error.args else None
    return isinstance(cause, ProtocolError)
