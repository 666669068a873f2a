"""Passwords: the policy with every problem named in Chinese, and argon2id only."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type

from infra.identity.passwords import Passwords, check_policy
from infra.identity.refusals import IdentityRefused
from tests.unit.identity_fixtures import FAST_PASSWORDS


@pytest.mark.parametrize(
    "password", ["Tianshan#2025", "tianshan2025#", "TIANSHAN2025x", "天山区Ab12345"]
)
def test_three_kinds_of_characters_and_eight_of_them_are_enough(password: str) -> None:
    check_policy(password, username="wangjg")


def test_every_problem_of_a_weak_password_is_named() -> None:
    with pytest.raises(IdentityRefused) as refused:
        check_policy("wangjg1", username="wangjg")
    assert refused.value.code == "weak_password"
    for problem in ("长度不少于8位", "至少包含", "不得包含用户名"):
        assert problem in refused.value.message


async def test_a_hash_verifies_its_password_only() -> None:
    stored = await FAST_PASSWORDS.hash("Tianshan#2025")
    assert stored.startswith("$argon2id$")
    assert await FAST_PASSWORDS.verify(stored, "Tianshan#2025")
    assert not await FAST_PASSWORDS.verify(stored, "Tianshan#2026")
    assert not await FAST_PASSWORDS.verify("$argon2id$garbage", "Tianshan#2025")


async def test_without_a_hash_a_dummy_is_verified_and_nothing_matches() -> None:
    assert not await FAST_PASSWORDS.verify(None, "Tianshan#2025")


def test_only_argon2id_is_accepted() -> None:
    with pytest.raises(ValueError, match="argon2id"):
        Passwords(PasswordHasher(type=Type.I))
