"""`flask db upgrade` builds the schema on SQLite and PostgreSQL, and the
migrations describe exactly what the models say."""
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from portal import create_app
from portal.extensions import db
from tests.conftest import POSTGRES_URL, base_config

# Named after the test database, so parallel runs on other databases do not collide.
PG_MIGRATION_DB = POSTGRES_URL.rsplit("/", 1)[1] + "_migrations"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {PG_MIGRATION_DB} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {PG_MIGRATION_DB}"))
    yield POSTGRES_URL.rsplit("/", 1)[0] + "/" + PG_MIGRATION_DB
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {PG_MIGRATION_DB} WITH (FORCE)"))
    admin.dispose()


def test_upgrade_builds_the_schema_the_models_describe(empty_db_url):
    app = create_app(base_config(empty_db_url))
    with app.app_context():
        upgrade()
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"users", "people", "programs", "members", "status_changes", "services",
                "bindings"} <= tables
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        downgrade(revision="base")
        assert "members" not in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()
