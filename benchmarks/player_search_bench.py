"""Player suggestions on a million games: time suggest_players and show the plans (prints, asserts nothing).

    .venv/bin/python benchmarks/player_search_bench.py [--players 100000] [--games 1000000]

Builds a fresh PostgreSQL database (dropped after) with GENERATED data, labelled so: players
named "surname, Pn" from 200 surnames (every 20th also stored as "surname,Pn", the
spelling without the space), and games whose white and black are drawn with a skew (a
few players have thousands of games, most a handful), as in real databases. Then times
suggest_players for short and long prefixes (p50 / p95 of 50 runs each, no cache) and
prints PostgreSQL's plans for the two statements it runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SURNAMES = (
    "fischer fischbach fisher anand carlsen kasparov karpov spassky tal petrosian smyslov botvinnik "
    "euwe alekhine capablanca lasker steinitz morphy anderssen nakamura caruana giri nepomniachtchi "
    "ding aronian mamedyarov grischuk radjabov topalov kramnik ivanchuk gelfand shirov svidler leko "
    "adams short timman korchnoi larsen portisch polugaevsky geller keres bronstein reshevsky fine"
).split()
PREFIXES = ("f", "fi", "fisch", "fischer, p1", "anand,", "anand, p12", "zz", "kasparov, p49")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgresql://root@127.0.0.1:5432/test")
    parser.add_argument("--players", type=int, default=100_000)
    parser.add_argument("--games", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    import flask_migrate
    import psycopg
    from sqlalchemy import text

    from webapp import create_app
    from webapp.db.players import _prefix_statement, count_games, suggest_players
    from webapp.extensions import db
    from webapp.settings import Settings

    name = f"oe_bench_{uuid.uuid4().hex[:8]}"
    base = args.server.rsplit("/", 1)[0]
    with psycopg.connect(args.server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        settings = Settings.from_env({"DATABASE_URL": f"{base}/{name}", "DATA_DIR": tempfile.mkdtemp()})
        app = create_app(settings, dashboard=False)
        with app.app_context():
            flask_migrate.upgrade()
            start = time.perf_counter()
            with db.engine.begin() as connection:
                connection.execute(text("SET LOCAL statement_timeout = 0"))  # the app's limit is for queries
                surnames = "ARRAY[" + ",".join(f"'{s}'" for s in SURNAMES) + "]"
                connection.execute(text(
                    "INSERT INTO players (source, name, display_name) "
                    f"SELECT 'pgn', lower(s), s FROM (SELECT initcap(({surnames})[1 + i % {len(SURNAMES)}]) "
                    f"|| CASE WHEN i % 20 = 7 THEN ',' ELSE ', ' END || 'P' || (i / {len(SURNAMES)}) AS s "
                    f"FROM generate_series(0, {args.players - 1}) i) t ON CONFLICT DO NOTHING"
                ))
                connection.execute(text(
                    "INSERT INTO games (uid, source, white_id, black_id, result, speed, rated, month, plies, moves) "
                    f"SELECT 'bench:' || i, 'pgn', 1 + floor(power(random(), 3) * {args.players})::int, "
                    f"1 + floor(power(random(), 3) * {args.players})::int, '1-0', 3, true, 202101, 1, 'e2e4' "
                    f"FROM generate_series(1, {args.games}) i"
                ))
            with psycopg.connect(f"{base}/{name}", autocommit=True) as plain:
                plain.execute("VACUUM ANALYZE players")
                plain.execute("VACUUM ANALYZE games")
            print(f"generated {args.players:,} players and {args.games:,} games in {time.perf_counter() - start:.1f} s")
            with db.engine.connect() as connection:
                for prefix in PREFIXES:
                    times = []
                    for _ in range(args.runs):
                        t0 = time.perf_counter()
                        found = suggest_players(connection, prefix)
                        times.append((time.perf_counter() - t0) * 1000)
                    times.sort()
                    p95 = times[int(0.95 * (len(times) - 1))]
                    top = ", ".join(f"{s.name} ({s.games})" for s in found[:3])
                    print(f"{prefix!r:16} p50 {statistics.median(times):6.2f} ms  p95 {p95:6.2f} ms  {top}")
                compiled = _prefix_statement("fischer, p1").compile(db.engine, compile_kwargs={"literal_binds": True})
                print("\nEXPLAIN (ANALYZE) candidates for 'fischer, p1':")
                for (line,) in connection.execute(text(f"EXPLAIN ANALYZE {compiled}")):
                    print("  ", line)
                ids = [row[0] for row in connection.execute(_prefix_statement("fisch"))]
                count_games(connection, ids)  # warm
                from sqlalchemy import func, select, union_all

                from webapp.db.tables import games

                white = select(games.c.white_id, func.count()).where(games.c.white_id.in_(ids)).group_by(games.c.white_id)
                black = select(games.c.black_id, func.count()).where(games.c.black_id.in_(ids)).group_by(games.c.black_id)
                compiled = union_all(white, black).compile(db.engine, compile_kwargs={"literal_binds": True})
                print(f"\nEXPLAIN (ANALYZE) game counts for those {len(ids)} players:")
                for (line,) in connection.execute(text(f"EXPLAIN ANALYZE {compiled}")):
                    print("  ", line)
            db.engine.dispose()
    finally:
        with psycopg.connect(args.server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
