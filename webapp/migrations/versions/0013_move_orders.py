"""Move orders: every move_stats row and month-less rollup row says which sequence of
moves reached its position in its games (`path`, a 32-bit hash: webapp.indexer.rows
.path_hashes, 0 at the start position), so the explorer can break a position down by
the move orders that reached it. The rollup's key gains the column (its table is made
anew, hot positions forgotten) and every statistics row is recounted from the stored
games. The band-less monthly summary and the player tables have no move order.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

#: as webapp.model.endings.ENDING_COLUMNS when written
ENDING_COLUMNS = (
    "white_mate", "white_resign", "white_time", "white_abandon",
    "black_mate", "black_resign", "black_time", "black_abandon",
    "draw_agreement", "draw_repetition", "draw_stalemate", "draw_insufficient", "draw_fifty", "draw_timeout",
)  # fmt: skip
KEYS = ("position_key", "move", "collection", "speed", "rated", "rating_band")
FILLFACTOR = 70  # as migration 0004 set
NEWEST = "coalesce(last_month, 999999)"  # as migration 0012 indexed it


def _new_rollup(*, path: bool) -> None:
    """move_stats_rollup made anew, empty (with or without the move-order key column)."""
    bind = op.get_bind()
    op.drop_table("move_stats_rollup")
    op.execute("DELETE FROM hot_positions")  # their sums are gone: read from move_stats again
    op.create_table(
        "move_stats_rollup",
        sa.Column("position_key", sa.BigInteger, nullable=False),
        sa.Column("move", sa.SmallInteger, nullable=False),
        sa.Column("collection", sa.SmallInteger, nullable=False),
        sa.Column("speed", sa.SmallInteger, nullable=False),
        sa.Column("rated", sa.SmallInteger, nullable=False),
        sa.Column("rating_band", sa.SmallInteger, nullable=False),
        *([sa.Column("path", sa.Integer, nullable=False, server_default="0")] if path else []),
        sa.Column("white", sa.Integer, nullable=False),
        sa.Column("draws", sa.Integer, nullable=False),
        sa.Column("black", sa.Integer, nullable=False),
        sa.Column("rating_sum", sa.BigInteger, nullable=False),
        sa.Column("refs", sa.LargeBinary),
        sa.Column("last_month", sa.Integer),
        *[sa.Column(c, sa.Integer) for c in ENDING_COLUMNS],
        sa.PrimaryKeyConstraint(*KEYS, *(["path"] if path else []), name="pk_move_stats_rollup"),
        sqlite_with_rowid=False,
    )
    if bind.dialect.name == "postgresql":
        op.execute(f"ALTER TABLE move_stats_rollup SET (fillfactor = {FILLFACTOR})")
    # as migration 0012 made them: by band, and by newest month (unknown the latest)
    op.create_index("ix_move_stats_rollup_band", "move_stats_rollup", ["position_key", "rating_band"])
    op.create_index("ix_move_stats_rollup_newest", "move_stats_rollup", ["position_key", sa.text(NEWEST)])


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("SET LOCAL statement_timeout = 0")  # a large store's recount takes a while
        # a constant default: PostgreSQL rewrites no stored row
        op.execute("ALTER TABLE move_stats ADD COLUMN path integer NOT NULL DEFAULT 0")
    else:
        op.add_column("move_stats", sa.Column("path", sa.Integer, nullable=False, server_default="0"))
    _new_rollup(path=True)
    from webapp.indexer.reindex import rebuild_statistics
    from webapp.model.stored_game import four_byte_clock_seconds_many  # the clocks' form until 0017

    rebuild_statistics(bind, read_clocks=four_byte_clock_seconds_many)  # every row's move order, from the stored games


def downgrade() -> None:
    bind = op.get_bind()
    _new_rollup(path=False)  # rows of one key but different orders stay apart in move_stats:
    if bind.dialect.name == "postgresql":  # it has no unique key, reads sum its rows
        op.execute("ALTER TABLE move_stats DROP COLUMN path")
        return
    with op.batch_alter_table("move_stats") as batch:
        batch.drop_column("path")
