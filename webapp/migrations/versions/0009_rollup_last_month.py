"""The month-less rollup keeps each row's newest month, so a hot position's newest games
are read from its newest rows only (webapp.db.position_games).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

GROUP = ("position_key", "move", "collection", "speed", "rated", "rating_band")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SET LOCAL statement_timeout = 0")  # a large store's rollup takes a while
    with op.batch_alter_table("move_stats_rollup") as batch:
        batch.add_column(sa.Column("last_month", sa.Integer))
    columns = ", ".join(GROUP)
    match = " AND ".join(f"s.{c} = move_stats_rollup.{c}" for c in GROUP)
    op.execute(  # one pass over the hot positions' rows (UPDATE ... FROM: PostgreSQL, SQLite 3.33+)
        f"UPDATE move_stats_rollup SET last_month = s.last FROM (SELECT {columns}, max(month) AS last "
        "FROM move_stats WHERE position_key IN (SELECT position_key FROM hot_positions) "
        f"GROUP BY {columns}) AS s WHERE {match}"
    )


def downgrade() -> None:
    with op.batch_alter_table("move_stats_rollup") as batch:
        batch.drop_column("last_month")
