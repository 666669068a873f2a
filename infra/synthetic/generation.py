"""One pass over the county's people that writes everything at once: each person is
drawn, given at most one register fact (closed account, deceased, public servant, a card
or phone shared with an earlier clean person), written to the lists, and fed to the
rosters of the programmes they are on. Only the current township's rosters are open.

A shared card or phone is taken from the last *clean* person with the same programmes in
the same township, so that person's row is already in every roster the sharer is on: the
defect is recorded on the sharer's row, with the first holder's line as ``related_line``.
"""

from __future__ import annotations

import random
from bisect import bisect
from datetime import date
from itertools import accumulate
from pathlib import Path

from infra.synthetic.county import County, Township
from infra.synthetic.defects import PERSON_KINDS, DefectKind, RosterManifest
from infra.synthetic.lists import CrossCheckLists
from infra.synthetic.people import Beneficiary
from infra.synthetic.population import Member, Population
from infra.synthetic.programmes import Programme
from infra.synthetic.roster_files import RosterFormat, RosterWriter
from infra.synthetic.rosters import RosterBuilder

_SHARED = (DefectKind.SHARED_CARD, DefectKind.SHARED_PHONE)


class Generation:
    """The state of one pass: the facts drawn so far, the open rosters, the last clean
    person per set of programmes."""

    def __init__(
        self, out_dir: Path, *, county: County, programmes: tuple[Programme, ...],
        population: Population, rates: dict[DefectKind, float],
        formats: tuple[RosterFormat, ...], seed: int, round_no: int, as_of: date,
    ) -> None:  # fmt: skip
        self.out_dir, self.county, self.programmes = out_dir, county, programmes
        self.population, self.rates, self.formats = population, rates, formats
        self.seed, self.round_no, self.year = seed, round_no, as_of.year
        self.rng = random.Random(f"{seed}:facts")  # noqa: S311 - synthetic data, not secrets
        self.lists = CrossCheckLists(out_dir, population, seed=seed, as_of=as_of)
        self._kinds = [k for k in DefectKind if k in PERSON_KINDS and rates.get(k, 0.0) > 0]
        self._cum = list(accumulate(rates[k] for k in self._kinds))
        self._total = self._cum[-1] if self._cum else 0.0
        self.manifests: list[RosterManifest] = []
        self._township: Township | None = None
        self._rosters: list[RosterBuilder] = []
        self._clean: dict[int, tuple[Beneficiary, list[int]]] = {}
        self._eligible = [
            (1 << i, p.basis == "person", p.min_age, p.coverage) for i, p in enumerate(programmes)
        ]

    def person(self, township: Township, member: Member) -> Beneficiary:
        """Decide, write to the lists and rosters, and return the register's record."""
        if township is not self._township:
            self._enter(township)
        person, age = member
        mask = self._mask(person, age)
        draw = self.rng.random()
        fact, partner = self._fact(draw, mask, age) if draw < self._total else (None, None)
        if fact is not None:
            person = self._apply(person, fact, partner)
        self.lists.note(person, age, fact)
        lines, clean = [0] * len(self._rosters), fact is None
        for i, roster in enumerate(self._rosters):
            if mask >> i & 1:
                related = partner[1][i] if partner is not None else None
                lines[i], fine = roster.feed(person, fact, related)
                clean = clean and fine
        if clean:
            self._clean[mask] = (person, lines)
        return person

    def finish(self) -> tuple[list[RosterManifest], dict[str, Path]]:
        """Close the last rosters and the lists: (manifests, list name → path)."""
        self._enter(None)
        return self.manifests, self.lists.close()

    def _mask(self, person: Beneficiary, age: int) -> int:
        mask, random_ = 0, self.rng.random
        for bit, per_person, min_age, coverage in self._eligible:
            if (per_person or person.is_head) and age >= min_age and random_() < coverage:
                mask |= bit
        return mask

    def _fact(
        self, draw: float, mask: int, age: int
    ) -> tuple[DefectKind | None, tuple[Beneficiary, list[int]] | None]:
        kind = self._kinds[bisect(self._cum, draw)]
        if kind is DefectKind.PUBLIC_SERVANT and not 22 <= age <= 60:
            return None, None
        if kind not in _SHARED:
            return kind, None
        partner = self._clean.get(mask)
        if partner is None or (kind is DefectKind.SHARED_PHONE and not partner[0].phone):
            return None, None
        return kind, partner

    def _apply(
        self, person: Beneficiary, fact: DefectKind, partner: tuple[Beneficiary, list[int]] | None
    ) -> Beneficiary:
        if fact is DefectKind.CLOSED_ACCOUNT:
            return person._replace(
                account_status="closed" if self.rng.random() < 0.67 else "frozen"
            )
        if partner is None:
            return person
        holder = partner[0]
        if fact is DefectKind.SHARED_CARD:
            return person._replace(card_account=holder.card_account, bank_code=holder.bank_code)
        return person._replace(phone=holder.phone)

    def _enter(self, township: Township | None) -> None:
        for roster in self._rosters:
            roster.close()
            self.manifests.append(roster.writer.close())
        self._township, self._rosters, self._clean = township, [], {}
        if township is None:
            return
        for programme in self.programmes:
            self._rosters.append(self._open(township, programme))

    def _open(self, township: Township, programme: Programme) -> RosterBuilder:
        fmt = self.formats[(len(self.manifests) + len(self._rosters)) % len(self.formats)]
        stem = f"{township.code}_{programme.code}_{self.year}_{self.round_no}"
        manifest = RosterManifest(
            path=self.out_dir / f"{stem}{fmt.suffix}", programme=programme.code,
            township=township.code, round=f"{self.year}-{self.round_no}",
        )  # fmt: skip
        title = (
            f"{self.county.name}{township.name}{self.year}年{programme.name}"
            f"发放清册（第{self.round_no}批）"
        )
        rng = random.Random(f"{self.seed}:{stem}")  # noqa: S311 - synthetic data, not secrets
        writer = RosterWriter(manifest, fmt, title=title, decimals=programme.decimals, rng=rng)
        return RosterBuilder(
            programme=programme, township=township, population=self.population,
            writer=writer, rates=self.rates, rng=rng,
        )  # fmt: skip
