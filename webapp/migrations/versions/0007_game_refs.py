"""Game references: every statistics row keeps the games it counts (some, when many).

Adds `refs` (bytes, webapp.model.game_refs) to move_stats, move_stats_rollup and both
player tables, and on PostgreSQL refs_trim(r), which keeps a merged row's best and newest
references (webapp.db.refs_sql writes the merges around it; SQLite gets Python functions
from webapp.db.sqlite on every connection). The statistics are rebuilt from the stored games
by 0008 (whose columns today's indexer writes), so every row names its games.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from webapp.model.game_refs import REFS_KEPT_ALL, TOP_KEPT

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLES = ("move_stats", "move_stats_rollup", "player_move_stats", "player_move_stats_rollup")


def _entry_field(offset: int, width: int) -> str:
    """A little-endian unsigned field of each 10-byte entry i of r, as SQL."""
    parts = [f"(get_byte(r, i * 10 + {offset + b})::bigint << {8 * b})" for b in range(width)]
    return " + ".join(parts)


POSTGRES_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION refs_trim(r bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN r IS NULL OR length(r) <= {REFS_KEPT_ALL * 10} THEN r ELSE (
    SELECT string_agg(e, ''::bytea ORDER BY i) FROM (
      SELECT i, e,
        row_number() OVER (ORDER BY rating DESC, day DESC, id) AS best,
        row_number() OVER (ORDER BY day DESC, rating DESC, id) AS newest
      FROM (
        SELECT i, substring(r FROM i * 10 + 1 FOR 10) AS e,
          {_entry_field(0, 4)} AS id,
          {_entry_field(4, 2)} AS rating,
          {_entry_field(6, 4)} AS day
        FROM generate_series(0, length(r) / 10 - 1) AS i
      ) parsed
    ) ranked WHERE best <= {TOP_KEPT} OR newest <= {TOP_KEPT}
  ) END
$$;
"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTIONS)
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("refs", sa.LargeBinary))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("refs")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP AGGREGATE IF EXISTS refs_agg(bytea)")
        op.execute("DROP FUNCTION IF EXISTS refs_merge(bytea, bytea)")
        op.execute("DROP FUNCTION IF EXISTS refs_trim(bytea)")
