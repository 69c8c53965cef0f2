"""A player's busiest positions get their rollup summed over the rating bands too.

player_move_stats_bandless holds, for the (player, position) pairs in
player_bandless_positions, player_move_stats_rollup's rows summed over rating_band and
game_band. A player view with no rating asked reads it there: at a million games the
busiest player has 10,159 rollup rows at the start position and 293 band-less ones.

Both tables start empty: pairs are summarized by this release's player indexing and
compaction (webapp.indexer.player_summaries) in its web and worker containers, which start
once the previous release's have stopped (the compaction `db upgrade` runs next to them
leaves the players out: their imports would not add to the sums); until then every player
view reads the rollup, as before. New tables only: no lock on a big table, nothing to
backfill.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
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
KEYS = ("player_id", "position_key", "color", "move", "collection", "speed", "rated")


def upgrade() -> None:
    op.create_table(
        "player_move_stats_bandless",
        sa.Column("player_id", sa.Integer, nullable=False),
        sa.Column("position_key", sa.BigInteger, nullable=False),
        sa.Column("color", sa.SmallInteger, nullable=False),
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
        sa.PrimaryKeyConstraint(*KEYS, name="pk_player_move_stats_bandless"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "player_bandless_positions",
        sa.Column("player_id", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("position_key", sa.BigInteger, nullable=False, autoincrement=False),
        sa.PrimaryKeyConstraint("player_id", "position_key", name="pk_player_bandless_positions"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("player_bandless_positions")
    op.drop_table("player_move_stats_bandless")
