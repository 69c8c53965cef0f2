"""In a real browser: import a chess.com account from the Player tab against a local stand-in
for chess.com, watch the progress bar move month by month, then see the player's numbers.

Uses the `browser` fixture of tests/browser/conftest.py; the server here is its own, since
it must point CHESSCOM_API_URL at the stand-in.

The import's alert is a new element every time Dash renders it (the callback returns a
fresh dbc.Alert), and the status line and summary are redrawn as the import runs: the
tests read their text in one script call (`_text`), never through a WebElement held
across a redraw, which goes stale."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from chess_sites import FIXTURES, ChessSites

from webapp import create_app
from webapp.settings import Settings

pytestmark = pytest.mark.browser
MONTHS = ("2021-01", "2021-02", "2021-03")


@pytest.fixture
def sites() -> Iterator[ChessSites]:
    with ChessSites() as server:
        server.add_chesscom_fixture_months("AliceK", *MONTHS)
        server.delay_s = 1.0  # each request takes a second, so the bar is seen moving
        yield server


@pytest.fixture
def live_server(tmp_path: Path, sites: ChessSites) -> Iterator[str]:
    import flask_migrate
    from werkzeug.serving import make_server

    settings = Settings.from_env(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'explorer.sqlite3'}", "DATA_DIR": str(tmp_path)}
    ).with_(chesscom_api_url=sites.url, lichess_api_url=sites.url)
    app = create_app(settings)
    with app.app_context():
        flask_migrate.upgrade()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def white_games_of_alice() -> int:
    count = 0
    for label in MONTHS:
        games = json.loads((FIXTURES / f"chesscom_alicek_{label}.json").read_text())["games"]
        count += sum(1 for g in games if g["rules"] == "chess" and g["white"]["username"] == "AliceK")
    return count


def wait_for(condition, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting for the page")


def _text(browser, element_id: str) -> str:  # type: ignore[no-untyped-def]
    """The element's rendered text, read in one go ('' when it is not on the page)."""
    return browser.execute_script(
        "const e = document.getElementById(arguments[0]); return e ? e.innerText : ''", element_id
    ) or ""


def _enabled(browser, element_id: str) -> bool:  # type: ignore[no-untyped-def]
    return bool(browser.execute_script(
        "const e = document.getElementById(arguments[0]); return !!e && !e.disabled", element_id
    ))  # fmt: skip


def test_player_import_from_the_page(browser, live_server, sites) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(live_server + "/")
    tab = wait_for(lambda: [a for a in browser.find_elements(By.CSS_SELECTOR, "a.nav-link")
                            if a.text.strip() == "Player"])
    tab[0].click()
    Select(wait_for(lambda: browser.find_element(By.ID, "player-import-source"))).select_by_value(
        "chesscom"
    )
    browser.find_element(By.ID, "player-import-username").send_keys("AliceK")
    browser.find_element(By.ID, "player-import-button").click()

    seen: list[str] = []
    deadline = time.monotonic() + 40
    alert_text = ""
    while time.monotonic() < deadline:
        status = _text(browser, "player-import-status")
        if status and (not seen or seen[-1] != status):
            seen.append(status)
        alert_text = _text(browser, "player-import-alert")
        if alert_text:
            break
        time.sleep(0.1)
    assert "chesscom:alicek: 8 new games imported" in alert_text
    months_seen = {s.split(" of ")[0] for s in seen if " of 3 months" in s}
    assert {"1", "2"} <= months_seen, seen  # the bar moved: 1 of 3, then 2 of 3 months

    expected = white_games_of_alice()
    games = wait_for(lambda: _text(browser, "player-summary-games") == f"{expected} games")
    assert games
    assert browser.find_element(By.ID, "player-name").get_attribute("value") == "chesscom:alicek"
    assert sites.paths()[0] == "/pub/player/alicek/games/archives"


def _click_player_tab(browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    tab = wait_for(lambda: [a for a in browser.find_elements(By.CSS_SELECTOR, "a.nav-link")
                            if a.text.strip() == "Player"])
    tab[0].click()


def _alert(browser) -> str:  # type: ignore[no-untyped-def]
    return _text(browser, "player-import-alert")


def test_cancelled_import_can_be_run_again(browser, live_server, sites) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(live_server + "/")
    _click_player_tab(browser)
    Select(wait_for(lambda: browser.find_element(By.ID, "player-import-source"))).select_by_value(
        "chesscom"
    )
    browser.find_element(By.ID, "player-import-username").send_keys("AliceK")
    browser.find_element(By.ID, "player-import-button").click()
    wait_for(lambda: "1 of 3 months" in _text(browser, "player-import-status"))
    browser.find_element(By.ID, "player-import-cancel").click()
    assert "cancelled" in wait_for(lambda: _alert(browser))
    wait_for(lambda: _enabled(browser, "player-import-button"))

    sites.delay_s = 0.0
    browser.find_element(By.ID, "player-import-button").click()

    def imported() -> str:
        text = _alert(browser)
        return text if "new games imported" in text else ""

    done = wait_for(imported)
    # what landed before the cancel plus what this import added: every game exactly once
    landed_before = 8 - int(done.split(": ")[1].split(" new")[0])
    assert landed_before in (3, 6)  # whole months only: January, or January and February
    expected = white_games_of_alice()
    wait_for(lambda: _text(browser, "player-summary-games") == f"{expected} games")
