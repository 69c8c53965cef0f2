#!/usr/bin/env bash
# Install into .venv, run the linter, then every test tier.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt
.venv/bin/ruff check webapp tests benchmarks run.py
# two worker processes (pytest-xdist), whole modules to one worker so module fixtures are built
# once; the slowest tests listed at the end, to keep the whole run under 20 minutes
.venv/bin/python -m pytest -n 2 --dist loadfile --durations=15 "$@"
