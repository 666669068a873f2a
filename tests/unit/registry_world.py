"""A small county in the memory store, made through the registry's own application functions:
a programme, the townships and villages of two counties, people with card accounts, and
rosters with rows typed by named clerks. Shared by the registry's unit tests."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from contracts.envelope import Actor
from contracts.pii import CardAccountNo, CitizenId
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.pii.cipher import FieldCipher
from infra.stream_commands import append_decided
from services.registry.application import beneficiary_commands
from services.registry.application.catalogue import define_programme, register_division
from services.registry.application.register_beneficiary import register_beneficiary
from services.registry.application.roster_commands import draft_roster, load_roster
from services.registry.domain import citizen_id, divisions, programme
from services.registry.domain.beneficiary import RegisterBeneficiary
from services.registry.domain.beneficiary_commands import DeclareCardAccount
from services.registry.domain.events import RosterRow
from services.registry.domain.roster import DraftRoster, ImportRows, decide_import

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)
COUNTY = Actor(user_id="u-county", role="county_department_operator", jurisdiction_code="650102")
OTHER_COUNTY = Actor(user_id="u-far", role="county_department_operator", jurisdiction_code="650103")
DIVISIONS = {
    "650102": {
        "650102001": "燕儿窝街道",
        "650102001001": "燕儿窝村",
        "650102001002": "红星村",
        "650102002": "团结路街道",
        "650102002001": "团结村",
    },
    "650103": {"650103001": "西山街道", "650103001001": "西山村"},
}
TERMS = programme.ProgrammeTerms(
    standard_name="耕地地力保护补贴",
    department="县农业农村局",
    funding_source="中央财政",
    unit="亩",
    unit_standard=None,
    fixed_amount_fen=None,
    min_amount_fen=1,
    max_amount_fen=500_000,
    notice_working_days=5,
    confidential=False,
    jurisdiction="6501",
    valid_from=date(2026, 1, 1),
    valid_to=None,
)


def context(actor: Actor, key: str | None = None) -> CommandContext:
    return CommandContext(
        actor=actor, at=AT, correlation_id=uuid.uuid4(), idempotency_key=key or uuid.uuid4().hex
    )


def person_id(n: int) -> str:
    """The n-th person's citizen ID (born in Tianshan district, valid check character)."""
    return citizen_id.make("650102", date(1970, 1, 1), n)


def account_no(n: int) -> str:
    """The n-th person's card account number (19 digits, valid Luhn check digit)."""
    body = f"621700001234{n:06d}"
    total = 0
    for i, digit in enumerate(reversed(body)):
        value = int(digit) * (2 if i % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return body + str((10 - total % 10) % 10)


async def catalogue(store: EventStore, codec: EventCodec) -> None:
    """The programme GDDL of the prefecture 6501, and the divisions of both counties."""
    await define_programme(
        store=store,
        codec=codec,
        command=programme.DefineProgramme("GDDL", TERMS, TODAY),
        context=context(COUNTY),
    )
    for county, names in DIVISIONS.items():
        entries = tuple(divisions.DivisionEntry(code, name) for code, name in names.items())
        await register_division(
            store=store,
            codec=codec,
            command=divisions.RegisterDivisions(county, entries, TODAY),
            context=context(COUNTY if county == "650102" else OTHER_COUNTY),
        )


async def person(
    store: EventStore, codec: EventCodec, cipher: FieldCipher, n: int, village: str
) -> str:
    """Register the n-th person (``b-<n>``) in ``village`` with a declared card account."""
    beneficiary_id = f"b-{n}"
    clerk = Actor(user_id="u-clerk", role="township_operator", jurisdiction_code=village[:9])
    command = RegisterBeneficiary(
        beneficiary_id, CitizenId(person_id(n)), f"村民{n}", village, f"h-{n}", None, TODAY
    )
    await register_beneficiary(
        store=store, codec=codec, index=cipher, command=command, context=context(clerk)
    )
    await beneficiary_commands.declare_card_account(
        store=store,
        codec=codec,
        command=DeclareCardAccount(beneficiary_id, "ABC", CardAccountNo(account_no(n)), f"村民{n}"),
        context=context(clerk),
    )
    return beneficiary_id


def row(row_no: int, beneficiary: int, fen: int = 95_500, **more: object) -> RosterRow:
    values: dict[str, object] = {
        "row_no": row_no,
        "line_no": row_no + 1,
        "beneficiary_id": f"b-{beneficiary}",
        "name": f"村民{beneficiary}",
        "quantity": "10.00",
        "standard": "95.50",
        "amount": f"{fen // 100}.{fen % 100:02d}",
        "amount_fen": fen,
        "verdict": "accepted",
        **more,
    }
    return RosterRow.model_validate(values)


async def roster(
    store: EventStore, codec: EventCodec, roster_id: str, township: str, *rows: RosterRow
) -> Actor:
    """Draft ``roster_id`` in ``township`` and type ``rows`` into it, as that township's clerk
    (``u-clerk-<township>``), who is returned."""
    clerk = Actor(
        user_id=f"u-clerk-{township}", role="township_operator", jurisdiction_code=township
    )
    await draft_roster(
        store=store,
        codec=codec,
        command=DraftRoster(roster_id, "GDDL", 1, township, "2026-1"),
        context=context(clerk),
    )
    if rows:
        await add_rows(store, codec, roster_id, clerk, *rows)
    return clerk


async def add_rows(
    store: EventStore, codec: EventCodec, roster_id: str, actor: Actor, *rows: RosterRow
) -> None:
    state, version = await load_roster(store, codec, roster_id)
    events = decide_import(ImportRows(roster_id, uuid.uuid4().hex, list(rows)), state)
    await append_decided(store, codec, context(actor), f"roster-{roster_id}", events, version)
