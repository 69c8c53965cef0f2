"""A file over the upload limit: the page says so (the browser never sends it)."""

from __future__ import annotations

import threading

import pytest
from selenium.webdriver.common.by import By

from tests.bombs import GAME
from tests.browser.screen import Dashboard

pytestmark = pytest.mark.browser


@pytest.fixture
def small_limit_app(tmp_path):  # type: ignore[no-untyped-def]
    import flask_migrate
    from werkzeug.serving import make_server

    from tests.browser.conftest import LiveApp
    from webapp import create_app
    from webapp.extensions import db
    from webapp.settings import Settings

    settings = Settings.from_env(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'explorer.sqlite3'}", "DATA_DIR": str(tmp_path),
         "UPLOAD_MAX_BYTES": "2048"}
    )
    app = create_app(settings)
    with app.app_context():
        flask_migrate.upgrade()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield LiveApp(url=f"http://127.0.0.1:{server.server_port}", app=app)
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


def test_brw061_a_file_over_the_upload_limit_is_named_with_the_limit(small_limit_app, browser, tmp_path) -> None:  # type: ignore[no-untyped-def]
    page = Dashboard(browser, small_limit_app).open()
    page.wait_for(lambda: browser.find_element(By.ID, "upload").is_displayed(), "the upload panel open")
    big = tmp_path / "big.pgn"
    big.write_bytes(GAME * 40)  # 4.6 KB
    browser.find_element(By.CSS_SELECTOR, "#upload input[type=file]").send_keys(str(big))
    message = page.wait_for(lambda: page.text("#upload-too-large"), "the limit message")
    assert message == ("big.pgn is 4 KB; uploads are limited to 2 KB. "
                       "Import bigger files on the server: python -m webapp import FILE")
    small = tmp_path / "small.pgn"
    small.write_bytes(GAME)
    browser.find_element(By.CSS_SELECTOR, "#upload input[type=file]").send_keys(str(small))
    result = page.wait_for(lambda: page.text("#upload-result .upload-summary"), "the small file's result")
    assert result == "small.pgn: Imported 1 of 1 games (0 already present, 0 skipped)."
    assert page.text("#upload-too-large") in ("", None)
