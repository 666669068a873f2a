"""Administering users over HTTP: what an administrator may do in their jurisdiction, what
nobody may do (grant themselves a role), and what every other role is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.identity.events import DIRECTORY_STREAM, user_stream
from tests.unit.identity_fixtures import CITIZEN_ID, World, make_world

ENROL = {
    "username": "zhaoliu",
    "name": "赵六",
    "citizen_id": CITIZEN_ID,
    "division_code": "650102001",
    "post": "城关镇民政所录入A岗",
    "backup_post": "城关镇民政所录入B岗",
}


@pytest.fixture
async def world(tmp_path: Path) -> World:
    world = make_world(tmp_path)
    await world.enrol("admin", ("system_administrator", "650102"))
    await world.enrol("other", ("system_administrator", "650103"), division="650103")
    await world.enrol("clerk", ("township_operator", "650102001"), division="650102001")
    return world


async def test_an_administrator_enrols_grants_and_the_user_logs_in(world: World) -> None:
    admin = await world.token("admin")
    enrolled = await world.call("POST", "/users", token=admin, json_body=ENROL)
    assert enrolled.status == 201
    user_id = enrolled.json()["user_id"]
    grant = {"role": "township_operator", "jurisdiction_code": "650102001"}
    assert (
        await world.call("POST", f"/users/{user_id}/roles", token=admin, json_body=grant)
    ).json() == {"granted": True}
    await world.call(
        "POST", f"/users/{user_id}/password", token=admin, json_body={"password": "Turpan#2025"}
    )
    first = await world.login("zhaoliu", "Turpan#2025")
    assert first.json()["code"] == "password_change_required"
    (granted,) = [
        r
        for r in await world.store.read_stream(user_stream(user_id))
        if r.event_type == "RoleGranted"
    ]
    assert b'"granted_by":"u-admin"' in granted.data
    listed = await world.store.read_stream(DIRECTORY_STREAM)
    assert [r.event_type for r in listed].count("UserListed") == 4


async def test_an_enrolment_retried_with_its_idempotency_key_names_the_same_user(
    world: World,
) -> None:
    admin = await world.token("admin")
    headers = {"Idempotency-Key": "enrol-zhaoliu"}
    first = await world.call("POST", "/users", token=admin, json_body=ENROL, headers=headers)
    again = await world.call("POST", "/users", token=admin, json_body=ENROL, headers=headers)
    assert first.json()["user_id"] == again.json()["user_id"]
    assert (first.json()["enrolled"], again.json()["enrolled"]) == (True, False)


async def test_a_username_names_one_user(world: World) -> None:
    admin = await world.token("admin")
    answer = await world.call(
        "POST", "/users", token=admin, json_body={**ENROL, "username": "clerk"}
    )
    assert (answer.status, answer.json()["code"]) == (409, "username_taken")


async def test_nobody_grants_a_role_to_themselves(world: World) -> None:
    admin = await world.token("admin")
    grant = {"role": "auditor", "jurisdiction_code": "650102"}
    answer = await world.call("POST", "/users/u-admin/roles", token=admin, json_body=grant)
    assert (answer.status, answer.json()["code"]) == (403, "self_grant_forbidden")


async def test_an_administrator_does_not_reset_their_own_password(world: World) -> None:
    admin = await world.token("admin")
    body = {"password": "Korla#20250"}
    answer = await world.call("POST", "/users/u-admin/password", token=admin, json_body=body)
    assert (answer.status, answer.json()["code"]) == (403, "self_reset_forbidden")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/users", {**ENROL, "division_code": "650103001"}),
        ("POST", "/users/u-other/roles", {"role": "auditor", "jurisdiction_code": "650103"}),
        ("POST", "/users/u-clerk/roles", {"role": "auditor", "jurisdiction_code": "650103"}),
        ("POST", "/users/u-other/unlock", None),
        ("POST", "/users/u-other/disable", {"reason": "调离"}),
        ("POST", "/users/u-nobody/disable", {"reason": "调离"}),
        ("GET", "/users/u-other", None),
    ],
)
async def test_an_administrator_acts_only_inside_their_county(
    world: World, method: str, path: str, body: dict | None
) -> None:
    admin = await world.token("admin")
    answer = await world.call(method, path, token=admin, json_body=body)
    assert (answer.status, answer.json()["code"]) == (403, "outside_jurisdiction")


async def test_no_other_role_administers_users(world: World) -> None:
    clerk = await world.token("clerk")
    answer = await world.call("POST", "/users", token=clerk, json_body=ENROL)
    assert (answer.status, answer.json()["code"]) == (403, "role_not_permitted")


async def test_a_revoked_role_no_longer_logs_in(world: World) -> None:
    admin = await world.token("admin")
    revoke = {"role": "township_operator", "jurisdiction_code": "650102001", "reason": "调岗"}
    answer = await world.call("POST", "/users/u-clerk/roles/revoke", token=admin, json_body=revoke)
    assert answer.json() == {"revoked": True}
    refused = await world.login("clerk")
    assert (refused.status, refused.json()["code"]) == (403, "no_role")


async def test_administrators_see_no_citizen_id(world: World) -> None:
    admin = await world.token("admin")
    answer = await world.call("GET", "/users/u-clerk", token=admin)
    assert answer.status == 200
    assert "citizen_id" not in answer.json()
    assert answer.json()["grants"][0]["label"] == "乡镇站所录入员（650102001）"
    assert answer.json()["password"] == "valid"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"citizen_id": "110105194912310021"}, "invalid_citizen_id"),
        ({"division_code": "65010"}, "invalid_division_code"),
        ({"username": "Zhao Liu"}, "invalid_request"),
    ],
)
async def test_bad_enrolments_are_refused_with_a_code(
    world: World, change: dict, code: str
) -> None:
    admin = await world.token("admin")
    answer = await world.call("POST", "/users", token=admin, json_body={**ENROL, **change})
    assert (answer.status, answer.json()["code"]) == (422, code)
    assert await world.store.read_stream("identity-username-zhaoliu") == []
