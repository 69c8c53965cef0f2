"""Think time: every statistics row keeps a histogram of the seconds its games' movers
spent on its move and how many were left under 10% of the base time after it
(webapp.model.think_time), nullable integer columns where NULL means zero, filled by
recounting the stored games (their clocks and time controls).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TABLES = (
    "move_stats", "move_stats_rollup", "move_stats_monthly", "player_move_stats", "player_move_stats_rollup",
)  # fmt: skip
#: as webapp.model.think_time.THINK_TIME_COLUMNS when written
EDGES = (0, 1, 2, 3, 4, 5, 7, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1800, 3600)
COLUMNS = (*(f"think_{edge}" for edge in EDGES), "low_clock")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("SET LOCAL statement_timeout = 0")  # a large store's recount takes a while
        for table in TABLES:  # nullable, no default: PostgreSQL changes no stored row
            op.execute(f"ALTER TABLE {table} " + ", ".join(f"ADD COLUMN {c} integer" for c in COLUMNS))
    else:
        for table in TABLES:
            for column in COLUMNS:
                op.add_column(table, sa.Column(column, sa.Integer))
    from webapp.indexer.reindex import rebuild_statistics
    from webapp.model.stored_game import four_byte_clock_seconds_many  # the clocks' form until 0017

    rebuild_statistics(bind, read_clocks=four_byte_clock_seconds_many)  # every row's counts, think times included, from the stored games


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} " + ", ".join(f"DROP COLUMN {c}" for c in COLUMNS))
        return
    # SQLite (3.35+) drops a plain column in place: a batch copy of the table would lose
    # the rollups' expression indexes (migration 0012's newest month)
    for table in TABLES:
        for column in COLUMNS:
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
