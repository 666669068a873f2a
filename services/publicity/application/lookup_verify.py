"""Checking a one-time code: the one step that shows a person's payments.

Each check is decided on the target's stream and appended before it is answered, at the
version it was decided on, so concurrent guesses are counted one by one and the lock holds
however many addresses guess at once. A wrong code, an expired or used one, and a challenge
of an ID and name that matched nobody are answered alike (``lookup_not_verified``)."""

from __future__ import annotations

from typing import Final

from contracts.refusals import Refused
from infra.command_context import CommandContext
from infra.eventstore.port import WrongExpectedVersion
from infra.identity.query_log import PAYMENT, record_read
from infra.stream_commands import append_decided
from services.publicity.application.lookup_deps import LookupDeps, refuse_and_log
from services.publicity.application.lookup_streams import (
    PUBLIC,
    load_target,
    log_lookup,
    target_stream,
)
from services.publicity.domain import refusals as refuse
from services.publicity.domain.lookup import (
    VerifyCode,
    decide_verification,
    refusal_for_verification,
)
from services.publicity.domain.lookup_events import LookupFailed, LookupSucceeded, Via

ATTEMPTS: Final = 3
UNKNOWN: Final = "unknown"
ROUTE: Final = "POST /lookup/verify"


async def verify_code(
    *, deps: LookupDeps, challenge: str, code: str, via: Via, client: str, context: CommandContext
) -> str:
    """The beneficiary whose payments may be shown now; refuses otherwise. A success is also
    written to the query log (000 art.20) before it is answered."""
    await deps.admit(client, context, via=via)
    opened = deps.secrets.open_challenge(challenge)
    if opened is None:
        deps.secrets.code_digest(UNKNOWN, code)
        failed = LookupFailed(
            challenge_id=UNKNOWN, reason="unknown_challenge", client_address=client
        )
        await log_lookup(deps.store, deps.codec, context, [failed])
        raise refuse.lookup_not_verified()
    target_key, challenge_id = opened
    command = VerifyCode(
        challenge_id=challenge_id,
        code_digest=deps.secrets.code_digest(challenge_id, code),
        client_address=client,
        now=context.at,
    )
    outcome = await _decide_and_append(deps, target_key, command, via, context)
    if not isinstance(outcome, LookupSucceeded):
        raise refuse.lookup_not_verified()
    await record_read(
        store=deps.store,
        actor=PUBLIC,
        kind=PAYMENT,
        subject_ids=(outcome.beneficiary_id,),
        route=ROUTE,
        at=context.at,
        correlation_id=context.correlation_id,
        purpose="本人查询补贴发放情况",
        client_address=client,
    )
    return outcome.beneficiary_id


async def _decide_and_append(
    deps: LookupDeps, target_key: str, command: VerifyCode, via: Via, context: CommandContext
) -> LookupSucceeded | LookupFailed:
    stream_id = target_stream(target_key)
    for _ in range(ATTEMPTS):
        state, version = await load_target(deps.store, deps.codec, target_key)
        why = refusal_for_verification(state, command.now, deps.rules)
        if why is not None:
            await refuse_and_log(deps, context, target_key, why, via, command.client_address)
        outcome = decide_verification(command, state)
        try:
            await append_decided(deps.store, deps.codec, context, stream_id, [outcome], version)
        except WrongExpectedVersion:
            continue
        return outcome
    raise Refused("lookup_busy", "查询人数较多，请稍后再试", status=503)
