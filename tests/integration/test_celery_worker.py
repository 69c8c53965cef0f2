"""The compose deployment's job queue for real: a Celery worker (Redis broker) runs an
account import that the app recorded and enqueued after its commit. The broker is the test
session's private Redis (tests/conftest.py), emptied after; never the machine's shared one."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from chess_sites import ChessSites

from webapp.jobs.imports import job_status


@pytest.fixture
def redis_url(private_redis_url: str) -> str:
    return private_redis_url


def test_celery_worker_runs_an_enqueued_import(app, engine, redis_url, tmp_path: Path, monkeypatch) -> None:
    celery = shutil.which("celery", path=str(Path(sys.executable).parent))
    assert celery, "celery is not installed in this environment"
    with ChessSites() as sites:
        sites.add_chesscom_fixture_months("AliceK", "2021-01", "2021-02", "2021-03")
        settings = app.extensions["settings"]
        env = {
            **os.environ,
            "DATABASE_URL": settings.database_url,
            "REDIS_URL": redis_url,
            "JOB_QUEUE": "celery",
            "DATA_DIR": str(tmp_path),
            "CHESSCOM_API_URL": sites.url,
        }
        monkeypatch.setenv("REDIS_URL", redis_url)
        import webapp.jobs.worker as worker

        importlib.reload(worker)  # the broker is read from REDIS_URL at import
        app.extensions["settings"] = settings.with_(job_queue="celery", chesscom_api_url=sites.url)
        process = subprocess.Popen(
            [celery, "--app", "webapp.jobs.worker:celery_app", "worker", "--pool", "solo",
             "--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        try:
            from webapp.jobs.queue import enqueue_import

            job_id = enqueue_import(app, "chesscom", "AliceK")
            status = job_status(engine, job_id)
            for _ in range(300):
                status = job_status(engine, job_id)
                if status.status in ("done", "failed") or process.poll() is not None:
                    break
                time.sleep(0.1)
        finally:
            process.terminate()
            output = process.communicate(timeout=20)[0]
            redis.Redis.from_url(redis_url).flushdb()
        assert (status.status, status.games_added) == ("done", 8), output[-2000:]
