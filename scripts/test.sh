#!/usr/bin/env bash
# Install into .venv and run every test tier, then the linter.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt
.venv/bin/ruff check webapp tests benchmarks run.py
.venv/bin/python -m pytest "$@"
