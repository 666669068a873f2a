"""The user deciders, Given / When / Then: enrolment, grants, lockout, password expiry,
certificates; and a user's events replay to the same state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import reduce

import pytest

from contracts.base import Event
from contracts.pii import CitizenId
from infra.identity.decide_login import decide_login
from infra.identity.decide_user import (
    decide_bind,
    decide_enrol,
    decide_grant,
    decide_revoke,
    decide_revoke_certificate,
    decide_unlock,
)
from infra.identity.events import (
    CertificateBound,
    LoginFailed,
    LoginSucceeded,
    PasswordSet,
    RoleGranted,
    UserEnrolled,
    UserLockedOut,
    UserUnlocked,
)
from infra.identity.refusals import IdentityRefused
from infra.identity.user import Grant, User, evolve
from infra.identity.user_commands import (
    AttemptLogin,
    BindCertificate,
    EnrolUser,
    GrantRole,
    LoginPolicy,
    RevokeCertificate,
    RevokeRole,
    UnlockUser,
)

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
HASH = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
POLICY = LoginPolicy()
FP = "ab" * 32
ENROLLED = UserEnrolled(
    user_id="u-1",
    username="wangjg",
    name="王建国",
    citizen_id=CitizenId("11010519491231002X"),
    division_code="650102001",
    post="城关镇财政所审核A岗",
    backup_post="城关镇财政所审核B岗",
    enrolled_by="u-admin",
)


def given(*events: Event) -> User:
    state = reduce(evolve, events, None)
    assert state is not None
    return state


def with_password(*, at: datetime = T0, temporary: bool = False) -> PasswordSet:
    return PasswordSet(
        user_id="u-1", password_hash=HASH, set_at=at, temporary=temporary, set_by="u-a"
    )


def granted(role: str = "township_operator", where: str | None = "650102001") -> RoleGranted:
    return RoleGranted(user_id="u-1", role=role, jurisdiction_code=where, granted_by="u-admin")


def attempt(ok: bool, at: datetime, **changes: object) -> AttemptLogin:
    fields: dict[str, object] = {
        "user_id": "u-1",
        "method": "password",
        "credential_ok": ok,
        "role": None,
        "jurisdiction_code": None,
        "token_id": "t-1",
        "at": at,
        "policy": POLICY,
        **changes,
    }
    return AttemptLogin(**fields)  # type: ignore[arg-type]


def enrol(**changes: object) -> EnrolUser:
    fields: dict[str, object] = {
        "user_id": "u-1",
        "username": "wangjg",
        "name": "王建国",
        "citizen_id": CitizenId("11010519491231002X"),
        "division_code": "650102001",
        "post": "城关镇财政所审核A岗",
        "backup_post": "城关镇财政所审核B岗",
        "by": "u-admin",
        **changes,
    }
    return EnrolUser(**fields)  # type: ignore[arg-type]


def test_enrolling_twice_with_the_same_details_is_already_done() -> None:
    assert decide_enrol(enrol(), None) == [ENROLLED]
    assert decide_enrol(enrol(), given(ENROLLED)) == []


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"username": "li4"}, "user_id_in_use"),
        ({"name": "李四"}, "user_id_in_use"),
    ],
)
def test_an_enrolled_user_id_is_not_enrolled_again_as_someone_else(changes, code) -> None:
    with pytest.raises(IdentityRefused, match=code):
        decide_enrol(enrol(**changes), given(ENROLLED))


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"username": "Wang"}, "invalid_username"),
        ({"username": "ab"}, "invalid_username"),
        ({"division_code": "65010"}, "invalid_division_code"),
        ({"division_code": "6501a2"}, "invalid_division_code"),
    ],
)
def test_enrolment_refuses_bad_usernames_and_division_codes(changes, code) -> None:
    with pytest.raises(IdentityRefused, match=code):
        decide_enrol(enrol(**changes), None)


def test_a_grant_is_stored_once_with_who_granted_it() -> None:
    command = GrantRole("u-1", "township_operator", "650102001", by="u-admin")
    assert decide_grant(command, given(ENROLLED)) == [granted()]
    assert decide_grant(command, given(ENROLLED, granted())) == []


@pytest.mark.parametrize(
    ("role", "where", "code"),
    [
        ("township_operator", "650102", "jurisdiction_level_mismatch"),
        ("county_finance_officer", "650102001", "jurisdiction_level_mismatch"),
        ("supervisor", None, "jurisdiction_level_mismatch"),
        ("root", "650102", "unknown_role"),
        ("auditor", "65x", "invalid_division_code"),
    ],
)
def test_a_grant_must_name_a_known_role_over_a_division_of_its_level(role, where, code) -> None:
    with pytest.raises(IdentityRefused, match=code):
        decide_grant(GrantRole("u-1", role, where, by="u-admin"), given(ENROLLED))


def test_nobody_grants_a_role_to_themselves() -> None:
    with pytest.raises(IdentityRefused, match="self_grant_forbidden"):
        decide_grant(GrantRole("u-1", "auditor", "65", by="u-1"), given(ENROLLED))


def test_revoking_a_grant_not_held_is_refused() -> None:
    command = RevokeRole("u-1", "auditor", "65", by="u-admin", reason="调岗")
    with pytest.raises(IdentityRefused, match="grant_not_held"):
        decide_revoke(command, given(ENROLLED, granted()))


def test_the_fifth_wrong_password_in_a_row_locks_the_account_for_thirty_minutes() -> None:
    failures = [LoginFailed(user_id="u-1", at=T0, failures=n) for n in range(1, 5)]
    user = given(ENROLLED, with_password(), *failures)
    assert decide_login(attempt(False, T0), user) == [
        LoginFailed(user_id="u-1", at=T0, failures=5),
        UserLockedOut(user_id="u-1", until=T0 + timedelta(minutes=30)),
    ]


def test_a_success_ends_the_run_of_failures() -> None:
    failures = [LoginFailed(user_id="u-1", at=T0, failures=n) for n in range(1, 5)]
    success = decide_login(attempt(True, T0), given(ENROLLED, with_password(), granted()))[0]
    user = given(ENROLLED, with_password(), granted(), *failures, success)
    assert decide_login(attempt(False, T0), user) == [LoginFailed(user_id="u-1", at=T0, failures=1)]


def test_while_locked_the_right_password_is_refused_and_a_wrong_one_does_not_extend() -> None:
    until = T0 + timedelta(minutes=30)
    user = given(ENROLLED, with_password(), granted(), UserLockedOut(user_id="u-1", until=until))
    with pytest.raises(IdentityRefused, match="account_locked"):
        decide_login(attempt(True, T0 + timedelta(minutes=29)), user)
    (failed,) = decide_login(attempt(False, T0 + timedelta(minutes=1)), user)
    assert isinstance(failed, LoginFailed)
    after = decide_login(attempt(True, until), user)
    assert [type(e) for e in after] == [LoginSucceeded]


def test_an_administrator_unlocks_a_locked_account_once() -> None:
    locked = given(ENROLLED, UserLockedOut(user_id="u-1", until=T0 + timedelta(minutes=30)))
    unlock = UnlockUser("u-1", at=T0, by="u-admin")
    assert decide_unlock(unlock, locked) == [UserUnlocked(user_id="u-1", unlocked_by="u-admin")]
    assert decide_unlock(unlock, given(ENROLLED)) == []


@pytest.mark.parametrize(
    ("age", "temporary", "purpose"),
    [
        (timedelta(days=89, hours=23), False, "access"),
        (timedelta(days=90), False, "password_change"),
        (timedelta(0), True, "password_change"),
    ],
)
def test_an_old_or_temporary_password_yields_only_a_password_change(age, temporary, purpose):
    user = given(ENROLLED, with_password(temporary=temporary), granted())
    (success,) = decide_login(attempt(True, T0 + age), user)
    assert isinstance(success, LoginSucceeded)
    assert success.purpose == purpose
    assert success.role == ("township_operator" if purpose == "access" else None)


def test_a_user_of_several_roles_chooses_one_and_only_one_they_hold() -> None:
    user = given(ENROLLED, with_password(), granted(), granted("township_finance_auditor"))
    with pytest.raises(IdentityRefused, match="role_required"):
        decide_login(attempt(True, T0), user)
    with pytest.raises(IdentityRefused, match="role_not_held"):
        decide_login(attempt(True, T0, role="auditor"), user)
    (success,) = decide_login(attempt(True, T0, role="township_finance_auditor"), user)
    assert isinstance(success, LoginSucceeded)
    assert (success.role, success.jurisdiction_code) == ("township_finance_auditor", "650102001")
    assert success.expires_at == T0 + timedelta(minutes=15)


def test_a_revoked_certificate_is_never_bound_again() -> None:
    bound = CertificateBound(
        user_id="u-1", fingerprint=FP, subject="CN=王建国", not_after=T0, bound_by="u-admin"
    )
    user = given(ENROLLED, bound)
    assert decide_bind(BindCertificate("u-1", FP, "CN=王建国", T0, by="u-admin"), user) == []
    (revoked,) = decide_revoke_certificate(RevokeCertificate("u-1", FP, "u-admin", "遗失"), user)
    again = BindCertificate("u-1", FP, "CN=王建国", T0, by="u-admin")
    with pytest.raises(IdentityRefused, match="certificate_taken"):
        decide_bind(again, evolve(user, revoked))


def test_replaying_a_users_events_yields_the_same_state() -> None:
    history: list[Event] = [
        ENROLLED,
        granted(),
        granted("township_finance_auditor"),
        with_password(),
        LoginFailed(user_id="u-1", at=T0, failures=1),
        UserLockedOut(user_id="u-1", until=T0 + timedelta(minutes=30)),
        UserUnlocked(user_id="u-1", unlocked_by="u-admin"),
    ]
    once, twice = given(*history), given(*history)
    assert once == twice
    assert once.grants == (
        Grant("township_operator", "650102001"),
        Grant("township_finance_auditor", "650102001"),
    )
    assert (once.failures, once.locked_until) == (0, None)
