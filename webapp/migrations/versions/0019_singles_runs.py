"""move_singles in runs on PostgreSQL: partitioned by batch, the rows stored so far the
first run, an empty open run for the batches to come (webapp.indexer.runs). SQLite keeps
its plain table. Down, the runs are one plain table again.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04
"""

from alembic import op

from webapp.indexer import runs

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        # The stored rows' bounds are checked first, a scan that readers do not wait for
        # (imports do); attaching them as the first run then reads nothing, so readers
        # wait only for catalog changes. Interrupted before the end, the upgrade leaves
        # a constraint that stops imports: run it again.
        with op.get_context().autocommit_block():
            connection.exec_driver_sql("SET statement_timeout = 0")
            upto = runs.check_first_run(connection)
        op.execute("SET LOCAL statement_timeout = 0")
        runs.take_over_batches(connection)
        runs.partition(connection, runs.TABLE, upto)
        runs.drop_seal_check(connection)


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        op.execute("SET LOCAL statement_timeout = 0")  # every row copied: minutes on a large store
        runs.unpartition(connection)
