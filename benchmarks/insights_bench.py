"""Move flags and opponent prep latency on an existing database (prints figures, asserts nothing).

    .venv/bin/python benchmarks/insights_bench.py --database-url URL [--positions 300]
        [--opponents 3] [--opponent NAME ...] [--seed 1] [--redis redis://127.0.0.1:6379/12]

Reads only: the database is given (e.g. the 1M-game benchmark store), never built or
written here. Positions are lines of 0..20 plies from the starts of randomly chosen stored
games (for an opponent, from their own games). Opponents are the players already indexed
(tracked_players ready) with the most games, or those named. Prints p50 / p95 / max in ms:

- flags, uncached: query_breakdown + position_flags straight from the database;
- the explorer's numbers uncached, alone, with how games ended (`endings=1`), with the
  games lost on time left out (`noTimeLosses=1`) and with the movers' think time
  (`thinkTime=1`);
- GET /api/explorer/flags, each position asked once on a fresh cache generation;
- the move orders into each position, uncached (query_move_orders), and GET
  /api/explorer/orders asked once per position on a fresh cache generation;
- opponent prep, uncached: prepare() (moves here and the likely line, up to 11 queries);
- the opponent's leak search (find_leaks over all their positions, once per opponent and
  colour: what the first question about them costs, cached after);
- GET /api/opponent per position once that search is cached (moving about the board).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from webapp.model.stored_game import decode_moves  # noqa: E402

MAX_PLY = 20


def percentiles(samples: list[float]) -> str:
    if not samples:
        return "no samples"
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):7.2f}   p95 {p95:7.2f}   max {ordered[-1]:7.2f}   (n={len(ordered)})"


def sample_lines(connection, count: int, rng: random.Random, player_ids: tuple[int, ...] = ()) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """Lines of 0..MAX_PLY plies from the starts of stored games (the players' when given)."""
    if player_ids:
        ids = ",".join(str(int(i)) for i in player_ids)
        statement = text(f"SELECT moves FROM games WHERE white_id IN ({ids}) OR black_id IN ({ids}) LIMIT 20000")
    else:
        top = connection.execute(text("SELECT max(id) FROM games")).scalar() or 0
        picks = sorted({rng.randint(1, top) for _ in range(count * 3)}) if top else []
        statement = text("SELECT moves FROM games WHERE id IN (" + ",".join(map(str, picks or [0])) + ")")
    stored = connection.execute(statement).scalars().all()
    lines = []
    for moves in rng.sample(stored, min(count, len(stored))):
        line = decode_moves(moves)
        lines.append(line[: rng.randint(0, min(MAX_PLY, len(line)))])
    return lines


def ready_opponents(connection, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    """source:name of the indexed players with the most games."""
    rows = connection.execute(text(
        "SELECT p.source, p.name, t.total FROM tracked_players t JOIN players p ON p.id = t.player_id"
        " WHERE t.status = 'ready' ORDER BY t.total DESC LIMIT :n"), {"n": count}).all()
    return [f"{r.source}:{r.name}" for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--positions", type=int, default=300)
    parser.add_argument("--opponents", type=int, default=3)
    parser.add_argument("--opponent", action="append", default=[])
    parser.add_argument("--opponent-positions", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--redis")
    args = parser.parse_args()

    from webapp import create_app
    from webapp.caching import bump_generation
    from webapp.db.breakdown import query_breakdown
    from webapp.db.explorer import query_explorer
    from webapp.db.leaks import find_leaks
    from webapp.db.move_flags import position_flags
    from webapp.db.move_orders import query_move_orders
    from webapp.db.opponent import LEAKS_SEARCHED, opponent_query, prepare
    from webapp.db.players import find_player_ids
    from webapp.extensions import db
    from webapp.model.links import explorer_search
    from webapp.model.query import ExplorerQuery
    from webapp.settings import Settings

    env = {"DATABASE_URL": args.database_url, "DATA_DIR": tempfile.mkdtemp(prefix="insights-bench-")}
    if args.redis:
        env["REDIS_URL"] = args.redis
    app = create_app(Settings.from_env(env), dashboard=False)
    rng = random.Random(args.seed)
    client = app.test_client()
    with app.app_context():
        engine = db.engine
        plies = app.extensions["settings"].index_plies
        with engine.connect() as connection:
            games = connection.execute(text("SELECT count(*) FROM games")).scalar()
            lines = sample_lines(connection, args.positions, rng)
            opponents = args.opponent or ready_opponents(connection, args.opponents)
        print(f"{games:,} games; {len(lines)} positions; opponents: {', '.join(opponents) or 'none indexed'}")

        def uncached(label: str, read) -> None:  # type: ignore[no-untyped-def]
            """Time read(connection, line) per line straight from the database."""
            times = []
            with engine.connect() as connection:
                for line in lines:
                    started = time.perf_counter()
                    read(connection, line)
                    times.append(1000 * (time.perf_counter() - started))
                    connection.rollback()
            print(f"{label:44} {percentiles(times)}")

        def first_ask(path: str) -> None:
            """Time GET path once per line, on a fresh cache generation."""
            bump_generation()
            times = []
            for line in lines:
                started = time.perf_counter()
                response = client.get(path + explorer_search(play=line))
                times.append(1000 * (time.perf_counter() - started))
                assert response.status_code == 200, response.get_data(as_text=True)[:200]
            print(f"{'GET ' + path + ', first ask':44} {percentiles(times)}")

        uncached("flags, uncached", lambda c, line: position_flags(query_breakdown(c, ExplorerQuery.build(play=line))))
        first_ask("/api/explorer/flags")
        uncached("move orders, uncached", lambda c, line: query_move_orders(c, ExplorerQuery.build(play=line)))
        first_ask("/api/explorer/orders")
        uncached("explorer uncached, numbers only",
                 lambda c, line: query_explorer(c, ExplorerQuery.build(play=line), with_games=False))
        uncached("explorer uncached, with endings",
                 lambda c, line: query_explorer(c, ExplorerQuery.build(play=line), with_games=False, with_endings=True))
        uncached("explorer uncached, no time losses",
                 lambda c, line: query_explorer(c, ExplorerQuery.build(play=line, no_time_losses=True), with_games=False))
        uncached("explorer uncached, with think time",
                 lambda c, line: query_explorer(c, ExplorerQuery.build(play=line), with_games=False, with_think_time=True))

        for name in opponents:
            with engine.connect() as connection:
                ids = find_player_ids(connection, name)
                opponent_lines = sample_lines(connection, args.opponent_positions, rng, ids)
            for colour in ("white", "black"):
                queries = [ExplorerQuery.build(play=line, player=name, color=colour) for line in opponent_lines]
                times = []
                with engine.connect() as connection:
                    for query in queries:
                        started = time.perf_counter()
                        prepare(connection, query)
                        times.append(1000 * (time.perf_counter() - started))
                        connection.rollback()
                print(f"{'prep, uncached: ' + name + ' you ' + colour:44} {percentiles(times)}")
                with engine.connect() as connection:
                    started = time.perf_counter()
                    find_leaks(connection, opponent_query(replace(queries[0], play=())), index_plies=plies,
                               limit=LEAKS_SEARCHED)
                    search = 1000 * (time.perf_counter() - started)
                print(f"{'  their leak search (once, then cached)':44} {search:9.2f} ms")
                bump_generation()
                client.get("/api/opponent" + explorer_search(player=name, color=colour))  # the search, cached
                times = []
                for line in opponent_lines:
                    started = time.perf_counter()
                    response = client.get("/api/opponent" + explorer_search(play=line, player=name, color=colour))
                    times.append(1000 * (time.perf_counter() - started))
                    assert response.status_code == 200, response.get_data(as_text=True)[:200]
                print(f"{'  GET /api/opponent, search cached':44} {percentiles(times)}")


if __name__ == "__main__":
    main()
