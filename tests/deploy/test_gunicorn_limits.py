"""gunicorn with the deploy config: an over-long query string is a JSON 400, from the app up
to gunicorn's request-line limit and from the worker past it (never gunicorn's HTML 414)."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.private_redis import free_port

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


def _get(port: int, target: str) -> tuple[int, str, dict]:  # type: ignore[type-arg]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", target)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, response.getheader("Content-Type") or "", json.loads(body) if body[:1] == b"{" else {}


@pytest.fixture
def gunicorn(tmp_path):  # type: ignore[no-untyped-def]
    if not GUNICORN.exists():
        pytest.skip("gunicorn is not installed")
    env = {**os.environ, "DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT),
           "SECRET_KEY": secrets.token_hex(32), "WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "2"}
    for name in ("DATABASE_URL", "CONNECTION_STRING", "REDIS_URL", "JOB_QUEUE"):
        env.pop(name, None)
    subprocess.run([sys.executable, "-m", "webapp", "db", "upgrade"], env=env, cwd=ROOT,
                   check=True, capture_output=True, timeout=120)
    port = free_port()
    process = subprocess.Popen(
        [str(GUNICORN), "--config", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "webapp:server"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(port, "/health")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail("gunicorn did not start")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(30)


def test_long_query_strings_are_json_400s_under_gunicorn(gunicorn) -> None:  # type: ignore[no-untyped-def]
    status, kind, body = _get(gunicorn, "/api/explorer?play=" + "e2e4," * 1400)
    assert (status, kind) == (400, "application/json")
    assert body["error"].startswith("the query string is 7,005 bytes; at most 6,000 are accepted")
    status, kind, body = _get(gunicorn, "/api/explorer?play=" + "e2e4," * 2000)
    assert (status, kind) == (400, "application/json")
    assert body == {"error": "the request line is over 8190 bytes; send a shorter query string",
                    "status": 400}
    assert _get(gunicorn, "/api/explorer?play=e2e4")[0] == 200  # the worker serves on
