"""How games ended, counted in every statistics row: per (position, move, filters) the
white wins, black wins and draws by each kind of ending (webapp.model.endings), nullable
integer columns where NULL means zero, filled by recounting the stored games (whose
termination migration 0006 recorded).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TABLES = (
    "move_stats", "move_stats_rollup", "move_stats_monthly", "player_move_stats", "player_move_stats_rollup",
)  # fmt: skip
#: as webapp.model.endings.ENDING_COLUMNS when written
ENDING_COLUMNS = (
    "white_mate", "white_resign", "white_time", "white_abandon",
    "black_mate", "black_resign", "black_time", "black_abandon",
    "draw_agreement", "draw_repetition", "draw_stalemate", "draw_insufficient", "draw_fifty", "draw_timeout",
)  # fmt: skip


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("SET LOCAL statement_timeout = 0")  # a large store's recount takes a while
        for table in TABLES:  # nullable, no default: PostgreSQL changes no stored row
            op.execute(
                f"ALTER TABLE {table} " + ", ".join(f"ADD COLUMN {c} integer" for c in ENDING_COLUMNS)
            )
    else:
        for table in TABLES:
            for column in ENDING_COLUMNS:
                op.add_column(table, sa.Column(column, sa.Integer))
    from webapp.indexer.reindex import rebuild_statistics
    from webapp.model.stored_game import four_byte_clock_seconds_many  # the clocks' form until 0017

    rebuild_statistics(bind, read_clocks=four_byte_clock_seconds_many)  # every row's counts, endings included, from the stored games


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} " + ", ".join(f"DROP COLUMN {c}" for c in ENDING_COLUMNS))
        return
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            for column in ENDING_COLUMNS:
                batch.drop_column(column)
