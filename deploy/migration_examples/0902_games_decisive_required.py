"""Example (docs/DEPLOY.md): games.decisive, step 2 of 2: make it NOT NULL without a long lock.

Ships one release after 0901, when every writer sets `decisive`. It first fills any row an
older writer left NULL, then on PostgreSQL: a CHECK ... NOT VALID (instant), VALIDATE (a
scan that lets reads and writes go on), then SET NOT NULL, which PostgreSQL 12+ proves from
the validated check without scanning again, and the check is dropped.

Revision ID: 0902
Revises: 0901
"""

import sqlalchemy as sa
from alembic import op

revision = "0902"
down_revision = "0901"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    op.execute("UPDATE games SET decisive = (result <> '1/2-1/2') WHERE decisive IS NULL")
    if bind.dialect.name != "postgresql":  # SQLite: the embedded mode, small; copy and move
        with op.batch_alter_table("games") as batch:
            batch.alter_column("decisive", existing_type=sa.Boolean(), nullable=False)
        return
    with op.get_context().autocommit_block():
        # Each statement its own transaction: the brief ACCESS EXCLUSIVE locks of ADD and
        # SET NOT NULL are not held through VALIDATE's scan.
        op.execute("SET lock_timeout = '5s'")
        op.execute(
            "ALTER TABLE games ADD CONSTRAINT ck_games_decisive_not_null"
            " CHECK (decisive IS NOT NULL) NOT VALID"
        )
        op.execute("ALTER TABLE games VALIDATE CONSTRAINT ck_games_decisive_not_null")
        op.alter_column("games", "decisive", existing_type=sa.Boolean(), nullable=False)
        op.drop_constraint("ck_games_decisive_not_null", "games", type_="check")
        op.execute("RESET lock_timeout")


def downgrade() -> None:
    with op.batch_alter_table("games") as batch:
        batch.alter_column("decisive", existing_type=sa.Boolean(), nullable=True)
