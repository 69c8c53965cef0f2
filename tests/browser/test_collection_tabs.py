"""Collections on the page: a toggle per collection with its games, the API's numbers for
the ones chosen, `collections=` in the URL, and an upload into a named collection."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import FIXTURES, SAMPLE_PGN, LiveApp, _start
from tests.browser.screen import Dashboard, save_shot

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parent / "screenshots"
MASTERS_PGN = FIXTURES / "pgn" / "pgnmentor_two_blank_lines.pgn"  # four over-the-board games

_TOGGLES = """
return Array.from(document.querySelectorAll('#filter-collections label')).map(l => ({
  name: l.children[0].textContent, count: l.children[1].textContent,
  active: l.classList.contains('active'), ignored: l.querySelector('s') !== null}));
"""


@pytest.fixture
def two_collections(tmp_path: Path) -> Iterator[LiveApp]:
    """The explorer sample in its default collection (lichess) and four OTB games in `masters`."""
    from webapp.caching import bump_generation
    from webapp.extensions import db
    from webapp.indexer.pgn import import_pgn_files

    live, stop = _start(tmp_path, SAMPLE_PGN)
    with live.app.app_context():  # type: ignore[attr-defined]
        import_pgn_files(db.engine, [MASTERS_PGN], index_plies=40, collection="masters")
        bump_generation()
    yield live
    stop()


def _games_in(live: LiveApp, collection: str) -> int:
    return live.api(f"?collections={collection}")["games"]


def _toggle(page: Dashboard, name: str) -> None:
    page.driver.find_element(
        By.XPATH, f'//*[@id="filter-collections"]//label[span[1][normalize-space()="{name}"] or s="{name}"]'
    ).click()


def _toggles(page: Dashboard) -> list[dict]:  # type: ignore[type-arg]
    return page.driver.execute_script(_TOGGLES)


def _shot(driver, name: str) -> None:  # type: ignore[no-untyped-def]
    save_shot(driver, SHOTS / name)


def test_col001_a_collection_clicked_shows_the_apis_numbers_for_it(two_collections, new_browser) -> None:  # type: ignore[no-untyped-def]
    live = two_collections
    lichess, masters = _games_in(live, "lichess"), _games_in(live, "masters")
    assert masters == 4 and lichess > masters
    page = Dashboard(new_browser(1366, 900), live).open("?play=d2d4")
    page.wait_for(lambda: len(_toggles(page)) == 2, "two collection toggles")
    assert _toggles(page) == [
        {"name": "lichess", "count": f"{lichess:,}", "active": False, "ignored": False},
        {"name": "masters", "count": "4", "active": False, "ignored": False},
    ]
    assert page.text("#filter-collections-label") == "all"
    every = page.wait_for_api_numbers()

    _toggle(page, "masters")
    page.wait_for(lambda: "collections=masters" in page.search, "collections=masters in the URL")
    assert page.search == "?play=d2d4&collections=masters"
    shown = page.wait_for_api_numbers()
    assert shown != every and shown["totals"] == str(live.api(page.search)["games"])
    assert page.text("#filter-collections-label") == "masters"
    assert [t["active"] for t in _toggles(page)] == [False, True]
    _shot(page.driver, "collections-1366.png")

    _toggle(page, "lichess")
    page.wait_for(lambda: "collections=lichess,masters" in page.search, "both in the URL")
    assert page.wait_for_api_numbers() == every  # both collections are all the games here
    page.play("g8f6")  # the board keeps the collections
    assert page.search == "?play=d2d4,g8f6&collections=lichess,masters"
    page.wait_for_api_numbers()

    _toggle(page, "lichess")
    _toggle(page, "masters")
    page.wait_for(lambda: "collections=" not in page.search, "no collections in the URL")
    page.wait_for_api_numbers()
    assert page.text("#filter-collections-label") == "all"

    # the URL alone chooses them, in a fresh browser (its own session storage)
    phone = Dashboard(new_browser(390, 844), live).open("?play=d2d4&collections=masters")
    assert phone.wait_for_api_numbers() == shown
    phone.wait_for(lambda: [t["active"] for t in _toggles(phone)] == [False, True], "masters on")
    phone.driver.execute_script(
        "document.getElementById('filter-collections').scrollIntoView({block: 'start', behavior: 'instant'})"
    )
    phone.wait_for(lambda: phone.driver.execute_script("return window.scrollY") > 0, "scrolled")
    _shot(phone.driver, "collections-390.png")


def test_col002_a_collection_in_the_url_that_does_not_exist_is_shown_ignored(two_collections, browser) -> None:  # type: ignore[no-untyped-def]
    page = Dashboard(browser, two_collections).open("?collections=masters,nowhere")
    notice = page.wait_for(lambda: page.text("#message .alert"), "the notice")
    assert notice == "Filter left out: no collection named nowhere (ignored)"
    page.wait_for(lambda: len(_toggles(page)) == 3, "the toggles")
    assert _toggles(page)[2] == {"name": "nowhere", "count": "ignored", "active": True, "ignored": True}
    assert page.read()["totals"] == "4"  # the masters' games
    page.wait_for_api_numbers()
    _shot(browser, "collections-ignored-1366.png")
    _toggle(page, "nowhere")  # switched off: gone from the URL and the notice
    page.wait_for(lambda: page.search == "?collections=masters", "nowhere out of the URL")
    page.wait_for(lambda: not browser.find_elements(By.CSS_SELECTOR, "#message .alert"), "no notice")


def test_col003_an_upload_goes_to_the_collection_named(empty_app, browser) -> None:  # type: ignore[no-untyped-def]
    page = Dashboard(browser, empty_app).open()
    page.wait_for(lambda: browser.find_element(By.ID, "upload").is_displayed(), "the upload panel open")
    # no game, no months: the disabled months slider shows no made-up "0" and "1" at its ends
    page.wait_for(lambda: browser.find_elements(By.ID, "empty-notice"), "the empty store's notice")
    marks = "return Array.from(document.querySelectorAll('#filter-months .dash-slider-mark')).map(m => m.textContent)"
    assert all(not text.strip() for text in browser.execute_script(marks))
    box = browser.find_element(By.ID, "upload-collection")
    box.send_keys("My Games!")
    browser.find_element(By.CSS_SELECTOR, "#upload input[type=file]").send_keys(str(MASTERS_PGN))
    error = page.wait_for(lambda: page.text("#upload-result .upload-summary"), "the refusal")
    assert error == (
        f"{MASTERS_PGN.name}: Collection 'My Games!': use 1 to 64 lower-case letters, digits, _ . or -, "
        "starting with a letter or digit"
    )
    assert _games_in(empty_app, "masters") == 0 and empty_app.api("")["games"] == 0  # nothing imported

    box.clear()
    box.send_keys("masters")
    file_input = browser.find_element(By.CSS_SELECTOR, "#upload input[type=file]")
    browser.execute_script("arguments[0].value = ''", file_input)
    file_input.send_keys(str(MASTERS_PGN))
    page.wait_for(
        lambda: page.text("#upload-result .upload-summary")
        == f"{MASTERS_PGN.name}: Imported 4 of 4 games (0 already present, 0 skipped). Collection: masters.",
        "the upload's result",
    )
    assert _games_in(empty_app, "masters") == 4 == empty_app.api("")["games"]
    page.wait_for(lambda: _toggles(page) == [
        {"name": "masters", "count": "4", "active": False, "ignored": False}
    ], "the new collection's toggle")
    _shot(browser, "upload-collection-1366.png")
