"""The one-game rows in runs on PostgreSQL (webapp.indexer.runs): compaction seals the open
run and merges sealed ones, and no answer changes; a merge killed before its swap loses
nothing; migration 0019 makes the runs and takes them apart again; a first load's merged
rows become the first run.

The sample (44 games) is imported again and again under new ids, each copy compacted, with
the thresholds shrunk so every compaction that finds new rows seals (SEAL_BYTES 1) and
three sealed runs merge (FAN_IN 3, every run of one tier)."""

from __future__ import annotations

import re
import threading
import time

import flask_migrate
import pytest
from compaction_thresholds import shrink_thresholds
from explorer_reference import read_games
from sample_games import EXPLORER_SAMPLE
from sqlalchemy import text
from test_compact import _assert_exact, _snapshot

from webapp.db.schema import current_revision, head_revision
from webapp.db.singles import VIEW
from webapp.indexer import compact as compaction
from webapp.indexer import runs
from webapp.indexer.pgn import import_pgn_files

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@pytest.fixture
def small_runs(engine, monkeypatch):  # type: ignore[no-untyped-def]
    """Thresholds shrunk, and the (empty) table's runs from earlier tests on this database
    made one open run again."""
    with engine.begin() as connection:
        runs.unpartition(connection)
        runs.partition(connection, runs.TABLE, 0)
    shrink_thresholds(monkeypatch, hot=4, monthly=8)
    monkeypatch.setattr(runs, "SEAL_BYTES", 1)
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


def test_compaction_seals_and_merges_runs_and_no_answer_changes(client, engine, small_runs, tmp_path) -> None:
    games = []
    bounds: list[int] = []  # each seal's upper bound: the batch after the latest landed
    for number in range(5):
        import_pgn_files(engine, [_copy(tmp_path, number)], index_plies=40, batch_size=5)
        games += read_games([_copy(tmp_path, number)])
        before = _snapshot(engine)
        bounds.append(_latest(engine) + 1)
        told: list[str] = []
        report = compaction.compact(engine, steps=told.append)
        assert report.singles_runs.sealed
        assert _snapshot(engine) == before  # the same counts, whatever the runs
        _assert_exact(client, games)
        # three sealed runs merge into one: after seals 1..5, sealed runs 1, 2, 1, 2, 3→1
        merged = number in (2, 4)
        assert report.singles_runs.merged == (2 if merged else 0)
        said = "; the one-game rows' open run sealed" + (", 2 runs of them merged into others" if merged else "")
        assert report.summary().endswith(said)
        steps = [r"sealing the one-game rows' open run \(\d+ MB\)"] + ([r"merging 3 runs of one-game rows \(\d+ MB\)"] if merged else [])
        assert len(told) == len(steps) and all(re.fullmatch(step, line) for step, line in zip(steps, told, strict=True)), told
        layout = _layout(engine)
        assert layout[-1] == (bounds[-1], None)  # the open run takes the batches to come
        sealed = layout[:-1]
        assert [high for _low, high in sealed] == {
            0: bounds[:1], 1: bounds[:2], 2: bounds[2:3], 3: bounds[2:4], 4: bounds[4:5]
        }[number]
        assert sealed[0][0] is None and all(a[1] == b[0] for a, b in zip(sealed, layout[1:], strict=False))
        if merged:
            assert _rows_in_key_order(engine, "move_singles_0")
    again = compaction.compact(engine)  # nothing appended: nothing sealed or merged
    assert (again.singles_runs.sealed, again.singles_runs.merged) == (False, 0)
    with engine.connect() as connection:  # every run keeps serial scans
        options = connection.execute(
            text(
                "SELECT c.reloptions FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = 'move_singles'::regclass"
            )
        ).scalars().all()
    assert options and all(option == ["parallel_workers=0"] for option in options)


def test_a_merge_killed_before_its_swap_loses_nothing(client, engine, small_runs, tmp_path, monkeypatch) -> None:
    games = []
    for number in range(2):
        import_pgn_files(engine, [_copy(tmp_path, number)], index_plies=40, batch_size=5)
        games += read_games([_copy(tmp_path, number)])
        compaction.compact(engine)  # two sealed runs
    import_pgn_files(engine, [_copy(tmp_path, 2)], index_plies=40, batch_size=5)
    games += read_games([_copy(tmp_path, 2)])
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
    assert len(_layout(engine)) == len(layout) + 1  # sealed, then killed before merging
    with engine.connect() as connection:  # the merged rows, left where nobody reads them
        assert connection.execute(text(f"SELECT count(*) FROM {runs.MERGING}")).scalar() > 0
    assert _snapshot(engine) == before
    _assert_exact(client, games)
    report = compaction.compact(engine)
    assert report.singles_runs.merged == 2
    with engine.connect() as connection:
        assert connection.execute(text(f"SELECT to_regclass('{runs.MERGING}')")).scalar() is None
    assert len(_layout(engine)) == 2
    assert _snapshot(engine) == before
    _assert_exact(client, games)


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
    assert _layout(engine) == [(None, latest + 1), (latest + 1, None)]  # the rows so far, then the open run
    with engine.connect() as connection:
        assert runs.partitioned(connection)
        indexes = connection.execute(
            text("SELECT indexname FROM pg_indexes WHERE tablename = 'move_singles_0' ORDER BY 1")
        ).scalars().all()
    assert indexes == ["move_singles_0_position_key_seq_idx", "move_singles_0_seq_idx"]  # taken over
    assert _snapshot(engine) == before
    _assert_exact(client, games)
    import_pgn_files(engine, [_copy(tmp_path, 1)], index_plies=40, batch_size=5)
    _assert_exact(client, games + read_games([_copy(tmp_path, 1)]))


def test_a_first_loads_merged_rows_become_the_first_run(client, engine, tmp_path) -> None:
    report = import_pgn_files(engine, [_copy(tmp_path, 0)], index_plies=40, batch_size=5, compact_every=40)
    assert report.first_load and report.first_load_merged > 0
    latest = _latest(engine)
    assert _layout(engine) == [(None, latest + 1), (latest + 1, None)]
    games = read_games([_copy(tmp_path, 0)])
    _assert_exact(client, games)
    import_pgn_files(engine, [_copy(tmp_path, 1)], index_plies=40, batch_size=5)
    _assert_exact(client, games + read_games([_copy(tmp_path, 1)]))


def _open_run(engine) -> str:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return runs.runs(connection)[-1].name


def _seal_checks(engine) -> list[str]:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return connection.execute(
            text("SELECT conrelid::regclass::text FROM pg_constraint WHERE conname = :name"), {"name": runs.SEAL_CHECK}
        ).scalars().all()


def test_a_seal_checks_its_run_while_readers_go_on(engine, small_runs, tmp_path, monkeypatch) -> None:
    import_pgn_files(engine, [_copy(tmp_path, 0)], index_plies=40, batch_size=5)
    latest, total = _latest(engine), _snapshot(engine)

    def sealing() -> bool:
        with engine.connect() as connection:
            return runs.seal(connection)

    assert _held_up_beside_a_reader(monkeypatch, engine, sealing) is True
    assert _layout(engine) == [(None, latest + 1), (latest + 1, None)]
    assert _seal_checks(engine) == []
    assert _snapshot(engine) == total


def test_a_seal_that_fails_takes_its_check_off(engine, small_runs, tmp_path, monkeypatch) -> None:
    import_pgn_files(engine, [_copy(tmp_path, 0)], index_plies=40, batch_size=5)

    def failing(_connection):  # type: ignore[no-untyped-def]
        raise RuntimeError("the check failed")

    monkeypatch.setattr(runs, "allow_long_statements", failing)
    with engine.connect() as connection, pytest.raises(RuntimeError):
        runs.seal(connection)
    assert _seal_checks(engine) == []
    assert _layout(engine) == [(None, None)]  # still the one open run
    monkeypatch.undo()
    shrink_thresholds(monkeypatch, hot=4, monthly=8)
    monkeypatch.setattr(runs, "SEAL_BYTES", 1)
    with engine.connect() as connection:
        assert runs.seal(connection)


def test_batches_take_off_the_check_a_killed_seal_left(client, engine, small_runs, tmp_path) -> None:
    """A seal killed between adding its constraint and attaching its run leaves the open
    run refusing every later batch; the next batch takes the constraint off and lands."""
    import_pgn_files(engine, [_copy(tmp_path, 0)], index_plies=40, batch_size=5)
    latest = _latest(engine)
    with engine.begin() as connection:
        connection.execute(
            text(f"ALTER TABLE {_open_run(engine)} ADD CONSTRAINT {runs.SEAL_CHECK} CHECK (seq < {latest + 1}) NOT VALID")
        )
    report = import_pgn_files(engine, [_copy(tmp_path, 1)], index_plies=40, batch_size=5)
    games = read_games([_copy(tmp_path, 0)]) + read_games([_copy(tmp_path, 1)])
    assert report.imported == len(read_games([_copy(tmp_path, 1)]))
    assert _seal_checks(engine) == []
    _assert_exact(client, games)
    assert compaction.compact(engine).singles_runs.sealed
    _assert_exact(client, games)
