from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from infra.projections.database import ProjectionDatabase
from tests.conftest import POSTGRES_URL
from tests.contract.projection_db_contract import ProjectionDatabaseContract

pytestmark = pytest.mark.postgres


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
