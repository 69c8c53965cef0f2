"""People (named sets of accounts), account import state and import jobs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_people"),
        sa.UniqueConstraint("name", name="uq_people_name"),
    )
    op.create_table(
        "person_accounts",
        sa.Column("person_id", sa.Integer, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("person_id", "source", "name", name="pk_person_accounts"),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name="fk_person_accounts_person_id_people",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_person_accounts_source_name", "person_accounts", ["source", "name"])
    op.create_table(
        "account_imports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("last_complete_month", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_game_ms", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("games_imported", sa.Integer, nullable=False, server_default="0"),
        sa.Column("skipped_variants", sa.Integer, nullable=False, server_default="0"),
        sa.Column("status", sa.String(16), nullable=False, server_default="idle"),
        sa.Column("lock_token", sa.String(40)),
        sa.Column("heartbeat_at", sa.DateTime),
        sa.Column("last_error", sa.Text),
        sa.Column("finished_at", sa.DateTime),
        sa.PrimaryKeyConstraint("id", name="pk_account_imports"),
        sa.UniqueConstraint("source", "name", name="uq_account_imports_source_name"),
    )
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="queued"),
        sa.Column("done", sa.Integer, nullable=False, server_default="0"),
        sa.Column("total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("unit", sa.String(16), nullable=False, server_default="months"),
        sa.Column("games_added", sa.Integer, nullable=False, server_default="0"),
        sa.Column("message", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_import_jobs"),
    )


def downgrade() -> None:
    op.drop_table("import_jobs")
    op.drop_table("account_imports")
    op.drop_index("ix_person_accounts_source_name", table_name="person_accounts")
    op.drop_table("person_accounts")
    op.drop_table("people")
