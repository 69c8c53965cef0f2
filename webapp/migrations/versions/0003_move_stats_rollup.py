"""move_stats_rollup: move statistics summed over months, for questions without dates.

Most explorer questions name no months, yet move_stats keeps a row per month, so a
popular position (the start, 1.e4) sums tens of thousands of rows on a million games.
The rollup holds the same counts keyed without the month: a few thousand rows at most
per position. Existing counts are copied in; imports add to both tables from then on.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

KEYS = "position_key, move, speed, rated, rating_band"


def upgrade() -> None:
    op.create_table(
        "move_stats_rollup",
        sa.Column("position_key", sa.BigInteger, nullable=False),
        sa.Column("move", sa.SmallInteger, nullable=False),
        sa.Column("speed", sa.SmallInteger, nullable=False),
        sa.Column("rated", sa.SmallInteger, nullable=False),
        sa.Column("rating_band", sa.SmallInteger, nullable=False),
        sa.Column("white", sa.Integer, nullable=False),
        sa.Column("draws", sa.Integer, nullable=False),
        sa.Column("black", sa.Integer, nullable=False),
        sa.Column("rating_sum", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint(
            "position_key", "move", "speed", "rated", "rating_band", name="pk_move_stats_rollup"
        ),
        sqlite_with_rowid=False,
    )
    if op.get_bind().dialect.name == "postgresql":
        # copying a large move_stats takes minutes: not bound by the explorer's timeout
        op.execute("SET LOCAL statement_timeout = 0")
    op.execute(
        f"INSERT INTO move_stats_rollup ({KEYS}, white, draws, black, rating_sum) "
        f"SELECT {KEYS}, sum(white), sum(draws), sum(black), sum(rating_sum) "
        f"FROM move_stats GROUP BY {KEYS}"
    )


def downgrade() -> None:
    op.drop_table("move_stats_rollup")
