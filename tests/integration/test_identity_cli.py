"""``onecard users …`` on a fresh install (a SQLite store): the first administrator is
enrolled, granted and given a password from the shell, then logs in over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner

from contracts.events import EVENTS
from infra.cli.main import app
from infra.eventcodec import EventCodec
from infra.eventstore.sqlite import SqliteEventStore
from infra.projections.database import ProjectionDatabase
from infra.service import ServiceDeps
from infra.settings import Settings, get_settings
from infra.wiring import make_cipher
from services.registry.bootstrap import build
from tests.unit.asgi import request

runner = CliRunner()
PASSWORD = "Urumqi#2025x"
ADD = [
    "users",
    "add",
    "admin",
    "--name",
    "王建国",
    "--citizen-id",
    "11010519491231002X",
    "--post",
    "天山区财政局信息管理A岗",
    "--backup-post",
    "天山区财政局信息管理B岗",
    "--division",
    "650102",
    "--user-id",
    "u-admin",
]


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("ONECARD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ONECARD_EVENT_STORE_URL", f"sqlite:///{tmp_path}/events.db")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _invoke(*args: str, input: str | None = None) -> str:
    result = runner.invoke(app, list(args), input=input)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_first_administrator_is_made_from_the_shell_and_logs_in(installed: Path) -> None:
    assert "u-admin enrolled" in _invoke(*ADD)
    assert "already enrolled" in _invoke(*ADD)
    grant = ("users", "grant", "admin", "system_administrator", "--jurisdiction", "650102")
    assert "granted" in _invoke(*grant)
    _invoke("users", "set-password", "admin", input=f"{PASSWORD}\n{PASSWORD}\n")
    listing = _invoke("users", "list")
    assert "u-admin\tadmin\t王建国\t650102\t系统管理员（650102）\t正常" in listing
    asyncio.run(_log_in_over_http(installed))


async def _log_in_over_http(installed: Path) -> None:
    store = await SqliteEventStore.open(installed / "events.db")
    settings = Settings(data_dir=installed, event_store_url=f"sqlite:///{installed}/events.db")
    codec = EventCodec(registry=EVENTS, cipher=make_cipher(settings))
    projections = ProjectionDatabase(create_async_engine(f"sqlite+aiosqlite:///{installed}/p.db"))
    try:
        registry = build(ServiceDeps(settings, store, codec, projections)).http
        body = {"username": "admin", "password": PASSWORD}
        answer = await request(registry, "POST", "/auth/token", json_body=body)
        assert answer.status == 200, answer.json()
        assert answer.json()["role"] == "system_administrator"
        token = answer.json()["access_token"]
        me = await request(
            registry, "GET", "/users/me", headers={"Authorization": f"Bearer {token}"}
        )
        assert me.json()["post"] == "天山区财政局信息管理A岗"
    finally:
        await store.close()
        await projections.close()


def test_the_shell_refuses_with_the_code_and_the_chinese_message(installed: Path) -> None:
    result = runner.invoke(app, ["users", "grant", "nobody", "auditor"])
    assert result.exit_code == 1
    assert "user_not_found: 用户不存在" in result.output
    weak = runner.invoke(app, [*ADD[:-2], "--citizen-id", "110105194912310021"])
    assert weak.exit_code == 1
    assert "invalid_citizen_id" in weak.output
