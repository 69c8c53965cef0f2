"""`python -m webapp import`: summary with skips by reason, clear errors, exit codes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text
from test_import_pgn import ALL, FIXTURES

from webapp.indexer.compact import RANGES
from webapp.indexer.pgn import import_pgn_files

ROOT = Path(__file__).resolve().parents[2]


def run(settings, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "DATA_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "webapp", "import", *args],
        env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip


def test_import_prints_a_summary_and_is_idempotent(app, engine, settings, tmp_path: Path) -> None:
    first = run(settings, tmp_path, *map(str, ALL))
    assert first.returncode == 0, first.stderr
    assert "skipped 2: variant" in first.stdout
    assert "skipped 1: truncated last game" in first.stdout
    assert "Traceback" not in first.stderr
    with engine.connect() as connection:
        games = connection.execute(text("SELECT count(*) FROM games")).scalar_one()
    again = run(settings, tmp_path, *map(str, ALL))
    assert again.returncode == 0
    assert f"0 imported, {games + 1:,} already present" in again.stdout


def test_plies_option(app, engine, settings, tmp_path: Path) -> None:
    done = run(settings, tmp_path, "--plies", "2", str(FIXTURES / "transposition.pgn"))
    assert done.returncode == 0, done.stderr
    with engine.connect() as connection:
        keys = connection.execute(text("SELECT count(DISTINCT position_key) FROM move_stats_all")).scalar_one()
    assert keys == 1 + 2 + 3  # start; after 1.d4 and 1.Nf3; after 1.d4 d5, 1.Nf3 d5, 1.Nf3 Nf6


def test_unreadable_files_exit_1_with_a_clear_message(app, settings, tmp_path: Path) -> None:
    missing = run(settings, tmp_path, str(tmp_path / "nope.pgn"))
    assert missing.returncode == 1
    assert "cannot read" in missing.stderr and "nope.pgn" in missing.stderr
    assert "Traceback" not in missing.stderr
    corrupt = tmp_path / "bad.pgn.zst"
    corrupt.write_bytes(b"this is not zstd")
    broken = run(settings, tmp_path, str(corrupt))
    assert broken.returncode == 1
    assert "cannot read" in broken.stderr and "Traceback" not in broken.stderr


def test_nothing_to_import_is_a_usage_error(app, settings, tmp_path: Path) -> None:
    done = run(settings, tmp_path)
    assert done.returncode == 2 and "Nothing to import" in done.stderr


def test_import_is_quiet_unless_verbose(app, settings, tmp_path: Path) -> None:
    path = str(FIXTURES / "promotions.pgn")
    quiet = run(settings, tmp_path, "--quiet", path)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""
    verbose = run(settings, tmp_path, "--quiet", "--verbose", path)
    assert verbose.returncode == 0, verbose.stderr
    assert "INFO alembic" in verbose.stderr


def test_import_shows_its_compaction_progress(app, settings, tmp_path: Path) -> None:
    done = run(settings, tmp_path, str(FIXTURES / "promotions.pgn"))
    assert done.returncode == 0, done.stderr
    assert re.search(rf"compacting the statistics: {RANGES} of {RANGES} key ranges, \d+ s\n$", done.stderr), done.stderr
    assert "compacted in" in done.stdout


def test_db_compact_shows_its_progress_then_what_it_did(app, engine, settings, tmp_path: Path) -> None:
    import_pgn_files(engine, ALL, index_plies=40)  # appended, not compacted
    env = {**os.environ, "DATABASE_URL": settings.database_url, "DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "webapp", "db", "compact"], env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines and re.fullmatch(rf"compacting the statistics: {RANGES} of {RANGES} key ranges, \d+ s", lines[-1]), done.stderr
    assert all(line.startswith("compacting the statistics: ") for line in lines)
    assert re.match(r"compacted in [\d.]+ s: [\d,]+ rows merged away", done.stdout), done.stdout
    with engine.connect() as connection:
        compacted_to = connection.execute(text("SELECT value FROM store_info WHERE key = 'compacted_seq'")).scalar()
        latest = connection.execute(text("SELECT max(id) FROM stat_batches")).scalar()
    assert int(compacted_to) == latest
