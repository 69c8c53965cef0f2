"""`python -m webapp import` killed mid-file: no parser process outlives it, no database
session is left holding locks, and the same command run again finishes with exact counts.

The file is generated from tests/fixtures/explorer_sample.pgn: every game repeated with
its own Round (so its own uid), large enough that the kill lands mid-import. The expected
statistics are python-chess's counts for the sample (import_reference) times the copies.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import psycopg
import pytest
from import_reference import expected
from sqlalchemy import text
from stats_tables import move_stats_by_month

from webapp.indexer.first_load import POSITION_INDEX

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "fixtures" / "explorer_sample.pgn"
FIRST = 20  # the first file: one chunk, parsed in the loading process
COPIES = 250  # 46 sample games each: ~11,500 games, ~5 MB


def _sample_games() -> list[str]:
    """The sample's games without their Site (so the uid is the hash of the tags)."""
    text = re.sub(r'(?m)^\[Site "[^"]*"\]\n', "", SAMPLE.read_text())
    return [game for game in re.split(r"\n\n(?=\[Event )", text.strip()) if game]


def _write_copies(path: Path, games: list[str], first: int, copies: int) -> None:
    with path.open("w") as handle:
        for copy in range(first, first + copies):
            for game in games:
                handle.write(re.sub(r'\[Round "[^"]*"\]', f'[Round "{copy}"]', game) + "\n\n")


def _command(settings, tmp_path: Path, *files: Path) -> tuple[list[str], dict[str, str]]:  # type: ignore[no-untyped-def]
    env = {**os.environ, "DATABASE_URL": settings.database_url, "DATA_DIR": str(tmp_path),
           "PYTHONPATH": str(ROOT)}  # fmt: skip
    env.pop("REDIS_URL", None)
    return [sys.executable, "-m", "webapp", "import", "--quiet", *map(str, files)], env


def _games(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as connection:
        return connection.execute("SELECT count(*) FROM games").fetchone()[0]  # type: ignore[index]


def _position_index(url: str) -> bool:
    with psycopg.connect(url, autocommit=True) as connection:
        found = connection.execute("SELECT to_regclass(%s) IS NOT NULL", (POSITION_INDEX,)).fetchone()
        return bool(found and found[0])


def _sessions_in_transaction(url: str) -> list[tuple]:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url, autocommit=True) as connection:
        return connection.execute(
            "SELECT pid, state, query FROM pg_stat_activity WHERE datname = %s"
            " AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%%'",
            (name,),
        ).fetchall()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_killed_import_leaves_no_child_and_the_rerun_finishes_exact(
    app, engine, settings, postgres_database_url: str, tmp_path: Path, how: signal.Signals
) -> None:
    url = postgres_database_url
    games = _sample_games()
    small, big = tmp_path / "first.pgn", tmp_path / "second.pgn"
    # two files: the second file's parser processes are forked after the first file's
    # batches were written, when the loader's database connections are open
    _write_copies(small, games, 0, FIRST)
    _write_copies(big, games, FIRST, COPIES)
    command, env = _command(settings, tmp_path, small, big)
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parent = psutil.Process(process.pid)
    children: list[psutil.Process] = []
    first_file = FIRST * len(games)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and process.poll() is None:
        children = parent.children(recursive=True) or children
        if _games(url) > first_file + 2000 and children:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the import ended before it could be killed: make the file larger"
    assert children, "no parser process was started"
    os.kill(process.pid, how)
    process.wait(timeout=30)
    _gone, alive = psutil.wait_procs(children, timeout=10)
    for orphan in alive:  # leave no process behind, even when failing
        orphan.kill()
    assert alive == [], f"parser processes outlived the killed import: {alive}"
    landed = _games(url)
    assert first_file < landed < first_file + COPIES * len(games)
    time.sleep(0.5)  # the server notices closed connections
    assert _sessions_in_transaction(url) == []
    # a first load (the store was empty): killed before building the position index
    assert not _position_index(url)

    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert _position_index(url)  # the rerun built it before appending
    one = tmp_path / "one_copy.pgn"
    _write_copies(one, games, 0, 1)
    reference = expected([one], index_plies=settings.index_plies)
    copies = FIRST + COPIES
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM games")).scalar_one() == (
            len(reference.games) * copies
        )
        got = move_stats_by_month(connection)
    assert got == {
        key: [value * copies for value in counts] for key, counts in reference.move_stats.items()
    }
