"""aiosqlite under SQLAlchemy's asyncio engine, with one thread hop per statement.

aiosqlite runs every call on its own thread, and SQLAlchemy's adapter makes four calls for
each statement (create a cursor, execute, fetch, close): twelve round trips between the event
loop and that thread for a consumer's transaction (begin, claim the inbox, insert, commit,
reset). Each costs CPU on both sides and, on a busy loop, a wait for the loop's next turn: at
1,000 events/s in one process they made about 10 ms of every batch's latency
(docs/adr/006-faust-agents.md). Here a statement is ``aiosqlite.Connection.execute``, which
creates the cursor and executes it in one call, plus one fetch when it returns rows; the
cursor is dropped rather than closed (all its rows are fetched, so its statement is done).
Everything else (connections, transactions, errors, pooling) is SQLAlchemy's adapter as is.
"""

from __future__ import annotations

import collections
import sqlite3
from types import SimpleNamespace
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT


def _no_cursor() -> SimpleNamespace:
    """What a cursor reports before its first statement."""
    return SimpleNamespace(description=None, rowcount=-1, lastrowid=None, arraysize=1)


class _Cursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()
    _awaitable_cursor_close = False

    def __init__(self, adapt_connection: Any) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = _no_cursor()
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        async with self._adapt_connection._execute_mutex:
            cursor = await self._connection.execute(operation, parameters or ())
            self._cursor = cursor
            if cursor.description:
                self._rows = collections.deque(await cursor.fetchall())
            return cursor

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        async with self._adapt_connection._execute_mutex:
            self._cursor = await self._connection.executemany(operation, seq_of_parameters)
            return self._cursor

    def close(self) -> None:
        self._rows.clear()


class _Connection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = _Cursor


class OneHopDbapi(AsyncAdapt_aiosqlite_dbapi):
    """SQLAlchemy's aiosqlite DBAPI shim whose connections use :class:`_Cursor`; pass it as
    ``create_async_engine(url, module=OneHopDbapi())``."""

    def __init__(self) -> None:
        super().__init__(aiosqlite, sqlite3)

    def connect(self, *arg: Any, **kw: Any) -> _Connection:
        adapted = super().connect(*arg, **kw)
        return _Connection(self, adapted._connection)
