"""An analyst plays 1.e4 e5 2.Nf3 by clicking squares and reads the API's numbers on screen."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.screen import Dashboard, expected_rows

pytestmark = pytest.mark.browser


def test_brw001_clicking_e4_e5_nf3_shows_the_apis_numbers(live_app, browser) -> None:
    page = Dashboard(browser, live_app).open()
    page.play("e2e4", "e7e5", "g1f3")
    assert page.search == "?play=e2e4,e7e5,g1f3"
    assert page.move_line() == ["e4", "e5", "Nf3"]
    api = live_app.api("?play=e2e4,e7e5,g1f3")
    assert api["games"] > 0 and api["moves"]  # the sample has games here
    expected = expected_rows(api)
    shown = page.wait_for(lambda: page.read() if page.read() == expected else None, "the API's rows")
    assert shown["rows"][0]["san"] == api["moves"][0]["san"]
    assert page.text("#opening") == f"{api['opening']['eco']} {api['opening']['name']}"
    svg = page.board_svg()
    assert "lastmove" in svg  # g1 and f3 are marked


def test_brw002_back_forward_buttons_keys_plies_and_rows(live_app, browser) -> None:
    page = Dashboard(browser, live_app).open()
    page.play("e2e4", "e7e5")
    page.button("back")
    page.wait_for(lambda: page.search == "?play=e2e4", "back to 1.e4")
    page.wait_for_api_numbers()
    assert page.move_line() == ["e4", "e5"]  # the line ahead is kept
    page.button("forward")
    page.wait_for(lambda: page.search == "?play=e2e4,e7e5", "forward to 1...e5")
    page.wait_for_api_numbers()
    page.key(Keys.ARROW_LEFT)
    page.wait_for(lambda: page.search == "?play=e2e4", "← to 1.e4")
    page.key(Keys.ARROW_LEFT)
    page.wait_for(lambda: page.search == "", "← to the start")
    page.wait_for_api_numbers()
    page.key(Keys.ARROW_RIGHT)
    page.wait_for(lambda: page.search == "?play=e2e4", "→ to 1.e4")
    browser.find_element(By.XPATH, '//*[@id="move-line"]//button[text()="e5"]').click()
    page.wait_for(lambda: page.search == "?play=e2e4,e7e5", "ply e5 clicked")
    shown = page.wait_for_api_numbers()
    page.click_row(shown["rows"][0]["uci"])  # a row plays its move
    page.wait_for(lambda: page.search == f"?play=e2e4,e7e5,{shown['rows'][0]['uci']}", "row played")
    page.wait_for_api_numbers()
    page.button("reset")
    page.wait_for(lambda: page.search == "" and page.move_line() == [], "reset")


def test_brw003_picking_up_a_piece_marks_targets_and_flip_turns_the_board(live_app, browser) -> None:
    page = Dashboard(browser, live_app).open()
    page.click_square("g1")
    svg = page.wait_for(lambda: page.board_svg() if "#f6f669" in page.board_svg() else None, "g1 picked")
    assert svg.count("#2e8b57") == 2  # f3 and h3
    page.click_square("g1")  # put it back
    page.wait_for(lambda: "#f6f669" not in page.board_svg(), "g1 let go")
    page.button("flip")
    page.wait_for(lambda: page.search == "?orientation=black", "flipped in the URL")
    overlay = browser.find_element(By.ID, "board-overlay")
    assert "flipped" in overlay.get_attribute("class")
    page.play("e2e4")  # the squares still map to the right buttons when flipped
    page.wait_for_api_numbers()


def test_brw004_promotion_asks_for_the_piece(live_app, browser) -> None:
    line = "a2a4,b7b5,a4b5,a7a6,b5a6,c8b7,a6b7,b8c6"
    page = Dashboard(browser, live_app).open(f"?play={line}")
    page.play("b7a8n")
    assert page.search == f"?play={line},b7a8n"
    assert page.move_line()[-1] == "bxa8=N"
