"""docker-compose.yml (production) and the development override, as docker-compose 1.29 reads them.

Each test reads the output of `docker-compose config`, so what is checked is what a real
compose implementation made of the files (merge, interpolation from .env.example, anchors).
"""

from __future__ import annotations

import json
import re
import subprocess
from urllib.parse import urlsplit

import pytest
import yaml
from deploy_files import (
    DEVELOPMENT,
    PRODUCTION,
    ROOT,
    compose_config,
    dockerfile_instructions,
    environment_of,
    published_ports,
    run_compose_config,
    volume_mounts,
)

APP_SERVICES = ("migrate", "web", "worker")
WORKER_COMMAND = ["celery", "--app", "webapp.jobs.worker:celery_app", "worker", "--loglevel", "INFO"]


@pytest.fixture(scope="module")
def production() -> dict:
    return compose_config(PRODUCTION)


@pytest.fixture(scope="module")
def development() -> dict:
    return compose_config(DEVELOPMENT)


def example_env() -> dict[str, str]:
    pairs = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


def test_services(production: dict) -> None:
    assert set(production["services"]) == {
        "db", "cache", "migrate", "web", "worker", "scheduler", "proxy"
    }


def test_the_scheduler_runs_celery_beat_once(production: dict) -> None:
    scheduler = production["services"]["scheduler"]
    assert scheduler["command"][:5] == ["celery", "--app", "webapp.jobs.worker:celery_app", "beat", "--loglevel"]
    assert published_ports(scheduler) == []


@pytest.mark.parametrize("service", ["web", "worker"])
def test_app_services_wait_for_healthy_db_and_cache_and_finished_migrations(
    production: dict, service: str
) -> None:
    depends_on = production["services"][service]["depends_on"]
    assert depends_on == {
        "db": {"condition": "service_healthy"},
        "cache": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }


def test_migrate_is_a_one_shot_upgrade_after_the_database_is_healthy(production: dict) -> None:
    migrate = production["services"]["migrate"]
    assert migrate["command"] == ["python", "-m", "webapp", "db", "upgrade"]
    assert migrate["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert migrate["restart"] == "no"
    assert environment_of(migrate)["STATEMENT_TIMEOUT_MS"] == "0"  # no timeout for batch work
    assert environment_of(production["services"]["web"])["STATEMENT_TIMEOUT_MS"] == "10000"
    # The image's HEALTHCHECK (an HTTP probe) means nothing for a one-shot job.
    assert migrate["healthcheck"]["test"] in (["NONE"], "NONE") or migrate["healthcheck"].get("disable")


def test_db_and_cache_have_healthchecks_and_the_database_a_named_volume(production: dict) -> None:
    db, cache = production["services"]["db"], production["services"]["cache"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert "ping" in cache["healthcheck"]["test"]
    mounts = dict(volume_mounts(db))
    assert mounts == {"pgdata": "/var/lib/postgresql/data"}
    assert "pgdata" in production["volumes"]


def test_database_url_and_redis_url_point_at_the_db_and_cache_services(production: dict) -> None:
    db_env = environment_of(production["services"]["db"])
    for service in APP_SERVICES:
        env = environment_of(production["services"][service])
        url = urlsplit(env["DATABASE_URL"])
        assert url.scheme == "postgresql"
        assert (url.hostname, url.port) == ("db", 5432)
        assert url.username == db_env["POSTGRES_USER"]
        assert url.password == db_env["POSTGRES_PASSWORD"]
        assert url.path == "/" + db_env["POSTGRES_DB"]
        redis = urlsplit(env["REDIS_URL"])
        assert (redis.scheme, redis.hostname, redis.port) == ("redis", "cache", 6379)
        assert env["JOB_QUEUE"] == "celery"
        assert env["SECRET_KEY"] == example_env()["SECRET_KEY"]


def test_web_runs_the_images_gunicorn_command_with_its_sizing_from_the_environment(
    production: dict,
) -> None:
    web = production["services"]["web"]
    cmd = [args for name, args in dockerfile_instructions() if name == "CMD"][-1]
    assert web["command"] == json.loads(cmd)
    env = environment_of(web)
    assert env["WEB_CONCURRENCY"] == example_env()["WEB_CONCURRENCY"]
    assert env["GUNICORN_THREADS"] == example_env()["GUNICORN_THREADS"]
    assert "/health" in " ".join(web["healthcheck"]["test"])
    assert f"127.0.0.1:{env['PORT']}/health" in " ".join(web["healthcheck"]["test"])


def test_worker_runs_the_celery_worker(production: dict) -> None:
    assert production["services"]["worker"]["command"] == WORKER_COMMAND


@pytest.mark.parametrize("service", ["web", "worker"])
def test_web_and_worker_can_scale(production: dict, service: str) -> None:
    """`--scale web=3 --scale worker=2`: no fixed name, no fixed host port."""
    definition = production["services"][service]
    assert "container_name" not in definition
    assert published_ports(definition) == []


def test_only_the_proxy_publishes_a_port_in_production(production: dict) -> None:
    published = {
        name: published_ports(service) for name, service in production["services"].items()
    }
    assert published == {
        "db": [], "cache": [], "migrate": [], "web": [], "worker": [], "scheduler": [],
        "proxy": [example_env()["HTTP_PORT"]],
    }
    assert not any("container_name" in s for s in production["services"].values())
    proxy = production["services"]["proxy"]
    assert dict(volume_mounts(proxy))[str(ROOT / "deploy" / "nginx.conf")] == (
        "/etc/nginx/conf.d/default.conf"
    )
    assert proxy["depends_on"] == {"web": {"condition": "service_healthy"}}


def test_long_running_services_restart(production: dict) -> None:
    for name in ("db", "cache", "web", "worker", "proxy"):
        assert production["services"][name]["restart"] in ("unless-stopped", "always"), name


def test_pool_recycle_is_below_the_servers_idle_session_timeout(production: dict) -> None:
    command = " ".join(production["services"]["db"]["command"])
    idle = re.search(r"idle_session_timeout=(\d+)s", command)
    assert idle, command
    recycle = int(environment_of(production["services"]["web"])["POOL_RECYCLE"])
    assert 0 < recycle < int(idle.group(1))


def _server_settings(compose: dict) -> dict[str, str]:
    command = compose["services"]["db"]["command"]
    return dict(arg.split("=", 1) for flag, arg in zip(command, command[1:], strict=False) if flag == "-c")


def test_postgres_is_sized_for_a_large_import(production: dict, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Shared buffers that hold the position index of about a million games, and
    checkpoints far apart; both set from .env."""
    settings = _server_settings(production)
    assert (settings["shared_buffers"], settings["max_wal_size"]) == ("2GB", "8GB")
    env = tmp_path / "sized.env"
    env.write_text(
        (ROOT / ".env.example").read_text() + "\nPOSTGRES_SHARED_BUFFERS=512MB\nPOSTGRES_MAX_WAL_SIZE=2GB\n"
    )
    result = run_compose_config(PRODUCTION, env_file=str(env))
    assert result.returncode == 0, result.stderr
    settings = _server_settings(yaml.safe_load(result.stdout))
    assert (settings["shared_buffers"], settings["max_wal_size"]) == ("512MB", "2GB")


def test_secrets_come_from_the_env_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Without POSTGRES_PASSWORD / SECRET_KEY compose refuses to start, naming the variable."""
    empty = tmp_path / "empty.env"
    empty.write_text("")
    result = run_compose_config(PRODUCTION, env_file=str(empty))
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stderr or "SECRET_KEY" in result.stderr
    example = example_env()
    assert "CHANGE-ME" in example["POSTGRES_PASSWORD"]
    assert "CHANGE-ME" in example["SECRET_KEY"]
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", ".env"], cwd=ROOT, capture_output=True
    )
    assert ignored.returncode == 0, ".env must be git-ignored"
    assert ".env" in (ROOT / ".dockerignore").read_text().split()


def test_development_override_runs_the_dash_debug_server_on_the_mounted_source(
    development: dict,
) -> None:
    web = development["services"]["web"]
    assert web["command"] == ["python", "run.py"]
    env = environment_of(web)
    assert env["DASH_DEBUG"] == "1"
    assert env["HOST"] == "0.0.0.0"
    assert (str(ROOT), "/app") in volume_mounts(web)
    assert published_ports(web) == ["8050"]
    # The proxy and the healthcheck still reach web on the container port.
    assert env["PORT"] == environment_of(compose_config(PRODUCTION)["services"]["web"])["PORT"]


def test_development_publishes_the_database_and_redis(development: dict) -> None:
    assert published_ports(development["services"]["db"]) == ["5432"]
    assert published_ports(development["services"]["cache"]) == ["6379"]
    for service in ("worker", "migrate"):
        assert (str(ROOT), "/app") in volume_mounts(development["services"][service])
