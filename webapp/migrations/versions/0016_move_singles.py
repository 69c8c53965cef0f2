"""One-game statistics rows kept narrow: the table move_singles, and the view
move_stats_all that reads them with move_stats' rows as move_stats' columns
(webapp.db.singles). Rows already stored stay in move_stats as they are; imports from
now on write their one-game rows narrow. Down, the narrow rows go back into move_stats.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from webapp.db.singles import REF_ENTRY_SQL, SERIAL_SCANS_SQL, VIEW, WIDE_COLUMNS, view_sql

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        "move_singles",
        sa.Column("position_key", sa.BigInteger, nullable=False),
        sa.Column("game_id", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("path", sa.Integer, nullable=False),
        sa.Column("move", sa.SmallInteger, nullable=False),
        sa.Column("code", sa.SmallInteger, nullable=False),
    )
    # by batch too, as move_stats': a summarized position reads only the rows appended since
    op.create_index("ix_move_singles_position_key_seq", "move_singles", ["position_key", "seq"])
    if bind.dialect.name == "postgresql":
        # compaction's way to the rows appended since it last ran, as move_stats' (0006)
        op.execute("CREATE INDEX ix_move_singles_seq ON move_singles USING brin (seq)")
        op.execute(SERIAL_SCANS_SQL)
        op.execute(REF_ENTRY_SQL)  # SQLite connections get theirs from webapp.db.sqlite
    op.execute(view_sql(bind.dialect.name))


def downgrade() -> None:
    # the narrow rows go back into move_stats wide, as the view reads them: nothing is lost
    columns = ", ".join(WIDE_COLUMNS)
    op.execute(f"INSERT INTO move_stats ({columns}) SELECT {columns} FROM {VIEW} WHERE game_id IS NOT NULL")
    op.execute(f"DROP VIEW {VIEW}")
    op.drop_table("move_singles")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION ref_entry(bigint, integer, integer)")
