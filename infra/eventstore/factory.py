"""Choose the event store adapter from the configured URL."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from infra.eventstore.port import EventStore


async def open_event_store(url: str, *, hash_algorithm: str = "sha256") -> EventStore:
    """Open (and create if needed) the store at ``url``: ``sqlite:///relative/or//abs/path``,
    ``postgresql://…`` (optionally ``?schema=name``), or ``esdb://…`` / ``kurrentdb://…``."""
    scheme = url.split("://", 1)[0]
    if scheme == "sqlite":
        from infra.eventstore.sqlite import SqliteEventStore

        return await SqliteEventStore.open(sqlite_path(url), hash_algorithm=hash_algorithm)
    if scheme in {"postgresql", "postgres"}:
        from infra.eventstore.postgres import PostgresEventStore

        dsn, schema = postgres_dsn(url)
        return await PostgresEventStore.open(dsn, schema=schema, hash_algorithm=hash_algorithm)
    if scheme in {"esdb", "esdb+discover", "kurrentdb", "kurrentdb+discover"}:
        from infra.eventstore.kurrent import KurrentEventStore

        return await KurrentEventStore.open(url, hash_algorithm=hash_algorithm)
    raise ValueError(f"no event store adapter for {url!r}")


def sqlite_path(url: str) -> Path:
    """``sqlite:///var/x.db`` is relative to the working directory, ``sqlite:////abs`` absolute."""
    return Path(url.removeprefix("sqlite:///"))


def postgres_dsn(url: str) -> tuple[str, str]:
    """Split our ``schema`` query parameter off a PostgreSQL URL."""
    parts = urlsplit(url)
    params = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
    schema = params.pop("schema", "onecard")
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return parts._replace(query=query).geturl(), schema
