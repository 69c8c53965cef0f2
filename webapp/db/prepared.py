"""Prepared statements that outlive a read's transaction (PostgreSQL).

psycopg prepares a statement it has run a few times on a connection (its
prepare_threshold), so the server plans it once instead of on every run; but it forgets
them all on a rollback, and SQLAlchemy ends every transaction it did not see committed
with one: each read of the explorer was planned afresh. At a million games, right after
an import whose batches each added a run of one-game rows (webapp.indexer.runs), planning
took longer than running: 1.3-3.1 ms a statement against 0.5-1.5 ms, and an answer runs
three or four. A transaction that wrote nothing ends alike by COMMIT or ROLLBACK (but for
a plain SET in it, which the app makes only for a connection's whole session), so the
connections here end one with COMMIT, and their prepared statements stay.

A prepared statement is planned once for any values (after five runs planned for theirs,
when PostgreSQL finds the one plan no dearer): for a position of a few rows. A statement
run with the execution option PLANNED_FOR_ITS_VALUES is not prepared, and so planned for
the values it is given, where those rows are thousands and another plan reads them faster.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.pq import TransactionStatus
from sqlalchemy import event
from sqlalchemy.engine import Engine

#: execution option: run this statement unprepared, planned for its own values
PLANNED_FOR_ITS_VALUES = "planned_for_its_values"


class KeepingConnection(psycopg.Connection[Any]):
    """A psycopg connection whose rollback of a transaction that wrote nothing (no
    transaction id assigned) commits instead, keeping its prepared statements; any other
    rollback (a write, or a failed statement) is a rollback."""

    def rollback(self) -> None:
        if self.info.transaction_status == TransactionStatus.INTRANS:
            with self.cursor() as cursor:
                assigned = cursor.execute("SELECT txid_current_if_assigned()").fetchone()
            if assigned is not None and assigned[0] is None:
                self.commit()
                return
        super().rollback()


def keep_prepared_statements(engine: Engine) -> None:
    """Make the engine's psycopg connections KeepingConnections, and run a statement given
    PLANNED_FOR_ITS_VALUES unprepared (nothing on SQLite)."""
    if engine.dialect.driver != "psycopg":
        return

    @event.listens_for(engine, "do_connect")
    def _connect(_dialect, _record, cargs, cparams) -> KeepingConnection:  # type: ignore[no-untyped-def]
        return KeepingConnection.connect(*cargs, **cparams)

    @event.listens_for(engine, "do_execute")
    def _execute(cursor, statement, parameters, context) -> bool | None:  # type: ignore[no-untyped-def]
        if context.execution_options.get(PLANNED_FOR_ITS_VALUES):
            cursor.execute(statement, parameters, prepare=False)
            return True
        return None
