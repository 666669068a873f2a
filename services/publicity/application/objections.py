"""Objections: filed by anyone through the public form, resolved by an official of the
township. Each is load - decide - append on the notice's stream."""

from __future__ import annotations

from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import AppendResult, EventStore
from infra.identity.permissions import Action, authorize
from infra.projections.database import ProjectionDatabase
from infra.stream_commands import append_decided
from services.publicity.application.notice_queries import BoardRow, listed_row
from services.publicity.application.streams import load_notice, notice_stream
from services.publicity.domain import refusals as refuse
from services.publicity.domain.objections import (
    FileObjection,
    ResolveObjection,
    decide_objection,
    decide_resolution,
)


async def file_objection(
    *,
    store: EventStore,
    codec: EventCodec,
    projections: ProjectionDatabase,
    command: FileObjection,
    context: CommandContext,
) -> BoardRow | None:
    """Record the objection (``ObjectionFiled``) and return the row it names as the notice
    shows it (None for the roster as a whole). A retried form records nothing more."""
    state, version = await load_notice(store, codec, command.roster_id)
    events = decide_objection(command, state)
    row = None
    if command.row_no is not None:
        async with projections.transaction() as conn:
            row = await listed_row(conn, command.roster_id, command.submission_no, command.row_no)
        if row is None:
            raise refuse.row_not_in_notice(command.row_no)
    stream_id = notice_stream(command.roster_id)
    await append_decided(store, codec, context, stream_id, events, version)
    return row


async def resolve_objection(
    *,
    store: EventStore,
    codec: EventCodec,
    command: ResolveObjection,
    context: CommandContext,
) -> AppendResult | None:
    """Record an official's finding; upheld on the running notice, it halts the notice in the
    same append. Only a role that may resolve objections in the roster's township may; an
    unknown notice is answered 404 only to a role that may resolve objections at all."""
    state, version = await load_notice(store, codec, command.roster_id)
    if state is None:
        authorize(context.actor, Action.OBJECTION_RESOLVE, context.actor.jurisdiction_code)
        raise refuse.objection_not_found()
    authorize(context.actor, Action.OBJECTION_RESOLVE, state.township_code)
    events = decide_resolution(command, state)
    stream_id = notice_stream(command.roster_id)
    return await append_decided(store, codec, context, stream_id, events, version)
