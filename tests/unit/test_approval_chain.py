"""A programme's approval chain: the default of 002 §3, what may be configured instead, and
that the chain's roles are exactly those the permission policy lets approve."""

from __future__ import annotations

import pytest

from contracts.refusals import Refused
from infra.identity.permissions import GRANTS, Action
from services.approval.domain.chain import (
    APPROVER_ROLES,
    COUNTY_DEPARTMENT_REVIEWER,
    COUNTY_FINANCE_OFFICER,
    DEFAULT_CHAIN,
    TOWNSHIP_FINANCE_AUDITOR,
    Chain,
    ConfigureChain,
    chain_of,
    decide_configure,
    evolve_chain,
)
from services.approval.domain.events import ApprovalChainConfigured


def configure(levels: tuple[str, ...], days: int = 3, state: Chain | None = None) -> list:
    return decide_configure(ConfigureChain("GDLS", levels, days, "650102"), state)


def test_the_default_chain_is_township_auditor_county_department_then_county_finance() -> None:
    assert chain_of(None) == DEFAULT_CHAIN
    assert DEFAULT_CHAIN.levels == (
        TOWNSHIP_FINANCE_AUDITOR,
        COUNTY_DEPARTMENT_REVIEWER,
        COUNTY_FINANCE_OFFICER,
    )
    assert DEFAULT_CHAIN.version == 0


def test_the_chain_roles_are_the_roles_the_policy_lets_approve_rosters() -> None:
    approving = {role.value for role, actions in GRANTS.items() if Action.ROSTER_APPROVE in actions}
    assert approving == APPROVER_ROLES


def test_a_configured_chain_replaces_the_default_and_counts_versions() -> None:
    events = configure((COUNTY_DEPARTMENT_REVIEWER, COUNTY_FINANCE_OFFICER), days=5)
    assert events == [
        ApprovalChainConfigured(
            programme_code="GDLS",
            levels=(COUNTY_DEPARTMENT_REVIEWER, COUNTY_FINANCE_OFFICER),
            overdue_working_days=5,
            jurisdiction_code="650102",
        )
    ]
    state = evolve_chain(None, events[0])
    assert state == Chain((COUNTY_DEPARTMENT_REVIEWER, COUNTY_FINANCE_OFFICER), 5, 1, "650102")
    assert configure(state.levels, days=5, state=state) == []
    again = configure((COUNTY_FINANCE_OFFICER,), days=5, state=state)
    assert evolve_chain(state, again[0]) == Chain((COUNTY_FINANCE_OFFICER,), 5, 2, "650102")


@pytest.mark.parametrize(
    ("levels", "days", "code"),
    [
        ((), 2, "approval_chain_empty"),
        ((COUNTY_FINANCE_OFFICER,) * 7, 2, "approval_chain_too_long"),
        (("township_operator", COUNTY_FINANCE_OFFICER), 2, "approval_chain_role_invalid"),
        (
            (COUNTY_FINANCE_OFFICER, COUNTY_DEPARTMENT_REVIEWER),
            2,
            "approval_chain_must_end_with_finance",
        ),
        ((COUNTY_FINANCE_OFFICER,), 0, "approval_overdue_days_invalid"),
        ((COUNTY_FINANCE_OFFICER,), 31, "approval_overdue_days_invalid"),
    ],
)
def test_a_chain_that_breaks_a_rule_is_refused(
    levels: tuple[str, ...], days: int, code: str
) -> None:
    with pytest.raises(Refused) as refused:
        configure(levels, days)
    assert refused.value.code == code
