"""Each programme's re-issue rule (issue 6: "re-issued through the approval rule configured for
re-issues"), kept as events like the approval chains: who configured what, when, replayable.
Without a configuration a programme's re-issues are ordered by county finance (002 §3(4))."""

from __future__ import annotations

from dataclasses import dataclass

from services.payout.domain.reissue_events import ReissueRule, ReissueRuleConfigured

DEFAULT_RULE: ReissueRule = "finance_order"


@dataclass(frozen=True, slots=True)
class RuleState:
    rule: ReissueRule
    version: int
    jurisdiction_code: str | None


@dataclass(frozen=True, slots=True)
class ConfigureReissueRule:
    programme_code: str
    rule: ReissueRule
    jurisdiction_code: str | None


def evolve_rule(state: RuleState | None, event: object) -> RuleState | None:
    if isinstance(event, ReissueRuleConfigured):
        version = 1 if state is None else state.version + 1
        where = event.jurisdiction_code if state is None else state.jurisdiction_code
        return RuleState(event.rule, version, where)
    return state


def rule_of(state: RuleState | None) -> ReissueRule:
    return DEFAULT_RULE if state is None else state.rule


def decide_configure(
    command: ConfigureReissueRule, state: RuleState | None
) -> list[ReissueRuleConfigured]:
    """The rule from now on; the same rule again records nothing."""
    if state is not None and state.rule == command.rule:
        return []
    return [
        ReissueRuleConfigured(
            programme_code=command.programme_code,
            rule=command.rule,
            jurisdiction_code=(
                command.jurisdiction_code if state is None else state.jurisdiction_code
            ),
        )
    ]
