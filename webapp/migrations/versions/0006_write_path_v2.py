"""Write path v2: games stored whole and compactly, statistics appended and compacted.

- games.moves becomes bytes (16-bit move codes, two bytes a ply, instead of UCI text);
  games gain clocks (tenths of a second per ply), termination (how the game ended) and
  collection_id. Existing games go to the collection of their source (lichess,
  chesscom, otb); their clocks and termination are unknown (0) until re-imported.
- move_stats loses its primary key: imports append rows with their batch's `seq`, reads
  sum them, compaction merges them. move_stats_rollup keeps month-less sums of hot
  positions only (hot_positions says up to which seq). Both gain a `collection` column.
- player statistics are kept for tracked players only (tracked_players), with a
  month-less player_move_stats_rollup beside them. Imported accounts and linked people
  are tracked; any other player is indexed from the stored games when first asked for.
- The statistics are rebuilt from the stored games by the next migration (0007), which
  adds the columns today's indexer writes (a large store takes a while).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

CONVERT_CHUNK = 5000


def _player_stats(name: str, *, monthly: bool) -> None:
    keys = ["player_id", "position_key", "color", "move", "collection", "speed", "rated", "rating_band"]
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
        *([sa.Column("month", sa.Integer, nullable=False)] if monthly else []),
        sa.Column("white", sa.Integer, nullable=False),
        sa.Column("draws", sa.Integer, nullable=False),
        sa.Column("black", sa.Integer, nullable=False),
        sa.Column("rating_sum", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint(*keys, *(["month"] if monthly else []), name=f"pk_{name}"),
        sqlite_with_rowid=False,
    )


def _convert_moves(bind) -> None:  # type: ignore[no-untyped-def]
    """games.moves UCI text → 16-bit codes, a chunk of games at a time."""
    import numpy as np

    from webapp.indexer.rows import MOVE_CODES

    games = sa.table("games", sa.column("id"), sa.column("moves"), sa.column("move_codes"))
    last = 0
    while True:
        rows = bind.execute(
            sa.select(games.c.id, games.c.moves)
            .where(games.c.id > last)
            .order_by(games.c.id)
            .limit(CONVERT_CHUNK)
        ).all()
        if not rows:
            return
        bind.execute(
            games.update().where(games.c.id == sa.bindparam("gid")),
            [
                {
                    "gid": gid,
                    "move_codes": np.array(
                        [MOVE_CODES[uci] for uci in moves.split()], dtype="<u2"
                    ).tobytes(),
                }
                for gid, moves in rows
            ],
        )
        last = rows[-1][0]


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    if postgres:
        op.execute("SET LOCAL statement_timeout = 0")

    op.create_table(
        "collections",
        sa.Column("id", sa.SmallInteger, autoincrement=False, nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_collections"),
        sa.UniqueConstraint("name", name="uq_collections_name"),
    )
    collections = sa.table("collections", sa.column("id"), sa.column("name"))
    op.bulk_insert(
        collections,
        [{"id": 1, "name": "lichess"}, {"id": 2, "name": "chesscom"}, {"id": 3, "name": "otb"}],
    )

    with op.batch_alter_table("games") as batch:
        batch.add_column(sa.Column("move_codes", sa.LargeBinary))
        batch.add_column(sa.Column("clocks", sa.LargeBinary))
        batch.add_column(
            sa.Column("termination", sa.SmallInteger, nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("collection_id", sa.SmallInteger, nullable=False, server_default="3")
        )
    _convert_moves(bind)
    op.execute("UPDATE games SET collection_id = 1 WHERE source = 'lichess'")
    op.execute("UPDATE games SET collection_id = 2 WHERE source = 'chesscom'")
    with op.batch_alter_table("games") as batch:
        batch.drop_column("moves")
    with op.batch_alter_table("games") as batch:
        batch.alter_column("move_codes", new_column_name="moves", nullable=False)

    op.drop_table("move_stats")
    op.drop_table("move_stats_rollup")
    op.drop_table("player_move_stats")
    op.create_table(
        "move_stats",
        sa.Column("position_key", sa.BigInteger, nullable=False),
        sa.Column("rating_sum", sa.BigInteger, nullable=False),
        sa.Column("month", sa.Integer, nullable=False),
        sa.Column("white", sa.Integer, nullable=False),
        sa.Column("draws", sa.Integer, nullable=False),
        sa.Column("black", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("move", sa.SmallInteger, nullable=False),
        sa.Column("collection", sa.SmallInteger, nullable=False),
        sa.Column("speed", sa.SmallInteger, nullable=False),
        sa.Column("rated", sa.SmallInteger, nullable=False),
        sa.Column("rating_band", sa.SmallInteger, nullable=False),
    )
    op.create_index("ix_move_stats_position_key_seq", "move_stats", ["position_key", "seq"])
    if postgres:  # compaction finds the rows appended since it last ran (tiny, append-friendly)
        op.execute("CREATE INDEX ix_move_stats_seq ON move_stats USING brin (seq)")
    op.create_table(
        "move_stats_rollup",
        sa.Column("position_key", sa.BigInteger, nullable=False),
        sa.Column("move", sa.SmallInteger, nullable=False),
        sa.Column("collection", sa.SmallInteger, nullable=False),
        sa.Column("speed", sa.SmallInteger, nullable=False),
        sa.Column("rated", sa.SmallInteger, nullable=False),
        sa.Column("rating_band", sa.SmallInteger, nullable=False),
        sa.Column("white", sa.Integer, nullable=False),
        sa.Column("draws", sa.Integer, nullable=False),
        sa.Column("black", sa.Integer, nullable=False),
        sa.Column("rating_sum", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint(
            "position_key", "move", "collection", "speed", "rated", "rating_band",
            name="pk_move_stats_rollup",
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "hot_positions",
        sa.Column("position_key", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("position_key", name="pk_hot_positions"),
    )
    op.create_table(
        "stat_batches",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_stat_batches"),
    )
    _player_stats("player_move_stats", monthly=True)
    _player_stats("player_move_stats_rollup", monthly=False)
    op.create_table(
        "tracked_players",
        sa.Column("player_id", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="indexing"),
        sa.Column("done", sa.Integer, nullable=False, server_default="0"),
        sa.Column("total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated_at", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("player_id", name="pk_tracked_players"),
    )
    # imported accounts and the accounts of linked people stay tracked
    op.execute(
        "INSERT INTO tracked_players (player_id, status) "
        "SELECT DISTINCT p.id, 'indexing' FROM players p WHERE EXISTS ("
        "  SELECT 1 FROM account_imports a WHERE a.source = p.source AND a.name = p.name"
        ") OR EXISTS ("
        "  SELECT 1 FROM person_accounts pa WHERE pa.source = p.source AND pa.name = p.name)"
    )
    # the statistics are rebuilt from the stored games by 0007, whose columns today's
    # indexer writes


def _moves_to_text(bind) -> None:  # type: ignore[no-untyped-def]
    from webapp.model.stored_game import decode_moves

    games = sa.table("games", sa.column("id"), sa.column("moves"), sa.column("moves_text"))
    last = 0
    while True:
        rows = bind.execute(
            sa.select(games.c.id, games.c.moves)
            .where(games.c.id > last)
            .order_by(games.c.id)
            .limit(CONVERT_CHUNK)
        ).all()
        if not rows:
            return
        bind.execute(
            games.update().where(games.c.id == sa.bindparam("gid")),
            [{"gid": gid, "moves_text": " ".join(decode_moves(moves))} for gid, moves in rows],
        )
        last = rows[-1][0]


def downgrade() -> None:
    """Back to 0005's shapes: moves as text, statistics keyed without collection or seq
    (summed from the new tables). Player statistics come back for tracked players only;
    clocks, termination and collections are dropped."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("SET LOCAL statement_timeout = 0")
    keys = "position_key, move, speed, rated, rating_band"
    counts = "sum(white), sum(draws), sum(black), sum(rating_sum)"

    def columns() -> list[sa.Column]:
        return [
            sa.Column(name, sa.SmallInteger, nullable=False)
            for name in ("move", "speed", "rated", "rating_band")
        ]

    def tail() -> list[sa.Column]:
        return [
            sa.Column("white", sa.Integer, nullable=False),
            sa.Column("draws", sa.Integer, nullable=False),
            sa.Column("black", sa.Integer, nullable=False),
            sa.Column("rating_sum", sa.BigInteger, nullable=False),
        ]

    def key() -> sa.Column:
        return sa.Column("position_key", sa.BigInteger, nullable=False)

    op.create_table(
        "old_move_stats", key(), *columns(), sa.Column("month", sa.Integer, nullable=False),
        *tail(),
        sa.PrimaryKeyConstraint(
            "position_key", "move", "speed", "rated", "rating_band", "month",
            name="pk_old_move_stats",
        ),
        sqlite_with_rowid=False,
    )
    op.execute(
        f"INSERT INTO old_move_stats ({keys}, month, white, draws, black, rating_sum) "
        f"SELECT {keys}, month, {counts} FROM move_stats GROUP BY {keys}, month"
    )
    op.create_table(
        "old_move_stats_rollup", key(), *columns(), *tail(),
        sa.PrimaryKeyConstraint(
            "position_key", "move", "speed", "rated", "rating_band",
            name="pk_old_move_stats_rollup",
        ),
        sqlite_with_rowid=False,
    )
    op.execute(
        f"INSERT INTO old_move_stats_rollup ({keys}, white, draws, black, rating_sum) "
        f"SELECT {keys}, {counts} FROM old_move_stats GROUP BY {keys}"
    )
    player_keys = "player_id, position_key, color, move, speed, rated, rating_band, month"
    op.create_table(
        "old_player_move_stats",
        sa.Column("player_id", sa.Integer, nullable=False),
        sa.Column("position_key", sa.BigInteger, nullable=False),
        sa.Column("color", sa.SmallInteger, nullable=False),
        sa.Column("move", sa.SmallInteger, nullable=False),
        sa.Column("speed", sa.SmallInteger, nullable=False),
        sa.Column("rated", sa.SmallInteger, nullable=False),
        sa.Column("rating_band", sa.SmallInteger, nullable=False),
        sa.Column("month", sa.Integer, nullable=False),
        *tail(),
        sa.PrimaryKeyConstraint(*player_keys.split(", "), name="pk_old_player_move_stats"),
        sqlite_with_rowid=False,
    )
    op.execute(
        f"INSERT INTO old_player_move_stats ({player_keys}, white, draws, black, rating_sum) "
        f"SELECT {player_keys}, {counts} FROM player_move_stats GROUP BY {player_keys}"
    )
    for table in ("move_stats", "move_stats_rollup", "player_move_stats",
                  "player_move_stats_rollup", "hot_positions", "stat_batches",
                  "tracked_players"):
        op.drop_table(table)
    for table in ("move_stats", "move_stats_rollup", "player_move_stats"):
        op.rename_table(f"old_{table}", table)
        if bind.dialect.name == "postgresql":
            op.execute(f"ALTER TABLE {table} RENAME CONSTRAINT pk_old_{table} TO pk_{table}")
    with op.batch_alter_table("games") as batch:
        batch.add_column(sa.Column("moves_text", sa.Text))
    _moves_to_text(bind)
    with op.batch_alter_table("games") as batch:
        batch.drop_column("moves")
        batch.drop_column("clocks")
        batch.drop_column("termination")
        batch.drop_column("collection_id")
    with op.batch_alter_table("games") as batch:
        batch.alter_column("moves_text", new_column_name="moves", nullable=False)
    op.drop_table("collections")
    if bind.dialect.name == "postgresql":
        for table in ("move_stats", "move_stats_rollup", "player_move_stats"):
            op.execute(f"ALTER TABLE {table} SET (fillfactor = 70)")
