"""The agent bank's request signature: one scheme for the server that checks it (the payout's
bank API) and the clients that sign (the bank simulator, the benchmark, a real bank's
integration).

Every request carries ``X-Bank-Key`` (the key id), ``X-Bank-Timestamp`` (UTC: RFC 3339 with
an offset, ``2025-10-09T02:00:00Z``, or whole epoch seconds), ``X-Bank-Nonce`` (16–64 of
``A-Z a-z 0-9 _ -``, never used twice) and ``X-Bank-Signature``: the lower-case hex
HMAC-SHA256, keyed with the bank's secret (UTF-8), of the canonical string — five lines
joined by ``\\n``::

    POST
    /bank/results?x=1          (the path and query exactly as sent)
    2025-10-09T02:00:00Z       (the timestamp header exactly as sent)
    3b2f0c4e9a1d4c7e8f0a1b2c   (the nonce header)
    e3b0c44298fc1c149afbf4c8…  (hex SHA-256 of the body; of b"" when there is none)
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime
from typing import Final

KEY_HEADER: Final = "X-Bank-Key"
TIMESTAMP_HEADER: Final = "X-Bank-Timestamp"
NONCE_HEADER: Final = "X-Bank-Nonce"
SIGNATURE_HEADER: Final = "X-Bank-Signature"
NONCE_PATTERN: Final = re.compile(r"[A-Za-z0-9_\-]{16,64}")
_EPOCH_SECONDS: Final = re.compile(r"[0-9]{1,12}")
_TIMESTAMP_LIMIT: Final = 40


def canonical_request(
    method: str, path_and_query: str, timestamp: str, nonce: str, body: bytes
) -> bytes:
    """The bytes a request's signature is computed over."""
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join((method.upper(), path_and_query, timestamp, nonce, digest)).encode()


def signature(secret: str, canonical: bytes) -> str:
    return hmac.new(secret.encode(), canonical, hashlib.sha256).hexdigest()


def signature_matches(secret: str, canonical: bytes, given: str) -> bool:
    """Whether ``given`` is the signature of ``canonical``, compared in constant time."""
    expected = signature(secret, canonical).encode()
    return hmac.compare_digest(expected, given.strip().lower().encode("utf-8", "replace"))


def parse_timestamp(text: str) -> datetime | None:
    """The instant a timestamp header names (aware, UTC); None when it is neither RFC 3339
    with an offset nor whole epoch seconds."""
    text = text.strip()
    if len(text) > _TIMESTAMP_LIMIT:
        return None
    if _EPOCH_SECONDS.fullmatch(text):
        return datetime.fromtimestamp(int(text), UTC)
    text = text.upper()  # RFC 3339 allows "t" and "z"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None or "T" not in text:
        return None
    return parsed.astimezone(UTC)


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


def signed_headers(
    *,
    key_id: str,
    secret: str,
    method: str,
    path_and_query: str,
    body: bytes,
    at: datetime,
    nonce: str | None = None,
) -> dict[str, str]:
    """The four headers that authenticate a request made at ``at`` (aware)."""
    timestamp = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    nonce = nonce or new_nonce()
    canonical = canonical_request(method, path_and_query, timestamp, nonce, body)
    return {
        KEY_HEADER: key_id,
        TIMESTAMP_HEADER: timestamp,
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: signature(secret, canonical),
    }
