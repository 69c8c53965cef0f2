"""Every filter redraws at once with the API's numbers, and the board stays where it is."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.screen import Dashboard

pytestmark = pytest.mark.browser


def _changes(page: Dashboard, act, url_part: str) -> dict:  # type: ignore[no-untyped-def]
    """Do `act`, wait for `url_part` in the URL and the API's numbers on screen; return them."""
    before = page.read()
    act()
    page.wait_for(lambda: url_part in page.search, f"{url_part} in the URL")
    shown = page.wait_for_api_numbers()
    assert shown != before, f"{url_part} changed nothing on screen"
    assert page.search.startswith("?play=e2e4&") or page.search.startswith("?play=e2e4,e7e5&")
    return shown


def test_brw010_each_filter_redraws_with_the_apis_numbers(live_app, browser) -> None:
    page = Dashboard(browser, live_app).open("?play=e2e4")
    page.wait_for_api_numbers()
    _changes(page, lambda: page.tick_label("filter-speeds", "Classical"),
             "speeds=ultraBullet,bullet,blitz,rapid,correspondence")
    _changes(page, lambda: page.rating_handle(0, Keys.PAGE_UP), "rating_min=1000")
    _changes(page, lambda: page.rating_handle(1, Keys.PAGE_DOWN), "rating_max=2199")
    # the sample's games span 2020-12 to 2021-11: two months on from the start, seven back from the end
    _changes(page, lambda: page.month_handle(0, Keys.ARROW_RIGHT * 2), "since=2021-02")
    _changes(page, lambda: page.month_handle(1, Keys.ARROW_LEFT * 7), "until=2021-04")
    assert page.text("#filter-months-label") == "2021-02 – 2021-04"
    _changes(page, lambda: page.button("filter-rated"), "rated=true")
    assert page.move_line() == ["e4"]  # the board kept its place through every change


def test_brw011_player_beside_peers_and_colour(live_app, browser) -> None:
    page = Dashboard(browser, live_app).open("?play=e2e4,e7e5")
    page.wait_for_api_numbers()
    shown = _changes(page, lambda: page.type_player("frank"), "player=frank")
    assert shown["rows"] and shown["rows"][0]["peers_bar"] is not None  # two bars per move
    assert browser.find_elements(By.CSS_SELECTOR, "#moves .wdl-bar.player")
    _changes(page, lambda: page.tick_label("filter-color", "White"), "color=white")
    _changes(page, lambda: page.rating_handle(0, Keys.PAGE_UP), "rating_min=1000")
    # the peers are the Player tab's: games rated around the player's average, named
    peers = live_app.api(page.search, path="/api/player/peers")
    assert page.text("#moves .legend.peers") == f"peers {peers['ratingMin']}–{peers['ratingMax']}"
    assert page.text("#totals .peers-label").strip() == peers["label"] + ":"
    assert peers["label"].startswith("Peers rated ") and "frank's average" in peers["label"]
