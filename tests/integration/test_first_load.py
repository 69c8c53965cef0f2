"""First load (PostgreSQL): an import into an empty store appends without move_stats'
position index and builds it when it ends; an import into a store with statistics keeps
it; compaction waits for a running first load and builds an index a killed one left
missing. The counts are python-chess's in every case.

The merge at a first load's end merges move_stats' rows, not the narrow one-game rows
(webapp.db.singles, left to compaction): its tests write every row wide, as all were
before move_singles, except the one marked `narrow`."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from import_reference import expected
from sample_games import EXPLORER_SAMPLE
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from test_import_pgn import ALL, summed_over_months, tables

from webapp.indexer import bulk
from webapp.indexer.compact import MONTH_GROUP, compact, merge_first_load
from webapp.indexer.first_load import (
    FIRST_LOAD_LOCK,
    INDEX_STAGE,
    MERGE_STAGE,
    MERGED_TABLE,
    POSITION_INDEX,
    SINGLES_INDEXES,
    ensure_position_index,
    position_index_exists,
)
from webapp.indexer.pgn import import_pgn_files


@pytest.fixture(autouse=True)
def _wide_rows_only(request, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    if request.node.get_closest_marker("narrow") is None:
        monkeypatch.setattr(bulk, "narrow_games", lambda records, collection, ids: np.zeros(len(ids), bool))


#: move_stats' indexes on PostgreSQL, as the migrations make them
MIGRATED_INDEXES = [
    "CREATE INDEX ix_move_stats_position_key_seq ON public.move_stats USING btree (position_key, seq)",
    "CREATE INDEX ix_move_stats_seq ON public.move_stats USING brin (seq)",
]


def _indexes(engine) -> list[str]:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return list(
            connection.execute(
                text("SELECT indexdef FROM pg_indexes WHERE tablename = 'move_stats' ORDER BY indexname")
            ).scalars()
        )


def _index_seen_by_every_batch(engine):  # type: ignore[no-untyped-def]
    """A progress callback noting, after every batch, whether the position index exists."""
    seen: list[bool] = []

    def progress(_report) -> None:  # type: ignore[no-untyped-def]
        with engine.connect() as connection:
            seen.append(position_index_exists(connection))

    return seen, progress


def _drop_position_index(engine) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP INDEX {POSITION_INDEX}")


def _rows_and_keys(engine) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """move_stats' rows, and its distinct keys (what a merge leaves)."""
    with engine.connect() as connection:
        return connection.execute(
            text(f"SELECT count(*), count(DISTINCT ({MONTH_GROUP})) FROM move_stats")
        ).one()


def _unmerged_first_load(engine) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """The sample appended in batches of 10, its index dropped as a first load leaves it
    before its end: (rows, keys)."""
    import_pgn_files(engine, [EXPLORER_SAMPLE], index_plies=40, batch_size=10)
    _drop_position_index(engine)
    return _rows_and_keys(engine)


def test_a_first_load_appends_without_the_index_and_builds_it_at_its_end(engine) -> None:
    if engine.dialect.name != "postgresql":
        return  # SQLite keeps its index
    assert _indexes(engine) == MIGRATED_INDEXES
    appended_without: list[list[str]] = []

    def progress(report) -> None:  # type: ignore[no-untyped-def]
        appended_without.append(_indexes(engine))
        noted(report)

    seen, noted = _index_seen_by_every_batch(engine)
    # 46 games, in batches of 10: a first load as long as compact_every merges its rows
    report = import_pgn_files(
        engine, [EXPLORER_SAMPLE], index_plies=40, batch_size=10, progress=progress, compact_every=40
    )
    assert report.first_load
    assert (
        f"first load: statistics appended without their indexes; at the end "
        f"{report.first_load_merged:,} rows merged and the indexes built in"
    ) in report.summary()
    assert report.first_load_merged > 0  # the sample repeats positions across batches
    assert len(seen) > 1 and not any(seen)
    assert appended_without == [[]] * len(seen)  # the BRIN index on seq too
    assert _indexes(engine) == MIGRATED_INDEXES  # the merged table has them all
    with engine.connect() as connection:
        assert position_index_exists(connection)
    rows, keys = _rows_and_keys(engine)
    assert rows == keys  # one row a key: merged at the end, before any compaction
    assert tables(engine)["move_stats"] == dict(expected([EXPLORER_SAMPLE]).move_stats)

    seen, progress = _index_seen_by_every_batch(engine)
    others = [path for path in ALL if path.name != EXPLORER_SAMPLE.name][:3]
    second = import_pgn_files(engine, others, index_plies=40, batch_size=10, progress=progress)
    assert not second.first_load  # the store had statistics: the index is kept up to date
    assert seen and all(seen)
    assert "first load" not in second.summary()

    compact(engine)
    reference = expected([EXPLORER_SAMPLE, *others])
    got = tables(engine)
    assert got["move_stats"] == dict(reference.move_stats)
    assert got["move_stats_rollup"] == summed_over_months(reference.move_stats)


def test_a_short_first_load_leaves_its_rows_to_compaction(engine) -> None:
    if engine.dialect.name != "postgresql":
        return
    report = import_pgn_files(engine, [EXPLORER_SAMPLE], index_plies=40, batch_size=10, compact_every=1000)
    assert report.first_load and report.first_load_merged == 0
    assert "at the end the indexes built in" in report.summary()
    with engine.connect() as connection:
        assert position_index_exists(connection)
    rows, keys = _rows_and_keys(engine)
    assert rows > keys  # rows of one key from several batches, not merged
    assert compact(engine).merged_rows == rows - keys
    reference = expected([EXPLORER_SAMPLE])
    got = tables(engine)
    assert got["move_stats"] == dict(reference.move_stats)
    assert got["move_stats_rollup"] == summed_over_months(reference.move_stats)


def test_compaction_waits_for_a_first_load_and_builds_the_index_a_killed_one_left_missing(engine) -> None:
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as loader:  # a first load running in another process
        assert loader.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": FIRST_LOAD_LOCK}).scalar()
        loader.commit()
        beside = import_pgn_files(engine, [EXPLORER_SAMPLE], index_plies=40, batch_size=10)
        assert not beside.first_load  # it appended along, leaving the merging to compaction
        _drop_position_index(engine)  # as the running first load did
        waited = compact(engine)
        assert waited.postponed
        assert waited.summary().startswith("compaction postponed: an import into the empty store")
        with engine.connect() as connection:
            assert not position_index_exists(connection)
        loader.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": FIRST_LOAD_LOCK})
        loader.commit()
    report = compact(engine)  # the first load was killed: nobody holds the lock
    assert not report.postponed and report.merged_rows > 0
    with engine.connect() as connection:
        assert position_index_exists(connection)
    reference = expected([EXPLORER_SAMPLE])
    got = tables(engine)
    assert got["move_stats"] == dict(reference.move_stats)
    assert got["move_stats_rollup"] == summed_over_months(reference.move_stats)


def test_an_import_builds_the_index_a_killed_first_load_left_missing_before_appending(engine) -> None:
    if engine.dialect.name != "postgresql":
        return
    import_pgn_files(engine, [EXPLORER_SAMPLE], index_plies=40)
    _drop_position_index(engine)
    seen, progress = _index_seen_by_every_batch(engine)
    others = [path for path in ALL if path.name != EXPLORER_SAMPLE.name][:2]
    report = import_pgn_files(engine, others, index_plies=40, batch_size=10, progress=progress)
    assert not report.first_load
    assert seen and all(seen)
    reference = expected([EXPLORER_SAMPLE, *others])
    assert tables(engine)["move_stats"] == dict(reference.move_stats)


def _definition(engine, table: str = "move_stats") -> list[tuple]:  # type: ignore[no-untyped-def, type-arg]
    """The table's columns as the catalog has them, and its indexes' definitions."""
    with engine.connect() as connection:
        columns = connection.execute(
            text(
                "SELECT column_name, data_type, is_nullable, column_default, ordinal_position "
                "FROM information_schema.columns WHERE table_name = :table ORDER BY ordinal_position"
            ),
            {"table": table},
        ).all()
        indexes = connection.execute(
            text("SELECT indexdef FROM pg_indexes WHERE tablename = :table ORDER BY indexname"), {"table": table}
        ).all()
    return [tuple(row) for row in columns + indexes]


def _waiting_statement(engine, database: str) -> str | None:  # type: ignore[no-untyped-def]
    """The statement of the session of `database` that waits for a table lock, if one does."""
    with engine.connect() as connection:
        return connection.execute(
            text(
                "SELECT query FROM pg_stat_activity WHERE datname = :database "
                "AND wait_event_type = 'Lock' AND wait_event = 'relation'"
            ),
            {"database": database},
        ).scalar()


def test_the_first_load_merge_leaves_readers_the_appended_rows_until_its_swap(engine) -> None:
    if engine.dialect.name != "postgresql":
        return
    definition = _definition(engine)
    # rows of one key in several batches, and no position index: a first load's end
    rows, keys = _unmerged_first_load(engine)
    with engine.connect() as connection:
        database = connection.execute(text("SELECT current_database()")).scalar()
    assert rows > keys
    merged: list[int] = []
    with engine.connect() as reader:  # a reader in the middle of its transaction
        assert reader.execute(text("SELECT count(*) FROM move_stats")).scalar() == rows

        def merge() -> None:
            with engine.connect() as holder:
                merged.append(merge_first_load(holder))

        merging = threading.Thread(target=merge)
        merging.start()
        deadline = time.monotonic() + 60
        waiting = None
        while waiting is None and time.monotonic() < deadline:
            waiting = _waiting_statement(engine, database)
            time.sleep(0.05)
        # the merge waits for the reader only at the swap, its rows merged by then
        assert waiting == "DROP TABLE move_stats"
        assert reader.execute(text("SELECT count(*) FROM move_stats")).scalar() == rows
        reader.commit()
        merging.join(timeout=60)
    assert merged == [rows - keys]
    assert ensure_position_index(engine) is True
    assert _definition(engine) == definition  # the merged table is move_stats as migrated
    assert _indexes(engine) == MIGRATED_INDEXES
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM move_stats")).scalar() == keys
    assert tables(engine)["move_stats"] == dict(expected([EXPLORER_SAMPLE]).move_stats)


def _merged_table_exists(engine) -> bool:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return connection.execute(text("SELECT to_regclass(:name) IS NOT NULL"), {"name": MERGED_TABLE}).scalar()


def test_the_first_load_merge_in_any_number_of_slices_gives_the_counts_of_one(engine) -> None:
    if engine.dialect.name != "postgresql":
        return
    definition = _definition(engine)
    rows, keys = _unmerged_first_load(engine)
    assert rows > keys
    with engine.connect() as holder:
        assert merge_first_load(holder, parts=3) == rows - keys
    assert not _merged_table_exists(engine)
    assert ensure_position_index(engine) is True
    assert _definition(engine) == definition
    assert _indexes(engine) == MIGRATED_INDEXES
    assert tables(engine)["move_stats"] == dict(expected([EXPLORER_SAMPLE]).move_stats)


def test_a_first_load_merge_that_fails_leaves_the_rows_as_they_were(engine) -> None:
    if engine.dialect.name != "postgresql":
        return
    rows, keys = _unmerged_first_load(engine)
    with engine.begin() as connection:  # merged rows of two games or more break it; appended ones do not
        connection.exec_driver_sql(
            "ALTER TABLE move_stats ADD CONSTRAINT one_game CHECK (white + draws + black < 2) NOT VALID"
        )
    with engine.connect() as holder, pytest.raises(IntegrityError, match="one_game"):
        merge_first_load(holder)
    assert not _merged_table_exists(engine)
    with engine.begin() as connection:
        assert connection.execute(text("SELECT count(*) FROM move_stats")).scalar() == rows
        connection.exec_driver_sql("ALTER TABLE move_stats DROP CONSTRAINT one_game")
    assert ensure_position_index(engine) is True
    compact(engine)
    assert tables(engine)["move_stats"] == dict(expected([EXPLORER_SAMPLE]).move_stats)


def test_the_table_a_killed_first_load_merge_left_goes_with_the_index_rebuild(engine) -> None:
    if engine.dialect.name != "postgresql":
        return
    _unmerged_first_load(engine)
    with engine.begin() as connection:  # the merge had made its table when the import was killed
        connection.exec_driver_sql(f"CREATE TABLE {MERGED_TABLE} (LIKE move_stats)")
    assert ensure_position_index(engine) is True
    assert not _merged_table_exists(engine)
    compact(engine)
    assert tables(engine)["move_stats"] == dict(expected([EXPLORER_SAMPLE]).move_stats)


@pytest.mark.parametrize("merge_from", [40, 1000])
def test_a_first_load_says_what_it_does_after_its_last_batch(engine, merge_from: int) -> None:
    if engine.dialect.name != "postgresql":
        return
    stages: list[tuple[str, bool]] = []  # each call's stage, and whether the index was there

    def progress(report) -> None:  # type: ignore[no-untyped-def]
        with engine.connect() as connection:
            stages.append((report.stage, position_index_exists(connection)))

    report = import_pgn_files(
        engine, [EXPLORER_SAMPLE], index_plies=40, batch_size=10, progress=progress, compact_every=merge_from
    )
    said = MERGE_STAGE if merge_from == 40 else INDEX_STAGE  # 44 games: merged only from 40
    assert stages[-1] == (said, False)  # once, after every batch, before the work
    assert [stage for stage, _ in stages[:-1]] == [""] * (len(stages) - 1)
    assert report.stage == "" and bool(report.first_load_merged) == (merge_from == 40)
    assert _indexes(engine) == MIGRATED_INDEXES


def test_a_first_load_stopped_as_it_ends_builds_its_indexes_and_leaves_the_merge(engine) -> None:
    if engine.dialect.name != "postgresql":
        return

    def progress(report) -> None:  # type: ignore[no-untyped-def]
        if report.stage:
            raise KeyboardInterrupt  # the user stops the import there

    with pytest.raises(KeyboardInterrupt):
        import_pgn_files(engine, [EXPLORER_SAMPLE], index_plies=40, batch_size=10, progress=progress, compact_every=40)
    assert _indexes(engine) == MIGRATED_INDEXES
    rows, keys = _rows_and_keys(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": FIRST_LOAD_LOCK}).scalar()
        connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": FIRST_LOAD_LOCK})
    assert rows > keys  # not merged: compaction does it
    assert compact(engine).merged_rows == rows - keys
    assert tables(engine)["move_stats"] == dict(expected([EXPLORER_SAMPLE]).move_stats)


@pytest.mark.narrow
def test_a_first_load_merges_the_narrow_rows_and_builds_their_indexes_too(engine) -> None:
    if engine.dialect.name != "postgresql":
        return
    def singles_indexes() -> list[str]:
        with engine.connect() as connection:
            return list(
                connection.execute(
                    text("SELECT indexname FROM pg_indexes WHERE tablename = 'move_singles' ORDER BY indexname")
                ).scalars()
            )

    def serial_scans() -> bool:  # no parallel scan of the narrow rows' runs: migrated, and kept by the merge
        with engine.connect() as connection:
            options = connection.execute(
                text(
                    "SELECT c.reloptions FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                    "WHERE i.inhparent = 'move_singles'::regclass"
                )
            ).scalars().all()
        return bool(options) and all(option == ["parallel_workers=0"] for option in options)

    assert singles_indexes() == sorted(SINGLES_INDEXES)
    assert serial_scans()
    singles_definition = _definition(engine, "move_singles")
    during: list[list[str]] = []
    report = import_pgn_files(
        engine, [EXPLORER_SAMPLE], index_plies=40, batch_size=10, compact_every=40,
        progress=lambda _report: during.append(singles_indexes()),
    )  # fmt: skip
    assert report.first_load
    assert during and during == [[]] * len(during)
    assert singles_indexes() == sorted(SINGLES_INDEXES)
    with engine.connect() as connection:
        rows, keys, narrow = connection.execute(
            text(
                f"SELECT count(*), count(DISTINCT ({MONTH_GROUP})), count(game_id) FROM move_stats_all"
            )
        ).one()
    assert report.first_load_merged > 0
    assert rows == keys  # one row a key: a key of one game stays narrow, any other is one wide row
    assert narrow > rows - narrow
    assert _definition(engine, "move_singles") == singles_definition
    assert serial_scans()
    compact(engine)
    reference = expected([EXPLORER_SAMPLE])
    got = tables(engine)
    assert got["move_stats"] == dict(reference.move_stats)
    assert got["move_stats_rollup"] == summed_over_months(reference.move_stats)


@pytest.mark.narrow
def test_the_first_load_merge_attaches_its_one_game_rows_without_scanning_them(engine) -> None:
    """The merged one-game rows become the first run in the swap's transaction, which
    readers wait for: their bounds are checked as they go in, so attaching them reads
    nothing (PostgreSQL says so at DEBUG1)."""
    if engine.dialect.name != "postgresql":
        return
    import_pgn_files(engine, [EXPLORER_SAMPLE], index_plies=40, batch_size=10)
    _drop_position_index(engine)
    notices: list[str] = []
    with engine.connect() as holder:
        holder.connection.driver_connection.add_notice_handler(lambda notice: notices.append(notice.message_primary))
        holder.exec_driver_sql("SET client_min_messages = debug1")
        holder.commit()
        try:
            merge_first_load(holder)
        finally:
            holder.exec_driver_sql("RESET client_min_messages")
            holder.commit()
    assert 'partition constraint for table "move_singles_0" is implied by existing constraints' in notices
    with engine.connect() as connection:
        first_run = connection.execute(text("SELECT count(*) FROM move_singles_0")).scalar()
        checks = connection.execute(
            text("SELECT count(*) FROM pg_constraint WHERE conname = 'move_singles_seal_bounds'")
        ).scalar()
    assert first_run > 0 and checks == 0
    assert ensure_position_index(engine) is True
    compact(engine)
    assert tables(engine)["move_stats"] == dict(expected([EXPLORER_SAMPLE]).move_stats)
