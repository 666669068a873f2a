"""The programme catalogue (补贴政策清单, 001 art.5–6) as a decider.

A programme (stream ``programme-<code>``) is defined once (version 1), revised with the
full new terms and a reason (version n+1), and retired. Every version's terms stay in the
state, so a round drafted under version n is checked and paid under version n whatever came
after (``Programme.terms_at_version``). Money is never a float: unit standards are Decimal
yuan, amounts integer fen (see ``programme_terms``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Final

from pydantic import Field

from contracts.base import Event
from contracts.fields import Code, Text
from services.registry.domain import programme_refusals as refusals
from services.registry.domain.programme_terms import (
    DEFAULT_LIST_POLICY,
    DEFAULT_NOTICE_MINIMUMS,
    PROGRAMME_CODE,
    ListAction,
    ListKind,
    ProgrammeTerms,
    check_terms,
    notice_minimum,
)

__all__ = [
    "DEFAULT_LIST_POLICY",
    "DEFAULT_NOTICE_MINIMUMS",
    "PROGRAMME_EVENTS",
    "DefineProgramme",
    "ListAction",
    "ListKind",
    "Programme",
    "ProgrammeCommand",
    "ProgrammeDefined",
    "ProgrammeEvent",
    "ProgrammeRetired",
    "ProgrammeRevised",
    "ProgrammeTerms",
    "ProgrammeVersion",
    "RetireProgramme",
    "ReviseProgramme",
    "check_terms",
    "decide",
    "evolve",
    "notice_minimum",
]


class ProgrammeDefined(Event):
    """A programme entered the catalogue; its terms are version 1."""

    event_type = "ProgrammeDefined"
    schema_version = 1

    programme_code: Code
    version: Annotated[int, Field(strict=True, ge=1)]
    terms: ProgrammeTerms


class ProgrammeRevised(Event):
    """New terms (complete, not a patch) are version ``version``; older rounds keep theirs."""

    event_type = "ProgrammeRevised"
    schema_version = 1

    programme_code: Code
    version: Annotated[int, Field(strict=True, ge=2)]
    terms: ProgrammeTerms
    reason: Text


class ProgrammeRetired(Event):
    """The programme takes no new rosters from ``retired_on``; ``version`` was its last."""

    event_type = "ProgrammeRetired"
    schema_version = 1

    programme_code: Code
    version: Annotated[int, Field(strict=True, ge=1)]
    retired_on: date
    reason: Text


PROGRAMME_EVENTS: Final = (ProgrammeDefined, ProgrammeRevised, ProgrammeRetired)
ProgrammeEvent = ProgrammeDefined | ProgrammeRevised | ProgrammeRetired


@dataclass(frozen=True, slots=True)
class ProgrammeVersion:
    version: int
    terms: ProgrammeTerms
    reason: str | None
    """Why it was revised; None for the definition."""


@dataclass(frozen=True, slots=True)
class Programme:
    code: str
    versions: tuple[ProgrammeVersion, ...]
    retired_on: date | None = None
    retired_reason: str | None = None

    @property
    def version(self) -> int:
        return len(self.versions)

    @property
    def terms(self) -> ProgrammeTerms:
        return self.versions[-1].terms

    def terms_at_version(self, version: int) -> ProgrammeTerms:
        """The terms a roster drafted under ``version`` is paid under."""
        if not 1 <= version <= len(self.versions):
            raise refusals.programme_version_unknown(self.code, version)
        return self.versions[version - 1].terms


def evolve(state: Programme | None, event: object) -> Programme | None:
    if isinstance(event, ProgrammeDefined):
        return Programme(event.programme_code, (ProgrammeVersion(1, event.terms, None),))
    if state is None:
        return None
    if isinstance(event, ProgrammeRevised):
        added = ProgrammeVersion(event.version, event.terms, event.reason)
        return Programme(state.code, (*state.versions, added))
    if isinstance(event, ProgrammeRetired):
        return Programme(state.code, state.versions, event.retired_on, event.reason)
    return state


@dataclass(frozen=True, slots=True)
class DefineProgramme:
    code: str
    terms: ProgrammeTerms
    today: date


@dataclass(frozen=True, slots=True)
class ReviseProgramme:
    code: str
    terms: ProgrammeTerms
    reason: str
    today: date


@dataclass(frozen=True, slots=True)
class RetireProgramme:
    code: str
    reason: str
    today: date


ProgrammeCommand = DefineProgramme | ReviseProgramme | RetireProgramme


def decide(
    command: ProgrammeCommand,
    state: Programme | None,
    *,
    notice_minimums: Mapping[str, int] = DEFAULT_NOTICE_MINIMUMS,
) -> list[ProgrammeEvent]:
    """The events of ``command``; ``[]`` when it is already applied (the same definition, the
    current terms again, a second retirement). Raises ``Refused``; nothing is decided then."""
    if isinstance(command, DefineProgramme):
        return _define(command, state, notice_minimums)
    if state is None:
        raise refusals.programme_unknown(command.code)
    if isinstance(command, ReviseProgramme):
        return _revise(command, state, notice_minimums)
    if state.retired_on is not None:
        return []
    return [
        ProgrammeRetired(
            programme_code=state.code,
            version=state.version,
            retired_on=command.today,
            reason=command.reason,
        )
    ]


def _define(
    command: DefineProgramme, state: Programme | None, minimums: Mapping[str, int]
) -> list[ProgrammeEvent]:
    if state is not None:
        if state.versions[0].terms == command.terms:
            return []
        raise refusals.programme_exists(command.code)
    if not PROGRAMME_CODE.fullmatch(command.code):
        raise refusals.invalid_programme_code(command.code)
    check_terms(command.terms, today=command.today, notice_minimums=minimums)
    return [ProgrammeDefined(programme_code=command.code, version=1, terms=command.terms)]


def _revise(
    command: ReviseProgramme, state: Programme, minimums: Mapping[str, int]
) -> list[ProgrammeEvent]:
    if state.retired_on is not None:
        raise refusals.programme_retired(state.code)
    if command.terms == state.terms:
        return []
    if command.terms.jurisdiction != state.terms.jurisdiction:
        raise refusals.invalid_programme_terms("管辖区划不能修改，如需调整请另设补贴项目")
    check_terms(command.terms, today=command.today, notice_minimums=minimums)
    return [
        ProgrammeRevised(
            programme_code=state.code,
            version=state.version + 1,
            terms=command.terms,
            reason=command.reason,
        )
    ]
