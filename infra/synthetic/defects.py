"""The kinds of defect a synthetic roster carries, and the manifest that records them.

Each defective row has exactly one kind, so a test can compare validation's verdicts with
the manifest line by line. Person kinds are facts of the register or the cross-check lists
(the account is closed, the person is on the deceased list, shares a card or a phone with
someone else); row kinds are mistakes in the roster itself.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class DefectKind(StrEnum):
    INVALID_CHECK_DIGIT = "invalid_check_digit"  # last character of the ID wrong
    IMPOSSIBLE_BIRTH_DATE = "impossible_birth_date"  # e.g. 0230 or month 13; check digit right
    ID_AS_NUMBER = "id_as_number"  # xlsx numeric cell / "6.50102E+17" text in CSV
    NAME_MISMATCH = "name_mismatch"  # a sound-alike or mistyped character vs the register
    UNKNOWN_PERSON = "unknown_person"  # valid ID, not in the register (an extra row)
    CARD_NOT_OWNED = "card_not_owned"  # two rows' card accounts swapped (both rows recorded)
    CLOSED_ACCOUNT = "closed_account"  # the register has the account closed or frozen
    AMOUNT_MISMATCH = "amount_mismatch"  # amount ≠ quantity × standard by one fen
    WRONG_STANDARD = "wrong_standard"  # standard ≠ the programme's; amount consistent with it
    OVER_LIMIT = "over_limit"  # amount = quantity × standard, above the programme's limit
    DUPLICATE_ID = "duplicate_id"  # an earlier row repeated (an extra row)
    DECEASED = "deceased"  # on the deceased list
    SHARED_CARD = "shared_card"  # registered with another beneficiary's card account
    SHARED_PHONE = "shared_phone"  # registered with another beneficiary's phone
    PUBLIC_SERVANT = "public_servant"  # on the public-servant list, programme excludes them


PERSON_KINDS = frozenset(
    {
        DefectKind.CLOSED_ACCOUNT,
        DefectKind.DECEASED,
        DefectKind.SHARED_CARD,
        DefectKind.SHARED_PHONE,
        DefectKind.PUBLIC_SERVANT,
    }
)
ROW_KINDS = frozenset(DefectKind) - PERSON_KINDS


def defect_rates(rate: float | Mapping[DefectKind, float]) -> dict[DefectKind, float]:
    """Share of rows per kind: a float is the total, split evenly over every kind."""
    rates = {k: rate / len(DefectKind) for k in DefectKind} if isinstance(rate, float | int) else {
        k: float(rate.get(k, 0.0)) for k in DefectKind
    }  # fmt: skip
    if any(r < 0 for r in rates.values()) or sum(rates.values()) >= 0.5:
        raise ValueError("defect rates must be non-negative and total under 50%")
    return rates


@dataclass(frozen=True, slots=True)
class Defect:
    """One defective row. ``related_line`` names the other row involved, if any: the row
    repeated, the row whose card was swapped, the first holder of a shared card or phone."""

    line: int
    kind: DefectKind
    related_line: int | None = None
    detail: str = ""


@dataclass(slots=True)
class RosterManifest:
    """What was written to one roster file; line numbers count every row of the file from
    1 (title and header rows included), as a clerk sees them."""

    path: Path
    programme: str
    township: str
    round: str
    first_data_line: int = 0
    data_rows: int = 0
    total_fen: int = 0
    defects: dict[int, Defect] = field(default_factory=dict)

    def kinds(self) -> dict[int, DefectKind]:
        """line → defect kind."""
        return {line: d.kind for line, d in self.defects.items()}

    def counts(self) -> Counter[DefectKind]:
        return Counter(d.kind for d in self.defects.values())

    def as_json(self) -> dict[str, object]:
        return {
            "path": self.path.name,
            "programme": self.programme,
            "township": self.township,
            "round": self.round,
            "first_data_line": self.first_data_line,
            "data_rows": self.data_rows,
            "total_amount": f"{self.total_fen // 100}.{self.total_fen % 100:02d}",
            "defects": {
                str(line): {
                    "kind": d.kind.value,
                    "related_line": d.related_line,
                    "detail": d.detail,
                }
                for line, d in sorted(self.defects.items())
            },
        }
