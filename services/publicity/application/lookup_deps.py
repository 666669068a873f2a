"""What the lookup's application functions work with, and the refusals they log."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NoReturn

from contracts.pii import PiiCipher
from contracts.refusals import Refused
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.projections.database import ProjectionDatabase
from services.publicity.application.lookup_ledger import LedgerLimits, admit_client
from services.publicity.application.lookup_ports import CodeSender, LookupSecrets
from services.publicity.application.lookup_streams import log_lookup
from services.publicity.domain import refusals as refuse
from services.publicity.domain.lookup import LookupRules
from services.publicity.domain.lookup_events import LookupRefused, RefusalReason, Via

REFUSALS: dict[RefusalReason, Refused] = {
    "locked": refuse.lookup_locked(),
    "too_many_codes": refuse.too_many_codes(),
    "too_many_requests": refuse.too_many_lookups(),
}


@dataclass(frozen=True)
class LookupDeps:
    store: EventStore
    codec: EventCodec
    projections: ProjectionDatabase
    cipher: PiiCipher
    secrets: LookupSecrets
    sender: CodeSender
    rules: LookupRules = field(default_factory=LookupRules)
    limits: LedgerLimits = field(default_factory=LedgerLimits)

    async def admit(self, client: str, context: CommandContext, *, via: Via) -> None:
        """Count the request against its client address; refuse (and log) beyond the limit."""
        async with self.projections.transaction() as conn:
            admitted = await admit_client(conn, client, context.at, self.limits)
        if not admitted:
            await refuse_and_log(self, context, None, "too_many_requests", via, client)

    def sms_text(self, code: str) -> str:
        """The SMS: the code, how long it lives, what it is for; nothing about anyone."""
        minutes = int(self.rules.code_lifetime.total_seconds() // 60)
        return (
            f"【惠民惠农一卡通】您的查询验证码为{code}，{minutes}分钟内有效，"
            "仅用于查询本人补贴发放情况，请勿告诉他人。"
        )


async def refuse_and_log(
    deps: LookupDeps,
    context: CommandContext,
    target_key: str | None,
    reason: RefusalReason,
    via: Via,
    client: str | None,
) -> NoReturn:
    """Record the refusal in the day's lookup log, then refuse."""
    refused = LookupRefused(target_key=target_key, reason=reason, via=via, client_address=client)
    await log_lookup(deps.store, deps.codec, context, [refused])
    raise REFUSALS[reason]
