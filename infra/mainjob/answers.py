"""Reading the services' answers: the shared error shape ``{"code", "message"}``, and which
failures pass (worth the same request again, under the same Idempotency-Key)."""

from __future__ import annotations

from typing import Any

import httpx

TRANSIENT = frozenset({500, 502, 503, 504})


class Refusal(Exception):
    """A service answered with an error the main job did not expect: status, code, message."""

    def __init__(self, response: httpx.Response) -> None:
        body = _json(response)
        self.status = response.status_code
        self.code = str(body.get("code", "")) if isinstance(body, dict) else ""
        self.message = str(body.get("message", "")) if isinstance(body, dict) else ""
        method, url = response.request.method, response.request.url.path
        super().__init__(f"{method} {url}: {self.status} {self.code} {self.message}")


def transient(answer: httpx.Response) -> bool:
    """A failure in passing: the service could not answer now, or lost a race (409
    ``conflict``: decide again on what is stored now)."""
    return answer.status_code in TRANSIENT or (
        answer.status_code == 409 and error_code(answer) == "conflict"
    )


def error_code(answer: httpx.Response) -> str:
    """The ``code`` of an error answer (empty for a success or a body without one)."""
    body = _json(answer)
    return str(body.get("code", "")) if isinstance(body, dict) else ""


def _json(answer: httpx.Response) -> Any:
    try:
        return answer.json()
    except ValueError:
        return None
