"""The authorisation policy, written out: every role × every action × (own division, a child,
a sibling, the parent, another region), with the outcome expected of ``authorize``.

The table is typed by hand, not derived from ``GRANTS``: changing the policy must change
this file too, and a reviewer sees every forbidden outcome. Outcomes: ``A`` allowed,
``R`` refused because the role may not do it at all (``role_not_permitted``), ``J`` refused
because the place lies outside the jurisdiction (``outside_jurisdiction``), ``-`` no such
place (nothing lies below a village).
"""

from __future__ import annotations

from typing import Final

import pytest

from contracts.envelope import Actor
from infra.identity.permissions import Action, Forbidden, Role, authorize, may

PLACES: Final = ("own", "child", "sibling", "parent", "other region")

WHERE: Final[dict[str, dict[str, str | None]]] = {
    "650102001001": {  # a village of 城关镇, 天山区, 乌鲁木齐市, 新疆
        "own": "650102001001",
        "child": "-",
        "sibling": "650102001002",
        "parent": "650102001",
        "other region": "110101001001",
    },
    "650102001": {  # a township
        "own": "650102001",
        "child": "650102001001",
        "sibling": "650102002",
        "parent": "650102",
        "other region": "110101001",
    },
    "650102": {  # a county
        "own": "650102",
        "child": "650102001",
        "sibling": "650103",
        "parent": "6501",
        "other region": "110101",
    },
    "6501": {  # a prefecture
        "own": "6501",
        "child": "650102",
        "sibling": "6502",
        "parent": "65",
        "other region": "1101",
    },
    "65": {  # a region; its parent is the whole country (no division)
        "own": "65",
        "child": "6501",
        "sibling": "64",
        "parent": None,
        "other region": "11",
    },
}

MATRIX: Final = """
village_officer @ 650102001001
    beneficiary.read    A-JJJ
    beneficiary.write   R-RRR
    beneficiary.review  R-RRR
    roster.read         A-JJJ
    roster.write        R-RRR
    catalogue.write     R-RRR
    list.import         R-RRR
    notice.read         R-RRR
    objection.resolve   R-RRR
    roster.approve      R-RRR
    payment.read        R-RRR
    payment.write       R-RRR
    payment.request     R-RRR
    bank.exchange       R-RRR
    calendar.write      R-RRR
    user.admin          R-RRR
    audit.read          R-RRR
township_operator @ 650102001
    beneficiary.read    AAJJJ
    beneficiary.write   AAJJJ
    beneficiary.review  RRRRR
    roster.read         AAJJJ
    roster.write        AAJJJ
    catalogue.write     RRRRR
    list.import         RRRRR
    notice.read         AAJJJ
    objection.resolve   RRRRR
    roster.approve      RRRRR
    payment.read        AAJJJ
    payment.write       RRRRR
    payment.request     AAJJJ
    bank.exchange       RRRRR
    calendar.write      RRRRR
    user.admin          RRRRR
    audit.read          RRRRR
township_finance_auditor @ 650102001
    beneficiary.read    AAJJJ
    beneficiary.write   RRRRR
    beneficiary.review  AAJJJ
    roster.read         AAJJJ
    roster.write        RRRRR
    catalogue.write     RRRRR
    list.import         RRRRR
    notice.read         AAJJJ
    objection.resolve   AAJJJ
    roster.approve      AAJJJ
    payment.read        AAJJJ
    payment.write       RRRRR
    payment.request     RRRRR
    bank.exchange       RRRRR
    calendar.write      RRRRR
    user.admin          RRRRR
    audit.read          RRRRR
county_department_operator @ 650102
    beneficiary.read    AAJJJ
    beneficiary.write   AAJJJ
    beneficiary.review  AAJJJ
    roster.read         AAJJJ
    roster.write        AAJJJ
    catalogue.write     AAJJJ
    list.import         AAJJJ
    notice.read         AAJJJ
    objection.resolve   RRRRR
    roster.approve      RRRRR
    payment.read        AAJJJ
    payment.write       RRRRR
    payment.request     AAJJJ
    bank.exchange       RRRRR
    calendar.write      RRRRR
    user.admin          RRRRR
    audit.read          RRRRR
county_department_reviewer @ 650102
    beneficiary.read    AAJJJ
    beneficiary.write   RRRRR
    beneficiary.review  AAJJJ
    roster.read         AAJJJ
    roster.write        RRRRR
    catalogue.write     RRRRR
    list.import         RRRRR
    notice.read         AAJJJ
    objection.resolve   AAJJJ
    roster.approve      AAJJJ
    payment.read        AAJJJ
    payment.write       RRRRR
    payment.request     RRRRR
    bank.exchange       RRRRR
    calendar.write      RRRRR
    user.admin          RRRRR
    audit.read          RRRRR
county_finance_officer @ 650102
    beneficiary.read    AAJJJ
    beneficiary.write   RRRRR
    beneficiary.review  RRRRR
    roster.read         AAJJJ
    roster.write        RRRRR
    catalogue.write     RRRRR
    list.import         RRRRR
    notice.read         AAJJJ
    objection.resolve   RRRRR
    roster.approve      AAJJJ
    payment.read        AAJJJ
    payment.write       AAJJJ
    payment.request     RRRRR
    bank.exchange       RRRRR
    calendar.write      RRRRR
    user.admin          RRRRR
    audit.read          RRRRR
supervisor @ 6501
    beneficiary.read    AAJJJ
    beneficiary.write   RRRRR
    beneficiary.review  RRRRR
    roster.read         AAJJJ
    roster.write        RRRRR
    catalogue.write     AAJJJ
    list.import         RRRRR
    notice.read         AAJJJ
    objection.resolve   RRRRR
    roster.approve      RRRRR
    payment.read        AAJJJ
    payment.write       RRRRR
    payment.request     RRRRR
    bank.exchange       RRRRR
    calendar.write      RRRRR
    user.admin          RRRRR
    audit.read          AAJJJ
auditor @ 65
    beneficiary.read    AAJJJ
    beneficiary.write   RRRRR
    beneficiary.review  RRRRR
    roster.read         AAJJJ
    roster.write        RRRRR
    catalogue.write     RRRRR
    list.import         RRRRR
    notice.read         AAJJJ
    objection.resolve   RRRRR
    roster.approve      RRRRR
    payment.read        AAJJJ
    payment.write       RRRRR
    payment.request     RRRRR
    bank.exchange       RRRRR
    calendar.write      RRRRR
    user.admin          RRRRR
    audit.read          AAJJJ
bank_connector @ 650102
    beneficiary.read    RRRRR
    beneficiary.write   RRRRR
    beneficiary.review  RRRRR
    roster.read         RRRRR
    roster.write        RRRRR
    catalogue.write     RRRRR
    list.import         RRRRR
    notice.read         RRRRR
    objection.resolve   RRRRR
    roster.approve      RRRRR
    payment.read        RRRRR
    payment.write       RRRRR
    payment.request     RRRRR
    bank.exchange       AAJJJ
    calendar.write      RRRRR
    user.admin          RRRRR
    audit.read          RRRRR
system_administrator @ 650102
    beneficiary.read    RRRRR
    beneficiary.write   RRRRR
    beneficiary.review  RRRRR
    roster.read         RRRRR
    roster.write        RRRRR
    catalogue.write     RRRRR
    list.import         RRRRR
    notice.read         RRRRR
    objection.resolve   RRRRR
    roster.approve      RRRRR
    payment.read        RRRRR
    payment.write       RRRRR
    payment.request     RRRRR
    bank.exchange       RRRRR
    calendar.write      AAJJJ
    user.admin          AAJJJ
    audit.read          AAJJJ
"""

CODES: Final = {"R": "role_not_permitted", "J": "outside_jurisdiction"}


def _table() -> dict[tuple[str, str], tuple[str, str]]:
    """(role, action) -> (the role's jurisdiction, the five outcomes)."""
    table: dict[tuple[str, str], tuple[str, str]] = {}
    jurisdiction = role = ""
    for line in MATRIX.strip().splitlines():
        if "@" in line:
            role, jurisdiction = (part.strip() for part in line.split("@"))
            continue
        action, outcomes = line.split()
        assert (role, action) not in table, f"{role} {action} written twice"
        table[(role, action)] = (jurisdiction, outcomes)
    return table


TABLE: Final = _table()
CASES: Final = [
    (role, action, jurisdiction, place, outcomes[i])
    for (role, action), (jurisdiction, outcomes) in TABLE.items()
    for i, place in enumerate(PLACES)
    if outcomes[i] != "-"
]


def test_the_table_covers_every_role_and_every_action_once() -> None:
    assert set(TABLE) == {(role.value, action.value) for role in Role for action in Action}
    assert all(len(outcomes) == len(PLACES) for _, outcomes in TABLE.values())


@pytest.mark.parametrize(
    ("role", "action", "jurisdiction", "place", "expected"),
    CASES,
    ids=[f"{c[0]}-{c[1]}-{c[3]}" for c in CASES],
)
def test_each_role_action_and_place_has_the_written_outcome(
    role: str, action: str, jurisdiction: str, place: str, expected: str
) -> None:
    actor = Actor(user_id="u-1", role=role, jurisdiction_code=jurisdiction)
    division = WHERE[jurisdiction][place]
    if expected == "A":
        authorize(actor, Action(action), division)
        assert may(actor, Action(action), division)
        return
    with pytest.raises(Forbidden) as refused:
        authorize(actor, Action(action), division)
    assert refused.value.code == CODES[expected]
    assert refused.value.message  # a Chinese sentence a person can act on
    assert not may(actor, Action(action), division)


@pytest.mark.parametrize(
    ("role", "jurisdiction", "action"),
    [
        ("township_operator", "650102", Action.ROSTER_WRITE),
        ("township_operator", "650102001001", Action.ROSTER_WRITE),
        ("county_finance_officer", "650102001", Action.ROSTER_APPROVE),
        ("county_finance_officer", None, Action.ROSTER_APPROVE),
        ("supervisor", "650102", Action.ROSTER_READ),
        ("supervisor", None, Action.ROSTER_READ),
        ("village_officer", "650102001", Action.BENEFICIARY_READ),
        ("bank_connector", "6501", Action.BANK_EXCHANGE),
    ],
)
def test_a_jurisdiction_of_the_wrong_level_reaches_nothing_not_even_itself(
    role: str, jurisdiction: str | None, action: Action
) -> None:
    actor = Actor(user_id="u-1", role=role, jurisdiction_code=jurisdiction)
    for division in filter(None, [jurisdiction, "650102001001", "650102001", "650102"]):
        with pytest.raises(Forbidden, match="outside_jurisdiction"):
            authorize(actor, action, division)


def test_a_nationwide_auditor_reads_every_region_and_objects_of_no_place() -> None:
    auditor = Actor(user_id="u-1", role="auditor", jurisdiction_code=None)
    for division in ("65", "650102001001", "110101", None):
        authorize(auditor, Action.AUDIT_READ, division)
    with pytest.raises(Forbidden, match="role_not_permitted"):
        authorize(auditor, Action.ROSTER_WRITE, "650102001")


def test_a_regional_jurisdiction_does_not_reach_objects_of_no_place() -> None:
    supervisor = Actor(user_id="u-1", role="supervisor", jurisdiction_code="65")
    with pytest.raises(Forbidden, match="outside_jurisdiction"):
        authorize(supervisor, Action.ROSTER_READ, None)


@pytest.mark.parametrize(
    ("jurisdiction", "inside", "outside"),
    [
        ("650000", "650102001", "110101"),  # GB/T 2260 pads a region to six digits
        ("650100", "650102", "650201"),  # and a prefecture
    ],
)
def test_six_digit_padded_codes_mean_their_region_or_prefecture(
    jurisdiction: str, inside: str, outside: str
) -> None:
    supervisor = Actor(user_id="u-1", role="supervisor", jurisdiction_code=jurisdiction)
    authorize(supervisor, Action.ROSTER_READ, inside)
    with pytest.raises(Forbidden, match="outside_jurisdiction"):
        authorize(supervisor, Action.ROSTER_READ, outside)


@pytest.mark.parametrize("role", ["", "root", "system"])
def test_an_unknown_role_may_do_nothing_anywhere(role: str) -> None:
    actor = Actor(user_id="u-1", role=role or "x", jurisdiction_code=None)
    with pytest.raises(Forbidden, match="unknown_role"):
        authorize(actor, Action.AUDIT_READ, None)
