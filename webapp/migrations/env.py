"""Alembic environment: runs migrations on the app's own engine (Flask-Migrate)."""

from alembic import context
from flask import current_app

config = context.config
target_metadata = current_app.extensions["migrate"].db.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=str(current_app.extensions["migrate"].db.engine.url).replace("%", "%%"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = current_app.extensions["migrate"].db.engine
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # a batch migration rebuilds a table (copy, drop, rename): SQLite's rename
            # otherwise checks every view and fails on move_stats_all (migration 0016),
            # which reads games and move_stats by name and reads the rebuilt table as well
            connection.exec_driver_sql("PRAGMA legacy_alter_table = ON")
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
