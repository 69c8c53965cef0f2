"""Browser fixtures: the app on a SQLite file served from a thread, and headless Chromium.

The explorer's sample games (tests/fixtures/explorer_sample.pgn) are imported with the
PGN importer; a second server starts on an empty database for the upload journey.
Every test is skipped, with the reason, when chromium or chromedriver is missing.
"""

from __future__ import annotations

import io
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SAMPLE_PGN = FIXTURES / "explorer_sample.pgn"
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", shutil.which("chromedriver") or "/usr/bin/chromedriver")
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
).split()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    for item in items:
        if Path(str(item.fspath)).parent != here:
            continue
        item.add_marker(pytest.mark.browser)
        if missing:
            item.add_marker(pytest.mark.skip(
                reason=f"browser tests need chromium and chromedriver; missing: {', '.join(missing)} "
                "(apt-get install chromium chromium-driver)"
            ))


@dataclass
class LiveApp:
    """A running server: its base URL and its Flask app (for the database and the API)."""

    url: str
    app: object

    def api(self, search: str, path: str = "/api/explorer") -> dict:
        """The JSON API's answer for a dashboard query string (same parameter names)."""
        from urllib.parse import parse_qsl, urlencode

        params = [(k, v) for k, v in parse_qsl(search.lstrip("?")) if k != "orientation"]
        client = self.app.test_client()  # type: ignore[attr-defined]
        response = client.get(f"{path}?" + urlencode(params))
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()


def _start(tmp: Path, pgn: Path | None) -> tuple[LiveApp, Callable[[], None]]:
    import flask_migrate
    from werkzeug.serving import make_server

    from webapp import create_app
    from webapp.caching import bump_generation
    from webapp.extensions import db
    from webapp.settings import Settings

    settings = Settings.from_env(
        {"DATABASE_URL": f"sqlite:///{tmp / 'explorer.sqlite3'}", "DATA_DIR": str(tmp)}
    )
    app = create_app(settings)
    with app.app_context():
        flask_migrate.upgrade()
        if pgn is not None:
            from webapp.indexer.pgn import import_pgn_stream

            import_pgn_stream(db.engine, io.StringIO(pgn.read_text()), index_plies=settings.index_plies)
            bump_generation()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        with app.app_context():
            db.engine.dispose()

    return LiveApp(url=f"http://127.0.0.1:{server.server_port}", app=app), stop


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """The dashboard over the explorer sample games."""
    live, stop = _start(tmp_path_factory.mktemp("browser"), SAMPLE_PGN)
    yield live
    stop()


@pytest.fixture
def empty_app(tmp_path: Path) -> Iterator[LiveApp]:
    """The dashboard on a fresh, empty database (a first start)."""
    live, stop = _start(tmp_path, None)
    yield live
    stop()


@pytest.fixture
def new_browser() -> Iterator[Callable[..., object]]:
    """A factory of fresh headless Chromium sessions (each its own profile); all quit after."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    drivers: list = []

    def make(width: int = 1366, height: int = 900):  # type: ignore[no-untyped-def]
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in CHROME_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--window-size={width},{height}")
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        driver.set_window_size(width, height)
        drivers.append(driver)
        return driver

    yield make
    for driver in drivers:
        driver.quit()


@pytest.fixture
def browser(new_browser):  # type: ignore[no-untyped-def]
    return new_browser()
