"""The PostgreSQL adapter's tables and statements.

Statements name tables unqualified: every pooled connection runs with ``search_path`` set to
the store's schema, so one set of constant statements (prepared once per connection) serves
any schema.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final

from infra.eventstore.port import RecordedEvent

_SCHEMA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")

TABLES: Final = """
CREATE TABLE IF NOT EXISTS events (
    position bigint PRIMARY KEY,
    stream_id text NOT NULL,
    stream_version integer NOT NULL,
    event_id uuid NOT NULL UNIQUE,
    event_type text NOT NULL,
    schema_version integer NOT NULL,
    data bytea NOT NULL,
    metadata bytea NOT NULL,
    recorded_at timestamptz NOT NULL,
    hash text NOT NULL,
    UNIQUE (stream_id, stream_version)
);
CREATE TABLE IF NOT EXISTS streams (
    stream_id text PRIMARY KEY,
    version integer NOT NULL,
    last_hash text NOT NULL
);
CREATE TABLE IF NOT EXISTS log_head (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    position bigint NOT NULL
);
INSERT INTO log_head (singleton, position) VALUES (true, 0) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS checkpoints (
    subscriber text PRIMARY KEY,
    position bigint NOT NULL,
    updated_at timestamptz NOT NULL
);
"""

LOCK_DDL: Final = "SELECT pg_advisory_xact_lock(hashtext('onecard.eventstore.ddl'), hashtext($1))"

BEGIN_LOCKED: Final = "BEGIN; SELECT 1 FROM log_head FOR UPDATE"
"""Opens a writing transaction holding the row lock that serialises every writer."""

HEAD: Final = "SELECT position FROM log_head"

LOAD_BATCH_STATE: Final = """
SELECT NULL::text, NULL::integer, NULL::text, NULL::uuid, position FROM log_head
UNION ALL
SELECT s.stream_id, s.version, s.last_hash, NULL, 0
  FROM unnest($1::text[]) AS wanted(id)
 CROSS JOIN LATERAL (SELECT * FROM streams WHERE stream_id = wanted.id OFFSET 0) AS s
UNION ALL
SELECT e.stream_id, e.stream_version, NULL, e.event_id, e.position
  FROM unnest($2::uuid[]) AS wanted(id)
 CROSS JOIN LATERAL (SELECT * FROM events WHERE event_id = wanted.id OFFSET 0) AS e
"""
"""The log head, the heads of the streams and the already-stored event ids, in one round trip.

Run after the lock, so it sees every earlier commit. The lateral joins keep index lookups
even in a generic plan cached while the tables were still small.
"""


APPEND_FUNCTION: Final = """
CREATE OR REPLACE FUNCTION append_if_heads_match(
    predicted_ids text[], predicted_versions integer[], predicted_hashes text[],
    head_ids text[], head_versions integer[], head_hashes text[],
    stream_ids text[], stream_versions integer[], event_ids uuid[], event_types text[],
    schema_versions integer[], data bytea[], metadata bytea[], hashes text[],
    recorded_at timestamptz, channel text
) RETURNS bigint
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    head bigint;
    last bigint;
BEGIN
    SELECT position INTO head FROM log_head FOR UPDATE;
    -- every statement below takes a new snapshot: it sees each commit made before the lock
    IF EXISTS (
        SELECT FROM unnest(predicted_ids, predicted_versions, predicted_hashes)
                 AS p(id, version, last_hash)
          LEFT JOIN LATERAL (SELECT * FROM streams WHERE stream_id = p.id OFFSET 0) AS s ON true
         WHERE (coalesce(s.version, 0), coalesce(s.last_hash, '')) <> (p.version, p.last_hash)
    ) THEN
        RETURN NULL;
    END IF;
    INSERT INTO events (position, stream_id, stream_version, event_id, event_type,
                        schema_version, data, metadata, recorded_at, hash)
    SELECT head + e.n, e.stream_id, e.version, e.id, e.type, e.schema_version, e.data,
           e.metadata, recorded_at, e.hash
      FROM unnest(stream_ids, stream_versions, event_ids, event_types, schema_versions, data,
                  metadata, hashes)
           WITH ORDINALITY AS e(stream_id, version, id, type, schema_version, data, metadata,
                                hash, n);
    INSERT INTO streams (stream_id, version, last_hash)
    SELECT * FROM unnest(head_ids, head_versions, head_hashes)
    ON CONFLICT (stream_id) DO UPDATE
        SET version = excluded.version, last_hash = excluded.last_hash;
    last := head + cardinality(event_ids);
    UPDATE log_head SET position = last;
    PERFORM pg_notify(channel, last::text);
    RETURN head;
END
$$
"""
"""Append a planned batch in one statement, if the stream heads it was planned on are current.

Called outside a transaction, so the call is its own transaction and commits when it returns:
one round trip for the lock, the check, the writes, the wake-up and the commit. Like every
append it first takes the log-head lock (ADR 001), then compares each stream's head with the
prediction (version 0 and the empty hash for a stream that must not exist yet). On any
difference it writes nothing and returns NULL; otherwise it numbers the events from the log
head and returns that head. An event id that is already stored fails the insert (a unique
violation), which rolls the whole call back. ``SET search_path FROM CURRENT`` pins the schema
it was created in (by :meth:`PostgresEventStore.open`, under the DDL lock).
"""

APPEND_IF_HEADS_MATCH: Final = (
    "SELECT append_if_heads_match($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,"
    " $15, $16)"
)

WRITER_SETTINGS: Final = {"standard_conforming_strings": "on"}
"""The writer connection's settings that :func:`write_heads_and_commit` relies on."""


def write_heads_and_commit(
    heads: Mapping[str, tuple[int, str]], position: int, channel: str
) -> str:
    """New stream heads, the new log head, the wake-up (delivered only on commit) and the
    commit, as one simple-protocol message: one round trip instead of two on every append.

    The values are spliced in as literals, which is safe because the writer connection runs
    with ``standard_conforming_strings`` on (a quote is the only character to escape) and
    text never holds NUL in PostgreSQL.
    """
    ids = _text_array(heads)
    versions = ",".join(str(int(version)) for version, _ in heads.values())
    hashes = _text_array(last_hash for _, last_hash in heads.values())
    return f"""
WITH new_heads AS (
    INSERT INTO streams (stream_id, version, last_hash)
    SELECT * FROM unnest({ids}::text[], ARRAY[{versions}]::integer[], {hashes}::text[])
    ON CONFLICT (stream_id) DO UPDATE
        SET version = excluded.version, last_hash = excluded.last_hash
), new_position AS (
    UPDATE log_head SET position = {int(position)}
)
SELECT pg_notify({_literal(channel)}, '{int(position)}');
COMMIT"""  # noqa: S608 - literals quoted by _literal, integers by int()


def _literal(text: str) -> str:
    if "\x00" in text:
        raise ValueError("text with NUL cannot be stored")
    return "'" + text.replace("'", "''") + "'"


def _text_array(texts: Iterable[str]) -> str:
    return "ARRAY[" + ",".join(map(_literal, texts)) + "]"


COLUMNS: Final = RecordedEvent._fields
"""The events columns: RecordedEvent's fields, in order, so a RecordedEvent is a row."""
_SELECTED: Final = ", ".join(COLUMNS)

READ_ALL: Final = f"""
SELECT {_SELECTED} FROM events WHERE position > $1 ORDER BY position LIMIT $2
"""  # noqa: S608 - constant column list

READ_FORWARDS: Final = f"""
SELECT {_SELECTED} FROM events
 WHERE stream_id = $1 AND stream_version >= $2 ORDER BY stream_version LIMIT $3
"""  # noqa: S608 - constant column list

READ_BACKWARDS: Final = f"""
SELECT {_SELECTED} FROM events
 WHERE stream_id = $1 AND stream_version <= $2 ORDER BY stream_version DESC LIMIT $3
"""  # noqa: S608 - constant column list

LOAD_CHECKPOINT: Final = "SELECT position FROM checkpoints WHERE subscriber = $1"

SAVE_CHECKPOINT: Final = """
INSERT INTO checkpoints (subscriber, position, updated_at) VALUES ($1, $2, now())
ON CONFLICT (subscriber) DO UPDATE SET position = excluded.position, updated_at = now()
"""


def checked_schema(schema: str) -> str:
    """The schema name, refused unless it is a plain identifier (it is spliced into DDL)."""
    if not _SCHEMA_NAME.fullmatch(schema):
        raise ValueError(f"invalid schema name {schema!r}")
    return schema


def create_schema(schema: str) -> str:
    return f'CREATE SCHEMA IF NOT EXISTS "{checked_schema(schema)}"'


def channel(schema: str) -> str:
    """The NOTIFY channel of one store (channel names are limited to 63 bytes)."""
    return f"onecard_appended_{schema}"[:63]
