from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from engine import schema
from engine.models import Base


def test_the_database_is_migrated_to_head(db_engine):
    assert schema.current_revision(db_engine) == schema.head_revision()


def test_migrations_create_exactly_the_models(db_engine):
    with db_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
