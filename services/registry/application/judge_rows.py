"""Judging a chunk of roster lines: each row's own rules against the people fetched for the
chunk, and the row's stored JSON up to its verdict, in this process or in an import worker.

What the rules across rows add, and the verdict, come later, where the chunks come together
in roster order (``import_roster``). Nothing here reaches a database or the event store:
import workers load this module, and everything a judge needs travels to them by pickle
(``JudgingTerms``).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Protocol

from infra.pii.cipher import FieldCipher
from services.registry.adapters.fetched_register import FetchedRegister
from services.registry.adapters.row_json import row_head
from services.registry.application.stored_values import stored_values
from services.registry.domain.roster_rows import RosterLine
from services.registry.domain.validation_judge import JudgedRow, RowJudge
from services.registry.domain.validation_ports import RegisteredPerson
from services.registry.domain.validation_programme import ProgrammeRules

JudgedChunk = tuple[Sequence[RosterLine], Sequence[JudgedRow], Sequence[bytes]]
"""A chunk's lines, each row as judged, and each row's JSON up to its verdict."""
_NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class JudgingTerms:
    """What rows are judged against besides the register: the programme, the day, the
    cross-check lists (blind index → kinds) and the round's other rosters (beneficiary →
    roster)."""

    programme: ProgrammeRules
    today: date
    lists: Mapping[str, frozenset[str]] = field(default_factory=dict)
    round: Mapping[str, str] = field(default_factory=dict)

    def portable(self) -> JudgingTerms:
        """The same terms in plain dicts, to be pickled to a worker."""
        programme = replace(self.programme, list_policy=dict(self.programme.list_policy))
        return JudgingTerms(programme, self.today, dict(self.lists), dict(self.round))


class ChunkPorts:
    """Validation's ports over the people fetched for the chunk being judged: the register,
    the cross-check lists by the blind indexes computed for the fetch, and the round's
    other rosters by the beneficiary each ID was matched to."""

    def __init__(self, terms: JudgingTerms) -> None:
        self.current = FetchedRegister({})
        self._lists = terms.lists
        self._round = terms.round

    def person(self, citizen_id: str) -> RegisteredPerson | None:
        return self.current.person(citizen_id)

    def kinds_of(self, citizen_id: str) -> frozenset[str]:
        if not self._lists:
            return _NOBODY
        index = self.current.index_of(citizen_id)
        return self._lists.get(index, _NOBODY) if index is not None else _NOBODY

    def contains(self, citizen_id: str) -> str | None:
        if not self._round:
            return None
        beneficiary = self.current.beneficiary_id(citizen_id)
        return self._round.get(beneficiary) if beneficiary else None


class ChunkJudge:
    """Judges chunks of one roster's lines; ``cipher`` seals what a stored row keeps."""

    def __init__(self, terms: JudgingTerms, cipher: FieldCipher) -> None:
        self._ports = ports = ChunkPorts(terms)
        self._judge = RowJudge(
            programme=terms.programme,
            register=ports,
            other_rosters=ports,
            lists=ports,
            today=terms.today,
        )
        self._cipher = cipher

    def judge(
        self, first_row_no: int, lines: Sequence[RosterLine], register: FetchedRegister
    ) -> tuple[list[JudgedRow], list[bytes]]:
        """Each line judged, and its stored JSON up to the verdict; the lines become rows
        ``first_row_no``, ``first_row_no + 1``, …"""
        self._ports.current = register
        judge, cipher = self._judge.judge, self._cipher
        judged: list[JudgedRow] = []
        heads: list[bytes] = []
        for row_no, line in enumerate(lines, first_row_no):
            row, _ = judge(line)
            judged.append(row)
            values = stored_values(row_no, line, row.amount_fen, register)
            heads.append(row_head(values, cipher))
        return judged, heads


class ChunkJudges(Protocol):
    """Where chunks are judged: in this process, or in import workers."""

    def judged(
        self, chunks: Iterator[list[RosterLine]], first_row_no: int
    ) -> AsyncGenerator[JudgedChunk, None]:
        """Every chunk judged, in the order given; the first line is row ``first_row_no``."""
        ...
