"""The 18-character citizen ID number (公民身份号码) of GB 11643-1999.

Six digits of region code, eight of birth date, three of sequence (odd for men), and a
check character computed with ISO 7064 MOD 11-2, which is ``X`` when it comes out as 10.
"""

from __future__ import annotations

from datetime import date
from typing import Final, Literal

_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK: Final = "10X98765432"


def check_character(first17: str) -> str:
    """The check character of the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("a citizen ID starts with 17 digits")
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def birth_date(number: str) -> date | None:
    """The birth date written in the number, or None when it is not a real date."""
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def gender(number: str) -> Literal["male", "female"]:
    """The gender written in the number: the 17th digit is odd for men, even for women."""
    return "male" if int(number[16]) % 2 else "female"


def is_valid(number: str, *, today: date) -> bool:
    """Shape, check character, and a real birth date not after ``today``."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    born = birth_date(number)
    if born is None or born > today or born.year < 1880:
        return False
    return check_character(number[:17]) == number[17].upper()


def make(region: str, born: date, sequence: int) -> str:
    """Compose a valid number (for synthetic data): region code, birth date, sequence."""
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)
