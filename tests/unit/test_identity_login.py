"""Password login over HTTP (registry app, memory store): tokens, the same answer for an
unknown user and a wrong password, lockout and unlock, expiry, forced password change."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import orjson
import pytest

from infra.identity.events import user_stream
from infra.identity.passwords import Passwords
from tests.unit.identity_fixtures import CITIZEN_ID, FAST_PASSWORDS, PASSWORD, World, make_world

CLERK = ("township_operator", "650102001")
ADMIN = ("system_administrator", "650102")


@pytest.fixture
async def world(tmp_path: Path) -> World:
    world = make_world(tmp_path)
    await world.enrol("wangjg", CLERK, division="650102001")
    await world.enrol("admin", ADMIN)
    return world


async def _event_types(world: World, user_id: str) -> list[str]:
    return [r.event_type for r in await world.store.read_stream(user_stream(user_id))]


async def test_a_login_answers_a_token_that_acts_in_the_granted_role(world: World) -> None:
    answer = await world.login("wangjg")
    assert answer.status == 200
    assert answer.json()["role"] == "township_operator"
    me = await world.call("GET", "/users/me", token=answer.json()["access_token"])
    assert me.status == 200
    assert me.json()["acting_as"] == {"role": "township_operator", "jurisdiction_code": "650102001"}
    assert me.json()["citizen_id"] == "**************002X"
    assert me.json()["backup_post"] == "城关镇财政所审核B岗"
    assert (await _event_types(world, "u-wangjg"))[-1] == "LoginSucceeded"


async def test_the_same_answer_for_an_unknown_user_and_a_wrong_password(world: World) -> None:
    class Counting(Passwords):
        dummies = 0

        async def verify(self, password_hash: str | None, password: str) -> bool:
            Counting.dummies += password_hash is None
            return await FAST_PASSWORDS.verify(password_hash, password)

    world.identity.passwords = Counting()
    unknown = await world.login("nobody", PASSWORD)
    wrong = await world.login("wangjg", "Wrong#pass1")
    assert unknown.status == wrong.status == 401
    assert (
        unknown.json()
        == wrong.json()
        == {
            "code": "invalid_credentials",
            "message": "用户名或密码错误",
        }
    )
    assert Counting.dummies == 1  # the unknown user was checked against a dummy hash


async def test_five_wrong_passwords_lock_the_account_until_thirty_minutes_pass(
    world: World,
) -> None:
    for _ in range(5):
        assert (await world.login("wangjg", "Wrong#pass1")).status == 401
    locked = await world.login("wangjg")
    assert locked.status == 403
    assert locked.json()["code"] == "account_locked"
    assert "锁定至" in locked.json()["message"]
    assert (await world.login("wangjg", "Wrong#pass1")).json()["code"] == "invalid_credentials"
    world.clock.advance(timedelta(minutes=30))
    assert (await world.login("wangjg")).status == 200
    stored = await _event_types(world, "u-wangjg")
    assert stored.count("LoginFailed") == 6
    assert stored.count("UserLockedOut") == 1


async def test_an_administrator_unlocks_a_locked_account_at_once(world: World) -> None:
    for _ in range(5):
        await world.login("wangjg", "Wrong#pass1")
    admin = await world.token("admin")
    unlocked = await world.call("POST", "/users/u-wangjg/unlock", token=admin)
    assert unlocked.json() == {"unlocked": True}
    assert (await world.login("wangjg")).status == 200


async def test_a_password_older_than_ninety_days_must_be_changed_first(world: World) -> None:
    world.clock.advance(timedelta(days=90))
    expired = await world.login("wangjg")
    assert expired.status == 403
    assert expired.json()["code"] == "password_expired"
    change_only = expired.json()["access_token"]
    refused = await world.call("GET", "/users/me", token=change_only)
    assert (refused.status, refused.json()["code"]) == (403, "password_change_required")
    body = {"old_password": PASSWORD, "new_password": "Kashgar#2025"}
    assert (
        await world.call("POST", "/auth/password", token=change_only, json_body=body)
    ).status == 200
    assert (await world.login("wangjg", "Kashgar#2025")).status == 200
    assert (await world.login("wangjg")).status == 401


async def test_a_password_set_by_an_administrator_is_changed_at_first_login(world: World) -> None:
    admin = await world.token("admin")
    reset = await world.call(
        "POST", "/users/u-wangjg/password", token=admin, json_body={"password": "Hami#20250"}
    )
    assert reset.json() == {"set": True}
    first = await world.login("wangjg", "Hami#20250")
    assert (first.status, first.json()["code"]) == (403, "password_change_required")


@pytest.mark.parametrize(
    ("new", "problem"),
    [
        ("Ab#1", "长度不少于8位"),
        ("abcdefgh12", "至少包含大写字母、小写字母、数字、特殊符号中的三种"),
        ("Wangjg#2025", "不得包含用户名"),
    ],
)
async def test_a_new_password_must_meet_the_policy(world: World, new: str, problem: str) -> None:
    token = await world.token("wangjg")
    body = {"old_password": PASSWORD, "new_password": new}
    answer = await world.call("POST", "/auth/password", token=token, json_body=body)
    assert (answer.status, answer.json()["code"]) == (422, "weak_password")
    assert problem in answer.json()["message"]


async def test_a_wrong_old_password_counts_as_a_failed_login(world: World) -> None:
    token = await world.token("wangjg")
    body = {"old_password": "Wrong#pass1", "new_password": "Kashgar#2025"}
    answer = await world.call("POST", "/auth/password", token=token, json_body=body)
    assert (answer.status, answer.json()["code"]) == (403, "wrong_password")
    assert (await _event_types(world, "u-wangjg"))[-1] == "LoginFailed"


async def test_a_token_expires_after_fifteen_minutes(world: World) -> None:
    token = await world.token("wangjg")
    world.clock.advance(timedelta(minutes=15))
    answer = await world.call("GET", "/users/me", token=token)
    assert (answer.status, answer.json()["code"]) == (401, "token_expired")


async def test_a_user_of_several_roles_logs_in_as_the_one_chosen(world: World) -> None:
    await world.enrol("li4", CLERK, ("township_finance_auditor", "650102001"), division="650102001")
    several = await world.login("li4")
    assert (several.status, several.json()["code"]) == (422, "role_required")
    assert "乡镇财政所审核员（650102001）" in several.json()["message"]
    chosen = await world.login("li4", role="township_finance_auditor")
    assert chosen.json()["role"] == "township_finance_auditor"


async def test_a_disabled_user_cannot_log_in(world: World) -> None:
    admin = await world.token("admin")
    body = {"reason": "调离"}
    assert (
        await world.call("POST", "/users/u-wangjg/disable", token=admin, json_body=body)
    ).json() == {"disabled": True}
    answer = await world.login("wangjg")
    assert (answer.status, answer.json()["code"]) == (403, "account_disabled")


async def test_the_stored_user_replays_to_the_same_state_with_the_citizen_id_sealed(
    world: World,
) -> None:
    await world.login("wangjg", "Wrong#pass1")
    await world.login("wangjg")
    first, version = await world.identity.users.load("u-wangjg")
    again, _ = await world.identity.users.load("u-wangjg")
    assert first == again
    assert first is not None
    assert first.citizen_id.reveal() == CITIZEN_ID
    assert version == len(await world.store.read_stream(user_stream("u-wangjg")))
    for record in await world.store.read_stream(user_stream("u-wangjg")):
        assert CITIZEN_ID not in record.data.decode()
        assert PASSWORD not in record.data.decode()
        if record.event_type == "PasswordSet":
            assert orjson.loads(record.data)["password_hash"].startswith("$argon2id$")
