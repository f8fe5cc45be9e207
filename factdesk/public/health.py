"""Is the database at the newest migration? Read from Alembic's own bookkeeping."""
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

from ..extensions import db


def migration_state() -> tuple[str | None, str | None]:
    config = current_app.extensions["migrate"].migrate.get_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, head
