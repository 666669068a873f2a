from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from infra.projections.database import ProjectionDatabase
from tests.contract.projection_db_contract import ProjectionDatabaseContract


class TestSqliteProjectionDatabase(ProjectionDatabaseContract):
    @pytest.fixture
    async def database(self, tmp_path: Path) -> AsyncIterator[ProjectionDatabase]:
        database = await ProjectionDatabase.open(
            f"sqlite+aiosqlite:///{tmp_path}/not-yet-there/publicity-projections.db"
        )
        yield database
        await database.close()

    async def another(self, database: ProjectionDatabase) -> ProjectionDatabase:
        return await ProjectionDatabase.open(str(database.engine.url))

    async def test_the_file_is_in_wal_mode(self, db: ProjectionDatabase) -> None:
        async with db.transaction() as conn:
            assert (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar_one() == "wal"
