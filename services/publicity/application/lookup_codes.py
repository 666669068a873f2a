"""Asking for a one-time code: by ID number and name (the web form), or by a QR token.

Every request does the same work whatever it finds (the person, the name's digest compared in
constant time against a stand-in when nobody holds the ID, the phone's count, a challenge
appended to the target's stream, one ledger entry), and gets the same answer: an opaque
challenge handle. Only when the ID and name match someone whose phone has room is the SMS
handed over, after the answer (``CodeAsked.sms``), so its cost never shows in the answer.
"""

from __future__ import annotations

import hmac
import secrets as random
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.pii import PhoneNo, PiiError
from contracts.refusals import Refused
from infra.command_context import CommandContext
from infra.eventstore.port import WrongExpectedVersion
from infra.stream_commands import append_decided
from services.publicity.application.lookup_deps import LookupDeps, refuse_and_log
from services.publicity.application.lookup_ledger import PHONE, note, phone_has_room
from services.publicity.application.lookup_people import sealed_phone
from services.publicity.application.lookup_streams import (
    load_target,
    target_key_of,
    target_stream,
)
from services.publicity.application.people_queries import Person, person_by_index
from services.publicity.domain import refusals as refuse
from services.publicity.domain.lookup import RequestCode, decide_code, refusal_for_code
from services.publicity.domain.lookup_events import Delivery, Via

STAND_IN: Final = "stand-in"
"""Whose name digest is computed when nobody holds the ID (the same work, never a match)."""
STAND_IN_DIGEST: Final = "0" * 64
NO_PHONE: Final = "-"
ATTEMPTS: Final = 3


@dataclass(frozen=True, slots=True)
class PendingSms:
    message_id: str
    phone: PhoneNo
    text: str


@dataclass(frozen=True, slots=True)
class CodeAsked:
    challenge: str
    """The handle the asker sends back with the code."""
    sms: PendingSms | None
    """To hand to the sender after answering (None: nothing to send)."""


@dataclass(frozen=True, slots=True)
class Reach:
    beneficiary_id: str | None
    delivery: Delivery
    phone: PhoneNo | None
    phone_index: str | None


async def request_code_by_id(
    *, deps: LookupDeps, citizen_id: str, name: str, client: str, context: CommandContext
) -> CodeAsked:
    """A code for the holder of ``citizen_id`` if ``name`` is theirs; the same answer if not."""
    await deps.admit(client, context, via="form")
    try:
        id_index = deps.secrets.id_index(citizen_id)
    except PiiError:
        raise refuse.invalid_citizen_id() from None
    async with deps.projections.transaction() as conn:
        person = await person_by_index(conn, id_index)
        expected = person.name_digest if person is not None else STAND_IN_DIGEST
        typed = deps.secrets.name_digest(person.beneficiary_id if person else STAND_IN, name)
        matched = hmac.compare_digest(expected, typed) and person is not None
        reach = await reach_of(conn, deps, person if matched else None, context.at)
    return await issue_code(deps, target_key_of(id_index), reach, "form", client, context)


async def reach_of(
    conn: AsyncConnection, deps: LookupDeps, person: Person | None, now: datetime
) -> Reach:
    """Whether and where a code can go to ``person`` (None: nobody matched)."""
    phone = None
    if person is not None and person.reach == "active":
        phone = sealed_phone(person.phone, deps.cipher)
    index = person.phone_index if phone is not None and person is not None else None
    room = await phone_has_room(conn, index or NO_PHONE, now, deps.limits)
    if person is None:
        return Reach(None, "no_match", None, None)
    if phone is None:
        return Reach(person.beneficiary_id, "no_phone", None, None)
    if not room:
        return Reach(person.beneficiary_id, "phone_limit", None, None)
    return Reach(person.beneficiary_id, "sent", phone, index)


async def issue_code(
    deps: LookupDeps,
    target_key: str,
    reach: Reach,
    via: Via,
    client: str,
    context: CommandContext,
) -> CodeAsked:
    """Append the challenge to the target's stream (refused, and logged, when the target is
    locked or its codes are used up) and count the send against the phone."""
    code = f"{random.randbelow(1_000_000):06d}"
    challenge_id = random.token_hex(16)
    command = RequestCode(
        challenge_id=challenge_id,
        code_digest=deps.secrets.code_digest(challenge_id, code),
        beneficiary_id=reach.beneficiary_id,
        via=via,
        delivery=reach.delivery,
        client_address=client,
        now=context.at,
    )
    await _append_challenge(deps, target_key, command, context)
    async with deps.projections.transaction() as conn:
        await note(conn, PHONE, reach.phone_index or NO_PHONE, context.at)
    sms = None
    if reach.phone is not None:
        sms = PendingSms(f"lookup-{challenge_id}", reach.phone, deps.sms_text(code))
    return CodeAsked(deps.secrets.seal_challenge(target_key, challenge_id), sms)


async def _append_challenge(
    deps: LookupDeps, target_key: str, command: RequestCode, context: CommandContext
) -> None:
    stream_id = target_stream(target_key)
    for _ in range(ATTEMPTS):
        state, version = await load_target(deps.store, deps.codec, target_key)
        why = refusal_for_code(state, context.at, deps.rules)
        if why is not None:
            await refuse_and_log(
                deps, context, target_key, why, command.via, command.client_address
            )
        events = decide_code(command, deps.rules)
        try:
            await append_decided(deps.store, deps.codec, context, stream_id, events, version)
            return
        except WrongExpectedVersion:
            continue
    raise Refused("lookup_busy", "查询人数较多，请稍后再试", status=503)
