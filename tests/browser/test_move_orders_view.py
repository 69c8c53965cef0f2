"""The move orders panel shows what `GET /api/explorer/orders` gives for the position:
each order's moves, games, share and results; clicking one puts the board on that line.
The explorer sample reaches 1.e4 also by a knight shuffle (1.Nf3 Nf6 2.Ng1 Ng8 … 5.e4),
so the position after 1.e4 has two orders. Fits a 390 px phone. Screenshots go to
$SCREENSHOTS when set."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.browser.screen import Dashboard
from tests.browser.test_charts import _shot

pytestmark = pytest.mark.browser

_READ_ORDERS = """
return Array.from(document.querySelectorAll('#move-orders .order-row')).map(a => ({
  uci: a.dataset.uci, games: Number(a.dataset.games), share: Number(a.dataset.share),
  white: Number(a.dataset.white), draws: Number(a.dataset.draws), black: Number(a.dataset.black),
  text: a.innerText, href: a.getAttribute('href'),
}));
"""


def _expected(api: dict) -> list[dict]:
    return [
        {"uci": ",".join(o["uci"]), "games": o["games"], "share": o["share"],
         "white": o["white"], "draws": o["draws"], "black": o["black"]}
        for o in api["orders"]
    ]  # fmt: skip


def _orders_shown(live, browser, width: int, play: str):  # type: ignore[no-untyped-def]
    page = Dashboard(browser, live).open("?play=" + play)
    assert not browser.find_element(By.ID, "move-orders-body").is_displayed()  # closed: nothing asked
    switch = browser.find_element(By.ID, "move-orders-switch")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", switch)
    api = live.api("?play=" + play, path="/api/explorer/orders")
    expected = _expected(api)
    assert len(expected) >= 2
    try:
        rows = page.wait_for(
            lambda: (shown := browser.execute_script(_READ_ORDERS))
            and [{k: r[k] for k in expected[0]} for r in shown] == expected and shown,
            "the API's orders",
        )
    except AssertionError:
        raise AssertionError(f"{browser.execute_script(_READ_ORDERS)} != {expected}") from None
    for row, order in zip(rows, api["orders"], strict=True):
        assert f"{order['games']:,} games · {100 * order['share']:.0f}%" in row["text"]
        assert order["san"][-1] in row["text"]
    assert browser.execute_script("return document.documentElement.scrollWidth") <= width
    browser.execute_script(
        "document.getElementById('move-orders').scrollIntoView({block: 'center'})"
    )
    _shot(browser, f"move-orders-{width}")
    return page, api, rows


def test_brw080_move_orders_show_the_apis_orders_and_a_click_plays_one(live_app, new_browser) -> None:
    _orders_shown(live_app, new_browser(1366, 900), 1366, "e2e4")
    browser = new_browser(390, 844)
    page, api, rows = _orders_shown(live_app, browser, 390, "e2e4")
    shuffle = api["orders"][1]
    assert len(shuffle["uci"]) > 1 and shuffle["uci"][-1] == "e2e4" and shuffle["divergesAt"] == 0
    link = browser.find_element(By.CSS_SELECTOR, f'#move-orders .order-row[href="{rows[1]["href"]}"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", link)
    page.wait_for(lambda: page.search == rows[1]["href"][1:], "the order's line in the URL")
    page.wait_for(lambda: page.move_line() == shuffle["san"], "the board's line")
