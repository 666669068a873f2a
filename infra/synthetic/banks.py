"""Agent banks (代发金融机构) and their card accounts.

Codes are the CNAPS bank-category codes (行别代码). BINs are prefixes the banks use for
19-digit debit and social-security cards; they are plausible, not checked against
UnionPay's BIN table, and every generated number carries a valid Luhn check digit. The
4 digits after the BIN are the area (the county code without its province), as banks
number their branches by area.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final

from infra.synthetic.numbers import CardNumbers, Scramble


@dataclass(frozen=True, slots=True)
class Bank:
    code: str
    name: str
    short: str  # as clerks write it in the 开户银行 column
    bin: str


RURAL_CREDIT: Final = Bank("402", "农村信用合作社", "农村信用社", "621036")
AGRICULTURAL: Final = Bank("103", "中国农业银行", "农业银行", "622848")
POSTAL: Final = Bank("403", "中国邮政储蓄银行", "邮储银行", "621799")
BANKS: Final = {b.code: b for b in (RURAL_CREDIT, AGRICULTURAL, POSTAL)}


class AgentBanks:
    """The county's one or two agent banks, handing out unique card accounts."""

    def __init__(self, county_code: str, rng: random.Random, *, seed: int) -> None:
        second = AGRICULTURAL if rng.random() < 0.6 else POSTAL
        self.banks = (RURAL_CREDIT, second) if rng.random() < 0.8 else (second,)
        self._numbers = tuple(CardNumbers(b.bin, county_code[2:6]) for b in self.banks)
        self._issued = 0
        self._serial = Scramble(f"{seed}:cards")

    def open_account(self, rng: random.Random) -> tuple[str, str]:
        """(bank code, card number) of a new account: 3 in 4 at the first bank."""
        which = 0 if len(self.banks) == 1 or rng.random() < 0.75 else 1
        self._issued += 1
        return self.banks[which].code, self._numbers[which].make(self._serial(self._issued))
