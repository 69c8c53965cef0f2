"""The game viewer: opened by `game=` in the URL (or a games-list row), stepped with keys,
buttons and clicks, its board equal to python-chess's after the same moves; "Back to the
explorer" returns to the line and filters as they were."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import chess
import chess.pgn
import chess.svg
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.conftest import SAMPLE_PGN
from tests.browser.screen import Dashboard, save_shot

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parent / "screenshots"
GAME_ID = "8dWrdE03"  # the sample's first game: 1. e4 e5 2. Nf3 Nc6 3. Bb5 ... 14. Ra3 0-1
LONG_GAME_ID = "PTwhOiTt"  # the sample's longest game: 69 plies
EXPLORER = "?play=e2e4,e7e5&speeds=ultraBullet,bullet&rating_min=1600&orientation=black"


def _game(game_id: str) -> chess.pgn.Game:
    """The sample game as python-chess reads it from the fixture file."""
    text = SAMPLE_PGN.read_text()
    while (game := chess.pgn.read_game(io.StringIO(text))) is not None:
        if game.headers["Site"].endswith("/" + game_id):
            return game
        text = text[text.index("[Event", 1):]
    raise AssertionError(game_id)


def _board_after(game: chess.pgn.Game, ply: int) -> chess.Board:
    board = game.board()
    for move in list(game.mainline_moves())[:ply]:
        board.push(move)
    return board


class Viewer:
    """The viewer on one page: what it shows and how to step."""

    def __init__(self, page: Dashboard) -> None:
        self.page, self.driver = page, page.driver

    def fen(self) -> str:
        alt = self.driver.execute_script("const b = document.getElementById('viewer-board'); return b ? b.alt : ''")
        return (alt or "").removeprefix("the position: ")

    def svg(self) -> str:
        src = self.driver.find_element(By.ID, "viewer-board").get_attribute("src") or ""
        return base64.b64decode(src.split(",", 1)[1]).decode() if "," in src else ""

    def current(self) -> str | None:
        return self.driver.execute_script(
            "const b = document.querySelector('#viewer-moves .game-ply.current'); return b ? b.textContent : null"
        )

    def shows(self, board: chess.Board, current: str, *, flipped: bool) -> None:
        """Wait until the viewer shows `board` (FEN and picture) with `current` highlighted."""
        self.page.wait_for(lambda: self.fen() == board.fen() and self.current() == current, f"the position {board.fen()}")
        picture = chess.svg.board(
            board, orientation=not flipped, lastmove=board.peek() if board.move_stack else None,
            check=board.king(board.turn) if board.is_check() else None, coordinates=True,
        )  # fmt: skip
        assert self.svg() == picture


def test_view001_a_viewer_link_steps_through_the_game_and_back_to_the_explorer(live_app, new_browser) -> None:
    driver = new_browser(1366, 900)
    page = Dashboard(driver, live_app)
    driver.get(live_app.url + "/" + EXPLORER + f"&game={GAME_ID}")
    viewer = Viewer(page)
    game = _game(GAME_ID)
    san = [node.san() for node in game.mainline()]
    # it opens where the game reaches the explorer's position: after 1. e4 e5
    viewer.shows(_board_after(game, 2), "e5", flipped=True)
    assert not driver.find_element(By.ID, "explorer-row").is_displayed()
    assert page.text("#viewer-header .viewer-players") == "bob-knight (2027)0-1frank (2354)"
    assert "2021.03.22 · ultraBullet · rated" in page.text("#viewer-header .viewer-meta")
    source = driver.find_element(By.CSS_SELECTOR, "#viewer-header a.viewer-source")
    assert source.get_attribute("href") == f"https://lichess.org/{GAME_ID}"
    assert (source.get_attribute("target"), source.get_attribute("rel")) == ("_blank", "noopener noreferrer")
    moves = driver.execute_script(
        "return Array.from(document.querySelectorAll('#viewer-moves .game-ply')).map(b => b.textContent)")
    assert moves == ["start", *san]  # every move, not only the indexed plies
    # the explorer's numbers for the viewer's position, under the explorer's filters
    api = live_app.api("?play=e2e4,e7e5&speeds=ultraBullet,bullet&rating_min=1600")
    numbers = driver.find_element(By.CSS_SELECTOR, "#viewer-numbers .moves")
    page.wait_for(lambda: numbers.get_attribute("data-fen") == api["fen"], "the numbers of 1. e4 e5")
    assert driver.execute_script(
        "return Array.from(document.querySelectorAll('#viewer-numbers tr.move-row')).map(r => r.dataset.uci)"
    ) == [m["uci"] for m in api["moves"]]
    save_shot(driver, SHOTS / "viewer-1366.png")

    page.key(Keys.END)
    viewer.shows(_board_after(game, len(san)), san[-1], flipped=True)
    page.key(Keys.HOME)
    viewer.shows(_board_after(game, 0), "start", flipped=True)
    page.key(Keys.ARROW_RIGHT)
    viewer.shows(_board_after(game, 1), san[0], flipped=True)
    page.button("viewer-next")
    viewer.shows(_board_after(game, 2), san[1], flipped=True)
    page.button("viewer-last")
    viewer.shows(_board_after(game, len(san)), san[-1], flipped=True)
    page.button("viewer-previous")
    viewer.shows(_board_after(game, len(san) - 1), san[-2], flipped=True)
    page.key(Keys.ARROW_LEFT)
    viewer.shows(_board_after(game, len(san) - 2), san[-3], flipped=True)
    driver.find_element(By.CSS_SELECTOR, '#viewer-moves [data-game-ply="7"]').click()
    viewer.shows(_board_after(game, 7), san[6], flipped=True)
    page.button("viewer-first")
    viewer.shows(_board_after(game, 0), "start", flipped=True)
    assert page.search == EXPLORER + f"&game={GAME_ID}"  # stepping leaves the URL alone

    driver.find_element(By.ID, "viewer-back").click()
    page.wait_for(lambda: page.search == EXPLORER, "the explorer's URL")
    page.wait_for(lambda: driver.find_element(By.ID, "explorer-row").is_displayed(), "the explorer shown")
    assert not driver.find_element(By.ID, "game-viewer").is_displayed()
    assert page.move_line() == ["e4", "e5"] and page.current_ply_text() == "e5"
    page.wait_for_api_numbers()  # the explorer's numbers for its line and filters
    checked = driver.execute_script(
        "return Array.from(document.querySelectorAll('#filter-speeds input:checked')).map(i => i.value)")
    assert checked == ["ultraBullet", "bullet"]
    page.key(Keys.ARROW_LEFT)  # the keys are the explorer's again
    page.wait_for(lambda: page.search.startswith("?play=e2e4&"), "← in the explorer")


def test_view002_a_long_game_on_a_phone_past_the_indexed_plies_and_a_reload(live_app, new_browser) -> None:
    driver = new_browser(390, 844)
    page = Dashboard(driver, live_app)
    driver.get(live_app.url + f"/?game={LONG_GAME_ID}")
    viewer = Viewer(page)
    game = _game(LONG_GAME_ID)
    san = [node.san() for node in game.mainline()]
    assert len(san) > 40  # longer than the indexed plies (INDEX_PLIES=40)
    viewer.shows(_board_after(game, 0), "start", flipped=False)  # no explorer line: the start
    page.key(Keys.ARROW_RIGHT)
    viewer.shows(_board_after(game, 1), san[0], flipped=False)
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 390  # nothing sticks out
    save_shot(driver, SHOTS / "viewer-390.png")
    page.key(Keys.END)
    viewer.shows(_board_after(game, len(san)), san[-1], flipped=False)
    assert page.wait_for(lambda: page.text("#viewer-numbers .past-index"), "no numbers past ply 40") == (
        "Past the first 40 half-moves: the explorer indexes the opening only.")
    driver.find_element(By.CSS_SELECTOR, '#viewer-moves [data-game-ply="40"]').click()
    viewer.shows(_board_after(game, 40), san[39], flipped=False)
    line = ",".join(m.uci() for m in list(game.mainline_moves())[:40])
    api = live_app.api(f"?play={line}")
    page.wait_for(lambda: driver.execute_script(
        "const m = document.querySelector('#viewer-numbers .moves'); return m && m.dataset.fen") == api["fen"],
        "the numbers at ply 40")
    assert api["games"] >= 1  # this game itself reached it
    driver.execute_script("document.getElementById('viewer-moves').scrollIntoView()")
    save_shot(driver, SHOTS / "viewer-390-moves.png")
    driver.refresh()  # the link survives a reload
    viewer.shows(_board_after(game, 0), "start", flipped=False)


def test_view003_an_unknown_game_says_so(live_app, browser) -> None:
    page = Dashboard(browser, live_app)
    browser.get(live_app.url + "/?play=d2d4&game=zzzzzzzz")
    message = page.wait_for(lambda: page.text("#viewer-header .viewer-missing"), "the message")
    assert message == "No game with id “zzzzzzzz” in these games."
    assert not browser.find_element(By.ID, "explorer-row").is_displayed()
    assert not browser.find_element(By.ID, "viewer-body").is_displayed()
    browser.find_element(By.ID, "viewer-back").click()
    page.wait_for(lambda: page.search == "?play=d2d4", "the explorer")
    page.wait_for(lambda: browser.find_element(By.ID, "explorer-row").is_displayed(), "the explorer shown")
    assert not browser.find_element(By.ID, "game-viewer").is_displayed()
    page.wait_for_api_numbers()


def test_view004_a_top_games_row_opens_the_viewer(live_app, browser) -> None:
    """The rows are the API's topGames and recentGames for the same line and filters (the
    API's lists are checked against python-chess in tests/integration/test_position_games)."""
    body = live_app.api("?play=e2e4,e7e5&speeds=ultraBullet,bullet&topGames=8&recentGames=8")
    assert len(body["topGames"]) >= 2 and body["recentGames"]
    first = body["topGames"][0]
    page = Dashboard(browser, live_app).open("?play=e2e4,e7e5&speeds=ultraBullet,bullet")
    rows = page.wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#games-panel .top-games .game-row"), "rows")
    assert [r.get_attribute("data-game") for r in rows] == [g["id"] for g in body["topGames"]]
    assert browser.execute_script(
        "return Array.from(document.querySelectorAll('#games-panel .top-games .game-row .game-players span span'))"
        ".slice(0, 4).map(e => e.textContent)"
    ) == [first["white"]["name"], str(first["white"]["rating"]), first["black"]["name"], str(first["black"]["rating"])]
    board = chess.Board()
    for uci in ("e2e4", "e7e5"):
        board.push_uci(uci)
    played = board.san(chess.Move.from_uci(first["uci"])) if first["uci"] else ""
    assert page.text("#games-panel .top-games .game-row .game-move") == played
    assert page.text("#games-panel .top-games .game-row .game-result") == {"white": "1-0", "black": "0-1"}.get(
        first["winner"] or "", "½-½")
    link = rows[0].find_element(By.CSS_SELECTOR, "a.game-source")
    assert link.get_attribute("href") == first["url"] and link.get_attribute("target") == "_blank"
    assert "noopener" in link.get_attribute("rel")
    assert [r.get_attribute("data-game") for r in browser.find_elements(
        By.CSS_SELECTOR, "#games-panel .recent-games .game-row")] == [g["id"] for g in body["recentGames"]]
    save_shot(browser, SHOTS / "games-panel-1366.png")
    browser.set_window_size(390, 844)
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
    panel = browser.find_element(By.ID, "games-panel")
    page.wait_for(lambda: panel.size["width"] < 390, "the phone layout")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", panel)
    page.wait_for(lambda: 0 < panel.location_once_scrolled_into_view["y"] < 844, "the panel in view")
    save_shot(browser, SHOTS / "games-panel-390.png")
    browser.set_window_size(1366, 900)
    rows[0].find_element(By.CSS_SELECTOR, "a.game-open").click()
    page.wait_for(lambda: page.search == f"?play=e2e4,e7e5&speeds=ultraBullet,bullet&game={first['id']}", "URL")
    viewer = Viewer(page)
    game = _game(first["id"])
    ply = next(p for p in range(41) if _board_after(game, p).epd() == board.epd())  # by any move order
    shown = _board_after(game, ply)
    last = _board_after(game, ply - 1).san(shown.peek())
    viewer.shows(shown, last, flipped=False)
    browser.back()  # the browser's back button closes the viewer too
    page.wait_for(lambda: browser.find_element(By.ID, "explorer-row").is_displayed(), "the explorer")
    assert page.search == "?play=e2e4,e7e5&speeds=ultraBullet,bullet"


def test_view005_on_a_phone_every_result_of_the_games_lists_stays_on_one_line(live_app, new_browser) -> None:
    """"½-½" could break at its hyphen in the narrow result column."""
    line = next(
        play for play in ("", "e2e4", "d2d4", "e2e4,e7e5", "e2e4,c7c5")
        if any(game["winner"] is None for kind in ("topGames", "recentGames")
               for game in live_app.api(f"?play={play}&topGames=8&recentGames=8")[kind])
    )
    driver = new_browser(390, 844)
    page = Dashboard(driver, live_app).open(f"?play={line}")
    page.wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "#games-panel .game-row"), "the games lists")
    lines = driver.execute_script(  # the line boxes of each result's text
        "return Array.from(document.querySelectorAll('#games-panel .game-result')).map(e => {"
        " const r = document.createRange(); r.selectNodeContents(e); return [e.textContent, r.getClientRects().length]; })"
    )
    assert "½-½" in {text for text, _ in lines}
    assert all(count == 1 for _, count in lines), lines
    save_shot(driver.find_element(By.ID, "games-panel"), SHOTS / "games-results-390.png")
