"""Each batch's one-game rows in a run of its own (webapp.indexer.runs): the open run
that took every batch's rows is bounded at the latest batch (dropped when empty). Down,
an empty open run takes the batches to come again. SQLite keeps its plain table.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04
"""

from alembic import op

from webapp.indexer import runs

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "postgresql" and runs.partitioned(connection):
        # The open run's rows are checked against their bounds first, a scan that readers
        # do not wait for (imports do); attaching them so bounded then reads nothing.
        # Interrupted before the end, the upgrade leaves a constraint that stops imports
        # into the open run: run it again.
        with op.get_context().autocommit_block():
            connection.exec_driver_sql("SET statement_timeout = 0")
            upto = runs.check_open_run(connection)
        op.execute("SET LOCAL statement_timeout = 0")
        runs.take_over_batches(connection)
        runs.close_open_run(connection, upto)


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "postgresql" and runs.partitioned(connection):
        runs.reopen_run(connection)
