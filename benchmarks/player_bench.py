"""Player view and account import figures on real games (prints figures, asserts nothing).

    .venv/bin/python benchmarks/player_bench.py [--database URL] [--stream-games 5000]

1. Loads one lichess player's real export (../shared/data/lichess/
   lichess_user_jishanshaikh4_2018-09_2022-05.pgn.zst, 37k games) with the PGN importer
   into a fresh SQLite file (or --database, an empty PostgreSQL database).
2. Times compare_player, find_leaks and player_history for that player as white and as
   black at a few positions (uncached: straight from the database).
3. Serves the first --stream-games of those games as a lichess NDJSON export from a local
   stand-in server and times import_account("lichess", ...) into a second empty database:
   games/s through the HTTP client, the NDJSON parser and the loader.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
DATA = ROOT.parent / "shared" / "data" / "lichess" / "lichess_user_jishanshaikh4_2018-09_2022-05.pgn.zst"
PLAYER = "jishanshaikh4"


def _app(url: str, tmp: Path):  # type: ignore[no-untyped-def]
    import flask_migrate

    from webapp import create_app
    from webapp.settings import Settings

    settings = Settings.from_env({"DATABASE_URL": url, "DATA_DIR": str(tmp)})
    app = create_app(settings, dashboard=False)
    with app.app_context():
        flask_migrate.upgrade()
    return app


def _timed(fn, runs: int = 3) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default=None)
    parser.add_argument("--stream-games", type=int, default=5000)
    args = parser.parse_args()
    if not DATA.exists():
        print(f"{DATA} is missing: nothing to measure")
        return 0
    from webapp.db.leaks import compare_player, find_leaks, player_history
    from webapp.extensions import db
    from webapp.indexer.pgn import import_pgn_files
    from webapp.model.query import ExplorerQuery

    tmp = Path(tempfile.mkdtemp())
    app = _app(args.database or f"sqlite:///{tmp / 'bench.sqlite3'}", tmp)
    with app.app_context():
        engine = db.engine
        start = time.perf_counter()
        report = import_pgn_files(engine, [DATA], index_plies=40)
        print(f"loaded {report.imported:,} games in {time.perf_counter() - start:.1f} s "
              f"({engine.dialect.name})")
        for color in ("white", "black"):
            for play in ((), ("e2e4",), ("e2e4", "e7e5"), ("d2d4", "d7d5")):
                query = ExplorerQuery.build(play=play, player=PLAYER, color=color)
                with engine.connect() as connection:
                    t_compare = _timed(lambda: compare_player(connection, query))  # noqa: B023
                    t_history = _timed(lambda: player_history(connection, query))  # noqa: B023
                    result = compare_player(connection, query)
                print(f"{color:5} {','.join(play) or 'start':10} games {result.position.player.games:6,}"
                      f"  compare {1000 * t_compare:7.1f} ms  history {1000 * t_history:7.1f} ms")
            query = ExplorerQuery.build(player=PLAYER, color=color)
            with engine.connect() as connection:
                t_leaks = _timed(lambda: find_leaks(connection, query, limit=20), runs=1)  # noqa: B023
                _rating, leaks = find_leaks(connection, query, limit=20)
            print(f"{color:5} leaks: {len(leaks)} found in {t_leaks:.2f} s")
        stream_games = _stream_lines(engine, args.stream_games)
    _bench_account_import(stream_games, tmp)
    return 0


def _stream_lines(engine, limit: int) -> list[dict]:  # type: ignore[no-untyped-def]
    """The first games as lichess's NDJSON export would carry them."""
    import chess
    from sqlalchemy import select
    from sqlalchemy.orm import aliased

    from webapp.db.tables import games, players

    w, b = aliased(players), aliased(players)
    rows = (
        engine.connect()
        .execute(
            select(games.c.uid, games.c.moves, games.c.result, games.c.white_rating,
                   games.c.black_rating, games.c.played_on, games.c.time_control, games.c.rated,
                   w.c.display_name, b.c.display_name)
            .join(w, w.c.id == games.c.white_id).join(b, b.c.id == games.c.black_id)
            .order_by(games.c.played_on, games.c.id).limit(limit)
        )
        .all()
    )
    out = []
    for i, (uid, moves, result, wr, br, played_on, tc, rated, white, black) in enumerate(rows):
        board = chess.Board()
        sans = []
        for uci in moves.split():
            move = chess.Move.from_uci(uci)
            sans.append(board.san(move))
            board.push(move)
        created = int(datetime(played_on.year, played_on.month, played_on.day, tzinfo=UTC).timestamp() * 1000) + i
        base, _, inc = (tc or "60+0").partition("+")
        game = {
            "id": uid.split(":", 1)[1][:8], "rated": bool(rated), "variant": "standard",
            "speed": "blitz", "createdAt": created, "status": "resign",
            "players": {"white": {"user": {"name": white}, "rating": wr},
                        "black": {"user": {"name": black}, "rating": br}},
            "moves": " ".join(sans),
            "clock": {"initial": int(base or 60), "increment": int(inc or 0)},
        }
        if result != "1/2-1/2":
            game["winner"] = "white" if result == "1-0" else "black"
        out.append(game)
    return out


def _bench_account_import(stream_games: list[dict], tmp: Path) -> None:
    from chess_sites import ChessSites

    from webapp.indexer.sources.accounts import import_account

    target = tmp / "account"
    target.mkdir()
    app = _app(f"sqlite:///{target / 'bench.sqlite3'}", target)
    with ChessSites() as sites:
        sites.lichess[PLAYER] = stream_games
        app.extensions["settings"] = app.extensions["settings"].with_(lichess_api_url=sites.url)
        start = time.perf_counter()
        report = import_account(app, "lichess", PLAYER)
        seconds = time.perf_counter() - start
    print(f"account import (lichess NDJSON from a local server, SQLite): {report.imported:,} games "
          f"in {seconds:.1f} s = {report.imported / seconds:,.0f} games/s")


if __name__ == "__main__":
    raise SystemExit(main())
