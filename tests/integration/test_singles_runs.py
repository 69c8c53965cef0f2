"""The one-game rows in runs on PostgreSQL (webapp.indexer.runs): each batch lands as a run
of its own, indexed and attached as it commits; compaction (and a long import between its
compactions) merges runs, and no answer changes; a merge killed before its swap loses
nothing, one that finds a batch's run landed among its runs gives up and plans again;
migration 0019 makes the runs and takes them apart again, 0020 bounds the open run that
took every batch before; a first load's merged rows become the first run.

The sample (44 games) is imported again and again under new ids in batches of 5 games,
each batch a run, with the thresholds shrunk so that compaction merges them: three small
runs in a row, or (with every run full) three full runs of one tier; imports merge runs
as they go only where a test says so."""

from __future__ import annotations

import re
import threading
import time

import chess
import flask_migrate
import psycopg
import pytest
from compaction_thresholds import shrink_thresholds
from explorer_reference import read_games
from old_schema import monthly_best_rating, player_bandless, position_bandless
from sample_games import EXPLORER_SAMPLE
from sqlalchemy import text
from test_compact import _assert_exact, _snapshot

from webapp.db.schema import current_revision, head_revision
from webapp.db.singles import VIEW
from webapp.indexer import compact as compaction
from webapp.indexer import load, runs
from webapp.indexer.pgn import import_pgn_files
from webapp.model.position import position_key

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

#: the batches of 5 games the sample's 44 make, each writing one-game rows
SAMPLE_BATCHES = 9


def _fresh_runs(engine) -> None:  # type: ignore[no-untyped-def]
    """The (empty) table's runs from earlier tests on this database made one empty run."""
    with engine.begin() as connection:
        runs.unpartition(connection)
        runs.partition(connection, runs.TABLE, 0)


@pytest.fixture
def small_runs(engine, monkeypatch):  # type: ignore[no-untyped-def]
    """Fresh runs; thresholds shrunk: no run is full, three small runs in a row merge, and
    only compaction merges them (not the imports as they go)."""
    _fresh_runs(engine)
    shrink_thresholds(monkeypatch, hot=4, monthly=8)
    monkeypatch.setattr(runs, "FULL_BYTES", 1 << 40)
    monkeypatch.setattr(runs, "MAX_SMALL_RUNS", 3)
    monkeypatch.setattr(load, "RUNS_MERGED_EVERY", 1 << 30)


@pytest.fixture
def full_runs(engine, monkeypatch):  # type: ignore[no-untyped-def]
    """Fresh runs; thresholds shrunk: every run with rows is full, of one tier, and three
    in a row merge."""
    _fresh_runs(engine)
    shrink_thresholds(monkeypatch, hot=4, monthly=8)
    monkeypatch.setattr(load, "RUNS_MERGED_EVERY", 1 << 30)
    monkeypatch.setattr(runs, "FULL_BYTES", 1)
    monkeypatch.setattr(runs, "FAN_IN", 3)
    monkeypatch.setattr(runs, "tier", lambda _size: 0)


def _copy(tmp_path, number: int):  # type: ignore[no-untyped-def]
    """The sample under new ids (its Site URLs prefixed): a copy's games count again."""
    path = tmp_path / f"copy{number}.pgn"
    text_ = EXPLORER_SAMPLE.read_text()
    path.write_text(text_.replace("lichess.org/", f"lichess.org/C{number}") if number else text_, encoding="utf-8")
    return path


def _layout(engine) -> list[tuple[int | None, int | None]]:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return [(run.low, run.high) for run in runs.runs(connection)]


def _latest(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return runs.latest_batch(connection)


def _rows_in_key_order(engine, name: str) -> bool:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        stored = connection.execute(text(f"SELECT position_key, seq FROM {name} ORDER BY ctid")).all()
    return len(stored) > 0 and stored == sorted(stored)


def _held_up_beside_a_reader(monkeypatch, engine, work):  # type: ignore[no-untyped-def]
    """Run `work()` in a thread with its check of a run's bounds held up between adding the
    constraint and validating it (another session holds a lock that VALIDATE waits for);
    meanwhile a reader of the one-game rows must be answered without waiting. What
    `work()` returned."""
    added, blocked = threading.Event(), threading.Event()
    checked: list[str] = []
    real = runs._bounds_check

    def paused(table, low, high):  # type: ignore[no-untyped-def]
        add, validate = real(table, low, high)
        yield add
        checked.append(table)
        added.set()
        assert blocked.wait(30)
        yield validate

    monkeypatch.setattr(runs, "_bounds_check", paused)
    outcome: list[object] = []

    def working() -> None:
        try:
            outcome.append(work())
        except BaseException as error:  # noqa: BLE001 - the test thread reports it
            outcome.append(error)

    thread = threading.Thread(target=working)
    with engine.connect() as blocker, engine.connect() as reader:
        thread.start()
        assert added.wait(30)
        blocker.execute(text("SET lock_timeout = '5s'"))
        blocker.execute(text(f"LOCK TABLE {checked[0]} IN SHARE UPDATE EXCLUSIVE MODE"))
        blocked.set()
        for _ in range(300):  # until the VALIDATE waits for the blocker's lock
            waiting = blocker.execute(
                text("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = to_regclass(:table)"),
                {"table": checked[0]},
            ).scalar()
            if waiting:
                break
            time.sleep(0.1)
        assert waiting == 1
        reader.execute(text("SET lock_timeout = '2s'"))
        assert reader.execute(text(f"SELECT count(*) FROM {VIEW}")).scalar() > 0  # answered meanwhile
        reader.rollback()
        blocker.rollback()
    thread.join(60)
    monkeypatch.setattr(runs, "_bounds_check", real)
    assert len(outcome) == 1 and not isinstance(outcome[0], BaseException), outcome
    return outcome[0]


def test_migration_0019_makes_the_runs_and_takes_them_apart(client, engine, tmp_path, monkeypatch) -> None:
    import_pgn_files(engine, [_copy(tmp_path, 0)], index_plies=40, batch_size=5)
    games = read_games([_copy(tmp_path, 0)])
    before = _snapshot(engine)
    flask_migrate.downgrade(revision="0018")
    with engine.connect() as connection:
        assert not runs.partitioned(connection)
        assert connection.execute(text("SELECT reloptions FROM pg_class WHERE relname = 'move_singles'")).scalar() == [
            "parallel_workers=0"
        ]
        indexes = connection.execute(
            text("SELECT indexname FROM pg_indexes WHERE tablename = 'move_singles' ORDER BY 1")
        ).scalars().all()
    assert indexes == ["ix_move_singles_position_key_seq", "ix_move_singles_seq"]
    assert _snapshot(engine) == before
    with monthly_best_rating(engine), player_bandless(engine), position_bandless(engine):
        _assert_exact(client, games)
    from flask import current_app

    app = current_app._get_current_object()

    def upgrading() -> None:
        with app.app_context():
            flask_migrate.upgrade()

    _held_up_beside_a_reader(monkeypatch, engine, upgrading)
    assert current_revision(engine) == head_revision()
    assert _seal_checks(engine) == []
    latest = _latest(engine)
    assert _layout(engine) == [(None, latest + 1)]  # the rows so far; each batch to come adds its own
    with engine.connect() as connection:
        assert runs.partitioned(connection)
        indexes = connection.execute(
            text("SELECT indexname FROM pg_indexes WHERE tablename = 'move_singles_0' ORDER BY 1")
        ).scalars().all()
    assert indexes == ["move_singles_0_position_key_seq_idx", "move_singles_0_seq_idx"]  # taken over
    assert _snapshot(engine) == before
    _assert_exact(client, games)
    import_pgn_files(engine, [_copy(tmp_path, 1)], index_plies=40, batch_size=5)
    assert _layout(engine) == [(None, latest + 1), *((seq, seq + 1) for seq in _batches_with_rows(engine, latest))]
    _assert_exact(client, games + read_games([_copy(tmp_path, 1)]))


def test_a_first_loads_merged_rows_become_the_first_run(client, engine, tmp_path) -> None:
    report = import_pgn_files(engine, [_copy(tmp_path, 0)], index_plies=40, batch_size=5, compact_every=40)
    assert report.first_load and report.first_load_merged > 0
    latest = _latest(engine)
    assert _layout(engine) == [(None, latest + 1)]
    games = read_games([_copy(tmp_path, 0)])
    _assert_exact(client, games)
    import_pgn_files(engine, [_copy(tmp_path, 1)], index_plies=40, batch_size=5)
    assert _layout(engine) == [(None, latest + 1), *((seq, seq + 1) for seq in _batches_with_rows(engine, latest))]
    _assert_exact(client, games + read_games([_copy(tmp_path, 1)]))


def _seal_checks(engine) -> list[str]:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return connection.execute(
            text("SELECT conrelid::regclass::text FROM pg_constraint WHERE conname = :name"), {"name": runs.SEAL_CHECK}
        ).scalars().all()




def _run_tables(engine) -> list[tuple[str, int | None, int | None]]:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return [(run.name, run.low, run.high) for run in runs.runs(connection)]


def _batches_with_rows(engine, low: int = 0) -> list[int]:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return connection.execute(
            text("SELECT DISTINCT seq FROM move_singles WHERE seq > :low ORDER BY seq"), {"low": low}
        ).scalars().all()


def test_each_batch_lands_as_a_run_of_its_own(client, engine, small_runs, tmp_path) -> None:
    import_pgn_files(engine, [_copy(tmp_path, 0)], index_plies=40, batch_size=5)
    games = read_games([_copy(tmp_path, 0)])
    batches = _batches_with_rows(engine)
    assert len(batches) == SAMPLE_BATCHES
    assert _layout(engine) == [(None, 1), *((seq, seq + 1) for seq in batches)]
    with engine.connect() as connection:
        for name, low, _high in _run_tables(engine)[1:]:
            indexes = connection.execute(
                text("SELECT indexname FROM pg_indexes WHERE tablename = :name ORDER BY 1"), {"name": name}
            ).scalars().all()
            assert indexes == [f"{name}_position_key_seq_idx", f"{name}_seq_idx"]
            assert name == runs.run_name(low)
            options = connection.execute(text("SELECT reloptions FROM pg_class WHERE relname = :name"), {"name": name})
            assert options.scalar() == ["parallel_workers=0"]
        constraints = connection.execute(
            text("SELECT count(*) FROM pg_constraint WHERE conname = :name"), {"name": runs.BATCH_CHECK}
        ).scalar()
    assert constraints == 0
    _assert_exact(client, games)


def test_compaction_merges_small_runs_and_no_answer_changes(client, engine, small_runs, tmp_path) -> None:
    games = []
    for number in range(2):
        import_pgn_files(engine, [_copy(tmp_path, number)], index_plies=40, batch_size=5)
        games += read_games([_copy(tmp_path, number)])
        before = _snapshot(engine)
        told: list[str] = []
        report = compaction.compact(engine, steps=told.append)
        # the empty first run (after the first import: the merged run) and the new batches'
        # runs, all small and more than three in a row: one merge
        merged = SAMPLE_BATCHES + 1
        assert report.singles_runs.merged == merged - 1
        assert report.summary().endswith(f"; {merged - 1} runs of one-game rows merged into others")
        assert len(told) == 2 and told[0] == compaction.REFRESH_STEP, told
        assert re.fullmatch(rf"merging {merged} runs of one-game rows \(\d+ MB\)", told[1]), told
        assert _layout(engine) == [(None, _batches_with_rows(engine)[-1] + 1)]
        assert _rows_in_key_order(engine, "move_singles_0")
        assert _snapshot(engine) == before  # the same counts, whatever the runs
        _assert_exact(client, games)
    again = compaction.compact(engine)  # nothing appended: nothing merged
    assert again.singles_runs.merged == 0


def test_compaction_merges_the_runs_before_its_ranges_so_reads_meanwhile_look_in_few(
    client, engine, small_runs, tmp_path
) -> None:
    """Right after the busiest summaries, before any key range: a read during the ranges
    (minutes at a million games) looks a position up in one run, not in one a batch; the
    runs' merge is told as a step, with progress at no range yet."""
    import_pgn_files(engine, [_copy(tmp_path, 0)], index_plies=40, batch_size=5)
    games = read_games([_copy(tmp_path, 0)])
    assert len(_layout(engine)) == SAMPLE_BATCHES + 1  # the empty first run and one a batch
    before = _snapshot(engine)
    seen: list[tuple[int, list]] = []  # (ranges done, the runs) as progress is told
    told: list[str] = []
    report = compaction.compact(engine, progress=lambda done, _ranges: seen.append((done, _layout(engine))), steps=told.append)
    assert told[0] == compaction.REFRESH_STEP
    assert re.fullmatch(rf"merging {SAMPLE_BATCHES + 1} runs of one-game rows \(\d+ MB\)", told[1]), told
    assert len(told) == 2  # no batch landed during the ranges: nothing left to merge after them
    merged_layout = _layout(engine)
    assert len(merged_layout) == 1
    assert seen[0][0] == 0 and len(seen[0][1]) == SAMPLE_BATCHES + 1  # told before the merge
    first_range = next(layout for done, layout in seen if done == 1)
    assert first_range == merged_layout  # merged before the first range was compacted
    assert report.singles_runs.merged == SAMPLE_BATCHES
    assert _snapshot(engine) == before
    _assert_exact(client, games)


def test_compaction_merges_full_runs_of_one_tier(client, engine, full_runs, tmp_path) -> None:
    import_pgn_files(engine, [_copy(tmp_path, 0)], index_plies=40, batch_size=5)
    games = read_games([_copy(tmp_path, 0)])
    batches = _batches_with_rows(engine)
    before = _snapshot(engine)
    report = compaction.compact(engine)
    # nine full runs after the empty first one: three merges of three, then one of the three made
    assert report.singles_runs.merged == 6 + 2
    assert _layout(engine) == [(None, 1), (batches[0], batches[-1] + 1)]
    assert _rows_in_key_order(engine, runs.run_name(batches[0]))
    assert _snapshot(engine) == before
    _assert_exact(client, games)


def test_a_merge_killed_before_its_swap_loses_nothing(client, engine, small_runs, tmp_path, monkeypatch) -> None:
    import_pgn_files(engine, [_copy(tmp_path, 0)], index_plies=40, batch_size=5)
    games = read_games([_copy(tmp_path, 0)])
    layout, before = _layout(engine), _snapshot(engine)
    real = runs.lock_statistics

    def killed_at_the_swap(connection):  # type: ignore[no-untyped-def]
        if connection.execute(text(f"SELECT to_regclass('{runs.MERGING}') IS NOT NULL")).scalar():
            raise KeyboardInterrupt
        real(connection)

    monkeypatch.setattr(runs, "lock_statistics", killed_at_the_swap)
    with pytest.raises(KeyboardInterrupt):
        compaction.compact(engine)
    monkeypatch.setattr(runs, "lock_statistics", real)
    assert _layout(engine) == layout
    with engine.connect() as connection:  # the merged rows, left where nobody reads them
        assert connection.execute(text(f"SELECT count(*) FROM {runs.MERGING}")).scalar() > 0
    assert _snapshot(engine) == before
    _assert_exact(client, games)
    report = compaction.compact(engine)
    assert report.singles_runs.merged == SAMPLE_BATCHES
    with engine.connect() as connection:
        assert connection.execute(text(f"SELECT to_regclass('{runs.MERGING}')")).scalar() is None
    assert len(_layout(engine)) == 1
    assert _snapshot(engine) == before
    _assert_exact(client, games)


def test_a_merge_gives_up_when_a_batch_lands_among_its_runs(client, engine, small_runs, tmp_path, monkeypatch) -> None:
    """A batch that began before the last of a merge's runs and committed after the merge
    chose them lands between their bounds: the merge must not swap over it."""
    import_pgn_files(engine, [_copy(tmp_path, 0)], index_plies=40, batch_size=5)
    games = read_games([_copy(tmp_path, 0)])
    before = _snapshot(engine)
    late = _batches_with_rows(engine)[4]
    late_run = runs.run_name(late)
    with engine.begin() as connection:  # as if that batch had not committed yet
        connection.execute(text(f"ALTER TABLE {runs.TABLE} DETACH PARTITION {late_run}"))
    real = runs.lock_statistics
    landed: list[int] = []

    def batch_lands_first(connection):  # type: ignore[no-untyped-def]
        if not landed and connection.execute(text(f"SELECT to_regclass('{runs.MERGING}') IS NOT NULL")).scalar():
            with engine.begin() as other:  # the batch commits while the merge copies
                other.execute(text(f"ALTER TABLE {runs.TABLE} ATTACH PARTITION {late_run} FOR VALUES FROM ({late}) TO ({late + 1})"))
            landed.append(late)
        real(connection)

    monkeypatch.setattr(runs, "lock_statistics", batch_lands_first)
    told: list[str] = []
    with engine.connect() as connection:  # the runs' upkeep alone: the batch's rows stay out of the summaries
        report = runs.keep_runs(connection, told.append)
    assert landed == [late]
    # planned over eight runs and given up; planned again over nine, with the batch's
    assert [re.sub(r" \(\d+ MB\)", "", step) for step in told] == [
        f"merging {SAMPLE_BATCHES} runs of one-game rows", f"merging {SAMPLE_BATCHES + 1} runs of one-game rows",
    ]  # fmt: skip
    assert report.merged == SAMPLE_BATCHES
    assert len(_layout(engine)) == 1
    with engine.connect() as connection:
        assert connection.execute(text(f"SELECT to_regclass('{runs.MERGING}')")).scalar() is None
    assert _snapshot(engine) == before
    _assert_exact(client, games)


def test_an_import_merges_runs_as_it_goes(client, engine, small_runs, tmp_path, monkeypatch) -> None:
    import_pgn_files(engine, [_copy(tmp_path, 0)], index_plies=40, batch_size=5)  # a first load: no merges
    compaction.compact(engine)
    assert len(_layout(engine)) == 1
    monkeypatch.setattr(load, "RUNS_MERGED_EVERY", 3)
    report = import_pgn_files(engine, [_copy(tmp_path, 1)], index_plies=40, batch_size=5)
    assert report.imported == 44
    games = read_games([_copy(tmp_path, 0)]) + read_games([_copy(tmp_path, 1)])
    # a merge starts after three batches' runs, and after each three more when the one
    # before has ended: at least one merged three runs or more into one
    assert len(_layout(engine)) <= 1 + SAMPLE_BATCHES - 2
    _assert_exact(client, games)


def test_migration_0020_bounds_the_open_run_and_back(client, engine, small_runs, tmp_path, monkeypatch) -> None:
    flask_migrate.downgrade(revision="0019")
    latest = _latest(engine)
    assert _layout(engine) == [(None, 1), (latest + 1, None)]  # the open run back
    import_pgn_files(engine, [_copy(tmp_path, 0)], index_plies=40, batch_size=5)  # into the open run
    games = read_games([_copy(tmp_path, 0)])
    assert _layout(engine) == [(None, 1), (latest + 1, None)]
    before = _snapshot(engine)
    from flask import current_app

    app = current_app._get_current_object()

    def upgrading() -> None:
        with app.app_context():
            flask_migrate.upgrade()

    _held_up_beside_a_reader(monkeypatch, engine, upgrading)  # the open run's rows checked
    assert current_revision(engine) == head_revision()
    assert _seal_checks(engine) == []
    assert _layout(engine) == [(None, 1), (latest + 1, _latest(engine) + 1)]
    assert _snapshot(engine) == before
    _assert_exact(client, games)
    import_pgn_files(engine, [_copy(tmp_path, 1)], index_plies=40, batch_size=5)
    assert _layout(engine)[-1] == (_batches_with_rows(engine)[-1], _batches_with_rows(engine)[-1] + 1)
    _assert_exact(client, games + read_games([_copy(tmp_path, 1)]))
    # an open run nothing was written to is dropped
    layout = _layout(engine)
    flask_migrate.downgrade(revision="0019")
    assert _layout(engine) == [*layout, (_latest(engine) + 1, None)]
    flask_migrate.upgrade()
    assert _layout(engine) == layout


def test_the_apps_reads_of_the_runs_plan_no_parallel_workers(engine, small_runs, tmp_path) -> None:
    """A parallel append over the runs is what PostgreSQL plans for a position's one-game rows
    once workers look cheap (each run serial or not); the app's connections never start one:
    their workers cost more to start than the explorer's reads take."""
    import_pgn_files(engine, [_copy(tmp_path, 0)], index_plies=40, batch_size=5)
    assert len(_batches_with_rows(engine)) == SAMPLE_BATCHES
    workers_look_cheap = (
        "SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;"
        " SET min_parallel_index_scan_size = 0; SET min_parallel_table_scan_size = 0"
    )
    start = f"EXPLAIN SELECT count(*) FROM move_stats_all WHERE position_key = {position_key(chess.Board())} AND seq > 0"

    def plan(connection) -> str:  # type: ignore[no-untyped-def]
        connection.exec_driver_sql(workers_look_cheap)
        return "\n".join(connection.exec_driver_sql(start).scalars())

    with engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW max_parallel_workers_per_gather").scalar() == "0"
        assert "Gather" not in plan(connection)
    with psycopg.connect(engine.url.render_as_string(hide_password=False).replace("+psycopg", "")) as plain:
        plain.execute("SET max_parallel_workers_per_gather = 2")
        for statement in workers_look_cheap.split("; "):
            plain.execute(statement)
        assert "Parallel Append" in "\n".join(row[0] for row in plain.execute(start))
