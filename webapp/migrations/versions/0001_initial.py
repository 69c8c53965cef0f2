"""Games, players, move statistics, per-player move statistics, requested players.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _counts() -> list[sa.Column]:
    return [
        sa.Column("white", sa.Integer, nullable=False),
        sa.Column("draws", sa.Integer, nullable=False),
        sa.Column("black", sa.Integer, nullable=False),
        sa.Column("rating_sum", sa.BigInteger, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "players",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_players"),
        sa.UniqueConstraint("source", "name", name="uq_players_source_name"),
    )
    op.create_index("ix_players_name", "players", ["name"])
    op.create_table(
        "games",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("uid", sa.String(120), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("white_id", sa.Integer, nullable=False),
        sa.Column("black_id", sa.Integer, nullable=False),
        sa.Column("white_rating", sa.SmallInteger),
        sa.Column("black_rating", sa.SmallInteger),
        sa.Column("result", sa.String(7), nullable=False),
        sa.Column("speed", sa.SmallInteger, nullable=False),
        sa.Column("rated", sa.Boolean, nullable=False),
        sa.Column("played_on", sa.Date),
        sa.Column("month", sa.Integer, nullable=False),
        sa.Column("time_control", sa.String(32)),
        sa.Column("event", sa.String(200)),
        sa.Column("site", sa.String(200)),
        sa.Column("eco", sa.String(3)),
        sa.Column("plies", sa.SmallInteger, nullable=False),
        sa.Column("moves", sa.Text, nullable=False),
        sa.Column("imported_at", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_games"),
        sa.UniqueConstraint("uid", name="uq_games_uid"),
        sa.ForeignKeyConstraint(["white_id"], ["players.id"], name="fk_games_white_id_players"),
        sa.ForeignKeyConstraint(["black_id"], ["players.id"], name="fk_games_black_id_players"),
    )
    op.create_index("ix_games_white_id", "games", ["white_id"])
    op.create_index("ix_games_black_id", "games", ["black_id"])
    op.create_table(
        "move_stats",
        sa.Column("position_key", sa.BigInteger, nullable=False),
        sa.Column("move", sa.SmallInteger, nullable=False),
        sa.Column("speed", sa.SmallInteger, nullable=False),
        sa.Column("rated", sa.SmallInteger, nullable=False),
        sa.Column("rating_band", sa.SmallInteger, nullable=False),
        sa.Column("month", sa.Integer, nullable=False),
        *_counts(),
        sa.PrimaryKeyConstraint(
            "position_key", "move", "speed", "rated", "rating_band", "month", name="pk_move_stats"
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "player_move_stats",
        sa.Column("player_id", sa.Integer, nullable=False),
        sa.Column("position_key", sa.BigInteger, nullable=False),
        sa.Column("color", sa.SmallInteger, nullable=False),
        sa.Column("move", sa.SmallInteger, nullable=False),
        sa.Column("speed", sa.SmallInteger, nullable=False),
        sa.Column("rated", sa.SmallInteger, nullable=False),
        sa.Column("rating_band", sa.SmallInteger, nullable=False),
        sa.Column("month", sa.Integer, nullable=False),
        *_counts(),
        sa.PrimaryKeyConstraint(
            "player_id",
            "position_key",
            "color",
            "move",
            "speed",
            "rated",
            "rating_band",
            "month",
            name="pk_player_move_stats",
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "requested_players",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("times", sa.Integer, nullable=False, server_default="1"),
        sa.Column(
            "first_requested_at", sa.DateTime, nullable=False, server_default=sa.func.now()
        ),
        sa.Column("last_requested_at", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_requested_players"),
        sa.UniqueConstraint("source", "name", name="uq_requested_players_source_name"),
    )


def downgrade() -> None:
    op.drop_table("requested_players")
    op.drop_table("player_move_stats")
    op.drop_table("move_stats")
    op.drop_index("ix_games_black_id", table_name="games")
    op.drop_index("ix_games_white_id", table_name="games")
    op.drop_table("games")
    op.drop_index("ix_players_name", table_name="players")
    op.drop_table("players")
