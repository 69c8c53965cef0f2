"""Unknown players are named and remembered; a first start shows how to get games in."""

from __future__ import annotations

import chess.pgn
import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import select

from tests.browser.conftest import SAMPLE_PGN
from tests.browser.screen import Dashboard

pytestmark = pytest.mark.browser


def _requested(live) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    from webapp.db.tables import requested_players
    from webapp.extensions import db

    with live.app.app_context(), db.engine.connect() as connection:
        rows = connection.execute(select(requested_players.c.source, requested_players.c.name))
        return [tuple(row) for row in rows]


def test_brw030_an_unknown_player_is_named_and_recorded(live_app, browser) -> None:
    page = Dashboard(browser, live_app).open("?play=e2e4")
    page.type_player("Nobody_Here_42")
    notice = page.wait_for(lambda: page.text(".unknown-player"), "the unknown player notice")
    assert "nobody_here_42" in notice
    assert ("any", "nobody_here_42") in _requested(live_app)
    page.wait_for_api_numbers()  # all games are shown meanwhile
    page.play("e7e5")  # the board keeps working
    page.wait_for_api_numbers()


def _independent_counts(path) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """(games in the file, non-standard variants, repeated Site URLs) by python-chess."""
    games = variants = repeats = 0
    sites: set[str] = set()
    with open(path, encoding="utf-8") as handle:
        while (game := chess.pgn.read_game(handle)) is not None:
            games += 1
            if game.headers.get("Variant", "Standard").lower() not in ("standard", ""):
                variants += 1
            elif game.headers.get("Site") in sites:
                repeats += 1
            sites.add(game.headers.get("Site", ""))
    return games, variants, repeats


def test_brw031_first_start_offers_an_upload_and_counts_its_games(empty_app, browser) -> None:
    page = Dashboard(browser, empty_app).open()
    notice = page.wait_for(lambda: page.text("#empty-notice"), "the empty notice")
    assert "No games yet" in notice
    page.wait_for(lambda: browser.find_element(By.ID, "upload").is_displayed(), "the upload panel open")

    games, variants, repeats = _independent_counts(SAMPLE_PGN)
    browser.find_element(By.CSS_SELECTOR, "#upload input[type=file]").send_keys(str(SAMPLE_PGN))
    result = page.wait_for(lambda: page.text("#upload-result .upload-summary"), "the result")
    imported = games - variants - repeats
    assert result == (
        f"{SAMPLE_PGN.name}: Imported {imported} of {games} games "
        f"({repeats} already present, {variants} skipped)."
    )
    skips = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#upload-result .upload-skip")]
    assert skips == [f"Skipped {variants}: variant"]
    # every imported game reached the start position
    page.wait_for(lambda: page.read()["totals"] == str(imported), "the explorer totals")
    assert not browser.find_elements(By.ID, "empty-notice")
    page.wait_for_api_numbers()

    # the same file again: nothing new, and the page says so
    file_input = browser.find_element(By.CSS_SELECTOR, "#upload input[type=file]")
    browser.execute_script("arguments[0].value = ''", file_input)  # as the file dialog does
    file_input.send_keys(str(SAMPLE_PGN))
    page.wait_for(
        lambda: page.text("#upload-result .upload-summary")
        == f"{SAMPLE_PGN.name}: Imported 0 of {games} games ({imported + repeats} already present, "
        f"{variants} skipped).",
        "the second upload's result",
    )
    page.wait_for_api_numbers()
    assert page.read()["totals"] == str(imported)
