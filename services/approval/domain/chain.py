"""A programme's approval chain (审核审批流程): which role signs each level off, in order, and
when a waiting level is overdue.

The default is 002 §3: the township finance auditor (乡镇财政所审核), the county department
(县业务主管部门审核), then county finance (县财政部门审批). A programme may configure another
chain, but county finance always has the last word: it is the one that approves payment and
never edits (002 §3(4), 003 §3(1)).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from services.approval.domain import refusals as refuse
from services.approval.domain.events import ApprovalChainConfigured

TOWNSHIP_FINANCE_AUDITOR: Final = "township_finance_auditor"
COUNTY_DEPARTMENT_REVIEWER: Final = "county_department_reviewer"
COUNTY_FINANCE_OFFICER: Final = "county_finance_officer"

APPROVER_ROLES: Final = frozenset(
    {TOWNSHIP_FINANCE_AUDITOR, COUNTY_DEPARTMENT_REVIEWER, COUNTY_FINANCE_OFFICER}
)
"""The roles that may hold a level (the policy grants them ``roster.approve``)."""

MAX_LEVELS: Final = 6
MAX_OVERDUE_WORKING_DAYS: Final = 30


@dataclass(frozen=True, slots=True)
class Chain:
    """The roles of the levels, first level first; ``version`` 0 is the default chain."""

    levels: tuple[str, ...]
    overdue_working_days: int
    version: int = 0
    jurisdiction_code: str | None = None


DEFAULT_CHAIN: Final = Chain(
    levels=(TOWNSHIP_FINANCE_AUDITOR, COUNTY_DEPARTMENT_REVIEWER, COUNTY_FINANCE_OFFICER),
    overdue_working_days=2,
)
"""002 §3. Overdue after two working days: every user must look at the system at least
every two working days (001 art.11(2)2), so a level waiting longer has been left waiting."""


@dataclass(frozen=True, slots=True)
class ConfigureChain:
    programme_code: str
    levels: tuple[str, ...]
    overdue_working_days: int
    jurisdiction_code: str | None


def evolve_chain(state: Chain | None, event: object) -> Chain | None:
    if isinstance(event, ApprovalChainConfigured):
        version = 1 if state is None else state.version + 1
        return Chain(event.levels, event.overdue_working_days, version, event.jurisdiction_code)
    return state


def chain_of(state: Chain | None) -> Chain:
    """The chain an approval opening now takes: the configured one, else the default."""
    return DEFAULT_CHAIN if state is None else state


def decide_configure(command: ConfigureChain, state: Chain | None) -> list[ApprovalChainConfigured]:
    """The new chain, or [] when it is the one configured already."""
    _check_levels(command.levels)
    if not 1 <= command.overdue_working_days <= MAX_OVERDUE_WORKING_DAYS:
        raise refuse.overdue_days_invalid(MAX_OVERDUE_WORKING_DAYS)
    if state is not None and (state.levels, state.overdue_working_days) == (
        command.levels,
        command.overdue_working_days,
    ):
        return []
    return [
        ApprovalChainConfigured(
            programme_code=command.programme_code,
            levels=command.levels,
            overdue_working_days=command.overdue_working_days,
            jurisdiction_code=(
                command.jurisdiction_code if state is None else state.jurisdiction_code
            ),
        )
    ]


def _check_levels(levels: Sequence[str]) -> None:
    if not levels:
        raise refuse.chain_empty()
    if len(levels) > MAX_LEVELS:
        raise refuse.chain_too_long(MAX_LEVELS)
    unknown = [role for role in levels if role not in APPROVER_ROLES]
    if unknown:
        raise refuse.chain_role_invalid(unknown[0])
    if levels[-1] != COUNTY_FINANCE_OFFICER:
        raise refuse.chain_must_end_with_finance()
