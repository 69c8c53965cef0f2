"""Board click → redrawn moves table, measured in headless Chromium; cold and cached.

    .venv/bin/python benchmarks/click_bench.py [--database-url postgresql://root@127.0.0.1:5432/oe_bench_1m]
        [--lines 6] [--plies 10] [--redis redis://127.0.0.1:6379/13] [--seed 1]
        [--filters "speeds=blitz&since=2013-01"]

Serves the dashboard from a thread (werkzeug, threaded) on the given database, opens it
in headless Chromium and plays lines by clicking squares: the first click picks a piece
up, the second puts it down; the time measured runs from the second click to the moves
table showing the new position (its data-fen), as the browser sees it. The lines are
random walks through the database's own moves (each move chosen in proportion to its
games, via the explorer). Each line is played twice: first with the explorer cache
emptied before every click (a new cache generation: "cold", the database answers), then
again (cached). `--filters` opens the page with those URL filters (the API's names), so
filtered views can be measured too. Prints p50 / p95 / max in milliseconds. Figures only,
nothing asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
).split()

_CLICK_AND_WAIT_FOR_FEN = """
const [square, fen, done] = arguments;
const t0 = performance.now();
document.querySelector(`[data-square="${square}"]`).click();
(function check() {
  const el = document.querySelector('#moves > div');
  if (el && el.dataset.fen === fen) {
    requestAnimationFrame(() => done(performance.now() - t0));
  } else if (performance.now() - t0 > 20000) {
    done(-1);
  } else {
    setTimeout(check, 1);
  }
})();
"""

_CLICK_AND_WAIT_FOR_BOARD = """
const [square, done] = arguments;
const img = document.getElementById('board-image');
const before = img.src;
const t0 = performance.now();
document.querySelector(`[data-square="${square}"]`).click();
(function check() {
  if (img.src !== before) {
    requestAnimationFrame(() => done(performance.now() - t0));
  } else if (performance.now() - t0 > 20000) {
    done(-1);
  } else {
    setTimeout(check, 1);
  }
})();
"""


def _percentiles(values: list[float]) -> str:
    if not values:
        return "no samples"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"p50 {statistics.median(ordered):6.1f} ms   p95 {p95:6.1f} ms   "
        f"max {ordered[-1]:6.1f} ms   (n={len(ordered)})"
    )


class ServerTimer:
    """WSGI middleware: how long the server spends on each Dash callback request."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.durations: list[float] = []

    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        if not environ.get("PATH_INFO", "").startswith("/_dash-update-component"):
            return self.app(environ, start_response)
        t0 = time.perf_counter()
        body = b"".join(self.app(environ, start_response))
        self.durations.append(1000 * (time.perf_counter() - t0))
        return [body]


def random_lines(app, count: int, plies: int, seed: int, filters: str) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """Random walks through the database's moves, each step weighted by its games."""
    from urllib.parse import parse_qsl

    from webapp.api.wire import query_from_args
    from webapp.db.explorer import query_explorer
    from webapp.extensions import db

    base = query_from_args(dict(parse_qsl(filters)))

    rng = random.Random(seed)
    lines = []
    with app.app_context(), db.engine.connect() as connection:
        for _ in range(count):
            line: list[str] = []
            for _ in range(plies):
                result = query_explorer(connection, base.with_position(play=line))
                if not result.moves:
                    break
                weights = [m.results.games for m in result.moves]
                line.append(rng.choices(result.moves, weights=weights)[0].uci)
            lines.append(line)
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgresql://root@127.0.0.1:5432/oe_bench_1m")
    parser.add_argument("--redis", default=None, help="cache in Redis (default: a file cache)")
    parser.add_argument("--lines", type=int, default=6)
    parser.add_argument("--plies", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--filters", default="", help="URL filters, e.g. speeds=blitz&since=2013-01")
    args = parser.parse_args()

    import chess
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from sqlalchemy import func, select
    from werkzeug.serving import make_server

    from webapp import create_app
    from webapp.caching import bump_generation
    from webapp.db.tables import games
    from webapp.extensions import db
    from webapp.settings import Settings

    tmp = Path(tempfile.mkdtemp(prefix="click_bench_"))
    env = {"DATABASE_URL": args.database_url, "DATA_DIR": str(tmp)}
    if args.redis:
        env["REDIS_URL"] = args.redis
    app = create_app(Settings.from_env(env))
    with app.app_context(), db.engine.connect() as connection:
        game_count = connection.execute(select(func.count()).select_from(games)).scalar_one()
    print(f"database: {args.database_url.rsplit('@', 1)[-1]}  games: {game_count:,}  "
          f"cache: {'Redis ' + args.redis if args.redis else 'file system'}")
    lines = random_lines(app, args.lines, args.plies, args.seed, args.filters)
    print(f"filters: {args.filters or 'none'}")
    print(f"lines: {len(lines)} random walks of up to {args.plies} plies "
          f"({sum(map(len, lines))} clicks per pass)")

    timer = ServerTimer(app.wsgi_app)
    app.wsgi_app = timer  # type: ignore[method-assign]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/" + (f"?{args.filters}" if args.filters else "")

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_window_size(1366, 900)
    driver.set_script_timeout(30)
    timings: dict[str, list[float]] = {
        "pick up": [], "cold": [], "cached": [], "cold server": [], "cached server": []
    }
    try:
        for passage in ("cold", "cached"):
            for line in lines:
                driver.get(url)
                board = chess.Board()
                start_fen = board.fen()
                driver.execute_script("sessionStorage.clear()")
                deadline = time.monotonic() + 20
                while driver.execute_script(
                    "const el = document.querySelector('#moves > div'); return el && el.dataset.fen"
                ) != start_fen:
                    if time.monotonic() > deadline:
                        raise RuntimeError("the page never showed the start position")
                    time.sleep(0.05)
                for uci in line:
                    move = chess.Move.from_uci(uci)
                    board.push(move)
                    pick = driver.execute_async_script(_CLICK_AND_WAIT_FOR_BOARD, uci[:2])
                    if passage == "cold":
                        with app.app_context():
                            bump_generation()
                        timings["pick up"].append(pick)
                    if move.promotion:
                        break  # the promotion dialog is not part of this measurement
                    before = len(timer.durations)
                    elapsed = driver.execute_async_script(_CLICK_AND_WAIT_FOR_FEN, uci[2:4], board.fen())
                    timings[passage + " server"].append(sum(timer.durations[before:]))
                    if elapsed < 0:
                        raise RuntimeError(f"no redraw after {uci} in {line}")
                    timings[passage].append(elapsed)
    finally:
        driver.quit()
        server.shutdown()
    print(f"pick a piece up (board redrawn):      {_percentiles(timings['pick up'])}")
    print(f"move played, table redrawn, cold:     {_percentiles(timings['cold'])}")
    print(f"move played, table redrawn, cached:   {_percentiles(timings['cached'])}")
    print(f"  of which server time, cold:         {_percentiles(timings['cold server'])}")
    print(f"  of which server time, cached:       {_percentiles(timings['cached server'])}")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
