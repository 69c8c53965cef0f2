"""Example (docs/DEPLOY.md): games.decisive, step 1 of 2: add it nullable, backfill, index.

Safe on a live PostgreSQL database with millions of games: no statement holds a lock on
`games` for longer than a batch. Old code keeps running against the new schema (it ignores
the new column); code that writes `decisive` ships with this migration; the NOT NULL
constraint comes in the next release (0902), once every writer sets the column.

Revision ID: 0901
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0901"
down_revision = "0002"
branch_labels = None
depends_on = None

BATCH_ROWS = 10_000


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # Give up after 5 s instead of queueing every reader behind a lock we wait for.
        op.execute("SET LOCAL lock_timeout = '5s'")
    # 1. Add the column nullable and without a default: a catalog change, no table rewrite.
    op.add_column("games", sa.Column("decisive", sa.Boolean(), nullable=True))

    with op.get_context().autocommit_block():
        # 2. Backfill in primary-key ranges; each UPDATE commits on its own (autocommit),
        #    so row locks are short and progress survives an interruption (rerun resumes).
        last_id = 0
        while True:
            upper = bind.execute(
                sa.text(
                    "SELECT max(id) FROM (SELECT id FROM games WHERE id > :last_id"
                    " ORDER BY id LIMIT :rows) AS batch"
                ),
                {"last_id": last_id, "rows": BATCH_ROWS},
            ).scalar()
            if upper is None:
                break
            bind.execute(
                sa.text(
                    "UPDATE games SET decisive = (result <> '1/2-1/2')"
                    " WHERE id > :last_id AND id <= :upper AND decisive IS NULL"
                ),
                {"last_id": last_id, "upper": upper},
            )
            last_id = upper
        # 3. Index without blocking writes: CONCURRENTLY must run outside a transaction,
        #    hence the autocommit block. IF NOT EXISTS makes a rerun harmless. (If a
        #    concurrent build fails it leaves an INVALID index: drop it, run again.)
        op.create_index(
            "ix_games_decisive_month",
            "games",
            ["decisive", "month"],
            postgresql_concurrently=True,
            if_not_exists=True,
        )


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.drop_index(
            "ix_games_decisive_month",
            table_name="games",
            postgresql_concurrently=True,
            if_exists=True,
        )
    op.drop_column("games", "decisive")
