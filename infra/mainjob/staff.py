"""The real-name staff who work the round, one person per post, enrolled as an administrator
enrols them on a fresh install (``onecard users add``/``grant``/``set-password``): a clerk and
a finance auditor per township, and at the county a department operator and reviewer, a
finance officer, the agent bank's connector and the system administrator.

Each gets a temporary password, which they change at their first login, as the password
policy asks; the passwords live in this process only. Every user is distinct, so the
approval chain's rule — nobody approves two levels or what they prepared — is met by people,
not by switching roles.
"""

from __future__ import annotations

import random
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from contracts.envelope import Actor
from contracts.pii import CitizenId
from infra.command_context import CommandContext
from infra.identity import admin
from infra.identity.permissions import Role
from infra.identity.service import Identity
from infra.identity.user_commands import EnrolUser, GrantRole
from infra.synthetic.names import full_name, given_name, surname
from infra.synthetic.numbers import id_check

ENROLLED_BY = Actor.system("mainjob")


@dataclass
class Member:
    """One member of staff, in the one role and jurisdiction the round needs of them."""

    username: str
    user_id: str
    name: str
    citizen_id: str
    post: str
    role: Role
    jurisdiction: str
    password: str

    def actor(self) -> Actor:
        return Actor(user_id=self.user_id, role=self.role, jurisdiction_code=self.jurisdiction)


@dataclass(frozen=True)
class Staff:
    clerks: dict[str, Member]
    """Township code → the township station's operator (乡镇站所录入员)."""
    auditors: dict[str, Member]
    """Township code → the township finance auditor (乡镇财政所审核员)."""
    operator: Member
    reviewer: Member
    finance: Member
    bank: Member
    administrator: Member

    def everyone(self) -> list[Member]:
        county = [self.operator, self.reviewer, self.finance, self.bank, self.administrator]
        return [*self.clerks.values(), *self.auditors.values(), *county]


def make_staff(county: str, townships: list[str], *, seed: int) -> Staff:
    """The posts of ``county`` filled with invented people (usernames carry the county, so
    several counties share one store)."""
    rng = random.Random(f"{seed}:staff")  # noqa: S311 - synthetic people, not secrets
    serial = iter(range(900, 1000))

    def member(handle: str, post: str, role: Role, jurisdiction: str) -> Member:
        born = date(1968, 1, 1) + timedelta(days=rng.randrange(9000))
        first17 = f"{county}{born:%Y%m%d}{next(serial):03d}"
        male = rng.random() < 0.5
        return Member(
            username=f"{handle}.{county}",
            user_id=f"u-{county}-{handle}",
            name=full_name(surname(rng), given_name(rng, male=male, uyghur=False), uyghur=False),
            citizen_id=first17 + id_check(first17),
            post=post,
            role=role,
            jurisdiction=jurisdiction,
            password=_password(),
        )

    return Staff(
        clerks={
            t: member(f"clerk{n}", "乡镇站所录入员", Role.TOWNSHIP_OPERATOR, t)
            for n, t in enumerate(townships, 1)
        },
        auditors={
            t: member(f"auditor{n}", "乡镇财政所审核员", Role.TOWNSHIP_FINANCE_AUDITOR, t)
            for n, t in enumerate(townships, 1)
        },
        operator=member("dept-op", "县业务主管部门经办人", Role.COUNTY_DEPARTMENT_OPERATOR, county),
        reviewer=member(
            "dept-rev", "县业务主管部门审核人", Role.COUNTY_DEPARTMENT_REVIEWER, county
        ),
        finance=member("finance", "县财政局审批人", Role.COUNTY_FINANCE_OFFICER, county),
        bank=member("bank", "代发金融机构接口", Role.BANK_CONNECTOR, county),
        administrator=member("admin", "系统管理员", Role.SYSTEM_ADMINISTRATOR, county),
    )


def _password() -> str:
    """A password the policy accepts: long, with every kind of character."""
    return f"Oc-{secrets.token_urlsafe(12)}7a"


async def enrol(identity: Identity, staff: Staff) -> int:
    """Enrol every member, grant their role and set a temporary password; returns how many
    were new (a member enrolled by an earlier run keeps their account, with a new password)."""
    new = 0
    for member in staff.everyone():
        command = EnrolUser(
            user_id=member.user_id,
            username=member.username,
            name=member.name,
            citizen_id=CitizenId(member.citizen_id),
            division_code=member.jurisdiction,
            post=member.post,
            backup_post=None,
            by=ENROLLED_BY.user_id,
        )
        new += await admin.enrol_user(identity, _context(identity), command, admin.server_operator)
        grant = GrantRole(member.user_id, member.role, member.jurisdiction, by=ENROLLED_BY.user_id)
        await admin.grant_role(identity, _context(identity), grant, admin.server_operator)
        await admin.set_password(
            identity,
            _context(identity),
            member.user_id,
            member.password,
            admin.server_operator,
            temporary=True,
        )
    return new


def _context(identity: Identity) -> CommandContext:
    return CommandContext(
        actor=ENROLLED_BY,
        at=identity.clock.now(),
        correlation_id=uuid.uuid4(),
        idempotency_key=str(uuid.uuid4()),
    )
