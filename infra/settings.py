"""One typed settings object for every service and command (environment prefix ``ONECARD_``).

It fails fast: a bad URL or a missing secret outside development stops start-up with the name
of the setting, instead of surfacing later as a confusing connection error.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
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
    shared_clock: bool = Field(
        False,
        description="Run every process on one clock moved forward through data_dir/clock.json "
        "(`onecard clock advance`): the demo's public notice passes in seconds. Never in "
        "production.",
    )
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
    token_minutes: int = Field(15, ge=1, le=720, description="Lifetime of an access token.")
    token_signing_key_file: Path | None = Field(
        None,
        description="Ed25519 private key (PEM) that signs tokens, only where users are "
        "administered; created on first use (dev: under data_dir).",
    )
    token_verify_key_file: Path | None = Field(
        None, description="The matching public key (PEM) every service verifies tokens with."
    )
    login_max_failures: int = Field(5, ge=1, description="Failed logins in a row before lockout.")
    lockout_minutes: int = Field(30, ge=1)
    password_max_age_days: int = Field(90, ge=1)
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses or networks of the TLS proxies whose forwarded client "
        "certificate (client_cert_header) is believed; from anyone else it is refused.",
    )
    client_cert_header: str = "X-Client-Cert"
    client_ca_file: Path | None = Field(
        None, description="PEM of the CA(s) user certificates must chain to (checked again here)."
    )
    bank_keys_file: Path | None = Field(
        None,
        description="JSON file (0600) of the agent banks' API credentials: key id or client "
        "certificate to bank, county and secret; required in production by the payout service "
        "(dev: development keys under data_dir).",
    )
    relay_checkpoint: str = Field(
        "relay",
        description="The relay's checkpoint name; a fresh local broker gets a fresh one, since "
        "it holds nothing the previous broker was sent.",
    )
    notice_reporting_phone: str = Field(
        "12345",
        min_length=3,
        max_length=40,
        description="The reporting phone printed on every public notice (002 §3(2) 设立举报电话); "
        "12345 is the government service hotline everywhere.",
    )
    notice_reporting_address: str | None = Field(
        None, max_length=200, description="Where written objections can also be handed in."
    )
    notify_sms_provider: Literal["file", "http"] = Field(
        "file", description="Where SMS go: a spool file per day (the demo's phone) or a gateway."
    )
    notify_spool_dir: Path | None = Field(
        None, description="The file provider's folder, owner-only (dev: data_dir/sms-spool)."
    )
    notify_gateway_url: str | None = Field(None, description="The HTTP SMS gateway's send URL.")
    notify_gateway_key: SecretStr | None = Field(None, description="The gateway's API key.")
    notify_sms_templates: dict[str, str] = Field(
        default_factory=dict,
        description="SMS templates by division-code prefix ('default': all others), with "
        "{programme}, {amount} and {date}; unset: the built-in default.",
    )
    notify_per_phone_hour: int = Field(5, ge=1, description="SMS to one number per hour at most.")
    notify_per_phone_day: int = Field(20, ge=1, description="SMS to one number per day at most.")
    notify_max_attempts: int = Field(8, ge=1, description="Tries of one SMS before it fails.")

    @model_validator(mode="after")
    def _sms_gateway_configured(self) -> Settings:
        if self.notify_sms_provider == "http" and not (
            self.notify_gateway_url and self.notify_gateway_key
        ):
            raise ValueError("ONECARD_NOTIFY_GATEWAY_URL and _KEY are needed for the http provider")
        return self

    @model_validator(mode="after")
    def _real_time_in_production(self) -> Settings:
        if self.environment == "prod" and self.shared_clock:
            raise ValueError("ONECARD_SHARED_CLOCK is for the demo and tests, never production")
        return self

    @property
    def clock_file(self) -> Path:
        return self.data_dir / "clock.json"

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

    @property
    def resolved_bank_keys_file(self) -> Path:
        return self.bank_keys_file or self.data_dir / "payout" / "bank-keys.json"

    def http_port(self, service: str) -> int:
        return self.http_base_port + 1 + SERVICES.index(service)

    def projection_url(self, service: str) -> str:
        return self.projection_db_url.replace("{service}", service)

    @property
    def resolved_key_file(self) -> Path:
        return self.key_file if self.key_file is not None else self.data_dir / "keys.json"

    @property
    def resolved_token_signing_key_file(self) -> Path:
        default = self.data_dir / "identity" / "token-signing-key.pem"
        return self.token_signing_key_file or default

    @property
    def resolved_token_verify_key_file(self) -> Path:
        default = self.data_dir / "identity" / "token-verify-key.pem"
        return self.token_verify_key_file or default


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read from the environment once."""
    return Settings()
