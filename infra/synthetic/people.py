"""Beneficiaries of the register, made household by household.

A ``Beneficiary`` is a compact named tuple (a million of them fit in memory, though the
generator streams them). Gender and birth date are read from the citizen ID, so they can
never disagree with it.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from infra.synthetic.banks import BANKS, Bank


class Beneficiary(NamedTuple):
    citizen_id: str
    name: str
    village_code: str
    group: int  # 村民小组
    household_id: str
    is_head: bool  # the household head, who holds the household's programmes
    phone: str  # empty for children under 16
    bank_code: str
    card_account: str
    account_status: str  # "open", "closed" or "frozen"

    @property
    def male(self) -> bool:
        return int(self.citizen_id[16]) % 2 == 1

    @property
    def gender(self) -> str:
        return "男" if self.male else "女"

    @property
    def birth_date(self) -> date:
        number = self.citizen_id
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))

    @property
    def bank(self) -> Bank:
        return BANKS[self.bank_code]

    def age(self, on: date) -> int:
        born = self.birth_date
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


REGISTER_FIELDS = (*Beneficiary._fields, "gender", "birth_date", "bank_name")
_BANK_NAMES = {code: bank.name for code, bank in BANKS.items()}


def register_line(person: Beneficiary) -> str:
    """The person as a CSV line of the register file (``REGISTER_FIELDS``).

    Joined by hand, for speed: no generated value holds a comma, a quote or a newline.
    """
    n = person.citizen_id
    return (
        f"{n},{person.name},{person.village_code},{person.group},{person.household_id},"
        f"{1 if person.is_head else 0},{person.phone},{person.bank_code},{person.card_account},"
        f"{person.account_status},{'男' if int(n[16]) & 1 else '女'},"
        f"{n[6:10]}-{n[10:12]}-{n[12:14]},{_BANK_NAMES[person.bank_code]}\r\n"
    )


def from_register_row(row: dict[str, str]) -> Beneficiary:
    """A register row read back with ``csv.DictReader`` (derived columns are ignored)."""
    return Beneficiary(
        citizen_id=row["citizen_id"],
        name=row["name"],
        village_code=row["village_code"],
        group=int(row["group"]),
        household_id=row["household_id"],
        is_head=row["is_head"] == "1",
        phone=row["phone"],
        bank_code=row["bank_code"],
        card_account=row["card_account"],
        account_status=row["account_status"],
    )
