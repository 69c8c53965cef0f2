"""The monthly summary keeps each row's best rating (best_rating: the highest rating among
its game references) instead of its highest band (best_band). The games lists under a
months filter read the rows that can hold the position's best games from the top of an
index on it: by band, hundreds of rows tie at the top (a million games, the start
position, 2019-2021: 663 of 786 rows read), by rating about as many as the list is long.
On PostgreSQL refs_best(r) reads the rating from the references (SQLite gets a Python
function from webapp.db.sqlite on every connection).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from webapp.indexer.rows import MAX_BAND

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION refs_best(r bytea) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(max(get_byte(r, i * 10 + 4) + (get_byte(r, i * 10 + 5) << 8)), 0)
  FROM generate_series(0, length(r) / 10 - 1) AS i
$$;
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SET LOCAL statement_timeout = 0")  # every summary row is rewritten once
        op.execute(POSTGRES_FUNCTION)
    op.drop_index("ix_move_stats_monthly_best", table_name="move_stats_monthly")
    op.execute("ALTER TABLE move_stats_monthly DROP COLUMN best_band")
    op.add_column("move_stats_monthly", sa.Column("best_rating", sa.Integer, nullable=False, server_default="0"))
    op.execute("UPDATE move_stats_monthly SET best_rating = refs_best(refs) WHERE refs IS NOT NULL")
    op.create_index("ix_move_stats_monthly_best", "move_stats_monthly", ["position_key", "best_rating"])


def downgrade() -> None:
    op.drop_index("ix_move_stats_monthly_best", table_name="move_stats_monthly")
    op.add_column("move_stats_monthly", sa.Column("best_band", sa.SmallInteger, nullable=False, server_default="-1"))
    # the band of the best game referenced (webapp.indexer.rows.rating_band); -1 unknown
    op.execute(
        "UPDATE move_stats_monthly SET best_band = CASE WHEN best_rating >= "
        f"{(MAX_BAND + 1) * 100} THEN {MAX_BAND} ELSE best_rating / 100 END WHERE best_rating > 0"
    )
    op.execute("ALTER TABLE move_stats_monthly DROP COLUMN best_rating")
    op.create_index("ix_move_stats_monthly_best", "move_stats_monthly", ["position_key", "best_band"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS refs_best(bytea)")
