"""An import stopped halfway and run again gives exactly the counts of one import.

Each batch is one transaction: a failure (an exception, or the process killed with SIGKILL
in the middle of a batch) leaves the batches before it and nothing of the batch it was in,
and the rerun adds only the games that are not there yet.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from import_reference import expected
from sqlalchemy import text
from test_import_pgn import ALL, summed_over_months, tables

from webapp.indexer.pgn import import_pgn_files

BATCH = 5
ROOT = Path(__file__).resolve().parents[2]


class Stop(Exception):
    pass


@pytest.fixture
def combined(tmp_path: Path) -> Path:
    """Every fixture in one file, so that batches of BATCH games cut through it."""
    path = tmp_path / "all.pgn"
    path.write_bytes(b"\n".join(fixture.read_bytes() for fixture in ALL))
    return path


def game_count(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM games")).scalar_one())


def test_import_stopped_after_a_batch_then_rerun_counts_once(engine, combined: Path) -> None:
    def stop_after_second_batch(report) -> None:  # type: ignore[no-untyped-def]
        if report.imported >= 2 * BATCH:
            raise Stop

    with pytest.raises(Stop):
        import_pgn_files(engine, [combined], index_plies=40, progress=stop_after_second_batch, batch_size=BATCH)
    stopped_at = game_count(engine)  # two batches, and on PostgreSQL maybe the one in flight
    assert stopped_at in (2 * BATCH, 3 * BATCH)
    again = import_pgn_files(engine, [combined], index_plies=40, batch_size=BATCH)
    reference = expected([combined])
    assert again.already_present == stopped_at + 1  # + the game transposition.pgn repeats
    got = tables(engine)
    assert got["move_stats"] == dict(reference.move_stats)
    assert got["player_move_stats"] == dict(reference.player_move_stats)
    assert got["move_stats_rollup"] == summed_over_months(reference.move_stats)
    assert len(got["games"]) == len(reference.games)


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from webapp import create_app
    from webapp.settings import Settings
    from webapp.extensions import db
    from webapp.indexer import bulk
    from webapp.indexer.pgn import import_pgn_files

    url, batch, *paths = sys.argv[1:]
    app = create_app(Settings.from_env({"DATABASE_URL": url, "DATA_DIR": os.environ["TMP_DATA"]}), dashboard=False)
    calls = []
    for writer in (bulk.SqliteWriter, bulk.PostgresWriter):
        original = writer._append_move_stats
        def append(self, *args, _original=original):
            calls.append(1)
            if len(calls) == 3:  # a batch's games are in, its statistics not yet
                os.kill(os.getpid(), signal.SIGKILL)
            return _original(self, *args)
        writer._append_move_stats = append
    with app.app_context():
        import_pgn_files(db.engine, paths, index_plies=40, batch_size=int(batch))
    """
)


def test_import_killed_mid_batch_then_rerun_counts_once(
    engine, settings, tmp_path: Path, combined: Path
) -> None:
    script = tmp_path / "killer.py"
    script.write_text(KILLER)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMP_DATA": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, str(script), settings.database_url, str(BATCH), str(combined)],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()[-2000:]
    # whole batches only: the one being written when killed left nothing
    killed_at = game_count(engine)
    assert killed_at % BATCH == 0 and killed_at < len(expected([combined]).games)
    import_pgn_files(engine, [combined], index_plies=40, batch_size=BATCH)
    reference = expected([combined])
    got = tables(engine)
    assert got["move_stats"] == dict(reference.move_stats)
    assert got["player_move_stats"] == dict(reference.player_move_stats)
    assert got["move_stats_rollup"] == summed_over_months(reference.move_stats)
    assert len(got["games"]) == len(reference.games)
