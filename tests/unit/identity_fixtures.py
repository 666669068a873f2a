"""Shared plumbing of the identity tests: the registry app on the memory store with a cheap
argon2id, a clock the test moves, and users enrolled the way ``onecard users`` does."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher, Type
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import create_async_engine

from contracts.envelope import Actor
from contracts.events import EVENTS
from contracts.pii import CitizenId
from infra.clock import AdjustableClock
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.memory import MemoryEventStore
from infra.identity import admin
from infra.identity.passwords import Passwords
from infra.identity.service import Identity
from infra.identity.user_commands import EnrolUser, GrantRole
from infra.projections.database import ProjectionDatabase
from infra.service import ServiceDeps
from infra.settings import Settings
from services.registry.bootstrap import build
from tests.unit.asgi import Response, request
from tests.unit.contract_samples import memory_cipher

START = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
CITIZEN_ID = "11010519491231002X"
PASSWORD = "Tianshan#2025"
FAST_PASSWORDS = Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID))
OPERATOR = Actor.system("cli")


@dataclass
class World:
    app: FastAPI
    identity: Identity
    store: MemoryEventStore
    clock: AdjustableClock

    async def call(
        self, method: str, path: str, *, token: str | None = None, **kwargs: Any
    ) -> Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return await request(self.app, method, path, headers=headers, **kwargs)

    async def login(self, username: str, password: str = PASSWORD, **extra: Any) -> Response:
        body = {"username": username, "password": password, **extra}
        return await self.call("POST", "/auth/token", json_body=body)

    async def token(self, username: str, password: str = PASSWORD, **extra: Any) -> str:
        answer = await self.login(username, password, **extra)
        assert answer.status == 200, answer.json()
        token: str = answer.json()["access_token"]
        return token

    def context(self) -> CommandContext:
        return CommandContext(
            actor=OPERATOR,
            at=self.clock.now(),
            correlation_id=uuid.uuid4(),
            idempotency_key=str(uuid.uuid4()),
        )

    async def enrol(
        self,
        username: str,
        *grants: tuple[str, str | None],
        division: str | None = "650102",
        password: str | None = PASSWORD,
    ) -> str:
        """Enrol, grant and set a (non-temporary) password as the server operator would."""
        user_id = f"u-{username}"
        command = EnrolUser(
            user_id=user_id,
            username=username,
            name="王建国",
            citizen_id=CitizenId(CITIZEN_ID),
            division_code=division,
            post="城关镇财政所审核A岗",
            backup_post="城关镇财政所审核B岗",
            by=OPERATOR.user_id,
        )
        guard = admin.server_operator
        await admin.enrol_user(self.identity, self.context(), command, guard)
        for role, jurisdiction in grants:
            grant = GrantRole(user_id, role, jurisdiction, by=OPERATOR.user_id)
            await admin.grant_role(self.identity, self.context(), grant, guard)
        if password is not None:
            await admin.set_password(
                self.identity, self.context(), user_id, password, guard, temporary=False
            )
        return user_id


def make_world(tmp_path: Path, *, start: datetime | None = START, **settings: Any) -> World:
    """The registry app on a memory store, its clock at ``start`` (None: now)."""
    store = MemoryEventStore()
    clock = AdjustableClock(start=start)
    codec = EventCodec(registry=EVENTS, cipher=memory_cipher())
    projections = ProjectionDatabase(create_async_engine(f"sqlite+aiosqlite:///{tmp_path}/p.db"))
    deps = ServiceDeps(Settings(data_dir=tmp_path, **settings), store, codec, projections, clock)
    app = build(deps).http
    identity: Identity = app.state.identity
    identity.passwords = FAST_PASSWORDS
    return World(app, identity, store, clock)


def self_signed_pem(name: str = "王建国") -> str:
    """A certificate no CA vouches for (valid for a day from now)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode()
