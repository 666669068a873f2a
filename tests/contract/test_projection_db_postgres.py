import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy import text

from infra.projections.database import ProjectionDatabase
from tests.conftest import POSTGRES_URL, server_missing
from tests.contract.projection_db_contract import ProjectionDatabaseContract

pytestmark = pytest.mark.postgres


async def _admin() -> asyncpg.Connection:
    try:
        return await asyncpg.connect(POSTGRES_URL, timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        server_missing("PostgreSQL", f"{POSTGRES_URL}: {error!r}")
        raise


@pytest.fixture
async def schema() -> AsyncIterator[str]:
    admin = await _admin()
    name = f"t_{uuid.uuid4().hex}"
    try:
        yield name
    finally:
        await admin.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        await admin.close()


class TestPostgresProjectionDatabase(ProjectionDatabaseContract):
    @pytest.fixture
    async def database(self, schema: str) -> AsyncIterator[ProjectionDatabase]:
        database = await ProjectionDatabase.open(f"{POSTGRES_URL}?schema={schema}")
        yield database
        await database.close()

    async def another(self, database: ProjectionDatabase) -> ProjectionDatabase:
        return await ProjectionDatabase.open(POSTGRES_URL, schema=database.schema)

    async def test_the_tables_live_in_the_service_schema(self, db: ProjectionDatabase) -> None:
        async with db.transaction() as conn:
            found = await conn.execute(
                text("SELECT table_name FROM information_schema.tables WHERE table_schema = :s"),
                {"s": db.schema},
            )
            assert sorted(found.scalars()) == ["effects", "inbox"]
