"""Who may do what, where: the one authorisation policy of every service.

A user acts in one role inside one jurisdiction (a division code: region 2 digits of a
GB/T 2260 code, prefecture 4, county 6, township 9, village 12). An action on an object is
allowed when the role holds the action and the object lies inside the jurisdiction the role
reaches for that action:

- operators and reviewers reach their own division and everything below it;
- supervisors (prefecture/region finance) read downwards and change no personal or roster
  data; they keep the programme catalogue of their level (000 art.8-9: the region keeps the
  subsidy catalogue);
- auditors read everything, everywhere, and change nothing (002 §3(4), 003 §3(5));
- county finance approves or sends back, and never edits roster data (003 §3(1));
- the bank connector exchanges payment files and results, nothing else;
- the system administrator manages users and calendars and reads no personal data.

Whether a user may approve *this* roster at *this* level (maker-checker, one level per
user) is the approval service's rule on top of this one; this policy only says the role
may approve rosters of that jurisdiction at all.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from contracts.envelope import Actor


class Role(StrEnum):
    VILLAGE_OFFICER = "village_officer"
    TOWNSHIP_OPERATOR = "township_operator"
    TOWNSHIP_FINANCE_AUDITOR = "township_finance_auditor"
    COUNTY_DEPARTMENT_OPERATOR = "county_department_operator"
    COUNTY_DEPARTMENT_REVIEWER = "county_department_reviewer"
    COUNTY_FINANCE_OFFICER = "county_finance_officer"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    BANK_CONNECTOR = "bank_connector"
    SYSTEM_ADMINISTRATOR = "system_administrator"


ROLE_NAMES: Final[dict[Role, str]] = {
    Role.VILLAGE_OFFICER: "村（社区）经办人",
    Role.TOWNSHIP_OPERATOR: "乡镇站所录入员",
    Role.TOWNSHIP_FINANCE_AUDITOR: "乡镇财政所审核员",
    Role.COUNTY_DEPARTMENT_OPERATOR: "县业务主管部门经办人",
    Role.COUNTY_DEPARTMENT_REVIEWER: "县业务主管部门审核人",
    Role.COUNTY_FINANCE_OFFICER: "县财政局审批人",
    Role.SUPERVISOR: "地州市/自治区监管人员",
    Role.AUDITOR: "审计监督人员",
    Role.BANK_CONNECTOR: "代发金融机构接口",
    Role.SYSTEM_ADMINISTRATOR: "系统管理员",
}


class Action(StrEnum):
    BENEFICIARY_READ = "beneficiary.read"
    BENEFICIARY_WRITE = "beneficiary.write"
    """Register, correct, declare card accounts, record death or moving out."""
    BENEFICIARY_REVIEW = "beneficiary.review"
    """Review a card-account re-application (003 §5(4)): never by the one who applied."""
    ROSTER_READ = "roster.read"
    ROSTER_WRITE = "roster.write"
    """Draft, import, type, correct or remove rows, withdraw, submit."""
    CATALOGUE_WRITE = "catalogue.write"
    """Define or change programmes, register townships and villages."""
    LIST_IMPORT = "list.import"
    """Import a cross-check list (deceased, public servants, ...)."""
    NOTICE_READ = "notice.read"
    """The internal view of notices and objections (the public page needs no login)."""
    OBJECTION_RESOLVE = "objection.resolve"
    ROSTER_APPROVE = "roster.approve"
    """Sign a level of the approval chain off, or send the roster back."""
    PAYMENT_READ = "payment.read"
    PAYMENT_WRITE = "payment.write"
    """Send approved batches to the bank, route failures, re-issue, return to treasury."""
    PAYMENT_REQUEST = "payment.request"
    """Ask for a failed row to be re-issued once its payee is corrected (the owning office,
    where a programme's re-issue rule wants finance to approve what the office asks)."""
    BANK_EXCHANGE = "bank.exchange"
    """Fetch pending batches and push per-row results (the bank connector)."""
    CALENDAR_WRITE = "calendar.write"
    USER_ADMIN = "user.admin"
    AUDIT_READ = "audit.read"
    """Timelines, time travel and replays of the log."""


READS: Final = frozenset(
    {
        Action.BENEFICIARY_READ,
        Action.ROSTER_READ,
        Action.NOTICE_READ,
        Action.PAYMENT_READ,
        Action.AUDIT_READ,
    }
)
_ALL_READS: Final = READS - {Action.AUDIT_READ}

GRANTS: Final[dict[Role, frozenset[Action]]] = {
    Role.VILLAGE_OFFICER: frozenset({Action.BENEFICIARY_READ, Action.ROSTER_READ}),
    Role.TOWNSHIP_OPERATOR: frozenset(
        {
            *_ALL_READS,
            Action.BENEFICIARY_WRITE,
            Action.ROSTER_WRITE,
            Action.PAYMENT_REQUEST,
        }
    ),
    Role.TOWNSHIP_FINANCE_AUDITOR: frozenset(
        {*_ALL_READS, Action.BENEFICIARY_REVIEW, Action.ROSTER_APPROVE, Action.OBJECTION_RESOLVE}
    ),
    Role.COUNTY_DEPARTMENT_OPERATOR: frozenset(
        {
            *_ALL_READS,
            Action.BENEFICIARY_WRITE,
            Action.BENEFICIARY_REVIEW,
            Action.ROSTER_WRITE,
            Action.CATALOGUE_WRITE,
            Action.LIST_IMPORT,
            Action.PAYMENT_REQUEST,
        }
    ),
    Role.COUNTY_DEPARTMENT_REVIEWER: frozenset(
        {*_ALL_READS, Action.BENEFICIARY_REVIEW, Action.ROSTER_APPROVE, Action.OBJECTION_RESOLVE}
    ),
    Role.COUNTY_FINANCE_OFFICER: frozenset(
        {*_ALL_READS, Action.ROSTER_APPROVE, Action.PAYMENT_WRITE}
    ),
    Role.SUPERVISOR: frozenset({*READS, Action.CATALOGUE_WRITE}),
    Role.AUDITOR: frozenset(READS),
    Role.BANK_CONNECTOR: frozenset({Action.BANK_EXCHANGE}),
    Role.SYSTEM_ADMINISTRATOR: frozenset(
        {Action.USER_ADMIN, Action.CALENDAR_WRITE, Action.AUDIT_READ}
    ),
}
"""What each role may do at all; where it may do it is :func:`reaches`."""

JURISDICTION_LEVELS: Final[dict[Role, tuple[int, ...]]] = {
    Role.VILLAGE_OFFICER: (12,),
    Role.TOWNSHIP_OPERATOR: (9,),
    Role.TOWNSHIP_FINANCE_AUDITOR: (9,),
    Role.COUNTY_DEPARTMENT_OPERATOR: (6,),
    Role.COUNTY_DEPARTMENT_REVIEWER: (6,),
    Role.COUNTY_FINANCE_OFFICER: (6,),
    Role.SUPERVISOR: (2, 4),
    Role.AUDITOR: (0, 2, 4, 6),
    Role.BANK_CONNECTOR: (6,),
    Role.SYSTEM_ADMINISTRATOR: (0, 2, 4, 6),
}
"""How long (in prefix digits) the jurisdiction of each role is: a township role is held
for one township, a supervisor for a prefecture or a region; 0 is the whole country."""


class Forbidden(Exception):
    """The actor may not do this here. ``code`` is stable, ``message`` Chinese."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def division_prefix(code: str) -> str:
    """The prefix every division inside ``code`` starts with.

    A 6-digit GB/T 2260 code pads its level with zeros (``650000`` is the region,
    ``650100`` a prefecture); township (9) and village (12) codes extend the county's code.
    """
    if len(code) == 6:
        if code.endswith("0000"):
            return code[:2]
        if code.endswith("00"):
            return code[:4]
    return code


def role_of(actor: Actor) -> Role | None:
    try:
        return Role(actor.role)
    except ValueError:
        return None


def reaches(actor: Actor, division: str | None) -> bool:
    """Whether ``division`` lies inside the actor's jurisdiction (``None``: no place, which
    only a jurisdiction over the whole country reaches)."""
    scope = scope_of(actor)
    if scope is None:
        return False
    if division is None:
        return scope == ""
    return division_prefix(division).startswith(scope)


def scope_of(actor: Actor) -> str | None:
    """The division prefix the actor's jurisdiction covers (``""`` everywhere), or ``None``
    when the actor holds no valid jurisdiction for their role."""
    role = role_of(actor)
    if role is None:
        return None
    code = actor.jurisdiction_code or ""
    prefix = division_prefix(code) if code else ""
    if len(prefix) not in JURISDICTION_LEVELS[role]:
        return None
    return prefix


def may(actor: Actor, action: Action, division: str | None) -> bool:
    role = role_of(actor)
    return role is not None and action in GRANTS[role] and reaches(actor, division)


def authorize(actor: Actor, action: Action, division: str | None) -> None:
    """Refuse unless the actor may do ``action`` on an object of ``division``.

    The refusal names the problem without revealing whether the object exists elsewhere.
    """
    role = role_of(actor)
    if role is None:
        raise Forbidden("unknown_role", "您的账号没有有效的角色，无权操作")
    if action not in GRANTS[role]:
        raise Forbidden("role_not_permitted", f"{ROLE_NAMES[role]}无权进行此操作（{action.value}）")
    if not reaches(actor, division):
        raise Forbidden("outside_jurisdiction", "该数据不在您的管辖范围内，无权操作")
