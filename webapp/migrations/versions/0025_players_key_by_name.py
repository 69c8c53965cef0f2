"""The players' unique key in the order (name, source), so that one index serves the
lookups by name too: ix_players_name goes.

A player is looked up by source and name (the importer's ON CONFLICT (source, name), an
account) and by name alone (a person's accounts, suggestions by prefix in name order).
Both PostgreSQL and SQLite infer a conflict target's unique index from its set of
columns, whatever their order, and a key led by the name serves the lookups by name as
ix_players_name did: the 58,301 real games' store keeps 1.3 MB less (22 bytes a game),
and an import stores its new players with one index fewer to add to.

Safe on a live store (docs/DEPLOY.md): on PostgreSQL the new unique index is built
concurrently, then in one short transaction it takes the old constraint's place, then
ix_players_name is dropped concurrently; the previous release's statements work
throughout. A run stopped anywhere can be run again. On SQLite the table's own unique
constraint can be dropped only by rebuilding the table, which the games refer to: the
new index comes beside it.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

NEW_KEY, OLD_KEY, NAMES = "uq_players_name_source", "uq_players_source_name", "ix_players_name"


def _constraint_exists(name: str) -> bool:
    found = op.get_bind().execute(sa.text("SELECT 1 FROM pg_constraint WHERE conname = :name"), {"name": name})
    return found.scalar() is not None


def _swap_keys(drop: str, add: str) -> None:
    """PostgreSQL: constraint `drop` gives way to `add`, over the unique index of that name
    already built, in one transaction that waits at most 5 s for its lock."""
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.execute(f"ALTER TABLE players DROP CONSTRAINT IF EXISTS {drop}")
    if not _constraint_exists(add):
        op.execute(f"ALTER TABLE players ADD CONSTRAINT {add} UNIQUE USING INDEX {add}")


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    with op.get_context().autocommit_block():
        op.create_index(NEW_KEY, "players", ["name", "source"], unique=True, postgresql_concurrently=True, if_not_exists=True)
    if postgres:
        _swap_keys(OLD_KEY, NEW_KEY)
    with op.get_context().autocommit_block():
        op.drop_index(NAMES, table_name="players", postgresql_concurrently=True, if_exists=True)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    with op.get_context().autocommit_block():
        op.create_index(NAMES, "players", ["name"], postgresql_concurrently=True, if_not_exists=True)
        if postgres:
            op.create_index(OLD_KEY, "players", ["source", "name"], unique=True, postgresql_concurrently=True, if_not_exists=True)
    if postgres:
        _swap_keys(NEW_KEY, OLD_KEY)
    else:
        op.drop_index(NEW_KEY, table_name="players", if_exists=True)
