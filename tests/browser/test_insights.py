"""Move flags under the moves table and the Opponent tab show what the API gives for the
same position: badges and evidence from /api/explorer/flags, moves, line links and leak
links from /api/opponent; both fit a 390 px phone.

The server holds the explorer sample plus written games of the Blackburne Shilling trap
(3...Nd4 wins below 1500 and loses above), so a flag is there to read.
Screenshots go to $SCREENSHOTS when set.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import chess
import chess.pgn
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.conftest import SAMPLE_PGN, LiveApp, _start
from tests.browser.screen import Dashboard
from tests.browser.test_charts import _shot

pytestmark = pytest.mark.browser
ITALIAN = "e2e4,e7e5,g1f3,b8c6,f1c4"

_READ_FLAGS = """
return Array.from(document.querySelectorAll('#move-flags .flag-row')).map(row => ({
  uci: row.querySelector('[data-play]').dataset.play,
  flags: Array.from(row.querySelectorAll('[data-flag]')).map(b => b.dataset.flag),
  titles: Array.from(row.querySelectorAll('[data-flag]')).map(b => b.title),
}));
"""
_READ_OPPONENT = """
return {
  moves: Array.from(document.querySelectorAll('#opponent-moves-table tbody tr')).map(tr =>
    [tr.dataset.uci, tr.querySelector('.opponent-games').textContent]),
  line: Array.from(document.querySelectorAll('#opponent-line-steps a')).map(a =>
    [a.getAttribute('href'), a.dataset.games]),
  leaks: Array.from(document.querySelectorAll('#opponent-leaks-table a')).map(a => a.getAttribute('href')),
};
"""


def _shilling_pgn(seed: int = 5) -> str:
    rng = random.Random(seed)
    out = []
    for i, (third, count) in enumerate([("c6d4", 40)] * 1 + [("g8f6", 120)]):
        for j in range(count):
            low = j % 2 == 0
            mean = rng.randint(1000, 1480) if low else rng.randint(1500, 2090)
            weights = ((1, 1, 8) if low else (8, 1, 1)) if third == "c6d4" else (4, 2, 4)
            game = chess.pgn.Game()
            game.headers.update({
                "Event": "Rated Blitz game", "Site": f"https://lichess.org/bt{i}{j:05d}",
                "Date": f"2021.{1 + j % 12:02d}.10", "White": f"tw{j % 7}", "Black": f"tb{j % 5}",
                "Result": rng.choices(["1-0", "1/2-1/2", "0-1"], weights=weights)[0],
                "WhiteElo": str(mean + 10), "BlackElo": str(mean - 10), "TimeControl": "300+0",
            })
            node = game
            for uci in [*ITALIAN.split(","), third]:
                node = node.add_variation(chess.Move.from_uci(uci))
            out.append(str(game))
    return "\n\n".join(out) + "\n"


@pytest.fixture(scope="module")
def insights_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    folder = tmp_path_factory.mktemp("insights")
    pgn = Path(folder) / "games.pgn"
    pgn.write_text(SAMPLE_PGN.read_text() + "\n\n" + _shilling_pgn())
    live, stop = _start(folder, pgn)
    yield live
    stop()


def _expected_flags(api: dict) -> list[dict]:
    return [{"uci": m["uci"], "flags": m["flags"]} for m in api["moves"] if m["flags"]]


def _flags_shown(live: LiveApp, browser, width: int) -> Dashboard:  # type: ignore[no-untyped-def]
    page = Dashboard(browser, live).open("?play=" + ITALIAN)
    assert not browser.find_element(By.ID, "move-flags-body").is_displayed()  # closed: no request per click
    switch = browser.find_element(By.ID, "move-flags-switch")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", switch)
    api = live.api("?play=" + ITALIAN, path="/api/explorer/flags")
    expected = _expected_flags(api)
    assert expected == [{"uci": "c6d4", "flags": ["trap"]}]
    shown = page.wait_for(
        lambda: (rows := browser.execute_script(_READ_FLAGS))
        and [{"uci": r["uci"], "flags": r["flags"]} for r in rows] == expected and rows,
        "the API's flags",
    )
    trap = next(m for m in api["moves"] if m["uci"] == "c6d4")["trap"]
    title = shown[0]["titles"][0]
    assert f"below {api['ratingSplit']} ({trap['below']['games']} games)" in title
    assert f"at {api['ratingSplit']}+ ({trap['above']['games']} games)" in title
    assert f"{100 * trap['below']['score']:.1f}%" in title
    assert browser.find_elements(By.ID, "move-flags-loading")
    assert browser.execute_script("return document.documentElement.scrollWidth") <= width
    _shot(browser, f"move-flags-{width}")
    return page


def test_brw070_move_flags_show_the_apis_flags_and_evidence(insights_app, new_browser) -> None:
    _flags_shown(insights_app, new_browser(1366, 900), 1366)
    page = _flags_shown(insights_app, new_browser(390, 844), 390)
    # a position without flags says how many moves were tested (the switch stays on in this tab)
    page.open("?play=d2d4")
    assert browser_switch_on(page)
    api = insights_app.api("?play=d2d4", path="/api/explorer/flags")
    assert api["moves"] and not _expected_flags(api)
    page.wait_for(lambda: f"No flags among the {len(api['moves'])} moves" in (page.text("#move-flags") or ""),
                  "no flags")


def browser_switch_on(page: Dashboard) -> bool:
    return page.wait_for(lambda: page.driver.find_element(By.ID, "move-flags-body").is_displayed(), "flags shown")


def _open_opponent(page: Dashboard, name: str, colour: str) -> None:
    page.driver.find_element(By.XPATH, '//a[normalize-space()="Opponent"]').click()
    box = page.wait_for(lambda: page.driver.find_element(By.ID, "opponent-name"), "the opponent box")
    page.tick_label("opponent-color", colour)
    box.clear()
    box.send_keys(name + Keys.ENTER)


def _expected_opponent(api: dict) -> dict:
    return {
        "moves": [[m["uci"], f"{m['games']:,}"] for m in api["moves"]],
        "line": [[s["url"], str(s["games"])] for s in api["line"]],
        "leaks": [leak["url"] for leak in api["leaks"]],
    }


def _opponent_shown(live: LiveApp, browser, width: int, play: str, name: str) -> tuple[Dashboard, dict]:  # type: ignore[no-untyped-def, type-arg]
    page = Dashboard(browser, live).open(f"?play={play}" if play else "")
    _open_opponent(page, name, "black")
    page.wait_for(lambda: f"{name} as white" in (page.text("#opponent-summary") or ""), f"{name} as white")
    api = live.api(f"?play={play}&player={name}&color=black", path="/api/opponent")
    expected = _expected_opponent(api)
    assert expected["moves"] and expected["line"]
    try:
        page.wait_for(lambda: browser.execute_script(_READ_OPPONENT) == expected, "the API's prep")
    except AssertionError:
        raise AssertionError(f"{browser.execute_script(_READ_OPPONENT)} != {expected}") from None
    assert f"{api['position']['games']:,} games" in (page.text("#opponent-summary") or "")
    assert browser.find_elements(By.ID, "opponent-loading") and browser.find_elements(By.ID, "opponent-leaks-loading")
    assert browser.execute_script("return document.documentElement.scrollWidth") <= width
    _shot(browser, f"opponent-{width}")
    return page, api


def test_brw071_opponent_tab_shows_the_apis_prep_and_links_go_there(insights_app, new_browser) -> None:
    browser = new_browser(1366, 900)
    page, _api = _opponent_shown(insights_app, browser, 1366, "", "frank")
    # your colour changes: the opponent's other colour, redrawn
    page.tick_label("opponent-color", "white")
    page.wait_for(lambda: "frank as black" in (page.text("#opponent-summary") or ""), "frank as black")
    api = insights_app.api("?play=&player=frank&color=white", path="/api/opponent")
    page.wait_for(lambda: browser.execute_script(_READ_OPPONENT) == _expected_opponent(api), "black's prep")
    # a line step puts the board there, with frank as the explorer's player
    target = api["line"][-1]
    browser.find_element(By.CSS_SELECTOR, f'#opponent-line-steps a[href="{target["url"]}"]').click()
    page.wait_for(lambda: page.search == target["url"][1:], "the line's position in the URL")
    page.wait_for(lambda: len(page.move_line()) == len(target["play"].split(",")), "the board's line")


def test_brw072_opponent_leaks_on_a_phone_link_to_their_positions(insights_app, new_browser) -> None:
    browser = new_browser(390, 844)
    page, api = _opponent_shown(insights_app, browser, 390, "e2e4", "tw2")  # his 3...Nd4 games lose
    assert api["leaks"], "tw2 has leaks past 1.e4"
    leak = api["leaks"][0]
    link = browser.find_element(By.CSS_SELECTOR, f'#opponent-leaks-table a[href="{leak["url"]}"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", link)
    page.wait_for(lambda: page.search == leak["url"][1:], "the leak's position in the URL")
    page.wait_for(lambda: len(page.move_line()) == len(leak["play"].split(",")), "the board's line")


def test_brw073_opponent_tab_shows_no_empty_headings_for_an_unknown_name(insights_app, new_browser) -> None:
    browser = new_browser(390, 844)
    page = Dashboard(browser, insights_app).open("?play=e2e4")
    _open_opponent(page, "nobody_by_this_name", "black")
    page.wait_for(lambda: "nobody_by_this_name" in (page.text("#opponent-summary") or ""), "the unknown name")
    for section in ("opponent-sections", "opponent-leaks-section"):
        assert not browser.find_element(By.ID, section).is_displayed(), section
    # a known opponent brings the headings back with their tables
    box = browser.find_element(By.ID, "opponent-name")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("tw2" + Keys.ENTER)
    page.wait_for(lambda: "tw2 as white" in (page.text("#opponent-summary") or ""), "tw2 as white")
    page.wait_for(lambda: browser.find_element(By.ID, "opponent-sections").is_displayed(), "tw2's moves")
    assert browser.find_element(By.ID, "opponent-leaks-section").is_displayed()
