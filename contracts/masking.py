"""The one masking policy: how personal data looks in every output that is not the register.

Notice pages, disclosures, the public lookup, SMS, exports, officials' views, ``repr`` of
personal values and log lines all mask through these functions, and through nothing else.
One policy matters because masks combine: a page showing an ID's first six digits and another
its last eight would reveal the whole number between them (domain: "no enumeration of
citizens"). Since every output shows the same part, all of them together show no more than one.

The policy (docs/adr/009-public-notice.md):

- a name keeps its surname and, from three characters on, its last character: 王*, 张*丰,
  欧**娜; each part of a name written with a middle dot is masked alone (阿**丽·买*提), as
  Chinese public notices print them (002 §3(2) names the beneficiary on the notice);
- a citizen ID, a card account and a phone number show their last four characters only
  (尾号, as banks print an account): the ID's hidden fourteen are the birthplace and the birth
  date, exactly what would let anyone who knows a little about a person rebuild the number;
- a value too short to hide at least four characters is hidden whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Final

from contracts.pii_rules import PiiKind

SHOWN_DIGITS: Final = 4
"""How many trailing characters of an ID, account or phone number any output may show."""
MIN_HIDDEN: Final = 4
NAME_SEPARATOR: Final = "·"


def mask_name(name: str) -> str:
    """王五 → 王*, 张三丰 → 张*丰, 阿依古丽·买买提 → 阿**丽·买*提."""
    return NAME_SEPARATOR.join(_mask_name_part(part) for part in name.strip().split(NAME_SEPARATOR))


def _mask_name_part(part: str) -> str:
    if len(part) <= 1:
        return part
    if len(part) == 2:
        return part[0] + "*"
    return part[0] + "*" * (len(part) - 2) + part[-1]


def _mask_tail(value: str) -> str:
    hidden = len(value) - SHOWN_DIGITS
    if hidden < MIN_HIDDEN:
        return "*" * len(value)
    return "*" * hidden + value[hidden:]


def mask_citizen_id(value: str) -> str:
    """65010219800101123X → **************123X."""
    return _mask_tail(value)


def mask_card_account(value: str) -> str:
    """6217000012345678901 → ***************8901."""
    return _mask_tail(value)


def mask_phone(value: str) -> str:
    """13800138000 → *******8000."""
    return _mask_tail(value)


MASKS: Final[Mapping[PiiKind, Callable[[str], str]]] = {
    "citizen_id": mask_citizen_id,
    "card_account_no": mask_card_account,
    "phone_no": mask_phone,
}


def mask(kind: PiiKind, value: str) -> str:
    """The masked form of a personal value of ``kind`` (its normal form, see contracts.pii)."""
    return MASKS[kind](value)


_IN_TEXT: Final = re.compile(
    r"(?<![0-9A-Za-z])"
    r"(?:(?P<id>[0-9]{17}[0-9Xx])|(?P<account>[0-9]{16,19})"
    r"|(?:(?:\+|00)?86[ -]?)?(?P<phone>1[3-9][0-9]{9}))"
    r"(?![0-9A-Za-z])"
)


def mask_text(text: str) -> str:
    """``text`` with every citizen ID (18 characters), card account (16 to 19 digits) and
    mobile number (11 digits, maybe after +86) that stands alone masked by the policy.

    What a person typed or a log line holds can carry such numbers anywhere; an 18-digit
    run is masked as an ID (the ID and the account policies show the same part anyway)."""
    return _IN_TEXT.sub(_mask_match, text)


def _mask_match(match: re.Match[str]) -> str:
    if (value := match.group("id")) is not None:
        return mask_citizen_id(value.upper())
    if (value := match.group("account")) is not None:
        return mask_card_account(value)
    return mask_phone(match.group("phone"))
