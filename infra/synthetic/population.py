"""The people of a county, streamed household by household in village order.

Households have 1–6 persons: a head (mostly men aged 25–85), a spouse, children a
generation younger and, in the largest, an elderly parent. About 3% of people hold IDs
issued in another county of the same province. Every ID, phone and card number is unique,
including those of strangers made later for rosters and lists (``stranger``).
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Iterator
from datetime import date
from typing import Final

from infra.synthetic.banks import AgentBanks
from infra.synthetic.county import County, Township, Village, counties
from infra.synthetic.names import full_name, given_name, surname
from infra.synthetic.numbers import PHONE_PREFIXES, CitizenIds, Scramble
from infra.synthetic.people import Beneficiary

_HEAD_AGES: Final = ((25, 10), (35, 17), (45, 25), (55, 24), (65, 16), (75, 7), (85, 1))
_HEAD_AGE_CUM: Final = (10, 27, 52, 76, 92, 99, 100)
_SIZE_CUM: Final = (15, 40, 62, 82, 93, 100)  # households of 1, 2, … 6 persons, in percent
_YEAR: Final = 365.2425


Member = tuple[Beneficiary, int]
"""A person and their age (on the generation's day)."""


class Population:
    """Streams the register of one county; deterministic from the seed."""

    def __init__(self, county: County, *, seed: int, beneficiaries: int, as_of: date) -> None:
        self.county = county
        self.size = beneficiaries
        self.rng = random.Random(f"{seed}:people")  # noqa: S311 - synthetic data, not secrets
        self.today = as_of.toordinal()
        first = date(as_of.year - 110, 1, 1)
        self.ids = CitizenIds(county.code, first=first, last=as_of)
        others = [c for c, _ in counties() if c[:2] == county.code[:2] and c != county.code]
        self.rng.shuffle(others)
        self.elsewhere = tuple(
            CitizenIds(c, first=first, last=as_of, bitmap=False) for c in others[:3]
        )
        self.banks = AgentBanks(county.code, self.rng, seed=seed)
        self._phones = 0
        self._uyghur = county.uyghur_share
        self._phone_serial = Scramble(f"{seed}:phones")

    def households(self) -> Iterator[tuple[Township, list[Member]]]:
        rng = self.rng
        for township, quota in zip(
            self.county.townships, _split(self.size, len(self.county.townships), rng), strict=True
        ):
            for village, left in zip(
                township.villages, _split(quota, len(township.villages), rng), strict=True
            ):
                serial = 0
                while left > 0:
                    size = min(left, 1 + bisect(_SIZE_CUM, rng.random() * 100))
                    serial += 1
                    left -= size
                    yield township, self._household(village, serial, size)

    def _household(self, village: Village, serial: int, size: int) -> list[Member]:
        rng = self.rng
        uyghur = rng.random() < self._uyghur
        where = (
            village.code,
            1 + int(rng.random() * village.groups),
            f"{village.code}{serial:04d}",
        )
        head_male = rng.random() < 0.85
        low, _ = _HEAD_AGES[bisect(_HEAD_AGE_CUM, rng.random() * 100)]
        head_age = low + int(rng.random() * 10)
        head_given = given_name(rng, male=head_male, uyghur=uyghur)
        family = self._family(uyghur)
        made = [(head_male, head_age, full_name(family, head_given, uyghur=uyghur))]
        # children are named after their father: the head, the spouse, or someone absent
        father = (head_given if uyghur else family) if head_male else self._family(uyghur)
        if size >= 2:
            age = max(18, head_age - 6 + int(rng.random() * 10))
            spouse_given = given_name(rng, male=not head_male, uyghur=uyghur)
            other = self._family(uyghur)
            made.append((not head_male, age, full_name(other, spouse_given, uyghur=uyghur)))
            if not head_male:
                father = spouse_given if uyghur else other
        for _ in range(size - len(made) - (size == 6)):
            age = head_age - 20 - int(rng.random() * 18)
            age = age if age >= 0 else int(rng.random() * max(1, head_age - 17))
            male = rng.random() < 0.52
            made.append((male, age, self._name(father, male, uyghur)))
        if size == 6:
            age = min(104, head_age + 22 + int(rng.random() * 13))
            made.append((False, age, self._name(self._family(uyghur), False, uyghur)))
        return [
            (self._person(where, n == 0, male, age, name), age)
            for n, (male, age, name) in enumerate(made)
        ]

    def _family(self, uyghur: bool) -> str:
        """A surname, or for a Uyghur name the father's name."""
        return given_name(self.rng, male=True, uyghur=True) if uyghur else surname(self.rng)

    def _name(self, family: str, male: bool, uyghur: bool) -> str:
        return full_name(family, given_name(self.rng, male=male, uyghur=uyghur), uyghur=uyghur)

    def _person(
        self, where: tuple[str, int, str], head: bool, male: bool, age: int, name: str
    ) -> Beneficiary:
        rng = self.rng
        ids = self.ids
        if self.elsewhere and rng.random() < 0.03:
            ids = self.elsewhere[int(rng.random() * len(self.elsewhere))]
        born = self.today - int((age + rng.random()) * _YEAR)
        bank, card = self.banks.open_account(rng)
        phone = self.new_phone(rng) if age >= 16 else ""
        citizen_id = ids.take(born, male=male, rng=rng)
        return Beneficiary(citizen_id, name, *where, head, phone, bank, card, "open")

    def new_phone(self, rng: random.Random) -> str:
        """A mobile number no one else in the county has."""
        prefix = PHONE_PREFIXES[int(rng.random() * len(PHONE_PREFIXES))]
        self._phones += 1
        return f"{prefix}{self._phone_serial(self._phones):08d}"

    def stranger(self, rng: random.Random, *, ages: tuple[int, int]) -> tuple[str, str]:
        """(citizen ID, name) of someone of the county who is not in the register."""
        male = rng.random() < 0.5
        age = ages[0] + rng.random() * (ages[1] - ages[0])
        uyghur = rng.random() < self.county.uyghur_share
        family = given_name(rng, male=True, uyghur=True) if uyghur else surname(rng)
        name = full_name(family, given_name(rng, male=male, uyghur=uyghur), uyghur=uyghur)
        return self.ids.take(self.today - int(age * _YEAR), male=male, rng=rng), name


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` in ``parts`` uneven shares (±30%) that add up exactly."""
    weights = [0.7 + 0.6 * rng.random() for _ in range(parts)]
    sizes = [int(total * w / sum(weights)) for w in weights]
    sizes[-1] += total - sum(sizes)
    return sizes
