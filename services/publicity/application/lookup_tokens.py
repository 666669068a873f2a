"""QR lookup tokens (查询二维码): random, stored by digest, one current per beneficiary,
revocable, never the ID. The token page still needs the SMS code: whoever finds a printed
code can ask for a code to the phone on file, nothing more.

Two streams: ``lookup-qr-<beneficiary id>`` says which token is current (the truth: issuing
replaces, revoking clears), and ``lookup-qr-token-<digest>`` says whose a token is, so a
token is resolved from the store alone, with no projection to rebuild."""

from __future__ import annotations

import secrets as random

from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import NO_STREAM, EventStore
from infra.stream_commands import append_decided
from services.publicity.application.lookup_codes import CodeAsked, issue_code, reach_of
from services.publicity.application.lookup_deps import LookupDeps
from services.publicity.application.lookup_ports import LookupSecrets
from services.publicity.application.lookup_streams import target_key_of
from services.publicity.application.people_queries import person_by_id
from services.publicity.domain import refusals as refuse
from services.publicity.domain.lookup_events import LookupTokenIssued, LookupTokenRevoked


def holder_stream(beneficiary_id: str) -> str:
    return f"lookup-qr-{beneficiary_id}"


def token_stream(digest: str) -> str:
    return f"lookup-qr-token-{digest}"


async def current_token(
    store: EventStore, codec: EventCodec, beneficiary_id: str
) -> tuple[str | None, int]:
    """The digest of the beneficiary's current token (None: none), and the stream's version."""
    records = await store.read_stream(holder_stream(beneficiary_id))
    current: str | None = None
    for record in records:
        event = codec.decode(record).event
        if isinstance(event, LookupTokenIssued):
            current = event.token_digest
        elif isinstance(event, LookupTokenRevoked) and event.token_digest == current:
            current = None
    return current, len(records)


async def issue_token(
    *,
    store: EventStore,
    codec: EventCodec,
    secrets: LookupSecrets,
    beneficiary_id: str,
    context: CommandContext,
) -> str:
    """A new token for the beneficiary (the earlier one stops working); returned once, in
    clear, to be printed. The context must be fresh: every call makes another token."""
    token = random.token_urlsafe(18)
    issued = LookupTokenIssued(
        beneficiary_id=beneficiary_id, token_digest=secrets.token_digest(token)
    )
    _, version = await current_token(store, codec, beneficiary_id)
    await append_decided(store, codec, context, holder_stream(beneficiary_id), [issued], version)
    stream_id = token_stream(issued.token_digest)
    await append_decided(store, codec, context, stream_id, [issued], NO_STREAM)
    return token


async def revoke_token(
    *, store: EventStore, codec: EventCodec, beneficiary_id: str, context: CommandContext
) -> bool:
    """Revoke the beneficiary's current token; False when there was none."""
    current, version = await current_token(store, codec, beneficiary_id)
    if current is None:
        return False
    revoked = LookupTokenRevoked(beneficiary_id=beneficiary_id, token_digest=current)
    await append_decided(store, codec, context, holder_stream(beneficiary_id), [revoked], version)
    return True


async def token_holder(
    store: EventStore, codec: EventCodec, secrets: LookupSecrets, token: str
) -> str | None:
    """The beneficiary the token is current for (None: never issued, replaced or revoked)."""
    digest = secrets.token_digest(token)
    records = await store.read_stream(token_stream(digest), limit=1)
    if not records:
        return None
    issued = codec.decode(records[0]).event
    if not isinstance(issued, LookupTokenIssued):
        return None
    current, _ = await current_token(store, codec, issued.beneficiary_id)
    return issued.beneficiary_id if current == digest else None


async def request_code_by_token(
    *, deps: LookupDeps, token: str, client: str, context: CommandContext
) -> CodeAsked:
    """A code for the token's beneficiary, under the same limits and lock as by ID."""
    await deps.admit(client, context, via="qr")
    beneficiary_id = await token_holder(deps.store, deps.codec, deps.secrets, token)
    async with deps.projections.transaction() as conn:
        person = None if beneficiary_id is None else await person_by_id(conn, beneficiary_id)
        if person is None:
            raise refuse.qr_token_invalid()
        reach = await reach_of(conn, deps, person, context.at)
    return await issue_code(deps, target_key_of(person.id_index), reach, "qr", client, context)
