"""``CurrentActor``: a bearer token first, then a client certificate, then (development and
test only, and never beside an Authorization header) the X-Onecard-* headers."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi import FastAPI

from contracts.envelope import Actor
from infra.http import actor as actor_module
from infra.http.actor import CurrentActor
from infra.http.errors import install_error_handlers
from infra.settings import Settings
from tests.unit.asgi import request
from tests.unit.identity_fixtures import make_world, self_signed_pem

DEV_HEADERS = {
    "X-Onecard-User": "u-dev",
    "X-Onecard-Role": "township_operator",
    "X-Onecard-Jurisdiction": "650102001",
}


def _other_service() -> FastAPI:
    """A service that only verifies tokens (no user store of its own)."""
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/whoami")
    async def whoami(actor: CurrentActor) -> Actor:
        return actor

    return app


async def test_development_headers_still_name_the_actor_without_a_token(tmp_path: Path) -> None:
    app = _other_service()
    answer = await request(app, "GET", "/whoami", headers=DEV_HEADERS)
    assert answer.json() == {
        "user_id": "u-dev",
        "role": "township_operator",
        "jurisdiction_code": "650102001",
    }


@pytest.mark.parametrize("authorization", ["Bearer not-a-token", "Basic dTpw", "Bearer "])
async def test_beside_an_authorization_header_the_development_headers_count_for_nothing(
    tmp_path: Path, authorization: str
) -> None:
    world = make_world(tmp_path)
    headers = {**DEV_HEADERS, "Authorization": authorization}
    answer = await world.call("GET", "/users/me", headers=headers)
    assert (answer.status, answer.json()["code"]) == (401, "token_invalid")


async def test_production_refuses_the_development_headers(tmp_path: Path) -> None:
    world = make_world(tmp_path, environment="prod", key_file=tmp_path / "keys.json")
    answer = await world.call("GET", "/users/me", headers=DEV_HEADERS)
    assert (answer.status, answer.json()["code"]) == (401, "unauthenticated")


async def test_production_accepts_a_token(tmp_path: Path) -> None:
    world = make_world(tmp_path, environment="prod", key_file=tmp_path / "keys.json")
    await world.enrol("wangjg", ("township_operator", "650102001"), division="650102001")
    answer = await world.call("GET", "/users/me", token=await world.token("wangjg"))
    assert answer.json()["user_id"] == "u-wangjg"


async def test_another_service_verifies_tokens_with_the_public_key_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(data_dir=tmp_path, environment="prod", key_file=tmp_path / "keys.json")
    monkeypatch.setattr(actor_module, "get_settings", lambda: settings)
    service = _other_service()
    before = await request(service, "GET", "/whoami", headers={"Authorization": "Bearer x.y.z"})
    assert (before.status, before.json()["code"]) == (401, "identity_not_configured")

    world = make_world(tmp_path, start=None)
    await world.enrol("wangjg", ("township_operator", "650102001"), division="650102001")
    token = await world.token("wangjg")
    answer = await request(service, "GET", "/whoami", headers={"Authorization": f"Bearer {token}"})
    assert answer.json() == {
        "user_id": "u-wangjg",
        "role": "township_operator",
        "jurisdiction_code": "650102001",
    }
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    refused = await request(
        service, "GET", "/whoami", headers={"Authorization": f"Bearer {forged}"}
    )
    assert (refused.status, refused.json()["code"]) == (401, "token_invalid")


async def test_another_service_sends_a_certificate_to_log_in_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(data_dir=tmp_path, trusted_proxies=["127.0.0.1"])
    monkeypatch.setattr(actor_module, "get_settings", lambda: settings)
    headers = {"X-Client-Cert": quote(self_signed_pem())}
    answer = await request(_other_service(), "GET", "/whoami", headers=headers)
    assert (answer.status, answer.json()["code"]) == (401, "certificate_not_accepted_here")
