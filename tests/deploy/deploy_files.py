"""Helpers for the deployment tests: compose files as a real compose implementation sees them."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
# The servers tests/conftest.py uses (same variables, same defaults); read here because
# `from conftest import ...` is ambiguous once several test folders have a conftest.
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PRODUCTION = ("docker-compose.yml",)
DEVELOPMENT = ("docker-compose.yml", "docker-compose.override.yml")
# Variables the compose files read from .env: the tests use the committed example instead.
COMPOSE_VARIABLES = (
    "POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "SECRET_KEY", "HTTP_PORT",
    "WEB_CONCURRENCY", "GUNICORN_THREADS", "INDEX_PLIES", "STATEMENT_TIMEOUT_MS",
    "POOL_RECYCLE", "CACHE_TIMEOUT", "REDIS_MAXMEMORY", "POSTGRES_MAX_CONNECTIONS", "POSTGRES_MAX_WAL_SIZE",
    "POSTGRES_SHARED_BUFFERS",
    "APP_IMAGE", "DEV_WEB_PORT", "DEV_DB_PORT", "DEV_REDIS_PORT", "OPERATOR_TOKEN",
    "UPLOAD_MAX_BYTES", "UPLOAD_MAX_UNPACKED_BYTES", "WRITE_RATE_LIMIT", "EXPORT_RATE_LIMIT",
    "REQUEST_DEADLINE_S", "HEAVY_REQUESTS",
)


def compose_binary() -> str:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("docker-compose is not installed (.ci/run installs it)")
    return binary


def run_compose_config(
    files: tuple[str, ...], *, env_file: str = ".env.example"
) -> subprocess.CompletedProcess[str]:
    """`docker-compose --env-file ENV -f FILE... config`, in a clean environment."""
    environment = {k: v for k, v in os.environ.items() if k not in COMPOSE_VARIABLES}
    command = [compose_binary(), "--env-file", env_file]
    for name in files:
        command += ["-f", name]
    return subprocess.run(
        [*command, "config"], cwd=ROOT, env=environment, capture_output=True, text=True,
        timeout=120,
    )


def compose_config(files: tuple[str, ...]) -> dict[str, Any]:
    """The merged, interpolated configuration, parsed; fails the test if compose rejects it."""
    result = run_compose_config(files)
    assert result.returncode == 0, f"docker-compose config failed:\n{result.stderr}"
    return yaml.safe_load(result.stdout)


def environment_of(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def published_ports(service: dict[str, Any]) -> list[str]:
    """Host-side ports of a service, whatever syntax compose printed them in."""
    ports = []
    for port in service.get("ports") or []:
        if isinstance(port, dict):
            if port.get("published") not in (None, ""):
                ports.append(str(port["published"]))
        elif ":" in str(port):
            ports.append(str(port).rsplit(":", 1)[0])
    return ports


def volume_mounts(service: dict[str, Any]) -> list[tuple[str, str]]:
    """(source, target) pairs of a service's volumes, short or long syntax."""
    mounts = []
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            mounts.append((str(volume.get("source")), str(volume["target"])))
        else:
            source, target = str(volume).split(":")[:2]
            mounts.append((source, target))
    return mounts


def dockerfile_instructions(path: Path = ROOT / "Dockerfile") -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = path.read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = "\n".join(lines).replace("\\\n", " ")
    instructions = []
    for line in joined.splitlines():
        words = line.strip().split(None, 1)
        if words:
            instructions.append((words[0].upper(), words[1] if len(words) > 1 else ""))
    return instructions


def stages(instructions: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """The instructions split into build stages, each starting with its FROM."""
    result: list[list[tuple[str, str]]] = []
    for instruction in instructions:
        if instruction[0] == "FROM":
            result.append([])
        if result:
            result[-1].append(instruction)
    return result
