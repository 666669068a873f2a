"""A service's projection database: SQLite (embedded default) or PostgreSQL, one API.

Projections are disposable read models rebuilt from the log, so they live apart from the
event store: a SQLite file per service, or a PostgreSQL schema per service (``?schema=`` in
the URL or the ``schema`` argument, applied as the connection's ``search_path``).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Final

from sqlalchemy import MetaData, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from infra.projections.sqlite_driver import OneHopDbapi

BUSY_TIMEOUT_MS: Final = 30_000
_SCHEMA_NAME: Final = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_DRIVERS: Final = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
_LOCK_DDL: Final = "SELECT pg_advisory_xact_lock(hashtext('onecard.projections.ddl'))"


class ProjectionDatabase:
    """Transactions on one projection database.

    ``transaction()`` commits when its block ends normally and rolls back when it raises, so
    a projection's effect and its inbox record (``infra.projections.inbox.claim``) are stored
    together or not at all. On SQLite a transaction takes the write lock when it begins
    (``BEGIN IMMEDIATE``): writers queue instead of failing on a stale snapshot; and commits
    are ``synchronous = FULL``, because the Kafka offset is committed after them: a commit lost
    to a power cut would be an event silently missing from the projection.
    """

    def __init__(self, engine: AsyncEngine, *, schema: str | None = None) -> None:
        self.engine = engine
        self.schema = schema

    @classmethod
    async def open(cls, url: str, *, schema: str | None = None) -> ProjectionDatabase:
        """Connect; create the SQLite file's folder or the PostgreSQL schema if missing."""
        parsed = _with_async_driver(make_url(url))
        if parsed.get_backend_name() == "sqlite":
            return cls(_sqlite_engine(parsed))
        schema = _checked_schema(schema or str(parsed.query.get("schema", "")))
        parsed = parsed.difference_update_query(["schema"])
        engine = create_async_engine(
            parsed, connect_args={"server_settings": {"search_path": schema}}, pool_pre_ping=True
        )
        database = cls(engine, schema=schema)
        async with database.transaction() as conn:
            await conn.execute(text(_LOCK_DDL))
            await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        return database

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def create_tables(self, *metadata: MetaData) -> None:
        """Create the tables that do not exist yet (safe to call again, and to race on
        PostgreSQL, where concurrent callers take turns)."""
        async with self.transaction() as conn:
            if self.dialect == "postgresql":
                await conn.execute(text(_LOCK_DDL))
            for tables in metadata:
                await conn.run_sync(tables.create_all)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """A connection inside one transaction: committed on success, rolled back on error."""
        async with self.engine.begin() as conn:
            yield conn

    async def close(self) -> None:
        await self.engine.dispose()


def _with_async_driver(url: URL) -> URL:
    backend = "postgresql" if url.get_backend_name() == "postgres" else url.get_backend_name()
    if backend not in _DRIVERS:
        raise ValueError(f"projection_db_url must be SQLite or PostgreSQL: {url!r}")
    return url.set(drivername=_DRIVERS[backend])


def _checked_schema(schema: str) -> str:
    if not schema:
        raise ValueError("a PostgreSQL projection database needs its own schema (?schema=…)")
    if not _SCHEMA_NAME.fullmatch(schema):
        raise ValueError(f"invalid schema name {schema!r}")
    return schema


def _sqlite_engine(url: URL) -> AsyncEngine:
    if not url.database or url.database == ":memory:":
        raise ValueError("a projection database needs a file: sqlite+aiosqlite:///path/to.db")
    Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, module=OneHopDbapi())
    event.listen(engine.sync_engine, "connect", _configure_sqlite)
    event.listen(engine.sync_engine, "begin", _begin_immediate)
    return engine


def _configure_sqlite(dbapi_connection: Any, _: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.close()


def _begin_immediate(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")
