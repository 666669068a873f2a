"""The county the round is paid in: written by ``infra.synthetic`` (register, cross-check
lists, one roster per township and programme with the usual share of defects), then entered
as its offices enter it: the county's townships and villages and its two programmes through
the registry's catalogue API, the cross-check lists as ``onecard lists import`` imports them.

Programme codes carry the county (``GDDLBH-652827``), so that several counties, one per run,
share one store without sharing a programme.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.identity.permissions import Action, authorize
from infra.mainjob.sessions import Session
from infra.mainjob.staff import Member
from infra.mainjob.workers import RoundFailed
from infra.settings import Settings
from infra.synthetic import CountyFiles, Programme, write_county
from infra.wiring import make_cipher, open_store
from services.registry.application.cross_checks import import_cross_check_list
from services.registry.domain.events import REGISTRY_EVENTS

DEPARTMENTS = {"GDDLBH": "县农业农村局", "DBJ": "县民政局", "STGYL": "县林业和草原局"}
LIST_KINDS = {"public_servants": "public_servant"}
"""File stem → list kind, where they differ."""


class CountyTaken(RoundFailed):
    """The seed's county is in the store already (an earlier run): its people would be
    registered twice."""


@dataclass(frozen=True)
class County:
    files: CountyFiles
    as_of: date

    @property
    def code(self) -> str:
        return self.files.county.code

    @property
    def townships(self) -> list[str]:
        return [t.code for t in self.files.county.townships]

    def programme_code(self, synthetic: str) -> str:
        return f"{synthetic}-{self.code}"


def generate(out_dir: Path, *, beneficiaries: int, seed: int, today: date) -> County:
    """Three townships and two programmes, 3 % of roster rows defective."""
    files = write_county(
        out_dir, beneficiaries=beneficiaries, townships=3, programmes=2, seed=seed, as_of=today
    )
    return County(files, today)


async def enter_catalogue(county: County, operator: Session) -> None:
    """The county's divisions and programmes, by the county department's operator. A county
    already entered by an earlier run is refused: its people are registered already."""
    shape = county.files.county
    divisions = []
    for township in shape.townships:
        divisions.append({"code": township.code, "name": township.name})
        divisions += [{"code": v.code, "name": v.name} for v in township.villages]
    known = await operator.send("GET", "registry", f"/divisions/{shape.townships[0].code}")
    if known.status_code == 200:
        raise CountyTaken(f"{shape.name}（{shape.code}）已由之前的运行登记：请换一个 --seed")
    body = {"county_code": shape.code, "county_name": shape.name, "divisions": divisions}
    await operator.call("POST", "registry", "/divisions", json=body, key=_key(shape.code, "div"))
    for programme in county.files.programmes:
        await operator.call(
            "POST",
            "registry",
            "/programmes",
            json=_programme(county, programme),
            key=_key(county.programme_code(programme.code), "define"),
        )


def _programme(county: County, programme: Programme) -> dict[str, Any]:
    return {
        "code": county.programme_code(programme.code),
        "standard_name": programme.name,
        "department": DEPARTMENTS.get(programme.code, "县业务主管部门"),
        "funding_source": "中央和自治区财政补助资金",
        "unit": programme.unit,
        "unit_standard": str(programme.standard),
        "max_amount_fen": programme.limit_fen,
        "confidential": False,
        "jurisdiction": county.code,
        "valid_from": date(county.as_of.year, 1, 1).isoformat(),
        "list_policy": {
            "deceased": "reject",
            "public_servant": "warn" if programme.excludes_public_servants else "ignore",
        },
    }


async def import_lists(
    settings: Settings, county: County, operator: Member, *, now: datetime
) -> dict[str, int]:
    """The cross-check lists (deceased, public servants, disabled, supported), each replacing
    the last; as the command line imports them, under the operator's name and right."""
    authorize(operator.actor(), Action.LIST_IMPORT, county.code)
    cipher = make_cipher(settings)
    codec = EventCodec(registry=REGISTRY_EVENTS, cipher=cipher)
    store = await open_store(settings)
    counts = {}
    try:
        for name, path in county.files.lists.items():
            kind = LIST_KINDS.get(name, name)
            context = CommandContext(
                actor=operator.actor(),
                at=now,
                correlation_id=uuid.uuid4(),
                idempotency_key=f"lists/{county.code}/{kind}",
            )
            counts[kind], _ = await import_cross_check_list(
                store=store, codec=codec, cipher=cipher, kind=kind, path=path, context=context
            )
    finally:
        await store.close()
    return counts


def _key(subject: str, step: str) -> str:
    return f"mainjob/{subject}/{step}"
