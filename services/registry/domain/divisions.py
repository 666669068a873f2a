"""Administrative divisions (行政区划): region → prefecture → county → township → village.

A code's length is its level: province 2 digits, prefecture 4, county 6 (GB/T 2260),
township 9 (county + 3, GB/T 10114), village 12 (township + 3); no segment is all zeros.
Provinces, prefectures and counties are named by GB/T 2260 as python-stdnum keeps it
(``stdnum/cn/loc.dat``, with the years each name was in use). Townships and villages are
not in any package: a county registers its own (``DivisionRegistered``, stream
``division-<county code>``), and the decider below refuses a code outside the county, a
village whose township is unknown, and a code already registered under another name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from types import MappingProxyType
from typing import Final, Literal

from stdnum import numdb

from contracts.base import Event
from contracts.fields import Code, Text
from services.registry.domain import programme_refusals as refusals

Level = Literal["province", "prefecture", "county", "township", "village"]
LEVELS: Final[tuple[Level, ...]] = ("province", "prefecture", "county", "township", "village")
_ENDS: Final = (2, 4, 6, 9, 12)
_NAME_LIMIT: Final = 60
_PLACEHOLDERS: Final = frozenset({"市辖区", "县", "省直辖县级行政单位", "省直辖县级行政区划"})


class InvalidDivisionCode(ValueError):
    """Not a division code: not ASCII digits, a length that is no level, or a zero segment."""


def level_of(code: str) -> Level:
    """The level ``code`` names (``650102`` → county); raises InvalidDivisionCode.

    ``650100`` is refused: GB/T 2260 pads prefectures to six digits, here they have four.
    """
    if len(code) not in _ENDS or not (code.isascii() and code.isdigit()):
        raise InvalidDivisionCode(code)
    start = 0
    for end in _ENDS[: _ENDS.index(len(code)) + 1]:
        if not code[start:end].strip("0"):
            raise InvalidDivisionCode(code)
        start = end
    return LEVELS[_ENDS.index(len(code))]


def is_division_code(code: str) -> bool:
    try:
        level_of(code)
    except InvalidDivisionCode:
        return False
    return True


def parent(code: str) -> str | None:
    """The code one level up; None for a province."""
    level_of(code)
    index = _ENDS.index(len(code))
    return code[: _ENDS[index - 1]] if index else None


def ancestors(code: str) -> tuple[str, ...]:
    """Every code above ``code``, province first."""
    level_of(code)
    return tuple(code[:end] for end in _ENDS if end < len(code))


def contains(ancestor: str, code: str) -> bool:
    """Whether ``code`` lies in ``ancestor`` (a division contains itself). False when either
    is not a division code: a jurisdiction check never passes on malformed input."""
    if not (is_division_code(ancestor) and is_division_code(code)):
        return False
    return code.startswith(ancestor)


def county_of(code: str) -> str | None:
    """The county of a county, township or village code; None above the county."""
    return code[:6] if len(code) >= 6 and is_division_code(code) else None


@dataclass(frozen=True, slots=True)
class OfficialName:
    """A GB/T 2260 name and the years it was in use (None: open-ended)."""

    name: str
    since: int | None
    until: int | None

    def in_use(self, year: int) -> bool:
        return (self.since is None or self.since <= year) and (
            self.until is None or year <= self.until
        )


@lru_cache(maxsize=8192)
def official_names(code: str) -> tuple[OfficialName, ...]:
    """The GB/T 2260 names of a province, prefecture or county code, oldest first; empty when
    the table does not know the code or only holds a statistical placeholder (市辖区)."""
    level = level_of(code)
    if level not in ("province", "prefecture", "county"):
        return ()
    parts = numdb.get("cn/loc").info(code.ljust(6, "0"))
    if len(parts) != 2:
        return ()
    text = parts[0][1]["province"] if level == "province" else parts[1][1].get("county", "")
    names = tuple(_parse(entry) for entry in text.split(",") if entry)
    return tuple(n for n in names if n.name not in _PLACEHOLDERS)


def _parse(entry: str) -> OfficialName:
    if not entry.startswith("["):
        return OfficialName(entry, None, None)
    years, _, name = entry[1:].partition("]")
    since, _, until = years.partition("-")
    return OfficialName(name, int(since) if since else None, int(until) if until else None)


def official_name(code: str, *, year: int) -> str | None:
    """The GB/T 2260 name ``code`` had in ``year``; None when it was not in use then."""
    return next((n.name for n in official_names(code) if n.in_use(year)), None)


def check_county(code: str, *, year: int, name: str | None = None) -> str:
    """The county's name in ``year``; refuses a code that is no county, unknown to GB/T 2260,
    no longer in use (merged, renamed to a new code), or given with another name."""
    if not is_division_code(code) or level_of(code) != "county":
        raise refusals.invalid_division_code(code, "县级区划代码应为6位数字")
    names = official_names(code)
    if not names:
        raise refusals.county_unknown(code)
    current = official_name(code, year=year)
    if current is None and names[-1].until is not None and names[-1].until < year:
        raise refusals.county_retired(code, names[-1].name, names[-1].until)
    if current is None:
        raise refusals.county_unknown(code)
    if name is not None and "".join(name.split()) != current:
        raise refusals.county_name_mismatch(code, current, name)
    return current


class DivisionRegistered(Event):
    """A township or village (``code``) of a county now exists under ``name``."""

    event_type = "DivisionRegistered"
    schema_version = 1

    county_code: Code
    code: Code
    name: Text


DIVISION_EVENTS: Final = (DivisionRegistered,)


@dataclass(frozen=True, slots=True)
class DivisionEntry:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class RegisterDivisions:
    """A county registers townships and villages (a village after its township, or in the same
    command). ``county_name``, when given, must be the county's GB/T 2260 name today."""

    county_code: str
    divisions: tuple[DivisionEntry, ...]
    today: date
    county_name: str | None = None


@dataclass(frozen=True, slots=True)
class CountyDivisions:
    county_code: str
    names: Mapping[str, str]

    def children(self, code: str) -> list[tuple[str, str]]:
        """(code, name) of the registered divisions one level below ``code``, by code."""
        return sorted((c, n) for c, n in self.names.items() if parent(c) == code)


def evolve(state: CountyDivisions | None, event: object) -> CountyDivisions | None:
    if isinstance(event, DivisionRegistered):
        names = dict(state.names) if state else {}
        names[event.code] = event.name
        return CountyDivisions(event.county_code, MappingProxyType(names))
    return state


def decide(command: RegisterDivisions, state: CountyDivisions | None) -> list[DivisionRegistered]:
    """One event per division not yet registered; a division registered before under the same
    name is already done (so a retried import appends nothing)."""
    county = command.county_code
    check_county(county, year=command.today.year, name=command.county_name)
    if not command.divisions:
        raise refusals.invalid_division_code("", "请至少登记一个乡镇或村")
    known = dict(state.names) if state else {}
    seen: set[str] = set()
    events = []
    for entry in command.divisions:
        name = "".join(entry.name.split())
        _check_entry(county, entry.code, name, known, seen)
        seen.add(entry.code)
        if known.get(entry.code) == name:
            continue
        known[entry.code] = name
        events.append(DivisionRegistered(county_code=county, code=entry.code, name=name))
    return events


def _check_entry(county: str, code: str, name: str, known: dict[str, str], seen: set[str]) -> None:
    if not is_division_code(code) or level_of(code) not in ("township", "village"):
        raise refusals.invalid_division_code(code, "乡镇代码应为9位数字，村代码应为12位数字")
    if not code.startswith(county):
        raise refusals.division_outside_county(code, county)
    if not 0 < len(name) <= _NAME_LIMIT:
        raise refusals.invalid_division_code(code, f"名称应为1至{_NAME_LIMIT}个字")
    if code in seen:
        raise refusals.invalid_division_code(code, "同一批中重复出现")
    if known.get(code, name) != name:
        raise refusals.division_exists(code, known.get(code, name))
    up = parent(code)
    if level_of(code) == "village" and up not in known:
        raise refusals.division_parent_unknown(code, up or "")
