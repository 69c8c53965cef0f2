""""How games ended" under the moves table shows what /api/explorer?endings=1 gives for the
same position and filters: a segment per kind with its count, the position first, then
the most played moves; the "Exclude games lost on time" filter changes both alike and
travels in the URL; it fits a 390 px phone.

The server holds real games: lichess's October 2021 slice (Normal, Time forfeit,
Abandoned) and a chess.com PGN (its "won by ..." / "drawn by ..." sentences).
Screenshots go to $SCREENSHOTS when set.
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
    SHARED / "chesscom" / "chesscom_api_fabianocaruana_2020-05.pgn",
)
SHOWN_MOVES = 12

_READ_ENDINGS = """
return Array.from(document.querySelectorAll('#endings .ending-row')).map(row => ({
  uci: row.dataset.uci, games: +row.dataset.games,
  segments: Object.fromEntries(Array.from(row.querySelectorAll('.ending-seg')).map(
    s => [s.dataset.side + ' ' + s.dataset.kind, +s.dataset.count])),
  titles: Array.from(row.querySelectorAll('.ending-seg')).map(s => s.title),
}));
"""


@pytest.fixture(scope="module")
def endings_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    folder = tmp_path_factory.mktemp("endings")
    pgn = Path(folder) / "games.pgn"
    pgn.write_text("\n\n".join(path.read_text() for path in FILES))
    live, stop = _start(folder, pgn)
    yield live
    stop()


def _segments(entry: dict) -> dict[str, int]:
    return {f"{side} {kind}": n for side, kinds in entry["endings"].items() for kind, n in kinds.items() if n}


def expected_rows(api: dict) -> list[dict]:
    """The rows the panel should show, from the API's answer: the position, then moves."""
    rows = [{"uci": "", "games": api["white"] + api["draws"] + api["black"], "segments": _segments(api)}]
    rows += [{"uci": m["uci"], "games": m["games"], "segments": _segments(m)} for m in api["moves"][:SHOWN_MOVES]]
    return rows


def _shown(page: Dashboard, api: dict) -> list[dict]:
    expected = expected_rows(api)
    return page.wait_for(
        lambda: (rows := page.driver.execute_script(_READ_ENDINGS))
        and [{k: r[k] for k in ("uci", "games", "segments")} for r in rows] == expected and rows,
        "the API's endings",
    )


def _open_endings(live: LiveApp, browser, width: int, search: str) -> Dashboard:  # type: ignore[no-untyped-def]
    page = Dashboard(browser, live).open(search)
    assert not browser.find_element(By.ID, "endings-body").is_displayed()  # closed: nothing asked
    switch = browser.find_element(By.ID, "endings-switch")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", switch)
    api = live.api(search + "&endings=1")
    rows = _shown(page, api)
    kinds = api["endings"]
    assert kinds["white"]["time"] > 0 and kinds["draws"]["agreement"] > 0  # real variety to read
    position = rows[0]
    games = api["white"] + api["draws"] + api["black"]
    n = kinds["white"]["time"]
    assert f"white won on time: {n:,} of {games:,} games ({100 * n / games:.1f}%)" in " ".join(position["titles"])
    assert browser.execute_script("return document.documentElement.scrollWidth") <= width
    # a row's notes wrap between notes, each whole on one line ("1-0 resign 21.1%")
    lines = "return Array.from(document.querySelectorAll('#endings .ending-note-item')).map(n => n.getClientRects().length)"
    assert browser.execute_script(lines) and set(browser.execute_script(lines)) == {1}
    browser.execute_script("document.getElementById('endings').scrollIntoView({block: 'start'})")
    _shot(browser, f"endings-{width}")
    _shot(browser, f"endings-panel-{width}", "endings-body")
    return page


def test_brw080_endings_show_the_apis_counts(endings_app, new_browser) -> None:
    _open_endings(endings_app, new_browser(1366, 900), 1366, "?play=e2e4")
    _open_endings(endings_app, new_browser(390, 844), 390, "?play=e2e4")


def test_brw081_excluding_time_losses_changes_panel_and_url(endings_app, new_browser) -> None:
    browser = new_browser(1366, 900)
    page = _open_endings(endings_app, browser, 1366, "?play=d2d4")
    box = browser.find_element(By.ID, "filter-no-time-losses")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", box)
    page.wait_for(lambda: "noTimeLosses=1" in browser.current_url, "the filter in the URL")
    api = endings_app.api("?play=d2d4&noTimeLosses=1&endings=1")
    every = endings_app.api("?play=d2d4")
    assert api["white"] < every["white"] and api["draws"] == every["draws"]
    rows = _shown(page, api)
    assert not any(k.endswith(" time") for k in rows[0]["segments"])
