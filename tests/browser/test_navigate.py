"""Getting to a position: a pasted FEN or move list, a dragged piece, castling onto the rook."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.screen import Dashboard, save_shot

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parent / "screenshots"
SICILIAN_FEN = "rnbqkbnr/pp1ppppp/8/2p5/4P3/5N2/PPPP1PPP/RNBQKB1R b KQkq - 1 2"
ITALIAN = "e2e4,e7e5,g1f3,b8c6,f1c4,f8c5"


def _paste(page: Dashboard, text: str) -> None:
    box = page.driver.find_element(By.ID, "jump-text")
    box.clear()
    box.send_keys(text)
    page.driver.find_element(By.ID, "jump-go").click()


def _shot(driver, name: str) -> None:  # type: ignore[no-untyped-def]
    save_shot(driver, SHOTS / name)


def test_nav001_jump_by_fen_shows_the_apis_numbers_for_that_position(live_app, browser) -> None:
    page = Dashboard(browser, live_app).open("?speeds=blitz,rapid,classical")
    _paste(page, SICILIAN_FEN)
    page.wait_for(lambda: "fen=" in page.search, "the FEN in the URL")
    assert page.search.startswith("?fen=rnbqkbnr/pp1ppppp/8/2p5/4P3/5N2/PPPP1PPP/RNBQKB1R+b+KQkq+-+1+2")
    assert "speeds=blitz,rapid,classical" in page.search  # the filters stay
    shown = page.wait_for_api_numbers()
    assert shown["fen"] == SICILIAN_FEN
    assert page.driver.find_element(By.ID, "jump-text").get_attribute("value") == ""
    # a move played from the FEN position continues from there
    if shown["rows"]:
        page.click_row(shown["rows"][0]["uci"])
        page.wait_for(lambda: "&play=" in page.search, "a move after the FEN")
        page.wait_for_api_numbers()
        assert page.move_line()[0] == shown["rows"][0]["san"]


def test_nav002_jump_by_a_pasted_move_list_sets_the_line(live_app, browser) -> None:
    page = Dashboard(browser, live_app).open()
    _paste(page, "1. e4 {best by test} c5 2. Nf3 d6")
    page.wait_for(lambda: page.search == "?play=e2e4,c7c5,g1f3,d7d6", "the line in the URL")
    page.wait_for(lambda: page.move_line() == ["e4", "c5", "Nf3", "d6"], "the line drawn")
    page.wait_for_api_numbers()
    _paste(page, "e2e4 c7c5 g1f3 d7d6 d2d4 c5d4")  # UCI, Enter-free: the Go button
    page.wait_for(lambda: page.search.endswith("d2d4,c5d4"), "the UCI line in the URL")
    page.wait_for(lambda: page.move_line() == ["e4", "c5", "Nf3", "d6", "d4", "cxd4"], "the UCI line drawn")
    page.wait_for_api_numbers()


def test_nav003_an_illegal_move_is_named_and_the_board_stays(live_app, browser) -> None:
    page = Dashboard(browser, live_app).open("?play=d2d4")
    box = page.driver.find_element(By.ID, "jump-text")
    box.send_keys("1. e4 e5 2. Ke3")
    box.send_keys(Keys.ENTER)  # Enter submits as well
    message = page.wait_for(lambda: page.text("#jump-message"), "the message")
    assert message == "“2. Ke3” is not a legal move for White after 1. e4 e5."
    assert page.search == "?play=d2d4"
    assert "Ke3" in box.get_attribute("value")  # nothing lost
    _shot(browser, "jump-error-1366.png")


def test_nav004_dragging_a_piece_plays_its_move(live_app, browser) -> None:
    page = Dashboard(browser, live_app).open()
    source = browser.find_element(By.CSS_SELECTOR, '[data-square="g1"]')
    target = browser.find_element(By.CSS_SELECTOR, '[data-square="f3"]')
    ActionChains(browser).click_and_hold(source).move_by_offset(5, -10).move_to_element(target).perform()
    ghost = browser.find_element(By.CSS_SELECTOR, ".drag-ghost")  # the knight follows the pointer
    assert "data:image/svg+xml" in ghost.value_of_css_property("background-image")
    assert "drag-over" in target.get_attribute("class")
    _shot(browser, "drag-1366.png")
    ActionChains(browser).release().perform()
    page.wait_for(lambda: page.search == "?play=g1f3", "Nf3 dragged")
    page.wait_for(lambda: page.move_line() == ["Nf3"], "Nf3 drawn")
    page.wait_for_api_numbers()
    assert not browser.find_elements(By.CSS_SELECTOR, ".drag-ghost")  # the ghost is gone
    # an illegal drop plays nothing
    source = browser.find_element(By.CSS_SELECTOR, '[data-square="e7"]')
    target = browser.find_element(By.CSS_SELECTOR, '[data-square="e3"]')
    ActionChains(browser).click_and_hold(source).move_by_offset(0, 10).move_to_element(target).release().perform()
    source = browser.find_element(By.CSS_SELECTOR, '[data-square="e7"]')
    target = browser.find_element(By.CSS_SELECTOR, '[data-square="e5"]')
    ActionChains(browser).click_and_hold(source).move_by_offset(0, 10).move_to_element(target).release().perform()
    page.wait_for(lambda: page.search == "?play=g1f3,e7e5", "e5 dragged after a bad drop")


def test_nav005_castling_by_putting_the_king_on_its_rook(live_app, browser) -> None:
    page = Dashboard(browser, live_app).open(f"?play={ITALIAN}")
    page.click_square("e1")
    svg = page.wait_for(lambda: page.board_svg() if "target capture h1" in page.board_svg() else None,
                        "h1 offered to the king")
    assert 'class="target f1"' in svg and 'class="target g1"' in svg
    page.click_square("h1")
    page.wait_for(lambda: page.search == f"?play={ITALIAN},e1g1", "castled short")
    page.wait_for(lambda: page.move_line()[-1:] == ["O-O"], "O-O drawn")
    page.wait_for_api_numbers()


def test_nav006_the_month_range_comes_from_the_url_and_goes_back_into_it(live_app, browser) -> None:
    page = Dashboard(browser, live_app).open("?play=e2e4&since=2021-03&until=2021-05")
    page.wait_for(lambda: page.text("#filter-months-label") == "2021-03 – 2021-05", "the range label")
    handles = browser.find_elements(By.CSS_SELECTOR, "#filter-months [role=slider]")
    values = [int(h.get_attribute("aria-valuenow")) for h in handles]
    assert values == [2021 * 12 + 2, 2021 * 12 + 4]
    page.wait_for_api_numbers()
    assert not browser.find_elements(By.CSS_SELECTOR, "#filter-months input")  # no month-number boxes
    ActionChains(browser).move_to_element(handles[1]).perform()  # hovering a handle names its month
    page.wait_for(lambda: "2021-05" in (page.text("#filter-months") or ""), "the handle's tooltip")
    page.month_handle(1, Keys.END)  # the end of the slider: no upper limit
    page.wait_for(lambda: "until=" not in page.search and "since=2021-03" in page.search, "until dropped")
    page.wait_for_api_numbers()
    assert page.text("#filter-months-label") == "from 2021-03"


def test_nav007_picking_a_player_from_the_suggestions(live_app, browser) -> None:
    page = Dashboard(browser, live_app).open("?play=e2e4")
    box = browser.find_element(By.ID, "filter-player")
    box.send_keys("carol")
    item = page.wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#player-suggestions li"), "suggestions")
    rows = browser.execute_script(
        "return Array.from(document.querySelectorAll('#player-suggestions li'))"
        ".map(li => [li.dataset.name, li.querySelector('.suggestion-meta').textContent])"
    )
    api = live_app.app.test_client().get("/api/players?prefix=carol&limit=8").get_json()
    assert rows == [[p["name"], f"{p['games']} games · {', '.join(p['sources'])}"] for p in api["players"]]
    assert rows[0] == ["Carol_Rook", "16 games · lichess"]  # 7 as white + 9 as black in the sample
    _shot(browser, "player-suggestions-1366.png")
    item[0].click()
    page.wait_for(lambda: "player=Carol_Rook" in page.search, "the player in the URL")
    page.wait_for_api_numbers()
    assert page.text("#totals .totals-line").startswith("Carol_Rook's games")
    # with the keyboard: ↓ and Enter pick the first name
    box = browser.find_element(By.ID, "filter-player")
    box.clear()
    box.send_keys("fra")
    page.wait_for(lambda: page.text("#player-suggestions li .suggestion-name") == "frank", "frank offered")
    box.send_keys(Keys.ARROW_DOWN, Keys.ENTER)
    page.wait_for(lambda: "player=frank" in page.search, "frank picked")
    page.wait_for_api_numbers()


@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
def test_nav008_screens_at_desktop_and_phone_width(live_app, new_browser, width: int, height: int) -> None:
    browser = new_browser(width, height)
    page = Dashboard(browser, live_app).open(f"?play={ITALIAN}&since=2021-01")
    page.wait_for_api_numbers()
    page.click_square("e1")  # castling targets: dots on f1 and g1, a ring on the h1 rook
    page.wait_for(lambda: "target capture h1" in page.board_svg(), "targets drawn")
    assert browser.execute_script("return document.documentElement.scrollWidth") <= width  # no sideways scroll
    assert page.text("#moves tfoot .totals-row td") == "Σ"
    _shot(browser, f"explorer-{width}.png")
    box = browser.find_element(By.ID, "jump-text")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
    box.send_keys("1. e4 e5 2. Nf3 Nc6 3. Bb5 a6 4. Ba4 Nf6 5. O-O Be7 6. Qe3")
    box.send_keys(Keys.ENTER)
    page.wait_for(lambda: page.text("#jump-message"), "the message")
    _shot(browser, f"jump-error-{width}.png")
    player = browser.find_element(By.ID, "filter-player")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", player)
    player.send_keys("ev")
    page.wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#player-suggestions li"), "suggestions")
    _shot(browser, f"suggestions-{width}.png")
    player.send_keys(Keys.ESCAPE)
    browser.execute_script("window.scrollTo(0, document.body.scrollHeight)")
    assert page.text("#filter-months-label") == "from 2021-01"
    _shot(browser, f"months-{width}.png")


def test_nav009_the_suggestions_sit_under_the_box(live_app, browser) -> None:
    page = Dashboard(browser, live_app).open()
    box = browser.find_element(By.ID, "filter-player")
    box.send_keys("gr")
    page.wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#player-suggestions li"), "suggestions")
    boxes = browser.execute_script(
        "const a = document.getElementById('filter-player').getBoundingClientRect();"
        "const b = document.getElementById('player-suggestions').getBoundingClientRect();"
        "return [a.left, a.bottom, b.left, b.top];"
    )
    assert abs(boxes[0] - boxes[2]) < 1 and 0 <= boxes[3] - boxes[1] <= 4, boxes


def test_nav010_dragging_on_a_flipped_board(live_app, browser) -> None:
    page = Dashboard(browser, live_app).open("?orientation=black")
    source = browser.find_element(By.CSS_SELECTOR, '[data-square="e2"]')
    target = browser.find_element(By.CSS_SELECTOR, '[data-square="e4"]')
    # with black below, e2 is near the top: e4 is further down the screen
    assert target.rect["y"] > source.rect["y"]
    ActionChains(browser).click_and_hold(source).move_by_offset(0, 8).move_to_element(target).release().perform()
    page.wait_for(lambda: page.search == "?play=e2e4&orientation=black", "e4 dragged on the flipped board")
    page.wait_for_api_numbers()


def test_nav011_a_link_with_bad_parameters_names_what_it_left_out(live_app, browser) -> None:
    page = Dashboard(browser, live_app).open("?play=e2e4,zzzz&speeds=fast&since=2020-13")
    page.wait_for(lambda: page.driver.find_elements(By.ID, "url-notice-alert"), "the notice")
    items = [li.text for li in page.driver.find_elements(By.CSS_SELECTOR, "#url-notice-alert li")]
    assert items == ["play: 'zzzz' is not a legal move here", "speeds: no speed named 'fast'",
                     "since: '2020-13' is not a month (YYYY-MM)"]
    page.wait_for(lambda: page.move_line() == ["e4"], "what could be read: 1.e4")
    assert page.driver.find_elements(By.ID, "url-notice-alert")
    page.open("?play=d2d4")  # a clean link: no notice
    page.wait_for(lambda: page.move_line() == ["d4"], "1.d4")
    assert not page.driver.find_elements(By.ID, "url-notice-alert")
