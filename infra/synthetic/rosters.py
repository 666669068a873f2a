"""One roster (发放清册): a programme's rows for one township and round, with the chosen
share of each row defect, written as it goes and recorded in the manifest.

Amounts are exact: quantities are integer hundredths of a unit, standards integer fen,
and amount = quantity × standard rounded half up to the fen — the same value
``Programme.amount`` gives with Decimal. Defects are applied only to people with nothing
wrong in the register, so every defective row has exactly one kind.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections import deque
from itertools import accumulate
from typing import NamedTuple

from infra.synthetic.banks import BANKS
from infra.synthetic.county import Township
from infra.synthetic.defects import ROW_KINDS
from infra.synthetic.defects import DefectKind as K
from infra.synthetic.names import misspelt
from infra.synthetic.numbers import ID_CHECK, id_check
from infra.synthetic.people import Beneficiary
from infra.synthetic.population import Population
from infra.synthetic.programmes import Programme
from infra.synthetic.roster_files import RosterWriter, money
from infra.synthetic.roster_values import Amounts

_EXTRA = (K.UNKNOWN_PERSON, K.DUPLICATE_ID)  # add a row after the person's own
_BAD_DAYS = ("0230", "0231", "1301", "1315", "0431", "0631", "0931", "1131", "0100", "0015")


class Row(NamedTuple):
    name: str
    citizen_id: str
    card: str
    bank: str
    quantity: int  # hundredths of a unit
    standard: int  # fen
    amount: int  # fen
    village: str
    phone: str


class RosterBuilder:
    """Feeds people in, writes their rows; see ``feed``."""

    def __init__(
        self, *, programme: Programme, township: Township, population: Population,
        writer: RosterWriter, rates: dict[K, float], rng: random.Random,
    ) -> None:  # fmt: skip
        self.programme, self.writer, self.rng = programme, writer, rng
        self.population = population
        self.values = Amounts(programme, rng)
        self._villages = township.villages
        self._places = {
            v.code: [f"{v.name}{g}组" for g in range(v.groups + 1)] for v in township.villages
        }
        self._banks = {code: bank.short for code, bank in BANKS.items()}
        self._kinds = [k for k in K if k in ROW_KINDS and rates.get(k, 0.0) > 0]
        halve = {K.CARD_NOT_OWNED: 0.5}  # a swap makes two defective rows
        self._cum = list(accumulate(rates[k] * halve.get(k, 1.0) for k in self._kinds))
        self._total = self._cum[-1] if self._cum else 0.0
        self._recent: deque[tuple[int, tuple[str, ...], int, int]] = deque(maxlen=64)
        self._held: Row | None = None
        self._standard = money(self.values.standard)
        self._programme = programme.name

    def feed(self, person: Beneficiary, fact: K | None, related: int | None) -> tuple[int, bool]:
        """Write ``person``'s row; ``fact`` is what is wrong in the register or the lists.

        Returns the row's line (0 while held back for a card swap) and whether the row is
        clean, i.e. its person may later be the first holder of a shared card or phone.
        """
        draw = self.rng.random() if fact is None else 1.0
        if draw >= self._total and self._held is None and fact is None:
            return self._plain(person), True
        row = self._row(person)
        if fact is not None:
            excused = fact is K.PUBLIC_SERVANT and not self.programme.excludes_public_servants
            detail = person.account_status if fact is K.CLOSED_ACCOUNT else ""
            return self._write(row, None if excused else fact, related, detail), False
        kind = self._kinds[bisect(self._cum, draw)] if draw < self._total else None
        if self._held is not None and kind in (None, K.CARD_NOT_OWNED):
            return self._swap(row), False
        if kind is K.CARD_NOT_OWNED:
            self._held = row
            return 0, False
        if kind is None or kind in _EXTRA or (kind is K.ID_AS_NUMBER and row.citizen_id[-1] == "X"):
            line = self._clean(row)
            if kind in _EXTRA:
                self._extra(kind)
            return line, True
        return self._write(*self._spoil(row, kind)), False

    def close(self) -> None:
        if self._held is not None:
            self._write(self._held)
            self._held = None

    def _plain(self, person: Beneficiary) -> int:
        """``_clean(_row(person))``, made directly: most rows take this way."""
        quantity, amount, quantity_text, amount_text = self.values.draw_text()
        cells = (
            person.name, person.citizen_id, person.card_account, self._banks[person.bank_code],
            self._programme, quantity_text, self._standard, amount_text,
            self._places[person.village_code][person.group], person.phone, "",
        )  # fmt: skip
        line = self.writer.write(cells, quantity, amount, False)
        self._recent.append((line, cells, quantity, amount))
        return line

    def _row(self, person: Beneficiary) -> Row:
        quantity, amount = self.values.draw()
        return Row(
            person.name, person.citizen_id, person.card_account, self._banks[person.bank_code],
            quantity, self.values.standard, amount, self._places[person.village_code][person.group],
            person.phone,
        )  # fmt: skip

    def _cells(self, row: Row) -> tuple[str, ...]:
        standard = self._standard if row.standard == self.values.standard else money(row.standard)
        return (
            row.name, row.citizen_id, row.card, row.bank, self._programme,
            self.values.text(row.quantity), standard, money(row.amount), row.village,
            row.phone, "",
        )  # fmt: skip

    def _clean(self, row: Row) -> int:
        """Write a row without defect and remember it (a later row may repeat it)."""
        cells = self._cells(row)
        line = self.writer.write(cells, row.quantity, row.amount, False)
        self._recent.append((line, cells, row.quantity, row.amount))
        return line

    def _write(
        self, row: Row, kind: K | None = None, related: int | None = None, detail: str = ""
    ) -> int:
        line = self.writer.write(self._cells(row), row.quantity, row.amount, kind is K.ID_AS_NUMBER)
        if kind is not None:
            self.writer.record(line, kind, related, detail)
        return line

    def _swap(self, row: Row) -> int:
        held, self._held = self._held, None
        assert held is not None
        first = self.writer.next_line
        self._write(held._replace(card=row.card, bank=row.bank), K.CARD_NOT_OWNED, first + 1)
        return self._write(row._replace(card=held.card, bank=held.bank), K.CARD_NOT_OWNED, first)

    def _extra(self, kind: K) -> None:
        if kind is K.DUPLICATE_ID:
            line, cells, quantity, amount = self._recent[int(self.rng.random() * len(self._recent))]
            again = self.writer.write(cells, quantity, amount, False)
            self.writer.record(again, kind, line, "")
            return
        rng, population = self.rng, self.population
        citizen_id, name = population.stranger(rng, ages=(18, 80))
        bank, card = population.banks.open_account(rng)
        village = self._villages[int(rng.random() * len(self._villages))]
        quantity, amount = self.values.draw()
        stranger = Row(
            name, citizen_id, card, BANKS[bank].short, quantity,
            self.values.standard, amount, f"{village.name}1组", population.new_phone(rng),
        )  # fmt: skip
        self._write(stranger, kind, None, "not in the register")

    def _spoil(self, row: Row, kind: K) -> tuple[Row, K]:
        rng, number = self.rng, row.citizen_id
        if kind is K.INVALID_CHECK_DIGIT:
            wrong = [c for c in ID_CHECK if c != number[17]]
            row = row._replace(citizen_id=number[:17] + wrong[int(rng.random() * 10)])
        elif kind is K.IMPOSSIBLE_BIRTH_DATE:
            first17 = number[:10] + _BAD_DAYS[int(rng.random() * len(_BAD_DAYS))] + number[14:17]
            row = row._replace(citizen_id=first17 + id_check(first17))
        elif kind is K.NAME_MISMATCH:
            row = row._replace(name=misspelt(row.name, rng))
        elif kind in (K.AMOUNT_MISMATCH, K.WRONG_STANDARD, K.OVER_LIMIT):
            quantity, standard, amount = self.values.spoil(row.quantity, row.amount, kind)
            row = row._replace(quantity=quantity, standard=standard, amount=amount)
        return row, kind
