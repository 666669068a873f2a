"""Passwords: the policy a new one must meet, and argon2id hashing.

Only the hash is stored. Checking a login against an unknown user still verifies against a
dummy hash of the same parameters, so that an unknown username and a wrong password take
about the same time and get the same answer.
"""

from __future__ import annotations

import asyncio
import secrets
import string

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from infra.identity.refusals import IdentityRefused

MIN_LENGTH = 8
MAX_LENGTH = 128
_CLASSES = (
    ("大写字母", frozenset(string.ascii_uppercase)),
    ("小写字母", frozenset(string.ascii_lowercase)),
    ("数字", frozenset(string.digits)),
)


def check_policy(password: str, *, username: str) -> None:
    """Refuse (``weak_password``, every problem named) a password shorter than 8 characters,
    longer than 128, with fewer than three of upper-case, lower-case, digits and symbols, or
    containing the username."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"长度不少于{MIN_LENGTH}位")
    if len(password) > MAX_LENGTH:
        problems.append(f"长度不超过{MAX_LENGTH}位")
    kinds = sum(1 for _, chars in _CLASSES if any(c in chars for c in password))
    kinds += any(not c.isascii() or not c.isalnum() for c in password)
    if kinds < 3:
        problems.append("至少包含大写字母、小写字母、数字、特殊符号中的三种")
    if username and username.lower() in password.lower():
        problems.append("不得包含用户名")
    if problems:
        raise IdentityRefused("weak_password", f"密码不符合要求：{'；'.join(problems)}")


class Passwords:
    """argon2id hashing (RFC 9106 parameters by default; tests may pass cheaper ones).
    Hashing and verifying run in a worker thread: they take tens of milliseconds by design."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher(type=Type.ID)
        if self._hasher.type is not Type.ID:
            raise ValueError("passwords are hashed with argon2id")
        self._dummy: str | None = None

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches; with no hash (no such user, no password yet) a dummy
        is verified instead and the answer is False."""
        if password_hash is None:
            await asyncio.to_thread(self._check, self._dummy_hash(), password)
            return False
        return await asyncio.to_thread(self._check, password_hash, password)

    def _check(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = self._hasher.hash(secrets.token_urlsafe(16))
        return self._dummy
