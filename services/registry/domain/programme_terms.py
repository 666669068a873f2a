"""The terms of a programme version (补贴政策清单, 001 art.5–6) and the rules they must meet.

The model holds only what a stored event must always satisfy, so ten-year-old events still
load; the rules, which may tighten over the years, are in ``check_terms``, which the decider
applies to new terms only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Annotated, Final, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, field_validator

from contracts.fields import Code, Fen, Text
from contracts.refusals import Refused
from services.registry.domain import divisions
from services.registry.domain import programme_refusals as refusals

ListKind = Literal["deceased", "public_servant", "disabled", "supported", "registered_poor"]
"""Cross-check lists: 死亡人员, 财政供养人员, 残疾人, 特困供养人员, 建档立卡人员."""
ListAction = Literal["reject", "warn", "ignore"]
DEFAULT_LIST_POLICY: Final[Mapping[ListKind, ListAction]] = MappingProxyType(
    {
        "deceased": "reject",
        "public_servant": "warn",
        "disabled": "ignore",
        "supported": "warn",
        "registered_poor": "ignore",
    }
)
DEFAULT_NOTICE_MINIMUMS: Final[Mapping[str, int]] = MappingProxyType({"": 5, "430621": 7})
"""Fewest working days of public notice, by division code prefix (the longest one applies):
5 nationally and in Xinjiang (002 §3(2)), 7 in Yueyang County, Hunan (001 art.10(2))."""
PROGRAMME_CODE: Final = re.compile(r"[A-Z0-9][A-Z0-9_\-]{0,31}")
"""Programme codes: upper case, so ``gdlb`` and ``GDLB`` cannot be two programmes."""


def _no_float(value: object) -> object:
    if isinstance(value, float):
        raise ValueError("a unit standard is decimal text such as '95.50', never a float")
    return value


Yuan = Annotated[Decimal, BeforeValidator(_no_float), Field(gt=0, max_digits=12, decimal_places=4)]
"""Yuan per unit, exact (``Decimal("108.47")``); floats are refused."""


class ProgrammeTerms(BaseModel):
    """What a version of a programme says. ``unit_standard`` (yuan per ``unit``: 亩, 人, 户,
    头, 月…) or ``fixed_amount_fen`` (the same amount for everyone), or neither (amounts set
    per person, checked against the limits only). ``aliases`` are other names its rosters'
    补贴项目 column may hold; ``standard_name`` is the one SMS and disclosures use."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    standard_name: Text
    department: Text
    funding_source: Text
    unit: Annotated[str, Field(min_length=1, max_length=8)]
    unit_standard: Yuan | None
    fixed_amount_fen: Fen | None
    min_amount_fen: Fen
    max_amount_fen: Fen | None
    notice_working_days: Annotated[int, Field(strict=True, ge=1)]
    confidential: StrictBool
    jurisdiction: Code
    valid_from: date
    valid_to: date | None
    aliases: tuple[Text, ...] = ()
    list_policy: dict[ListKind, ListAction] = Field(default_factory=dict, validate_default=True)

    @field_validator("list_policy")
    @classmethod
    def _complete_policy(cls, given: dict[ListKind, ListAction]) -> dict[ListKind, ListAction]:
        return {**DEFAULT_LIST_POLICY, **given}

    def accepted_names(self) -> frozenset[str]:
        """The standard name and aliases without whitespace, as a roster column is compared."""
        return frozenset("".join(name.split()) for name in (self.standard_name, *self.aliases))


def notice_minimum(jurisdiction: str, minimums: Mapping[str, int] = DEFAULT_NOTICE_MINIMUMS) -> int:
    """The fewest working days of public notice where ``jurisdiction`` lies."""
    prefixes = [p for p in minimums if jurisdiction.startswith(p)]
    return minimums[max(prefixes, key=len)] if prefixes else minimums.get("", 5)


def check_terms(
    terms: ProgrammeTerms,
    *,
    today: date,
    notice_minimums: Mapping[str, int] = DEFAULT_NOTICE_MINIMUMS,
) -> None:
    """Refuses (``invalid_programme_terms``) terms that cannot be paid as written."""
    problem = _amount_problem(terms) or _jurisdiction_problem(terms.jurisdiction, today)
    minimum = notice_minimum(terms.jurisdiction, notice_minimums)
    if problem is None and terms.notice_working_days < minimum:
        problem = f"公示期不得少于{minimum}个工作日"
    if problem is None and terms.valid_to is not None and terms.valid_to < terms.valid_from:
        problem = "有效期截止日期早于起始日期"
    names = ["".join(name.split()) for name in terms.aliases]
    if problem is None and len(set(names)) != len(names):
        problem = "别名重复"
    if problem is not None:
        raise refusals.invalid_programme_terms(problem)


def _amount_problem(terms: ProgrammeTerms) -> str | None:
    fixed, low, high = terms.fixed_amount_fen, terms.min_amount_fen, terms.max_amount_fen
    if terms.unit_standard is not None and fixed is not None:
        return "单位标准和每人定额只能填写一项"
    if terms.unit_standard is None and fixed is None and high is None:
        return "未设单位标准或定额时，须设每人最高金额"
    if high is not None and low > high:
        return "每人最低金额高于最高金额"
    if fixed is not None and not (low <= fixed and (high is None or fixed <= high)):
        return "每人定额不在最低和最高金额之间"
    return None


def _jurisdiction_problem(code: str, today: date) -> str | None:
    if not divisions.is_division_code(code) or len(code) > 6:
        return f"管辖区划{code}应为省(2位)、地市(4位)或县级(6位)区划代码"
    if len(code) < 6:
        known = divisions.official_name(code, year=today.year) is not None
        return None if known else f"管辖区划{code}不是现行的国家标准区划代码"
    try:
        divisions.check_county(code, year=today.year)
    except Refused as refused:
        return f"管辖区划：{refused.message}"
    return None
