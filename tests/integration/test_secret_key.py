"""Background-job handles cannot be forged: no guessable SECRET_KEY, production refuses to
start without a real one, and the embedded server keeps a random key per data folder."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from dash import _callback_signing, _get_app

from tests.dash_requests import callback_body, callback_named
from webapp import create_app
from webapp.secret_key import embedded_secret_key, secret_key_problem
from webapp.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
GUESSABLE_KEYS = ["dev-only-not-secret", "", "dev", "secret", "changeme", "CHANGE-ME-long-random-string"]


def _dashboard_app(tmp_path: Path, **env: str):  # type: ignore[no-untyped-def]
    """The app as run.py and the tests build it when no SECRET_KEY is set."""
    settings = Settings.from_env(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'explorer.sqlite3'}", "DATA_DIR": str(tmp_path), **env}
    )
    app = create_app(settings, dashboard=True)
    # Dash finds "the" app through a context variable that earlier apps of this test
    # process may have set for good: point it at this one, as a server process has only one
    _get_app.app_context.set(app.extensions["dash_app"])
    return app


def _background_request(app, pid: int, key: str):  # type: ignore[no-untyped-def]
    """A request for the upload's background callback carrying oldJob and job signed with key."""
    callbacks = app.extensions["dash_app"].callback_map
    body = callback_body(callbacks, callback_named(callbacks, "upload-result.children"),
                         {"upload.contents": None}, ["upload.contents"])
    signed = _callback_signing.sign(key.encode(), _callback_signing.job_scope(None), str(pid))
    return app.test_client().post(
        "/_dash-update-component",
        query_string={"oldJob": signed, "job": signed, "cacheKey": "x"},
        data=json.dumps(body),
        content_type="application/json",
    )


@pytest.fixture
def child():  # type: ignore[no-untyped-def]
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    yield process
    process.kill()
    process.wait()


@pytest.mark.parametrize("key", GUESSABLE_KEYS)
def test_forged_old_job_signed_with_a_guessable_key_kills_nothing(key, child, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = _dashboard_app(tmp_path)
    response = _background_request(app, child.pid, key)
    assert response.status_code < 500
    assert child.poll() is None, "the forged oldJob killed the process"


def test_handle_signed_with_the_servers_key_does_stop_the_job(child, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # the same request with the real key kills: the forged requests above are well-formed
    app = _dashboard_app(tmp_path)
    response = _background_request(app, child.pid, app.secret_key)
    assert response.status_code < 500, response.data[:500]
    assert child.wait(10) is not None


def test_embedded_key_is_random_per_data_folder_and_private(tmp_path) -> None:
    key = embedded_secret_key(tmp_path / "one")
    assert secret_key_problem(key) is None
    assert embedded_secret_key(tmp_path / "one") == key  # kept across restarts
    assert embedded_secret_key(tmp_path / "two") != key
    mode = stat.S_IMODE((tmp_path / "one" / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_run_py_uses_the_data_folders_key(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.syspath_prepend(str(ROOT))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    import run

    settings = run.embedded_settings()
    assert settings.secret_key == (tmp_path / "secret_key").read_text().strip()


def _without_secret(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


@pytest.mark.parametrize("key", ["", "dev-only-not-secret", "CHANGE-ME-long-random-string", "short"])
def test_production_entry_points_refuse_to_start_without_a_real_key(key, tmp_path) -> None:
    env = _without_secret(DATA_DIR=str(tmp_path), **({"SECRET_KEY": key} if key else {}))
    server = subprocess.run(
        [sys.executable, "-c", "import webapp; webapp.server"],
        env=env, capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert server.returncode != 0
    assert "The server will not start without a real secret key" in server.stderr
    gunicorn = subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "--config", "deploy/gunicorn.conf.py",
         "--bind", "127.0.0.1:0", "webapp:server"],
        env=env, capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert gunicorn.returncode != 0
    assert "The server will not start without a real secret key" in gunicorn.stderr
    assert "Traceback" not in gunicorn.stderr


def test_production_refuses_the_example_operator_token(tmp_path) -> None:
    env = _without_secret(DATA_DIR=str(tmp_path), SECRET_KEY="k" * 40,
                          OPERATOR_TOKEN="CHANGE-ME-operator-token")
    server = subprocess.run(
        [sys.executable, "-c", "import webapp; webapp.server"],
        env=env, capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert server.returncode != 0 and "OPERATOR_TOKEN is the placeholder" in server.stderr
