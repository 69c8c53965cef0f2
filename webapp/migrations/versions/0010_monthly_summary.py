"""A band-less monthly summary of the positions with the most rows (move_stats_monthly),
so a month-by-month question there (a months filter, the charts' months, trends) sums
~25 times fewer rows.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

GROUP = ("position_key", "month", "move", "collection", "speed", "rated")


def upgrade() -> None:
    from webapp.db.refs_sql import refs_agg
    from webapp.indexer import compact  # the threshold is a tuning of compaction's, not schema

    if op.get_bind().dialect.name == "postgresql":
        op.execute("SET LOCAL statement_timeout = 0")  # a large store's summary takes a while
    op.create_table(
        "move_stats_monthly",
        sa.Column("position_key", sa.BigInteger, nullable=False),
        sa.Column("month", sa.Integer, nullable=False),
        sa.Column("move", sa.SmallInteger, nullable=False),
        sa.Column("collection", sa.SmallInteger, nullable=False),
        sa.Column("speed", sa.SmallInteger, nullable=False),
        sa.Column("rated", sa.SmallInteger, nullable=False),
        sa.Column("white", sa.Integer, nullable=False),
        sa.Column("draws", sa.Integer, nullable=False),
        sa.Column("black", sa.Integer, nullable=False),
        sa.Column("rating_sum", sa.BigInteger, nullable=False),
        sa.Column("banded", sa.Integer, nullable=False),
        sa.Column("best_band", sa.SmallInteger, nullable=False),
        sa.Column("refs", sa.LargeBinary),
        sa.PrimaryKeyConstraint(*GROUP, name="pk_move_stats_monthly"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_move_stats_monthly_best", "move_stats_monthly", ["position_key", "best_band"])
    op.create_table(
        "monthly_positions",
        sa.Column("position_key", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("position_key", name="pk_monthly_positions"),
    )
    op.execute(  # every row so far is summed: the summaries are up to the latest batch
        "INSERT INTO monthly_positions (position_key, seq) "
        "SELECT position_key, (SELECT coalesce(max(id), 0) FROM stat_batches) FROM move_stats "
        f"GROUP BY position_key HAVING count(*) > {int(compact.MONTHLY_ROWS)}"
    )
    keys = ", ".join(GROUP)
    dialect = op.get_bind().dialect.name
    op.execute(
        f"INSERT INTO move_stats_monthly ({keys}, white, draws, black, rating_sum, banded, best_band, refs) "
        f"SELECT {keys}, sum(white), sum(draws), sum(black), sum(rating_sum), "
        "sum(CASE WHEN rating_band >= 0 THEN white + draws + black ELSE 0 END), max(rating_band), "
        f"{refs_agg('refs', dialect)} FROM move_stats "
        f"WHERE position_key IN (SELECT position_key FROM monthly_positions) GROUP BY {keys}"
    )


def downgrade() -> None:
    op.drop_table("monthly_positions")
    op.drop_table("move_stats_monthly")
