"""``onecard users add|grant|set-password|list``: the user store from the server's shell.

For a fresh install, where no administrator exists yet to log in: whoever runs this holds
the event store's credentials already, so no ``user.admin`` check applies; every event is
attributed to ``system:cli``. Afterwards administrators use the HTTP routes.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import NoReturn, TypeVar

import typer

from contracts.envelope import Actor
from contracts.pii import CitizenId, PiiError
from infra.command_context import CommandContext
from infra.identity import admin
from infra.identity.decide_login import describe
from infra.identity.events import username_stream
from infra.identity.refusals import IdentityRefused, invalid_citizen_id, unknown_user
from infra.identity.service import Identity, make_identity
from infra.identity.user_commands import EnrolUser, GrantRole
from infra.settings import get_settings
from infra.wiring import make_cipher, open_store

app = typer.Typer(no_args_is_help=True, help="Real-name users: bootstrap and list.")
CLI_ACTOR = Actor.system("cli")
T = TypeVar("T")


@app.command("add")
def add(
    username: str = typer.Argument(..., help="Login name (3–32 of a-z 0-9 . _ -)."),
    name: str = typer.Option(..., help="Real name (实名)."),
    citizen_id: str = typer.Option(..., help="18-digit citizen ID (stored encrypted)."),
    post: str = typer.Option(..., help="The post held (岗位)."),
    backup_post: str | None = typer.Option(None, help="The post stood in for (AB 岗)."),
    division: str | None = typer.Option(None, help="Division code; none: the whole country."),
    user_id: str | None = typer.Option(None, help="User id (default: generated)."),
) -> None:
    """Enrol a real-name user."""
    try:
        cid = CitizenId(citizen_id)
    except PiiError:
        _fail(invalid_citizen_id())
    command = EnrolUser(
        user_id=user_id or f"u-{uuid.uuid4().hex[:20]}",
        username=username,
        name=name,
        citizen_id=cid,
        division_code=division,
        post=post,
        backup_post=backup_post,
        by=CLI_ACTOR.user_id,
    )
    enrolled = _run(lambda i: admin.enrol_user(i, _context(i), command, admin.server_operator))
    typer.echo(f"{command.user_id} {'enrolled' if enrolled else 'already enrolled'}")


@app.command("grant")
def grant(
    username: str = typer.Argument(...),
    role: str = typer.Argument(..., help="e.g. system_administrator"),
    jurisdiction: str | None = typer.Option(None, help="Division code; none: whole country."),
) -> None:
    """Grant a role over a jurisdiction."""

    async def run(identity: Identity) -> bool:
        user_id = await _user_id(identity, username)
        command = GrantRole(user_id, role, jurisdiction, by=CLI_ACTOR.user_id)
        return await admin.grant_role(identity, _context(identity), command, admin.server_operator)

    done = _run(run)
    typer.echo(f"{username}: {role} ({jurisdiction or 'all'}) {'granted' if done else 'held'}")


@app.command("set-password")
def set_password(
    username: str = typer.Argument(...),
    temporary: bool = typer.Option(False, help="Make the user change it at the next login."),
) -> None:
    """Set a password (asked for twice, never echoed)."""
    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)

    async def run(identity: Identity) -> bool:
        user_id = await _user_id(identity, username)
        return await admin.set_password(
            identity,
            _context(identity),
            user_id,
            password,
            admin.server_operator,
            temporary=temporary,
        )

    _run(run)
    typer.echo(f"{username}: password set")


@app.command("list")
def list_users() -> None:
    """Every user: id, username, real name, division, grants, state."""

    async def run(identity: Identity) -> list[str]:
        now = identity.clock.now()
        lines = []
        for entry in await identity.users.directory():
            user, _ = await identity.users.load(entry.user_id)
            if user is None:
                continue
            grants = "、".join(describe(g) for g in user.grants) or "-"
            state = "停用" if user.disabled else "锁定" if user.locked_at(now) else "正常"
            division = user.division_code or "全国"
            fields = (user.user_id, user.username, user.name, division, grants, state)
            lines.append("\t".join(fields))
        return lines

    for line in _run(run):
        typer.echo(line)


async def _user_id(identity: Identity, username: str) -> str:
    user_id = await identity.users.holder(username_stream(username))
    if user_id is None:
        raise unknown_user()
    return user_id


def _context(identity: Identity) -> CommandContext:
    return CommandContext(
        actor=CLI_ACTOR,
        at=identity.clock.now(),
        correlation_id=uuid.uuid4(),
        idempotency_key=str(uuid.uuid4()),
    )


def _run(work: Callable[[Identity], Awaitable[T]]) -> T:
    try:
        return asyncio.run(_with_identity(work))
    except IdentityRefused as refused:
        _fail(refused)


async def _with_identity(work: Callable[[Identity], Awaitable[T]]) -> T:
    settings = get_settings()
    store = await open_store(settings)
    try:
        return await work(make_identity(settings, store, make_cipher(settings)))
    finally:
        await store.close()


def _fail(refused: IdentityRefused) -> NoReturn:
    typer.echo(f"{refused.code}: {refused.message}", err=True)
    raise typer.Exit(1)
