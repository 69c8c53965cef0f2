"""The busiest positions get their month-less rollup summed over the rating bands too.

move_stats_bandless holds, for the positions in bandless_positions (those with a monthly
summary), move_stats_rollup's rows summed over rating_band and the move order. The
explorer with no rating asked reads it there: at a million games the start position has
4,369 rollup rows and 381 band-less ones.

Both tables start empty: compaction sums the positions (webapp.indexer.bandless_sums),
the one `db upgrade` runs included. A position's sums are read only while they are up to
date with its rollup (the same batch in bandless_positions as in hot_positions), so a
previous release's import or compaction running beside this one leaves nothing wrong: its
compaction moves the rollup on and the explorer reads the rollup there until the next
compaction sums the position again. New tables only: no lock on a big table.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

#: as webapp.model.endings.ENDING_COLUMNS and webapp.model.think_time.THINK_TIME_COLUMNS
ENDING_COLUMNS = (
    "white_mate", "white_resign", "white_time", "white_abandon", "black_mate", "black_resign", "black_time",
    "black_abandon", "draw_agreement", "draw_repetition", "draw_stalemate", "draw_insufficient", "draw_fifty",
    "draw_timeout",
)  # fmt: skip
THINK_EDGES = (0, 1, 2, 3, 4, 5, 7, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1800, 3600)
THINK_COLUMNS = (*(f"think_{edge}" for edge in THINK_EDGES), "low_clock")
KEYS = ("position_key", "move", "collection", "speed", "rated")


def upgrade() -> None:
    op.create_table(
        "move_stats_bandless",
        sa.Column("position_key", sa.BigInteger, nullable=False),
        sa.Column("move", sa.SmallInteger, nullable=False),
        sa.Column("collection", sa.SmallInteger, nullable=False),
        sa.Column("speed", sa.SmallInteger, nullable=False),
        sa.Column("rated", sa.SmallInteger, nullable=False),
        sa.Column("white", sa.Integer, nullable=False),
        sa.Column("draws", sa.Integer, nullable=False),
        sa.Column("black", sa.Integer, nullable=False),
        sa.Column("rating_sum", sa.BigInteger, nullable=False),
        sa.Column("banded", sa.Integer, nullable=False),
        *(sa.Column(name, sa.Integer) for name in (*ENDING_COLUMNS, *THINK_COLUMNS)),
        sa.PrimaryKeyConstraint(*KEYS, name="pk_move_stats_bandless"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "bandless_positions",
        sa.Column("position_key", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("position_key", name="pk_bandless_positions"),
    )


def downgrade() -> None:
    op.drop_table("bandless_positions")
    op.drop_table("move_stats_bandless")
