"""Submit a roster for public notice: read the roster once, gather what the decider needs
(programme terms at the roster's version, the township's name, the register's entry of every
payable row's beneficiary), decide, append the parts and ``RosterSubmitted`` together."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import AppendResult, EventStore
from infra.stream_commands import append_decided
from services.registry.application.beneficiary_commands import load_beneficiary
from services.registry.application.catalogue import load_divisions, load_programme
from services.registry.application.roster_history import read_roster_history
from services.registry.domain import programme_refusals
from services.registry.domain import roster_refusals as refuse
from services.registry.domain.divisions import CountyDivisions
from services.registry.domain.programme_terms import notice_minimum
from services.registry.domain.roster import Roster, open_draft
from services.registry.domain.roster_submission import (
    Payee,
    SubmissionTerms,
    SubmitRoster,
    decide_submission,
    payable_row_nos,
)

_CONCURRENT_READS = 32
"""Beneficiary streams read at once: enough to hide latency, few enough for the pool."""


async def submit_roster(
    *, store: EventStore, codec: EventCodec, roster_id: str, context: CommandContext
) -> AppendResult | None:
    """Submit for public notice: appends the payable rows (``RosterRowsSubmitted`` parts) and
    ``RosterSubmitted`` in one append, or nothing when the roster is already submitted.
    Refused (nothing stored) for a rejected row, nothing payable, an unregistered township or
    a payee without an account in the register."""
    history = await read_roster_history(store, codec, roster_id)
    state = history.state
    if state is not None and state.status == "submitted":
        return None  # a retried submission: the decider would decide nothing
    state = open_draft(state)  # a missing or withdrawn roster is refused before any reading
    divisions = await load_divisions(store=store, codec=codec, county_code=state.township_code[:6])
    wanted = {history.rows[n].beneficiary_id for n in payable_row_nos(state) if n in history.rows}
    command = SubmitRoster(
        roster_id=roster_id,
        terms=await _terms(store, codec, state, divisions),
        rows=history.rows,
        payees=await _payees(store, codec, (b for b in wanted if b), divisions),
        prepared_by=tuple(history.prepared_by),
    )
    events = decide_submission(command, state)
    return await append_decided(
        store, codec, context, f"roster-{roster_id}", events, history.version
    )


async def _terms(
    store: EventStore, codec: EventCodec, state: Roster, divisions: CountyDivisions | None
) -> SubmissionTerms:
    record = await load_programme(store=store, codec=codec, code=state.programme_code)
    if record is None:
        raise programme_refusals.programme_unknown(state.programme_code)
    terms = record.programme.terms_at_version(state.programme_version)
    township = divisions.names.get(state.township_code) if divisions else None
    if township is None:
        raise refuse.township_unregistered(state.township_code)
    return SubmissionTerms(
        programme_name=terms.standard_name,
        notice_working_days=max(terms.notice_working_days, notice_minimum(state.township_code)),
        confidential=terms.confidential,
        township_name=township,
        unit_standard=terms.unit_standard,
        fixed_amount_fen=terms.fixed_amount_fen,
    )


async def _payees(
    store: EventStore,
    codec: EventCodec,
    beneficiary_ids: Iterable[str],
    divisions: CountyDivisions | None,
) -> dict[str, Payee]:
    """The register's entry of each beneficiary, read from their streams (the register's
    read model keeps no citizen ID to pay with); beneficiaries without one are left out."""
    ids = sorted(beneficiary_ids)
    names = divisions.names if divisions else {}
    payees: dict[str, Payee] = {}
    for start in range(0, len(ids), _CONCURRENT_READS):
        chunk = ids[start : start + _CONCURRENT_READS]
        states = await asyncio.gather(*(load_beneficiary(store, codec, b) for b in chunk))
        for beneficiary_id, (person, _) in zip(chunk, states, strict=True):
            if person is None:
                continue
            account = person.account
            payees[beneficiary_id] = Payee(
                citizen_id=person.citizen_id,
                name=person.name,
                village_code=person.village_code,
                bank_code=account.bank_code if account else "",
                account_no=account.account_no if account else None,
                village_name=names.get(person.village_code),
            )
    return payees
