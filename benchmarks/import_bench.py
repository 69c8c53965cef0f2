"""PGN import speed and memory into a fresh PostgreSQL database, or into a large one.

    .venv/bin/python benchmarks/import_bench.py [--runs 3] [--copies 4] [--plies 40]
        [--server postgresql://root@127.0.0.1:5432/test] [--source FILE] [--template DB]

Input: the real lichess 2013-01 slice under ../shared/data (5,000 games), as is (1x) and
as --copies repeats of it under new game ids (the Site URL's id changed per copy), so the
same positions are merged into existing rows again. Without shared data it generates
random legal games with python-chess and says so ("generated").

With --template, each run's database is a copy of DB (`CREATE DATABASE … TEMPLATE`, so
DB must have no connections) instead of a new one: an import into a store that is already
large, such as the million-game store `explorer_bench.py --build-only` builds (compacted
with `python -m webapp db compact`). The input then gets new ids from copy 40 on (copy
c's ids shifted by c), so that none of its games is already stored there.

Each run creates a fresh database, migrates it, and runs `python -m webapp import FILE`
in a child process, sampling the resident memory of the child and its worker processes.
Prints games/s, statistics rows/s and peak RSS per run and the medians, and the CPU time
the PostgreSQL server processes of the import spent (sampled from /proc, so figures are
comparable on a machine others are loading, where wall times are not). Figures only:
nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psutil
import psycopg

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
DEFAULT_SOURCE = SHARED / "lichess" / "lichess_db_standard_rated_2013-01_truncated5000.pgn"
_SITE_ID = re.compile(rb"(lichess\.org/)([A-Za-z0-9]{8})")
_ALPHABET = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def one_copy(source: bytes, copy: int) -> bytes:
    """Copy number `copy` of the file: 0 as it is, c > 0 with new ids (each id's first
    character shifted by c)."""
    if copy == 0:
        return source

    def new_id(match: re.Match[bytes]) -> bytes:
        first = _ALPHABET[(_ALPHABET.index(match.group(2)[0]) + copy) % len(_ALPHABET)]
        return match.group(1) + bytes([first]) + match.group(2)[1:]

    return _SITE_ID.sub(new_id, source)


def repeated(source: bytes, copies: int, first: int = 0) -> bytes:
    """The file `copies` times as copies first, first + 1, ...; copy c > 0 gets new ids:
    the id's first character shifted."""
    return b"\n".join(one_copy(source, copy) for copy in range(first, first + copies))


def generated(games: int, seed: int = 1) -> bytes:
    """Random legal games (labelled generated: no real data was available)."""
    import chess
    import chess.pgn

    rng = random.Random(seed)
    out = []
    for index in range(games):
        board = chess.Board()
        game = chess.pgn.Game()
        game.headers.update(
            Event="Rated Blitz game (generated)", Site=f"https://lichess.org/g{index:07d}",
            White=f"player{rng.randrange(2000)}", Black=f"player{rng.randrange(2000)}",
            WhiteElo=str(rng.randrange(1000, 2500)), BlackElo=str(rng.randrange(1000, 2500)),
            TimeControl="300+0", UTCDate=f"2020.{rng.randrange(1, 13):02d}.01",
        )  # fmt: skip
        node = game
        for _ in range(rng.randrange(20, 120)):
            moves = list(board.legal_moves)
            if not moves:
                break
            move = rng.choice(moves)
            node = node.add_variation(move)
            board.push(move)
        game.headers["Result"] = rng.choice(["1-0", "0-1", "1/2-1/2"])
        out.append(str(game))
    return ("\n\n".join(out) + "\n").encode()


#: the first copy number of the input imported into a --template store (new ids there)
TEMPLATE_FIRST_COPY = 40


def fresh_database(server: str, template: str | None = None) -> str:
    """A new database: migrated, or a copy of `template` (migrated to this checkout's
    head, which a copy already at it leaves as it is)."""
    name = f"oe_import_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as connection:
        copied = "" if template is None else f' TEMPLATE "{template}"'
        connection.execute(f'CREATE DATABASE "{name}"{copied}')
    url = server.rsplit("/", 1)[0] + "/" + name
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-m", "webapp", "db", "upgrade"], env=env, check=True, capture_output=True
    )
    return url


def drop_database(server: str, url: str) -> None:
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def tree_rss(process: psutil.Process) -> int:
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            pass
    return total


def run_import(url: str, path: Path, plies: int, data_dir: str) -> dict[str, float]:
    """One import in a child process: wall time, peak RSS of its process tree, its report."""
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT), "DATA_DIR": data_dir}
    env.pop("REDIS_URL", None)
    code = (
        "import json, sys\n"
        "from webapp import create_app\n"
        "from webapp.extensions import db\n"
        "from webapp.indexer.pgn import import_pgn_files\n"
        "app = create_app(dashboard=False)\n"
        "import time\n"
        "from webapp.indexer.compact import compact\n"
        "with app.app_context():\n"
        f"    r = import_pgn_files(db.engine, [sys.argv[1]], index_plies={plies})\n"
        "    started = time.monotonic()\n"
        "    c = compact(db.engine)\n"
        "print(json.dumps({'imported': r.imported, 'read': r.games_read, 'rows': r.rows_written,"
        " 'seconds': r.seconds, 'skipped': sum(r.skipped.values()),"
        " 'compact_seconds': time.monotonic() - started, 'merged': c.merged_rows}))\n"
    )
    started = time.monotonic()
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(path)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    process = psutil.Process(child.pid)
    peak = 0
    server_cpu: dict[int, float] = {}
    client_cpu: dict[int, float] = {}
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        wal_before = admin.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        while child.poll() is None:
            peak = max(peak, tree_rss(process))
            sample_tree_cpu(process, client_cpu)
            sample_server_cpu(admin, url.rsplit("/", 1)[1], server_cpu)
            time.sleep(0.05)
        wal = admin.execute(
            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s)", (wal_before,)
        ).fetchone()[0]
    out, err = child.communicate()
    wall = time.monotonic() - started
    if child.returncode != 0:
        raise SystemExit(f"import failed: {err.decode()[-2000:]}")
    report = json.loads(out.decode().strip().splitlines()[-1])
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
        disk, games = connection.execute(
            "SELECT sum(pg_total_relation_size(c.oid)), (SELECT count(*) FROM games) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r'"
        ).fetchone()
    return {
        **report,
        "wall": wall,
        "peak_rss_mb": peak / 2**20,
        "server_cpu": sum(server_cpu.values()),
        "client_cpu": sum(client_cpu.values()),
        "wal_mb": float(wal) / 2**20,
        "bytes_per_game": float(disk) / max(int(games), 1),
    }


def sample_tree_cpu(process: psutil.Process, seen: dict[int, float]) -> None:
    """CPU seconds so far of the import process and its parser processes."""
    for member in [process, *process.children(recursive=True)]:
        try:
            times = member.cpu_times()
        except psutil.Error:
            continue
        seen[member.pid] = max(seen.get(member.pid, 0.0), times.user + times.system)


def sample_server_cpu(admin, database: str, seen: dict[int, float]) -> None:  # type: ignore[no-untyped-def]
    """Record the CPU seconds so far of each server process connected to `database`
    (the last sample of a process that has ended stays; up to 50 ms of it is missed)."""
    pids = admin.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = %s", (database,)
    ).fetchall()
    for (pid,) in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue
        seen[pid] = max(seen.get(pid, 0.0), times.user + times.system)


def parse_only(path: Path, plies: int) -> tuple[float, float]:
    """Games/s of reading, parsing, hashing and building the statistics rows on one core,
    with no database: the ceiling the loader could reach if the database were free. And
    the CPU µs a game of the rows alone as the writer makes them for new games (its
    batches prepared, the one-game rows split from the rest: bulk._split_singles), the
    best of 3 passes."""
    sys.path.insert(0, str(ROOT))
    import numpy as np

    from webapp.indexer.bulk import _split_singles
    from webapp.indexer.load import DEFAULT_BATCH_SIZE
    from webapp.indexer.pgn import parsed_records
    from webapp.indexer.report import ImportReport
    from webapp.indexer.rows import move_stats_rows, player_move_stats_rows, prepare_batch
    from webapp.indexer.streams import binary_blocks, game_texts, open_pgn

    started = time.monotonic()
    games = 0
    with open_pgn(path) as stream:
        records = list(
            parsed_records(game_texts(binary_blocks(stream)), ImportReport(), index_plies=plies, workers=0)
        )
    for start in range(0, len(records), 4000):
        batch, _ = prepare_batch(records[start : start + 4000], plies)
        new = np.ones(len(batch), dtype=bool)
        ids = np.arange(len(batch))
        move_stats_rows(batch, new)
        player_move_stats_rows(batch, new, ids, ids)
        games += len(batch)
    rate = games / (time.monotonic() - started)
    passes = []
    for _ in range(3):
        cpu = time.process_time()
        for start in range(0, len(records), DEFAULT_BATCH_SIZE):
            batch, _ = prepare_batch(records[start : start + DEFAULT_BATCH_SIZE], plies)
            batch.game_id[:] = np.arange(start + 1, start + 1 + len(batch))
            _split_singles(batch, np.ones(len(batch), dtype=bool), 1)
        passes.append(time.process_time() - cpu)
    return rate, 1e6 * min(passes) / max(games, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--plies", type=int, default=40)
    parser.add_argument("--server", default="postgresql://root@127.0.0.1:5432/test")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--template", help="import into copies of this database instead of new ones")
    args = parser.parse_args()
    first = 0 if args.template is None else TEMPLATE_FIRST_COPY

    if args.source.exists():
        base = args.source.read_bytes()
        label = f"real: {args.source.name}"
    else:
        base = generated(5000)
        label = "generated: 5,000 random legal games (no shared data found)"
    with tempfile.TemporaryDirectory() as tmp:
        inputs = {"1x": Path(tmp) / "x1.pgn", f"{args.copies}x": Path(tmp) / "xN.pgn"}
        inputs["1x"].write_bytes(repeated(base, 1, first))
        inputs[f"{args.copies}x"].write_bytes(repeated(base, args.copies, first))
        into = "new databases" if args.template is None else f"copies of {args.template}, new game ids"
        print(
            f"input ({label}); plies {args.plies}; into {into}; {os.cpu_count()} cores; "
            f"load {os.getloadavg()[0]:.1f}"
        )
        rate, rows_us = parse_only(inputs["1x"], args.plies)
        print(f"no database, one core (parse, hash, rows): {rate:,.0f} games/s")
        print(f"the writer's rows for new games (batches prepared, one-game rows split), one core: {rows_us:.1f} µs a game")
        results: dict[str, list[dict[str, float]]] = {name: [] for name in inputs}
        for run in range(args.runs):
            for name, path in inputs.items():
                url = fresh_database(args.server, args.template)
                try:
                    result = run_import(url, path, args.plies, tmp)
                finally:
                    drop_database(args.server, url)
                results[name].append(result)
                print(f"load {os.getloadavg()[0]:.1f} ", end="")
                print(
                    f"run {run + 1} {name:>3}: {result['imported']:,.0f} games in "
                    f"{result['seconds']:.2f} s = {result['imported'] / result['seconds']:,.0f} games/s, "
                    f"{result['rows'] / result['seconds']:,.0f} statistics rows/s "
                    f"({result['rows']:,.0f} rows), peak RSS {result['peak_rss_mb']:.0f} MiB, "
                    f"server CPU {result['server_cpu']:.1f} s "
                    f"= {1e6 * result['server_cpu'] / max(result['rows'], 1):.1f} µs/row, "
                    f"client CPU {result['client_cpu']:.1f} s, WAL {result['wal_mb']:.0f} MiB, "
                    f"{result['bytes_per_game'] / 1024:.2f} KiB/game on disk, "
                    f"then compaction {result['compact_seconds']:.1f} s "
                    f"({result['imported'] / (result['seconds'] + result['compact_seconds']):,.0f} games/s "
                    f"with it; process wall time {result['wall']:.1f} s)"
                )
        print("medians:")
        for name, runs in results.items():
            rate = statistics.median(r["imported"] / r["seconds"] for r in runs)
            rows = statistics.median(r["rows"] / r["seconds"] for r in runs)
            rss = statistics.median(r["peak_rss_mb"] for r in runs)
            cpu = statistics.median(r["server_cpu"] for r in runs)
            per_game = statistics.median(r["imported"] / r["server_cpu"] for r in runs if r["server_cpu"])
            client = statistics.median(r["client_cpu"] for r in runs)
            wal = statistics.median(r["wal_mb"] for r in runs)
            disk = statistics.median(r["bytes_per_game"] for r in runs)
            compaction = statistics.median(r["compact_seconds"] for r in runs)
            whole = statistics.median(r["imported"] / (r["seconds"] + r["compact_seconds"]) for r in runs)
            print(
                f"  {name:>3}: {rate:,.0f} games/s, {rows:,.0f} rows/s, peak RSS {rss:.0f} MiB, "
                f"server CPU {cpu:.1f} s ({per_game:,.0f} games per server CPU second), "
                f"client CPU {client:.1f} s, WAL {wal:.0f} MiB, {disk / 1024:.2f} KiB/game, "
                f"compaction {compaction:.1f} s ({whole:,.0f} games/s with it)"
            )


if __name__ == "__main__":
    main()
