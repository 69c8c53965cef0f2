"""Two import batches add to a tracked player's rows at once on PostgreSQL: each must take
the rows in key order, or the two deadlock (an import with a busy player tracked failed so
after three tries). The COPY into the staging table sends rows by shape, not by key."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from sqlalchemy import text

from webapp.indexer.bulk import writer_for
from webapp.indexer.rows import RowRefs
from webapp.model import game_refs

TABLE = "player_move_stats_rollup"


def _rows(writer, keys: list[int], refs: list[int]) -> tuple[list[np.ndarray], RowRefs]:  # type: ignore[no-untyped-def]
    """Rollup rows of player 7 at the position keys, one white win each, with `refs`
    references each (a row with more goes later in the COPY)."""
    columns = writer.player_rollup_columns
    data = []
    for name in columns:
        if name == "position_key":
            data.append(np.array(keys, np.int64))
        elif name == "player_id":
            data.append(np.full(len(keys), 7, np.int64))
        elif name in ("white", "last_month"):
            data.append(np.full(len(keys), 1 if name == "white" else 202101, np.int64))
        else:
            data.append(np.zeros(len(keys), np.int64))
    entries = np.array([(i + 1, 1500, 20210101) for i in range(sum(refs))], game_refs.ENTRY)
    return data, RowRefs(np.array(refs, np.int64), entries)


def _merge(engine, keys: list[int], refs: list[int], *, commit=None):  # type: ignore[no-untyped-def]
    connection = engine.connect()
    transaction = connection.begin()
    writer = writer_for(connection)
    cursor = writer.raw.cursor()
    writer.begin(cursor)  # as a batch: no statement timeout
    writer.merge(cursor, TABLE, writer.player_rollup_columns, *_rows(writer, keys, refs))
    if commit is None:
        transaction.commit()
        connection.close()
        return None
    return connection, transaction


def _waiting(engine) -> bool:  # type: ignore[no-untyped-def]
    """Whether a statement waits for a row lock (a transaction of its own: the activity
    view holds still within one)."""
    with engine.connect() as watching:
        return bool(
            watching.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT%'")
            ).scalar_one()
        )


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_batch_adds_to_a_players_rows_in_key_order(engine) -> None:
    _merge(engine, [1, 2], [0, 0])  # the rows exist: adding to them locks them
    holding, held = _merge(engine, [1], [0], commit=False)  # row 1 locked, not committed
    second: list[BaseException] = []

    def add_both() -> None:  # row 2 has no references: the COPY sends it first
        try:
            _merge(engine, [1, 2], [1, 0])
        except BaseException as error:  # noqa: BLE001 - reported by the test
            second.append(error)

    thread = threading.Thread(target=add_both)
    thread.start()
    deadline = time.monotonic() + 30
    while not _waiting(engine):
        assert time.monotonic() < deadline, f"the second batch never waited: {second}"
        time.sleep(0.05)
    with engine.begin() as checking:  # it waits at row 1 and has not taken row 2
        assert checking.execute(
            text(f"SELECT white FROM {TABLE} WHERE player_id = 7 AND position_key = 2 FOR UPDATE NOWAIT")
        ).scalar_one() == 1
    held.commit()
    holding.close()
    thread.join(30)
    assert not second
    with engine.connect() as connection:
        assert connection.execute(text(f"SELECT position_key, white FROM {TABLE} ORDER BY 1")).all() == [(1, 3), (2, 2)]
