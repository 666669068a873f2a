"""One typed settings object for every service and command (environment prefix ``ONECARD_``).

It fails fast: a bad URL or a missing secret outside development stops start-up with the name
of the setting, instead of surfacing later as a confusing connection error.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ("registry", "approval", "payout", "notify", "publicity")
STORE_SCHEMES = ("sqlite", "postgresql", "postgres", "esdb", "esdb+discover", "kurrentdb")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ONECARD_", extra="forbid")

    environment: Literal["dev", "test", "prod"] = "dev"
    data_dir: Path = Field(Path("var"), description="Where embedded defaults keep their files.")
    event_store_url: str = Field(
        "sqlite:///var/onecard.db",
        description="sqlite:///path, postgresql://…, or esdb://… / kurrentdb://…",
    )
    hash_algorithm: Literal["sha256", "sm3"] = "sha256"
    kafka_bootstrap_servers: str | None = Field(
        None, description="Comma-separated brokers; unset starts the local broker."
    )
    otlp_endpoint: str | None = Field(None, description="OTLP/HTTP traces; unset: console.")
    pii_cipher: Literal["aes-256-gcm", "sm4-gcm"] = "aes-256-gcm"
    key_file: Path | None = Field(
        None, description="Key file for personal-data encryption (dev: under data_dir)."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    projection_db_url: str = Field(
        "sqlite+aiosqlite:///var/{service}-projections.db",
        description="SQLAlchemy URL of each service's projections; {service} is replaced.",
    )
    http_host: str = "127.0.0.1"
    http_base_port: int = Field(8100, description="Service n listens on base + n (see SERVICES).")
    consumer_max_attempts: int = Field(3, ge=1, description="Tries before a dead letter.")
    relay_checkpoint: str = Field(
        "relay",
        description="The relay's checkpoint name; a fresh local broker gets a fresh one, since "
        "it holds nothing the previous broker was sent.",
    )

    @field_validator("event_store_url")
    @classmethod
    def _known_store(cls, url: str) -> str:
        scheme = url.split("://", 1)[0]
        if "://" not in url or scheme not in STORE_SCHEMES:
            raise ValueError(f"event_store_url must start with one of {STORE_SCHEMES}: {url!r}")
        return url

    @model_validator(mode="after")
    def _no_default_secrets_in_production(self) -> Settings:
        if self.environment == "prod" and self.key_file is None:
            raise ValueError("ONECARD_KEY_FILE must be set in production (no default keys)")
        return self

    def http_port(self, service: str) -> int:
        return self.http_base_port + 1 + SERVICES.index(service)

    def projection_url(self, service: str) -> str:
        return self.projection_db_url.replace("{service}", service)

    @property
    def resolved_key_file(self) -> Path:
        return self.key_file if self.key_file is not None else self.data_dir / "keys.json"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read from the environment once."""
    return Settings()
