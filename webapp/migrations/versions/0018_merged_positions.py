"""merged_positions: for each position compaction merged, the batch it merged up to and
the rows it left, so the next compaction merges it again only once the rows appended since
are a share of those (webapp.indexer.compact.MERGE_SHARE) instead of reading all its rows
whenever a game reaches it. Empty at first: a position is recorded when next merged.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "merged_positions",
        sa.Column("position_key", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("row_count", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("position_key", name="pk_merged_positions"),
    )


def downgrade() -> None:
    op.drop_table("merged_positions")
