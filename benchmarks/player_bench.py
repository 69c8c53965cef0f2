"""Player view and account import figures on real games (prints figures, asserts nothing).

    .venv/bin/python benchmarks/player_bench.py [--database URL | --postgres ADMIN_URL]
        [--stream-games 5000] [--runs 3]

1. Loads one lichess player's real export (../shared/data/lichess/
   lichess_user_jishanshaikh4_2018-09_2022-05.pgn.zst, 37k games) with the PGN importer
   into a fresh SQLite file, or --database (an empty database), or --postgres: a fresh
   PostgreSQL database created through ADMIN_URL (e.g. postgresql://root@127.0.0.1:5432/test)
   and dropped at the end; compacts the statistics as the import command does, then counts
   the player's statistics as the background job does (run_indexing, which then warms the
   Player tab's leaks in the cache), timed.
2. Times compare_player, find_leaks and player_history for that player as white and as
   black at a few positions (uncached: straight from the database).
3. The Player tab as a browser gets it: its callbacks posted to Dash's callback endpoint
   (/_dash-update-component, in-process), the explorer cache emptied before each call.
   First draw = the board callback + the summary/comparison/history callback, at 10
   positions x both colours, p50/p95 over those 20 cases, each the median of --runs; the
   leaks callback's first answer per colour, as the indexing job left the cache and cold
   (the search itself); the player's PGN export (`games_pgn`).
4. With --concurrent N: the app under gunicorn as deployed (deploy/gunicorn.conf.py: 2
   workers x 4 threads) on that database; /api/explorer's latency (p50/max over 40 requests
   at a few positions) alone, then while N clients each ask for the player's PGN export at
   the start position at once; and how those exports ended (status, seconds).
5. Serves the first --stream-games of those games as a lichess NDJSON export from a local
   stand-in server and times import_account("lichess", ...) into a second empty database:
   games/s through the HTTP client, the NDJSON parser and the loader (0: skipped).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def _fresh_postgres(admin_url: str, keep: bool) -> Iterator[str]:
    """A new PostgreSQL database beside ADMIN_URL's, dropped afterwards (unless kept)."""
    import psycopg

    name = f"oe_player_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{admin_url.rsplit('/', 1)[0]}/{name}"
    finally:
        if keep:
            print(f"kept database {name}")
        else:
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default=None)
    parser.add_argument("--postgres", default=None, metavar="ADMIN_URL")
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--stream-games", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrent", type=int, default=0, metavar="N")
    args = parser.parse_args()
    if not DATA.exists():
        print(f"{DATA} is missing: nothing to measure")
        return 0
    tmp = Path(tempfile.mkdtemp())
    if args.postgres:
        with _fresh_postgres(args.postgres, args.keep_database) as url:
            stream_games = _bench_player(url, tmp, args)
    else:
        stream_games = _bench_player(args.database or f"sqlite:///{tmp / 'bench.sqlite3'}", tmp, args)
    if stream_games:
        _bench_account_import(stream_games, tmp)
    return 0


def _bench_player(url: str, tmp: Path, args: argparse.Namespace) -> list[dict]:
    from webapp.db.leaks import compare_player, find_leaks, player_history
    from webapp.db.players import find_player_ids
    from webapp.extensions import db
    from webapp.indexer.compact import compact
    from webapp.indexer.pgn import import_pgn_files
    from webapp.jobs.player_index import run_indexing
    from webapp.model.query import ExplorerQuery

    app = _app(url, tmp)
    with app.app_context():
        engine = db.engine
        start = time.perf_counter()
        report = import_pgn_files(engine, [DATA], index_plies=40)
        print(f"loaded {report.imported:,} games in {time.perf_counter() - start:.1f} s "
              f"({engine.dialect.name})")
        start = time.perf_counter()
        compact(engine)  # as `python -m webapp import` does after its files
        print(f"compacted in {time.perf_counter() - start:.1f} s")
        with engine.connect() as connection:
            ids = find_player_ids(connection, PLAYER)
        start = time.perf_counter()
        counted = run_indexing(app, ids)  # the background job: counts, then warms the leaks
        print(f"indexed {PLAYER} (the background job, leaks warmed): {counted:,} games "
              f"in {time.perf_counter() - start:.1f} s")
        for color in ("white", "black"):
            for play in ((), ("e2e4",), ("e2e4", "e7e5"), ("d2d4", "d7d5")):
                query = ExplorerQuery.build(play=play, player=PLAYER, color=color)
                with engine.connect() as connection:
                    t_compare = _timed(lambda: compare_player(connection, query), args.runs)  # noqa: B023
                    t_history = _timed(lambda: player_history(connection, query), args.runs)  # noqa: B023
                    result = compare_player(connection, query)
                print(f"{color:5} {','.join(play) or 'start':10} games {result.position.player.games:6,}"
                      f"  compare {1000 * t_compare:7.1f} ms  history {1000 * t_history:7.1f} ms")
            query = ExplorerQuery.build(player=PLAYER, color=color)
            with engine.connect() as connection:
                t_leaks = _timed(lambda: find_leaks(connection, query, limit=20), runs=1)  # noqa: B023
                leaks = find_leaks(connection, query, limit=20).leaks
            print(f"{color:5} leaks: {len(leaks)} found in {t_leaks:.2f} s")
        _bench_player_tab(url, tmp, args.runs)
        if args.concurrent:
            _bench_concurrent_exports(url, tmp, args.concurrent)
        return _stream_lines(engine, args.stream_games) if args.stream_games else []


PROBES = ("", "e2e4", "d2d4", "e2e4,c7c5", "e2e4,e7e5,g1f3", "d2d4,g8f6,c2c4", "c2c4", "g1f3")


def _bench_concurrent_exports(url: str, tmp: Path, clients: int) -> None:
    """/api/explorer's latency alone and beside `clients` simultaneous PGN exports, under gunicorn."""
    import os
    import secrets
    import socket
    import subprocess
    import threading
    import urllib.error
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": url, "DATA_DIR": str(tmp), "PORT": str(port),
           "SECRET_KEY": secrets.token_hex(32), "LOG_LEVEL": "warning"}
    env.pop("REDIS_URL", None)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--config", "deploy/gunicorn.conf.py",
         "--access-logfile", "/dev/null", "webapp:server"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"

    def get(path: str) -> tuple[int, float]:
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(base + path, timeout=120) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        return status, time.perf_counter() - start

    def probe_explorer(count: int) -> list[float]:
        return [get(f"/api/explorer?play={PROBES[i % len(PROBES)]}&speeds={'blitz' if i % 2 else 'rapid'}")[1]
                for i in range(count)]

    try:
        for _ in range(100):
            try:
                get("/health")
                break
            except OSError:
                time.sleep(0.2)
        probe_explorer(8)  # both workers up, connections open
        alone = probe_explorer(40)
        results: list[tuple[int, float]] = []
        threads = [threading.Thread(target=lambda: results.append(get(f"/api/export/games.pgn?player={PLAYER}&color=white")))
                   for _ in range(clients)]
        for thread in threads:
            thread.start()
        beside = probe_explorer(40)
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait(timeout=30)

    def line(times: list[float]) -> str:
        return f"p50 {1000 * statistics.median(times):.0f} ms, max {1000 * max(times):.0f} ms"

    statuses = ", ".join(f"{n}x {s}" for s, n in sorted(
        {s: sum(1 for r in results if r[0] == s) for s, _t in results}.items()))
    print(f"/api/explorer alone (gunicorn 2x4): {line(alone)}")
    print(f"/api/explorer beside {clients} simultaneous PGN exports: {line(beside)}")
    print(f"the exports: {statuses}; slowest {max(t for _s, t in results):.1f} s")


TAB_POSITIONS = (
    "", "e2e4", "d2d4", "e2e4,e7e5", "e2e4,c7c5", "d2d4,d7d5", "e2e4,e7e5,g1f3",
    "e2e4,e7e5,g1f3,b8c6", "d2d4,g8f6,c2c4", "e2e4,e7e6,d2d4,d7d5",
)


def _bench_player_tab(url: str, tmp: Path, runs: int) -> None:
    """The Player tab's callbacks as the browser calls them (POST /_dash-update-component on
    a dashboard app over the same database), the explorer cache emptied before each call."""
    from dash_requests import callback_body, callback_named

    from webapp import create_app
    from webapp.api.player_routes import games_pgn
    from webapp.caching import bump_generation
    from webapp.dashboard.url import state_from_search
    from webapp.settings import Settings

    app = create_app(Settings.from_env({"DATABASE_URL": url, "DATA_DIR": str(tmp)}), dashboard=True)
    callbacks = app.extensions["dash_app"].callback_map
    client = app.test_client()
    board_cb = callback_named(callbacks, "player-board-image.src")
    player_cb = callback_named(callbacks, "player-summary.children")
    leaks_cb = callback_named(callbacks, "player-leaks.children")

    def call(output: str, values: dict, *, cold: bool = True) -> float:
        if cold:
            with app.app_context():
                bump_generation()
        start = time.perf_counter()
        response = client.post("/_dash-update-component", json=callback_body(callbacks, output, values))
        seconds = time.perf_counter() - start
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        return seconds

    def values(view: dict, color: str) -> dict:
        return {"player-view-request.data": {"view": view}, "player-name.value": PLAYER,
                "player-color.value": color, "player-band.value": 100, "player-version.data": 0,
                "data-version.data": 0, "view-state.data": view, "tabs.active_tab": "player"}

    start_view = state_from_search("").to_dict()
    for color in ("white", "black"):  # before any cache is emptied: as the indexing job left it
        warm_ms = 1000 * call(leaks_cb, values(start_view, color), cold=False)
        print(f"leaks first answer after the indexing job ({color}, leaks callback): {warm_ms:.0f} ms")
    draws = []
    for color in ("white", "black"):
        for play in TAB_POSITIONS:
            view = state_from_search(f"?play={play}" if play else "").to_dict()

            def first_draw() -> None:
                call(board_cb, {"player-board-request.data": {"view": view, "selection": None}})  # noqa: B023
                call(player_cb, values(view, color))  # noqa: B023

            draws.append((color, play or "start", 1000 * _timed(first_draw, runs)))
    ms = sorted(d[2] for d in draws)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    slowest = max(draws, key=lambda d: d[2])
    print(f"player tab first draw (board + summary/table/history callbacks, cold, {len(draws)} cases, "
          f"median of {runs} each): p50 {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms, "
          f"max {slowest[2]:.0f} ms ({slowest[0]} {slowest[1]})")
    for color in ("white", "black"):
        leaks_ms = 1000 * _timed(lambda: call(leaks_cb, values(start_view, color)), runs)  # noqa: B023
        print(f"leaks first answer ({color}, leaks callback, cold, median of {runs}): {leaks_ms:.0f} ms")
    with app.test_request_context():
        for color, play in (("white", ""), ("black", ""), ("white", "h2h4,h7h5,a2a4")):
            export_args = {"player": PLAYER, "color": color, **({"play": play} if play else {})}
            start = time.perf_counter()
            text = games_pgn(export_args)
            print(f"PGN export ({color}, {play or 'start'}): {text.count('[Event ')} games, "
                  f"{len(text) / 1e6:.1f} MB in {1000 * (time.perf_counter() - start):.0f} ms")


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
