"""Building a store from PGN with the command analysts use: `python -m webapp import FILE`.

    .venv/bin/python benchmarks/build_bench.py [--copies 17] [--then 4] [--keep]
        [--server postgresql://root@127.0.0.1:5432/test]

Input: every lichess PGN under ../shared/data/lichess with lichess game ids (the 2013-01
and 2021-10 dump slices and the players' exports, 59,5xx games, clocks and annotations as
downloaded), --copies times, each copy under new game ids (benchmarks/import_bench.py's
`one_copy`): 17 copies are 1,012,248 games, 2.5 GB. The CLI imports them into a fresh
database (compacting every COMPACT_EVERY_GAMES games, then once at the end, as it always
does). With --then N, N more copies are imported afterwards into the built store, timed
alone: an import into a store that is already large. Every position repeats once per
copy, so compaction merges far more rows than a month of distinct games would.

Prints the wall time, games, the import's summary lines (games read; a first load's
merge and index build; the last compaction), the WAL written and the disk per game
(tables and indexes, after VACUUM ANALYZE). Figures only: nothing here asserts a time.
The database is dropped at the end unless --keep.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from import_bench import one_copy

ROOT = Path(__file__).resolve().parents[1]
LICHESS = ROOT.parent / "shared" / "data" / "lichess"


def lichess_source() -> bytes:
    """The lichess files' games one after another (.zst ones decompressed)."""
    import zstandard

    parts = []
    for path in sorted(LICHESS.glob("*.pgn*")):
        if "casual_vs_ai" in path.name:  # games against the lichess AI: no ratings
            continue
        data = path.read_bytes()
        if path.suffix == ".zst":
            data = zstandard.ZstdDecompressor().stream_reader(data).read()
        parts.append(data.strip() + b"\n")
    return b"\n".join(parts)


def run_import(url: str, path: str) -> tuple[float, str]:
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    env.pop("REDIS_URL", None)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "webapp", "import", path, "--quiet"], env=env, capture_output=True, text=True
    )
    wall = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"import failed: {done.stderr[-2000:]}")
    # the import's own lines: games read (and, for a first load, its merge and index) and
    # the last compaction
    kept = ("Read ", "  first load:", "compacted in", "compaction postponed")
    return wall, "; ".join(line.strip() for line in done.stdout.splitlines() if line.startswith(kept))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=17)
    parser.add_argument("--then", type=int, default=0)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--server", default="postgresql://root@127.0.0.1:5432/test")
    args = parser.parse_args()
    source = lichess_source()
    name = f"oe_build_bench_{uuid.uuid4().hex[:8]}"
    url = args.server.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(args.server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "webapp", "db", "upgrade"], env=env, check=True, capture_output=True)
    try:
        with tempfile.TemporaryDirectory() as folder:
            steps = [("build", range(args.copies))] + ([("then", range(args.copies, args.copies + args.then))] if args.then else [])
            for label, copies in steps:
                path = os.path.join(folder, f"{label}.pgn")
                games = 0
                with open(path, "wb") as out:
                    for copy in copies:
                        data = one_copy(source, copy)
                        games += data.count(b'\n[Event "') + data.startswith(b'[Event "')
                        out.write(data + b"\n")
                with psycopg.connect(args.server, autocommit=True) as admin:
                    wal_before = admin.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
                    wall, compacted = run_import(url, path)
                    wal = admin.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s)", (wal_before,)).fetchone()[0]
                os.unlink(path)
                with psycopg.connect(url, autocommit=True) as connection:
                    connection.execute("SET statement_timeout = 0")
                    connection.execute("VACUUM ANALYZE")
                    stored, disk, stats_rows = connection.execute(
                        "SELECT (SELECT count(*) FROM games), (SELECT sum(pg_total_relation_size(c.oid)) "
                        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE n.nspname = 'public' AND c.relkind = 'r'), (SELECT count(*) FROM move_stats)"
                    ).fetchone()
                print(
                    f"{label}: {games:,} games in the file, {wall:.0f} s wall = {games / wall:,.0f} games/s "
                    f"(with compactions); {compacted}; WAL {float(wal) / 2**30:.1f} GiB; store {stored:,} games, "
                    f"{stats_rows:,} move_stats rows, {float(disk) / stored / 1024:.2f} KiB a game on disk",
                    flush=True,
                )
    finally:
        if not args.keep:
            with psycopg.connect(args.server, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            print(f"kept database {name}")


if __name__ == "__main__":
    main()
