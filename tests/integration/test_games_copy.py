"""A batch's games go straight into games by COPY when all are new, and through staging
and ON CONFLICT (uid) DO NOTHING when some uid is stored already, even by another
writer whose batch was still in flight (PostgreSQL). The counts stay those of one import."""

from __future__ import annotations

import threading
import time

from import_reference import expected
from sample_games import EXPLORER_SAMPLE, sample_batch
from sqlalchemy import text
from test_import_pgn import summed_over_months, tables

from webapp.indexer.bulk import PostgresWriter
from webapp.indexer.pgn import import_pgn_files


def _write(connection, writer: PostgresWriter, batch):  # type: ignore[no-untyped-def]
    with connection.begin():
        ids = writer.player_ids(batch)
        writer.collection_ids(batch)
    connection.begin()
    return writer.write(batch, ids)


def _waiting_on_a_lock(engine, pid: int) -> bool:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        event = connection.execute(text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :p"), {"p": pid})
        return event.scalar() == "Lock"


def test_a_batch_whose_games_another_writer_holds_falls_back_and_counts_nothing(engine) -> None:
    if engine.dialect.name != "postgresql":
        return  # SQLite has one writer
    first, second = engine.connect(), engine.connect()
    try:
        writer_one, writer_two = PostgresWriter(first), PostgresWriter(second)
        batch = sample_batch()
        distinct = len({record.uid for record in batch.records})  # the sample repeats a game
        assert _write(first, writer_one, batch).sum() == distinct  # copied straight, not committed yet
        pid = second.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        second.rollback()
        outcome: list = []
        thread = threading.Thread(target=lambda: outcome.append(_write(second, writer_two, sample_batch())))
        thread.start()
        deadline = time.monotonic() + 30
        while not _waiting_on_a_lock(engine, pid):  # its COPY waits on the first one's uids
            assert time.monotonic() < deadline and thread.is_alive()
            time.sleep(0.05)
        first.commit()
        thread.join(30)
        second.commit()
        assert not outcome[0].any()  # every game the first writer's: none new here
        assert writer_two.direct_games is False  # the next batch is staged
    finally:
        first.close()
        second.close()
    with engine.connect() as connection:
        games = connection.execute(text("SELECT count(*) FROM games")).scalar()
        batches = connection.execute(text("SELECT count(DISTINCT seq) FROM move_stats_all")).scalar()
    assert (games, batches) == (distinct, 1)


def test_imports_of_new_stored_and_repeated_games_count_each_game_once(engine, tmp_path) -> None:
    """The sample, then a file of its games with new copies between them, in batches of
    3: batches of new games only (copied straight), of stored ones only and of both; the
    tables equal python-chess's counts of the sample and the copies, once each."""
    pieces = EXPLORER_SAMPLE.read_text(encoding="utf-8").split("\n\n[Event")
    games = [piece if index == 0 else "[Event" + piece for index, piece in enumerate(pieces)]
    mixed = tmp_path / "mixed.pgn"
    parts = []
    for index, game in enumerate(games):
        parts.append(game)
        if index % 4 == 0:  # a copy of the game under a new id
            parts.append(game.replace("lichess.org/", "lichess.org/Q"))
    mixed.write_text("\n\n".join(p.strip() for p in parts) + "\n", encoding="utf-8")
    first = import_pgn_files(engine, [EXPLORER_SAMPLE], index_plies=40, batch_size=3)
    report = import_pgn_files(engine, [mixed], index_plies=40, batch_size=3)
    assert report.already_present == first.imported + first.already_present  # its repeat too
    assert report.imported + report.already_present + report.skipped.total() == len(parts)
    assert report.imported >= len(parts) - len(games) - 1  # the copies (one may be a skipped variant)
    reference = expected([EXPLORER_SAMPLE, mixed])
    got = tables(engine)
    assert got["move_stats"] == dict(reference.move_stats)
    assert got["move_stats_rollup"] == summed_over_months(reference.move_stats)
