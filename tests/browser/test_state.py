"""Per-browser state: a copied URL reopens the same view; two browsers never share a board."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.screen import Dashboard

pytestmark = pytest.mark.browser


def test_brw020_a_copied_url_opens_the_same_position_and_filters(live_app, new_browser) -> None:
    first = Dashboard(new_browser(), live_app).open()
    first.play("e2e4", "e7e5")
    first.tick_label("filter-speeds", "Bullet")
    first.wait_for(lambda: "speeds=" in first.search, "speeds in the URL")
    first.month_handle(0, Keys.ARROW_RIGHT)  # the sample starts in 2020-12
    first.wait_for(lambda: "since=2021-01" in first.search, "since in the URL")
    first.button("flip")
    first.wait_for(lambda: "orientation=black" in first.search, "orientation in the URL")
    shown = first.wait_for_api_numbers()
    url = first.driver.current_url

    second = Dashboard(new_browser(), live_app)
    second.driver.get(url)
    second.wait_for(lambda: second.move_line() == ["e4", "e5"], "the same line")
    assert second.wait_for_api_numbers() == shown
    assert second.search == first.search
    bullet = second.driver.find_element(By.CSS_SELECTOR, '#filter-speeds input[value="bullet"]')
    assert not bullet.is_selected()
    assert second.text("#filter-months-label") == "from 2021-01"
    assert "flipped" in second.driver.find_element(By.ID, "board-overlay").get_attribute("class")


def test_brw021_browser_back_button_returns_to_the_previous_position(live_app, browser) -> None:
    page = Dashboard(browser, live_app).open()
    page.play("d2d4", "d7d5")
    browser.back()
    page.wait_for(lambda: page.search == "?play=d2d4", "back to 1.d4")
    page.wait_for(lambda: page.current_ply_text() == "d4", "the board on 1.d4")
    page.wait_for_api_numbers()
    browser.forward()
    page.wait_for(lambda: page.current_ply_text() == "d5", "forward to 1...d5")


def test_brw022_two_browsers_on_different_lines_never_see_each_others_board(live_app, new_browser) -> None:
    one = Dashboard(new_browser(), live_app).open()
    two = Dashboard(new_browser(), live_app).open()
    for a, b in (("e2e4", "d2d4"), ("e7e5", "d7d5"), ("g1f3", "c2c4")):  # interleaved clicks
        one.play(a)
        two.play(b)
    assert one.search == "?play=e2e4,e7e5,g1f3" and two.search == "?play=d2d4,d7d5,c2c4"
    one.button("back")
    two.button("flip")
    one.wait_for(lambda: one.search == "?play=e2e4,e7e5", "one went back")
    two.wait_for(lambda: "orientation=black" in two.search, "two flipped")
    assert one.move_line() == ["e4", "e5", "Nf3"] and two.move_line() == ["d4", "d5", "c4"]
    assert one.wait_for_api_numbers()["fen"] != two.wait_for_api_numbers()["fen"]
    assert "flipped" not in one.driver.find_element(By.ID, "board-overlay").get_attribute("class")
    # a reload keeps each tab's own view
    one.driver.refresh()
    one.wait_for(lambda: one.move_line() == ["e4", "e5", "Nf3"], "one's line after reload")
    assert one.search == "?play=e2e4,e7e5"
