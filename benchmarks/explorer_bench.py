"""Explorer latency on a PostgreSQL database of a million games, uncached and cached.

    .venv/bin/python benchmarks/explorer_bench.py [--database oe_bench_1m] [--games 1000000]
        [--positions 300] [--runs 3] [--redis redis://127.0.0.1:6379/12] [--no-compact] [--no-player]

Builds the database once (later runs reuse it): the real online games under
../shared/data (lichess and chess.com PGN through the app's importer, plus the Kaggle
lichess CSV as GameRecords), then resampled copies of those real games up to --games:
the same real move sequences under new uids, with ratings, dates, speed and the rated
flag perturbed. It then asks the explorer about positions at plies 0..20 of randomly
chosen real games: `query_explorer` straight from the database (uncached), and
`read_explorer` through Redis, timing the second call (cached); and the start position
(every game) with and without filters. Each uncached query is answered twice in a row,
with the answer's 15 top and 15 recent games and with its numbers only (which goes first
alternates), so the games lists' cost shows, also as each query's difference.
Prints p50/p95/max per run and the median over runs. Figures only: nothing here asserts
a time.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import random
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from webapp.indexer.games import GameRecord  # noqa: E402
from webapp.model.speed import Speed, speed_from_seconds  # noqa: E402
from webapp.model.stored_game import decode_moves  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
RESAMPLED_PREFIX = "bench:"
MAX_PLY = 20
INDEX_PLIES = 40


def real_pgn_files() -> list[Path]:
    """The online games with ratings (not the casual games against the lichess AI)."""
    lichess = sorted((SHARED / "lichess").glob("*.pgn*"))
    chesscom = sorted((SHARED / "chesscom").glob("*.pgn"))
    return [p for p in lichess + chesscom if "casual_vs_ai" not in p.name]


def kaggle_records() -> Iterator[GameRecord]:
    """The Kaggle lichess CSV as GameRecords (SAN moves replayed with python-chess)."""
    import chess

    path = SHARED / "kaggle" / "games.csv.gz"
    if not path.exists():
        return
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            board = chess.Board()
            try:
                moves = [board.push_san(san).uci() for san in row["moves"].split()]
            except ValueError:
                continue
            result = {"white": "1-0", "black": "0-1", "draw": "1/2-1/2"}.get(row["winner"])
            minutes, _, increment = row["increment_code"].partition("+")
            try:
                played = datetime.utcfromtimestamp(float(row["created_at"]) / 1000).date()
                speed = speed_from_seconds(int(minutes) * 60, int(increment or 0))
            except ValueError:
                continue
            if not moves or result is None:
                continue
            yield GameRecord(
                uid=f"lichess:{row['id'][:8]}", source="lichess", white=row["white_id"],
                black=row["black_id"], white_rating=int(row["white_rating"]),
                black_rating=int(row["black_rating"]), result=result, speed=speed,
                rated=row["rated"].strip().lower() == "true", played_on=played, moves=moves,
                time_control=f"{int(minutes) * 60}+{increment or 0}",
            )


def ensure_database(server_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")
    return f"{server_url}/{name}"


def _progress(label: str):  # type: ignore[no-untyped-def]
    last = [0.0]

    def report(progress) -> None:  # type: ignore[no-untyped-def]
        now = time.monotonic()
        if now - last[0] > 15:
            last[0] = now
            print(f"  {label}: {progress.progress_line()}", flush=True)

    return report


def count_games(engine) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        total = connection.execute(text("SELECT count(*) FROM games")).scalar_one()
        resampled = connection.execute(
            text("SELECT count(*) FROM games WHERE uid LIKE :prefix"), {"prefix": RESAMPLED_PREFIX + "%"}
        ).scalar_one()
    return total - resampled, resampled


def real_games(engine) -> list[tuple]:  # type: ignore[no-untyped-def, type-arg]
    """(source, white, black, white_rating, black_rating, result, speed, rated, played_on, moves)."""
    query = text(
        "SELECT g.source, w.display_name, b.display_name, g.white_rating, g.black_rating, g.result,"
        " g.speed, g.rated, g.played_on, g.moves FROM games g"
        " JOIN players w ON w.id = g.white_id JOIN players b ON b.id = g.black_id"
        " WHERE g.uid NOT LIKE :prefix ORDER BY g.id"
    )
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query, {"prefix": RESAMPLED_PREFIX + "%"})]


def resampled_records(real: list[tuple], start: int, count: int, seed: int) -> Iterator[GameRecord]:  # type: ignore[type-arg]
    """`count` copies of randomly chosen real games: same moves, perturbed circumstances."""
    from webapp.indexer.replay import replay_keys
    from webapp.indexer.rows import MOVE_CODES

    rng = random.Random(seed)
    keys: dict[int, list[int]] = {}
    latest = date(2026, 10, 31)
    for number in range(start, start + count):
        index = rng.randrange(len(real))
        source, white, black, white_rating, black_rating, result, speed, rated, played_on, stored = real[index]
        moves = decode_moves(stored)
        if index not in keys:
            keys[index] = replay_keys([MOVE_CODES[uci] for uci in moves], INDEX_PLIES)

        def shift(rating: int | None) -> int | None:
            return None if rating is None else max(400, min(3200, rating + rng.randint(-150, 150)))

        if rng.random() < 0.3:
            speed = max(Speed.ULTRABULLET, min(Speed.CORRESPONDENCE, speed + rng.choice((-1, 1))))
        day = played_on or date(2020, 1, 1)
        day = min(latest, day + timedelta(days=rng.randint(-400, 400)))
        yield GameRecord(
            uid=f"{RESAMPLED_PREFIX}{number}", source=source, white=white, black=black,
            white_rating=shift(white_rating), black_rating=shift(black_rating), result=result,
            speed=Speed(speed), rated=rated if rng.random() > 0.05 else not rated, played_on=day,
            moves=moves, position_keys=keys[index],
        )


def build(app, target: int, seed: int) -> str:  # type: ignore[no-untyped-def]
    """Fill the database up to `target` games; returns the label of what it holds."""
    from webapp.extensions import db
    from webapp.indexer.load import import_games
    from webapp.indexer.pgn import import_pgn_files

    engine = db.engine
    real, resampled = count_games(engine)
    if real == 0:
        files = real_pgn_files()
        print(f"importing {len(files)} real PGN files ...", flush=True)
        started = time.monotonic()
        report = import_pgn_files(engine, [str(p) for p in files], index_plies=INDEX_PLIES, progress=_progress("pgn"))
        print(report.summary())
        report = import_games(engine, kaggle_records(), index_plies=INDEX_PLIES, progress=_progress("kaggle"))
        print("kaggle CSV: " + report.summary())
        print(f"real games imported in {time.monotonic() - started:.0f} s", flush=True)
        real, resampled = count_games(engine)
    missing = target - real - resampled
    if missing > 0:
        games = real_games(engine)
        print(f"resampling {missing:,} games from {len(games):,} real games ...", flush=True)
        started = time.monotonic()
        report = import_games(
            engine, resampled_records(games, resampled, missing, seed + resampled),
            index_plies=INDEX_PLIES, progress=_progress("resampled"),
        )
        print(report.summary())
        print(f"resampled games imported in {time.monotonic() - started:.0f} s", flush=True)
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.execute(text("SET statement_timeout = 0"))
            connection.execute(text("VACUUM ANALYZE"))
        real, resampled = count_games(engine)
    return f"{real + resampled:,} games: {real:,} real + {resampled:,} resampled from real games"


def sample_lines(engine, count: int, seed: int) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """Lines of 0..MAX_PLY moves from the starts of randomly chosen real games."""
    rng = random.Random(seed)
    with engine.connect() as connection:
        moves = connection.execute(
            text("SELECT moves FROM games WHERE uid NOT LIKE :prefix ORDER BY id"),
            {"prefix": RESAMPLED_PREFIX + "%"},
        ).scalars().all()
    lines = []
    for stored in rng.sample(moves, count):
        line = decode_moves(stored)
        lines.append(line[: rng.randint(0, min(MAX_PLY, len(line)))])
    return lines


def busiest_player(engine) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    """The player with the most games (source:name) and that count."""
    with engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT p.source, p.name, c.n FROM (SELECT id, count(*) AS n FROM"
                " (SELECT white_id AS id FROM games UNION ALL SELECT black_id FROM games) AS s"
                " GROUP BY id ORDER BY n DESC LIMIT 1) AS c JOIN players p ON p.id = c.id"
            )
        ).one()
    return f"{row.source}:{row.name}", int(row.n)


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return p50, p95, ordered[-1]


def time_uncached(engine, queries, *, with_games: bool = True) -> list[float]:  # type: ignore[no-untyped-def]
    """Each query's whole answer (with its 15 top and 15 recent games unless not
    `with_games`), straight from the database."""
    from webapp.db.explorer import query_explorer

    times = []
    with engine.connect() as connection:
        for query in queries:
            started = time.perf_counter()
            query_explorer(connection, query, with_games=with_games)
            times.append((time.perf_counter() - started) * 1000)
            connection.rollback()
    return times


def time_paired(engine, queries) -> tuple[list[float], list[float], list[float]]:  # type: ignore[no-untyped-def]
    """Each query answered twice in a row, with its games lists and with its numbers only
    (which goes first alternates, so neither always finds the other's pages cached): the
    two times and the lists' part of each answer (the difference), per query."""
    from webapp.db.explorer import query_explorer

    with_lists, numbers, added = [], [], []
    with engine.connect() as connection:
        for index, query in enumerate(queries):
            times = {}
            for with_games in ((True, False) if index % 2 == 0 else (False, True)):
                started = time.perf_counter()
                query_explorer(connection, query, with_games=with_games)
                times[with_games] = (time.perf_counter() - started) * 1000
                connection.rollback()
            with_lists.append(times[True])
            numbers.append(times[False])
            added.append(times[True] - times[False])
    return with_lists, numbers, added


def time_cached(engine, queries) -> list[float]:  # type: ignore[no-untyped-def]
    from webapp.caching import bump_generation
    from webapp.db.explorer import read_explorer

    bump_generation()
    times = []
    for query in queries:
        read_explorer(engine.connect, query)  # fills the cache
        started = time.perf_counter()
        read_explorer(engine.connect, query)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", default="postgresql://root@127.0.0.1:5432")
    parser.add_argument("--database", default="oe_bench_1m")
    parser.add_argument("--games", type=int, default=1_000_000)
    parser.add_argument("--positions", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument(
        "--no-compact", action="store_true",
        help="measure only as the store is (right after an import: rows not yet compacted)",
    )
    parser.add_argument(
        "--no-player", action="store_true",
        help="leave the player's queries out (indexing the busiest player takes ten minutes at a million games)",
    )
    args = parser.parse_args()

    import flask_migrate

    from webapp import create_app
    from webapp.extensions import db
    from webapp.model.query import ExplorerQuery
    from webapp.settings import Settings

    url = ensure_database(args.server, args.database)
    settings = Settings.from_env({"DATABASE_URL": url, "REDIS_URL": args.redis})
    app = create_app(settings, dashboard=False)
    with app.app_context():
        flask_migrate.upgrade()
        label = build(app, args.games, args.seed)
        if args.build_only:
            print(label)
            return
        engine = db.engine
        lines = sample_lines(engine, args.positions, args.seed)
        filtered = ExplorerQuery.build(speeds=["blitz", "rapid"], rating_min=1600, rating_max=1999)
        months = ExplorerQuery.build(since="2019-01", until="2021-12")
        plain = [ExplorerQuery.build(play=line) for line in lines]
        with_filters = [filtered.with_position(play=line) for line in lines]
        with_months = [months.with_position(play=line) for line in lines]
        busiest, with_player = ("", 0), []
        if not args.no_player:  # finding the busiest player scans the games (seconds at a million)
            busiest = busiest_player(engine)
            player = ExplorerQuery.build(player=busiest[0])
            with_player = [player.with_position(play=line) for line in lines]
        # the start position (every game) and the same with filters, 20 times each
        start = [ExplorerQuery.build()] * 20 + [filtered] * 20
        print(label)
        print(
            f"{len(lines)} positions at plies 0..{MAX_PLY} of randomly chosen real games "
            f"(mean ply {statistics.mean(len(line) for line in lines):.1f}); "
            f"PostgreSQL {engine.dialect.server_version_info}, cache {args.redis}"
        )
        from webapp.db.players import find_player_ids, ready_player_ids
        from webapp.indexer.compact import compact
        from webapp.indexer.reindex import index_players

        if with_player:
            with engine.connect() as connection:
                ids = find_player_ids(connection, busiest[0])
                ready = ready_player_ids(connection, ids)
            if ready:
                print(f"the player's {busiest[1]:,} games are indexed already")
            else:
                started = time.monotonic()
                index_players(engine, ids, index_plies=INDEX_PLIES)
                print(f"indexed the player's {busiest[1]:,} games in {time.monotonic() - started:.1f} s")
        phases = ["as imported (not compacted)"]
        if not args.no_compact:
            phases.append("after compaction")
        for phase in phases:
            if phase == "after compaction":
                started = time.monotonic()
                report = compact(engine)
                with engine.connect() as connection:
                    connection = connection.execution_options(isolation_level="AUTOCOMMIT")
                    connection.exec_driver_sql("SET statement_timeout = 0")
                    connection.exec_driver_sql("VACUUM ANALYZE move_stats")
                print(f"{report.summary()} (+ VACUUM ANALYZE, {time.monotonic() - started:.0f} s in all)")
            print(f"--- {phase}: {rows_in_move_stats(engine):,} move_stats rows")
            measure_phase(engine, args.runs, plain, with_filters, with_months, with_player, busiest, start)


def rows_in_move_stats(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        connection.execute(text("SET statement_timeout = 0"))  # a million games' rows take a while
        return int(connection.execute(text("SELECT count(*) FROM move_stats")).scalar_one())


def measure_phase(engine, runs: int, plain, with_filters, with_months, with_player, busiest, start) -> None:  # type: ignore[no-untyped-def]
    for name, queries in (("no filters", plain), ("months", with_months), ("player", with_player)):
        if not queries:
            continue
        p50, p95, worst = percentiles(time_uncached(engine, queries))
        print(f"warm-up (cold caches), uncached {name:12s} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms", flush=True)
    rows: dict[tuple[int, str], list[tuple[float, float, float]]] = {}

    def record(run: int, position: int, name: str, samples: list[float]) -> None:
        p50, p95, worst = percentiles(samples)
        rows.setdefault((position, name), []).append((p50, p95, worst))
        print(f"run {run}  {name:40s} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   max {worst:7.2f} ms", flush=True)

    for run in range(1, runs + 1):
        for position, (name, queries) in enumerate((
            ("uncached, no filters", plain),
            ("uncached, blitz+rapid 1600-1999", with_filters),
            ("uncached, since 2019-01 until 2021-12", with_months),
            (f"uncached, player ({busiest[1]:,} games)", with_player),
            ("uncached, start position (± filters)", start),
        )):
            if not queries:
                continue
            with_lists, numbers, added = time_paired(engine, queries)
            record(run, 3 * position, name, with_lists)
            record(run, 3 * position + 1, "  numbers only (no games lists)", numbers)
            record(run, 3 * position + 2, "  the lists' part (paired difference)", added)
        record(run, 99, "cached (Redis, 2nd call)", time_cached(engine, plain))
    print(f"median of {runs} runs:")
    for (_, name), results in rows.items():
        p50 = statistics.median(r[0] for r in results)
        p95 = statistics.median(r[1] for r in results)
        print(f"  {name:40s} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms")


if __name__ == "__main__":
    main()
