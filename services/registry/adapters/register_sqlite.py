"""The register read model on a read-only SQLite connection: how an import worker fetches
a chunk's people (``fetched_register``), without SQLAlchemy or an event loop.

The worker's connection only reads (``mode=ro``): it never takes the projection database's
write lock, so the register's consumer goes on writing while an import runs, and every
query sees a committed state (WAL snapshot).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from infra.pii.cipher import FieldCipher
from services.registry.adapters.fetched_register import (
    COLUMNS,
    FetchedRegister,
    RegisterFetch,
)
from services.registry.domain.roster_rows import RosterLine

_TABLE: Final = "register_people"
_BUSY_TIMEOUT_S: Final = 30.0


class SqliteRegister:
    """A read-only connection to the registry's projection database (a SQLite file)."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=_BUSY_TIMEOUT_S
        )
        self._queries: dict[int, str] = {}

    def fetch(self, lines: Iterable[RosterLine], *, cipher: FieldCipher) -> FetchedRegister:
        """The registered people the lines name (lines whose ID cell is not an ID name nobody)."""
        fetch = RegisterFetch(lines, cipher)
        for wanted in fetch.wanted():
            for row in self._conn.execute(self._query(len(wanted)), wanted):
                fetch.add_person(row)
        return fetch.found()

    def _query(self, keys: int) -> str:
        query = self._queries.get(keys)
        if query is None:
            marks = ",".join("?" * keys)
            columns = ", ".join(COLUMNS)  # constants: the values are bound parameters
            query = f"SELECT {columns} FROM {_TABLE} WHERE citizen_bidx IN ({marks})"  # noqa: S608
            self._queries[keys] = query
        return query

    def close(self) -> None:
        self._conn.close()
