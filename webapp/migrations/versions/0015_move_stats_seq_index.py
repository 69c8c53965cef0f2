"""move_stats' BRIN index on `seq`, built again where a first load's merge lost it: the
merge's new table took move_stats' place without it (webapp.indexer.first_load now
builds it with the position index), and compaction then scanned every row to find the
ones appended since it last ran.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":  # SQLite never had it
        op.execute("SET LOCAL statement_timeout = 0")
        op.execute("CREATE INDEX IF NOT EXISTS ix_move_stats_seq ON move_stats USING brin (seq)")


def downgrade() -> None:
    pass  # migration 0006's index: kept
