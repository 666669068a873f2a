"""The row rules that look the person up: in the register (name, deceased, card account
belongs to this ID and is open) and on the cross-check lists (per the programme's policy)."""

from __future__ import annotations

from collections.abc import Mapping, Set

from services.registry.domain import rule_codes as rc
from services.registry.domain.roster_rows import Finding
from services.registry.domain.validation_fields import account_typo
from services.registry.domain.validation_ports import RegisteredPerson
from services.registry.domain.validation_programme import ListAction

_SAME_DOT = str.maketrans(dict.fromkeys("•・．.‧･∙⋅", "·"))
"""Minority names (买买提·艾力) are written with many kinds of middle dot."""


def same_name(roster: str, register: str) -> bool:
    """Names compared ignoring whitespace (``张　三``) and the kind of middle dot."""
    return roster == register or _plain(roster) == _plain(register)


def _plain(name: str) -> str:
    return "".join(name.split()).translate(_SAME_DOT)


def check_person(
    person: RegisteredPerson | None,
    findings: list[Finding],
    name: str,
    card_account: str | None,
) -> None:
    """The person is registered, alive, named as in the register, and paid into the one
    open account the register holds for them. An account the register holds is taken as
    it holds it; a bank card number it does not hold is checked (Luhn) to say why."""
    if person is None:
        findings.append(rc.NOT_IN_REGISTER.finding())
        typo = None if card_account is None else account_typo(card_account)
        if typo is not None:
            findings.append(typo)
        return
    if person.deceased:
        findings.append(rc.DECEASED.finding())
    if name and name != person.name and not same_name(name, person.name):
        findings.append(rc.NAME_MISMATCH.finding())
    if card_account is None:
        return
    if card_account != person.card_account:
        typo = account_typo(card_account)
        if typo is not None:
            findings.append(typo)
        elif person.card_account is None:
            findings.append(rc.ACCOUNT_NOT_DECLARED.finding())
        else:
            findings.append(rc.ACCOUNT_MISMATCH.finding())
    elif person.account_status != "open":
        findings.append(_ACCOUNT_STATUS[person.account_status].finding())


_ACCOUNT_STATUS = {
    "closed": rc.ACCOUNT_CLOSED,
    "frozen": rc.ACCOUNT_FROZEN,
    "unverified": rc.ACCOUNT_UNVERIFIED,
}


class ListChecks:
    """Cross-check list hits, as the programme's policy says (kinds it does not name are
    ignored)."""

    def __init__(self, policy: Mapping[str, ListAction]) -> None:
        self._rules = {
            kind: (rc.list_hit(kind), action)
            for kind, action in policy.items()
            if action != "ignore"
        }

    def check(self, kinds: Set[str], findings: list[Finding]) -> None:
        for kind in sorted(kinds):
            entry = self._rules.get(kind)
            if entry is not None:
                rule, action = entry
                findings.append(rule.finding("reject" if action == "reject" else "warn"))
