"""The charts view's callback work, timed in-process: query, frames, figures, JSON.

    .venv/bin/python benchmarks/charts_bench.py [--database-url URL] [--pgn FILE ...] [--runs 3]

Without --database-url, a fresh SQLite file is filled with the PGN files (default: the
explorer's test sample, tests/fixtures/explorer_sample.pgn). For each position and filter
set it times `charts_panel.chart_figures` (what the callback runs) cold, with the explorer
cache emptied (a new generation: the database answers), and cached; then the JSON
encoding Dash sends. Prints the median of `--runs` runs per case, in milliseconds.
Then the Player tab's callbacks (board, compare + history, leaks cold and cached).
Figures only, nothing asserted; quick on the sample.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CASES = {
    "start": "",
    "1.e4": "?play=e2e4",
    "1.e4 e5 2.Nf3": "?play=e2e4,e7e5,g1f3",
    "1.e4 blitz 1600-1999": "?play=e2e4&speeds=blitz&rating_min=1600&rating_max=1999",
    "1.e4 2021-02..2021-06": "?play=e2e4&since=2021-02&until=2021-06",
    "1.e4 player frank": "?play=e2e4&player=frank",
    "no games": "?play=h2h4,h7h5,a2a4",
}


def _ms(action, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--pgn", nargs="*", default=[str(ROOT / "tests/fixtures/explorer_sample.pgn")])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import flask_migrate
    import plotly.io

    from webapp import create_app
    from webapp.caching import bump_generation
    from webapp.dashboard.charts_panel import chart_figures
    from webapp.dashboard.url import state_from_search
    from webapp.extensions import db
    from webapp.settings import Settings

    tmp = Path(tempfile.mkdtemp(prefix="charts-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    app = create_app(Settings.from_env({"DATABASE_URL": url, "DATA_DIR": str(tmp)}), dashboard=False)
    with app.app_context():
        if not args.database_url:
            from webapp.indexer.pgn import import_pgn_stream

            flask_migrate.upgrade()
            for pgn in args.pgn:
                import_pgn_stream(db.engine, io.StringIO(Path(pgn).read_text()), index_plies=40)
        print(f"{'case':28} {'cold':>9} {'cached':>9} {'json':>9}   (median of {args.runs}, ms)")
        for label, search in CASES.items():
            state = state_from_search(search)

            def cold() -> None:
                bump_generation()
                chart_figures(db.engine.connect, state)  # noqa: B023

            cold_ms = _ms(cold, args.runs)
            chart_figures(db.engine.connect, state)
            warm_ms = _ms(lambda: chart_figures(db.engine.connect, state), args.runs)  # noqa: B023
            out = chart_figures(db.engine.connect, state)
            figures = [out["results"], out["bands"], out["time"]]
            json_ms = _ms(lambda: [plotly.io.json.to_json_plotly(f) for f in figures], args.runs)  # noqa: B023
            print(f"{label:28} {cold_ms:9.1f} {warm_ms:9.1f} {json_ms:9.1f}")
        player_tab(args.runs, bump_generation)


PLAYER_CASES = {
    "frank white, start": ("", "frank", "white"),
    "frank black, 1.e4": ("?play=e2e4", "frank", "black"),
    "carol_rook white, 1.e4 e5": ("?play=e2e4,e7e5", "carol_rook", "white"),
}


def player_tab(runs: int, bump_generation) -> None:  # type: ignore[no-untyped-def]
    """The Player tab's three callbacks' work: board, summary + table + history, leaks."""
    from webapp.dashboard.player_panel import analyse, api_args, board_outputs, leaks_panel
    from webapp.dashboard.url import state_from_search

    print(f"\n{'player tab':28} {'board':>9} {'compare':>9} {'leaks':>9} {'leaks $':>9}   (median of {runs}, ms)")
    for label, (search, player, colour) in PLAYER_CASES.items():
        state = state_from_search(search)
        args = api_args(state, player, colour, 100)
        board_ms = _ms(lambda: board_outputs(state.to_dict(), None), runs)  # noqa: B023
        compare_ms = _ms(lambda: analyse(args), runs)  # noqa: B023

        def cold_leaks() -> None:
            bump_generation()
            leaks_panel(args, 40)  # noqa: B023

        leaks_ms = _ms(cold_leaks, runs)
        cached_ms = _ms(lambda: leaks_panel(args, 40), runs)  # noqa: B023
        print(f"{label:28} {board_ms:9.1f} {compare_ms:9.1f} {leaks_ms:9.1f} {cached_ms:9.1f}")


if __name__ == "__main__":
    main()
