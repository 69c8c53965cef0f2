"""The Player tab: the Explorer's board, the API's numbers, the history chart's months and
axis, loading overlays, and a layout that fits a 390 px phone.

Screenshots at 1366×900 and 390×844 go to $SCREENSHOTS when set.
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.screen import Dashboard
from tests.browser.test_charts import _READ_GRAPH, _shot

pytestmark = pytest.mark.browser

_READ_COMPARE = """
return Array.from(document.querySelectorAll('#player-compare-table tbody tr')).map(tr => ({
  uci: tr.dataset.uci, san: tr.querySelector('.move-san').textContent,
  games: tr.querySelector('.compare-games').textContent,
  peers: tr.querySelector('.peers-count').textContent,
  delta: tr.querySelector('.delta') ? tr.querySelector('.delta').className : null,
}));
"""


def _open_player(page: Dashboard, name: str) -> None:
    page.driver.find_element(By.XPATH, '//a[normalize-space()="Player"]').click()
    box = page.wait_for(lambda: page.driver.find_element(By.ID, "player-name"), "the player box")
    box.clear()
    box.send_keys(name + Keys.ENTER)


def _summary(page: Dashboard) -> str:
    return page.text("#player-summary") or ""


def _expected_rows(compare: dict) -> list[dict]:
    rows = []
    for m in compare["moves"]:
        if m["difference"] is None:
            delta = None
        else:  # a two-proportion z-test on points per game, pooled
            mine, theirs = m["player"], m["peers"]
            points = [s["wins"] + s["draws"] / 2 for s in (mine, theirs)]
            pooled = sum(points) / (mine["games"] + theirs["games"])
            spread = (pooled * (1 - pooled) * (1 / mine["games"] + 1 / theirs["games"])) ** 0.5
            z = abs(points[0] / mine["games"] - points[1] / theirs["games"]) / spread if spread else 0
            delta = "significant" if z >= 1.96 else "ns"
        rows.append({"uci": m["uci"], "san": m["san"], "games": f"{m['player']['games']:,}",
                     "peers": f"{m['peers']['games']:,} games", "delta": delta})
    return rows


def _shown_rows(page: Dashboard) -> list[dict]:
    rows = page.driver.execute_script(_READ_COMPARE)
    for row in rows:
        cls = row["delta"] or ""
        row["delta"] = "significant" if "delta-significant" in cls else "ns" if "delta-ns" in cls else None
    return rows


def test_brw040_player_tab_board_numbers_and_colour(live_app, browser) -> None:
    page = Dashboard(browser, live_app).open("?play=e2e4")
    _open_player(page, "frank")
    page.wait_for(lambda: "frank as white" in _summary(page), "frank as white")
    compare = live_app.api("?play=e2e4&player=frank&color=white", path="/api/player/compare")
    shown = page.wait_for(lambda: (r := _shown_rows(page)) == _expected_rows(compare) and r, "the API's rows")
    assert "ns" in {r["delta"] for r in shown}  # a few games: differences greyed
    assert f"{compare['position']['peers']['games']} games" in _summary(page)
    # the peers are the Explorer's (webapp.db.leaks.Peers): the player's own games left out
    assert "the player's own left out" in _summary(page)
    assert page.text("#player-opening") == "B00 King's Pawn Game"
    # a changed colour redraws: the old answer never stays as if it were the new one
    page.tick_label("player-color", "black")
    page.wait_for(lambda: "frank as black" in _summary(page), "frank as black")
    compare = live_app.api("?play=e2e4&player=frank&color=black", path="/api/player/compare")
    page.wait_for(lambda: _shown_rows(page) == _expected_rows(compare), "black's rows")
    # every panel that can be slow sits in a loading overlay
    for loading in ("player-compare-loading", "player-leaks-loading", "player-history-loading"):
        assert browser.find_elements(By.ID, loading), loading
    _shot(browser, "player-1366")
    # the board is the Explorer's: a move played on it moves the shared line
    browser.find_element(By.CSS_SELECTOR, '#player-board-overlay [data-square="e7"]').click()
    page.wait_for(lambda: "#f6f669" in page.board_svg_of("player-board-image"), "e7 picked up")
    browser.find_element(By.CSS_SELECTOR, '#player-board-overlay [data-square="e5"]').click()
    page.wait_for(lambda: page.search.startswith("?play=e2e4,e7e5"), "1...e5 in the URL")
    page.wait_for(lambda: page.text("#player-opening") == "C20 King's Pawn Game", "the new opening")
    plies = "return Array.from(document.querySelectorAll('#player-move-line .ply')).map(b => b.textContent)"
    page.wait_for(lambda: browser.execute_script(plies) == ["start", "e4", "e5"], "the Player tab's move line")
    assert page.move_line() == ["e4", "e5"]  # the Explorer's line is the same line


def test_brw041_history_chart_months_and_axis(live_app, browser) -> None:
    page = Dashboard(browser, live_app).open()
    _open_player(page, "frank")
    history = live_app.api("?player=frank&color=white", path="/api/player/history")
    months = {m["month"]: m for m in history["months"]}
    graph = page.wait_for(
        lambda: (g := browser.execute_script(_READ_GRAPH, "player-history")) and g["traces"] and g,
        "the history chart",
    )
    bars, score = graph["traces"]
    labels = [row[0] for row in bars["customdata"]]
    first, last = labels[0], labels[-1]
    assert (first, last) == (min(months), max(months))
    # every month between the first and the last: a month without games is a gap, not skipped
    assert len(labels) == (int(last[:4]) - int(first[:4])) * 12 + int(last[5:]) - int(first[5:]) + 1
    assert any(label not in months for label in labels)
    for row, y in zip(bars["customdata"], score["y"], strict=True):
        games = months[row[0]]["games"] if row[0] in months else 0
        assert row[1] == games
        assert (y is None) == (games == 0)
        if games:
            assert y == pytest.approx(100 * months[row[0]]["score"], abs=0.01)
    layout = browser.execute_script(
        "const gd = document.querySelector('#player-history .js-plotly-plot');"
        "return {type: gd._fullLayout.xaxis.type, range: gd._fullLayout.yaxis2.range,"
        " ticks: gd._fullLayout.yaxis2.tickvals}")
    assert layout["type"] == "date"
    assert layout["range"][0] < 0 and layout["range"][1] > 100  # a 100% month is drawn whole
    assert layout["ticks"] == [0, 25, 50, 75, 100]
    # an unknown player: a sentence, not empty axes from −1 to 4
    _open_player(page, "nobody_here")
    graph = page.wait_for(  # clearing the box first draws "Choose a player ..." for a moment
        lambda: (g := browser.execute_script(_READ_GRAPH, "player-history"))
        and "nobody_here" in (g["meta"] or {}).get("empty", "")
        and g,
        "the empty history of nobody_here",
    )
    assert graph["meta"]["empty"] == "No games of 'nobody_here' have been imported yet."
    assert graph["traces"] == []


def test_brw042_player_tab_fits_a_phone(live_app, new_browser) -> None:
    browser = new_browser(390, 844)
    page = Dashboard(browser, live_app).open("?play=e2e4")
    _open_player(page, "frank")
    page.wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#player-compare-table tbody tr"), "the table")
    page.wait_for(lambda: browser.execute_script(_READ_GRAPH, "player-history"), "the history chart")
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
    right = browser.execute_script(
        "return Math.max(...Array.from(document.querySelectorAll('#player-panel *'))"
        ".filter(e => e.offsetParent !== null).map(e => e.getBoundingClientRect().right))")
    assert right <= 390
    # the board first, then the analysis, then the accounts
    tops = browser.execute_script(
        "return ['player-board-image', 'player-compare-table', 'player-import-username']"
        ".map(id => document.getElementById(id).getBoundingClientRect().top)")
    assert tops == sorted(tops)
    _shot(browser, "player-390")
