"""The HTTP SMS-gateway adapter: one JSON ``POST`` per message to a configurable URL.

Request: ``{"message_id", "phone", "content"}`` with ``Authorization: Bearer <key>`` and
``Idempotency-Key: <notification id>`` (a gateway that honours it never sends a retried message
twice). Answers: 2xx accepted (``{"id": …}`` is kept as the reference when given); 408, 429
and 5xx, a timeout or an unreachable gateway are worth another try (``Retry-After`` in seconds
is passed on); any other 4xx is a permanent refusal. Nothing of the answer body is kept but a
short error code: a gateway may echo the number back.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Final

import httpx
import structlog

from contracts.masking import mask_text
from services.notify.application.ports import OutgoingSms
from services.notify.domain.delivery import Delivered, Permanent, SendOutcome, Transient

TIMEOUT: Final = httpx.Timeout(10.0, connect=5.0)
RETRYABLE: Final = frozenset({408, 425, 429})
_CODE: Final = re.compile(r"[A-Za-z0-9_.\-]{1,64}")

log = structlog.get_logger()


class HttpSmsGateway:
    name = "http"

    def __init__(self, *, url: str, api_key: str, client: httpx.AsyncClient | None = None) -> None:
        self.url = url
        self._headers = {"Authorization": f"Bearer {api_key}"}
        self._client = client or httpx.AsyncClient(timeout=TIMEOUT)

    async def send(self, sms: OutgoingSms) -> SendOutcome:
        body = {"message_id": sms.notification_id, "phone": sms.phone.reveal(), "content": sms.text}
        headers = {**self._headers, "Idempotency-Key": sms.notification_id}
        try:
            response = await self._client.post(self.url, json=body, headers=headers)
        except httpx.TimeoutException:
            return Transient("gateway_timeout")
        except httpx.TransportError as error:
            log.warning("sms.gateway_unreachable", error=type(error).__name__)
            return Transient("gateway_unreachable")
        status = response.status_code
        log.info("sms.gateway_answered", notification_id=sms.notification_id, status=status)
        if 200 <= status < 300:
            return Delivered(_field(response, "id"))
        if status in RETRYABLE or status >= 500:
            return Transient(f"gateway_{status}", _retry_after(response))
        return Permanent(f"gateway_{status}", _field(response, "code"))

    async def aclose(self) -> None:
        await self._client.aclose()


def _field(response: httpx.Response, name: str) -> str | None:
    """A short token-like field of a JSON answer (anything else is dropped; a number that
    looks like a phone or an account is masked)."""
    try:
        value = response.json().get(name)
    except (ValueError, AttributeError):
        return None
    text = str(value) if isinstance(value, str | int) else ""
    return mask_text(text) if _CODE.fullmatch(text) else None


def _retry_after(response: httpx.Response) -> timedelta | None:
    given = response.headers.get("Retry-After", "").strip()
    return timedelta(seconds=int(given)) if given.isdigit() else None
