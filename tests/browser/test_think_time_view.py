""""Think time" under the moves table shows what /api/explorer?thinkTime=1 gives for the
same position and filters: per move (the position first) the median bucket, the low-clock
share, the games without clocks and a bar per bucket with its count; it fits 1366 px and
a 390 px phone.

The server holds real games: lichess's October 2021 slice (%clk on every move) and a
chess.com PGN (%clk in tenths) and a lichess account's games without %clk. Screenshots go to $SCREENSHOTS.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import LiveApp, _start
from tests.browser.screen import Dashboard
from tests.browser.test_charts import _shot

pytestmark = pytest.mark.browser
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
FILES = (
    SHARED / "lichess" / "lichess_db_standard_rated_2021-10_first999.pgn",
    SHARED / "chesscom" / "chesscom_export_MagnusCarlsen_2014-2018.pgn",
    SHARED / "lichess" / "lichess_user_cubicinfinity_2022-12-28.pgn",  # no %clk
)
SHOWN_MOVES = 12

_READ_ROWS = """
return Array.from(document.querySelectorAll('#think-time .think-row')).map(row => ({
  uci: row.dataset.uci, games: +row.dataset.games, noClock: +row.dataset.noClock,
  lowClock: +row.dataset.lowClock,
  median: row.querySelector('.think-median').textContent,
  low: row.querySelector('.think-low').textContent,
  bars: Array.from(row.querySelectorAll('.think-bar')).filter(b => +b.dataset.count).map(
    b => [+b.dataset.from, +b.dataset.count]),
  title: row.title,
}));
"""


@pytest.fixture(scope="module")
def think_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    folder = tmp_path_factory.mktemp("think")
    pgn = Path(folder) / "games.pgn"
    pgn.write_text("\n\n".join(path.read_text() for path in FILES))
    live, stop = _start(folder, pgn)
    yield live
    stop()


def _median(entry: dict) -> str:
    median = entry["median"]
    if median is None:
        return "–"
    low, high = median["from"], median["to"]
    return f"≥ {low} s" if high is None else f"{low} s" if high == low + 1 else f"{low}–{high} s"


def _expected(entry: dict, uci: str) -> dict:
    t = entry["thinkTime"]
    return {
        "uci": uci, "games": t["games"], "noClock": t["noClock"], "lowClock": t["lowClock"],
        "median": _median(t), "low": f"{100 * t['lowClock'] / t['games']:.1f}%" if t["games"] else "–",
        "bars": [[low, n] for low, _high, n in t["histogram"]],
    }  # fmt: skip


def expected_rows(api: dict) -> list[dict]:
    """The rows the panel should show, from the API's answer: the position, then moves."""
    return [_expected(api, "")] + [_expected(m, m["uci"]) for m in api["moves"][:SHOWN_MOVES]]


def _open(live: LiveApp, browser, width: int, search: str) -> list[dict]:  # type: ignore[no-untyped-def]
    page = Dashboard(browser, live).open(search)
    assert not browser.find_element(By.ID, "think-time-body").is_displayed()  # closed: nothing asked
    switch = browser.find_element(By.ID, "think-time-switch")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", switch)
    api = live.api(search + "&thinkTime=1")
    expected = expected_rows(api)
    rows = page.wait_for(
        lambda: (found := page.driver.execute_script(_READ_ROWS))
        and [{k: r[k] for k in expected[0]} for r in found] == expected and found,
        "the API's think times",
    )
    assert browser.execute_script("return document.documentElement.scrollWidth") <= width
    browser.execute_script("document.getElementById('think-time').scrollIntoView({block: 'start'})")
    _shot(browser, f"think-time-{width}")
    _shot(browser, f"think-time-panel-{width}", "think-time-body")
    return rows


def test_brw090_think_time_shows_the_apis_figures(think_app, new_browser) -> None:
    for width, height in ((1366, 900), (390, 844)):
        rows = _open(think_app, new_browser(width, height), width, "?play=e2e4,e7e5")
        position = rows[0]
        assert position["games"] > 0 and position["noClock"] > 0  # clocks and none, both read
        assert f"lower median of {position['games']:,} games with clocks" in position["title"]


def test_brw091_a_speed_filter_changes_the_figures(think_app, new_browser) -> None:
    every = _open(think_app, new_browser(1366, 900), 1366, "?play=d2d4")
    blitz = _open(think_app, new_browser(1366, 900), 1366, "?play=d2d4&speeds=blitz")
    assert blitz[0]["games"] < every[0]["games"]
