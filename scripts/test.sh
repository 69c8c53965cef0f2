#!/usr/bin/env bash
# Install into .venv, run the linter, then every test tier.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt
.venv/bin/ruff check webapp tests benchmarks run.py
# three worker processes (pytest-xdist) on two cores: the tests wait on PostgreSQL and Chromium
# much of the time (the whole run 1,049 s against 1,166 s with two, one after the other);
# whole modules to one worker so module fixtures are built once; the slowest tests listed at
# the end, to keep the whole run under 20 minutes
.venv/bin/python -m pytest -n 3 --dist loadfile --durations=15 "$@"
