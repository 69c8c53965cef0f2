"""An import fanned out over two Celery workers (PostgreSQL, a private Redis): each worker
imports a part, both append at once, and the counts are those of one import."""

from __future__ import annotations

import importlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from explorer_reference import api_numbers, read_games, reference
from sample_games import EXPLORER_SAMPLE

from webapp.caching import bump_generation
from webapp.indexer.compact import compact
from webapp.jobs.fanout import fan_out_import, split_pgn


@pytest.fixture
def database_url(postgres_database_url: str) -> str:
    """PostgreSQL only: the compose deployment's workers write there (SQLite has one writer)."""
    return postgres_database_url


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def private_redis(tmp_path: Path):  # type: ignore[no-untyped-def]
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    for _ in range(100):
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.RedisError:
            time.sleep(0.05)
    yield url
    process.terminate()
    process.wait(timeout=10)


def test_split_keeps_every_game_whole(tmp_path: Path) -> None:
    parts = split_pgn(EXPLORER_SAMPLE, 3, tmp_path)
    assert len(parts) == 3
    games = sorted(g.site for g in read_games(parts))
    assert games == sorted(g.site for g in read_games([EXPLORER_SAMPLE]))


def test_two_workers_import_the_parts_exactly(app, engine, client, private_redis, tmp_path, monkeypatch) -> None:
    celery = shutil.which("celery", path=str(Path(sys.executable).parent))
    assert celery, "celery is not installed in this environment"
    settings = app.extensions["settings"]
    env = {
        **os.environ, "DATABASE_URL": settings.database_url, "REDIS_URL": private_redis,
        "JOB_QUEUE": "celery", "DATA_DIR": str(tmp_path),
    }
    monkeypatch.setenv("REDIS_URL", private_redis)
    import webapp.jobs.worker as worker

    importlib.reload(worker)  # the broker is read from REDIS_URL at import
    app.extensions["settings"] = settings.with_(job_queue="celery")
    workers = [
        subprocess.Popen(
            [celery, "--app", "webapp.jobs.worker:celery_app", "worker", "--pool", "solo",
             "-n", f"w{n}@%h", "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--prefetch-multiplier", "1"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        for n in (1, 2)
    ]
    try:
        for _ in range(240):  # both workers up before the parts go out
            if len(worker.celery_app.control.ping(timeout=0.5)) == 2:
                break
        parts = split_pgn(EXPLORER_SAMPLE, 4, tmp_path / "parts")
        report = fan_out_import(app, parts, timeout_s=240)
    finally:
        for process in workers:
            process.terminate()
        outputs = [process.communicate(timeout=30)[0] for process in workers]
    games = read_games([EXPLORER_SAMPLE])
    assert report.imported == len(games), outputs
    assert len(report.workers) == 2, report.workers  # type: ignore[attr-defined]
    compact(engine)
    bump_generation()
    for play in ([], ["e2e4"], ["d2d4", "d7d5", "g1f3"]):
        body = client.get("/api/explorer", query_string={"play": ",".join(play)}).get_json()
        assert api_numbers(body) == reference(games, play=play)
