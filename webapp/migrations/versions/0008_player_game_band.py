"""Player statistics by the game's band too, so the peers can leave the player's games out.

The peers of a player are all games whose mean rating falls around the player's rating;
the player's own games are among them. Player rows gain `game_band` (the game's mean
band, as the all-games rows key it; part of the primary key) and `game_rating_sum` (the
games' mean ratings), so the peers' counts and average rating can be taken less exactly
the player's games. The player tables are recreated, and every statistics table is
rebuilt from the stored games (for 0007's game references as well).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

KEYS = ["player_id", "position_key", "color", "move", "collection", "speed", "rated", "rating_band"]


def _player_stats(name: str, *, monthly: bool, by_game_band: bool) -> None:
    keys = [*KEYS, *(["game_band"] if by_game_band else []), *(["month"] if monthly else [])]
    op.create_table(
        name,
        sa.Column("player_id", sa.Integer, nullable=False),
        sa.Column("position_key", sa.BigInteger, nullable=False),
        sa.Column("color", sa.SmallInteger, nullable=False),
        sa.Column("move", sa.SmallInteger, nullable=False),
        sa.Column("collection", sa.SmallInteger, nullable=False),
        sa.Column("speed", sa.SmallInteger, nullable=False),
        sa.Column("rated", sa.SmallInteger, nullable=False),
        sa.Column("rating_band", sa.SmallInteger, nullable=False),
        *([sa.Column("game_band", sa.SmallInteger, nullable=False, server_default="-1")] if by_game_band else []),
        *([sa.Column("month", sa.Integer, nullable=False)] if monthly else []),
        sa.Column("white", sa.Integer, nullable=False),
        sa.Column("draws", sa.Integer, nullable=False),
        sa.Column("black", sa.Integer, nullable=False),
        sa.Column("rating_sum", sa.BigInteger, nullable=False),
        *([sa.Column("game_rating_sum", sa.BigInteger, nullable=False, server_default="0")] if by_game_band else []),
        sa.Column("refs", sa.LargeBinary),
        sa.PrimaryKeyConstraint(*keys, name=f"pk_{name}"),
        sqlite_with_rowid=False,
    )


def _recreate(*, by_game_band: bool) -> None:
    for name, monthly in (("player_move_stats", True), ("player_move_stats_rollup", False)):
        op.drop_table(name)
        _player_stats(name, monthly=monthly, by_game_band=by_game_band)


def upgrade() -> None:
    _recreate(by_game_band=True)
    from webapp.indexer.reindex import rebuild_statistics
    from webapp.model.stored_game import four_byte_clock_seconds_many  # the clocks' form until 0017

    rebuild_statistics(op.get_bind(), endings=False, read_clocks=four_byte_clock_seconds_many)  # their columns come in 0011


def downgrade() -> None:
    """0007's player tables, empty: the tracked players are counted again when asked for
    (webapp.jobs.player_index)."""
    _recreate(by_game_band=False)
    op.execute("UPDATE tracked_players SET status = 'indexing', done = 0, total = 0")
