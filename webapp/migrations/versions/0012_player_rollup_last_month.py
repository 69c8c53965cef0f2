"""The player rollup keeps each row's newest month, as the all-games rollup does (0009), so
a player's newest games are read from the player's newest rows only; both rollups get
indexes by band and by newest month, so those rows are found from a few index entries
(webapp.db.position_games).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

GROUP = (
    "player_id", "position_key", "color", "move", "collection", "speed", "rated", "rating_band", "game_band",
)  # fmt: skip

#: the rollups' keys before the band, and the newest-month expression the reader orders by
#: (webapp.db.tables.newest_month: a constant, unknown months the latest)
INDEXED = {"move_stats_rollup": ("position_key",), "player_move_stats_rollup": ("player_id", "position_key")}
NEWEST = "coalesce(last_month, 999999)"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SET LOCAL statement_timeout = 0")  # a big player's rows take a while
    with op.batch_alter_table("player_move_stats_rollup") as batch:
        batch.add_column(sa.Column("last_month", sa.Integer))
    columns = ", ".join(GROUP)
    match = " AND ".join(f"s.{c} = player_move_stats_rollup.{c}" for c in GROUP)
    op.execute(  # one pass over the monthly rows (UPDATE ... FROM: PostgreSQL, SQLite 3.33+)
        f"UPDATE player_move_stats_rollup SET last_month = s.last FROM (SELECT {columns}, max(month) AS last "
        f"FROM player_move_stats GROUP BY {columns}) AS s WHERE {match}"
    )
    for table, prefix in INDEXED.items():
        op.create_index(f"ix_{table}_band", table, [*prefix, "rating_band"])
        op.create_index(f"ix_{table}_newest", table, [*prefix, sa.text(NEWEST)])


def downgrade() -> None:
    for table in INDEXED:
        op.drop_index(f"ix_{table}_newest", table)
        op.drop_index(f"ix_{table}_band", table)
    # plain ALTER (SQLite 3.35+): a batch copy of the table would lose its WITHOUT ROWID
    op.execute("ALTER TABLE player_move_stats_rollup DROP COLUMN last_month")
