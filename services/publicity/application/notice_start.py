"""Starting a notice: the reaction to a submitted roster, and the retry of a notice that waited
for a year's working-day schedule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from contracts.events import RosterSubmitted
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.stream_commands import append_decided
from services.publicity.application.calendar import working_calendar
from services.publicity.application.streams import load_notice, notice_stream
from services.publicity.domain.notice import Notice, StartNotice, decide_start, evolve
from services.publicity.domain.notice_period import years_needed


@dataclass(frozen=True, slots=True)
class NoticeTerms:
    """What the notice of one submission is about, and how long it must run."""

    roster_id: str
    submission_no: int
    programme_code: str
    township_code: str
    round_id: str
    working_days: int
    public: bool

    @classmethod
    def of_submission(cls, event: RosterSubmitted) -> NoticeTerms:
        return cls(
            event.roster_id,
            event.submission_no,
            event.programme_code,
            event.township_code,
            event.round_id,
            event.notice_working_days,
            not event.confidential,
        )

    @classmethod
    def of_waiting(cls, notice: Notice) -> NoticeTerms:
        return cls(
            notice.roster_id,
            notice.submission_no,
            notice.programme_code,
            notice.township_code,
            notice.round_id,
            notice.working_days,
            notice.public,
        )


async def start_notice(
    *,
    store: EventStore,
    codec: EventCodec,
    terms: NoticeTerms,
    today: date,
    context: CommandContext,
) -> Notice | None:
    """Start the submission's notice counting from ``today`` (China date), or record that it
    waits for a schedule; return the notice as it now stands. Nothing is appended when it
    was already done, so a redelivered submission changes nothing."""
    state, version = await load_notice(store, codec, terms.roster_id)
    calendar = await working_calendar(store, codec, years_needed(today, terms.working_days))
    command = StartNotice(
        roster_id=terms.roster_id,
        submission_no=terms.submission_no,
        programme_code=terms.programme_code,
        township_code=terms.township_code,
        round_id=terms.round_id,
        working_days=terms.working_days,
        public=terms.public,
        today=today,
        calendar=calendar,
    )
    events = decide_start(command, state)
    await append_decided(store, codec, context, notice_stream(terms.roster_id), events, version)
    for event in events:
        state = evolve(state, event)
    return state
