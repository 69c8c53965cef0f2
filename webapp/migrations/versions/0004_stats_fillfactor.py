"""Statistics tables leave 30% of each heap page free (fillfactor 70), on PostgreSQL.

Every import adds to existing statistics rows (the opening positions, a player's usual
lines). PostgreSQL writes an updated row as a new version; when the page has room, the
new version stays on the same page and the primary key index is left alone (a "HOT"
update). Full pages force a new index entry per update as well, so imports slow down as
the tables grow. Rows already on disk take the setting as their pages are rewritten.
SQLite has no such setting: nothing to do there.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = ("move_stats", "move_stats_rollup", "player_move_stats")
FILLFACTOR = 70


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} SET (fillfactor = {FILLFACTOR})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} RESET (fillfactor)")
