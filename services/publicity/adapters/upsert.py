"""Insert-or-update on the two projection databases (SQLite and PostgreSQL share the syntax)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

_INSERTS: Final[dict[str, Callable[[Table], Any]]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


async def upsert(
    conn: AsyncConnection, table: Table, values: Mapping[str, Any], *, keys: Sequence[str]
) -> None:
    """Insert ``values``, or set the given non-key columns on the row ``keys`` already name."""
    statement = _INSERTS[conn.dialect.name](table).values(**values)
    changes = {name: statement.excluded[name] for name in values if name not in keys}
    await conn.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=changes))
