"""The server's SECRET_KEY: required in production, generated per data folder when embedded.

Dash signs the handles of background jobs (process ids it may kill on request) with the
Flask secret key. A key anyone can guess lets anyone forge such a handle, so the
production entry points (`webapp:server`, deploy/gunicorn.conf.py) refuse to start
without a real one, and the embedded server (`run.py`) keeps a random key of its own in
its data folder, readable by its owner only.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

MIN_LENGTH = 32
KEY_FILE = "secret_key"
#: keys that have been defaults or examples somewhere: never accepted
KNOWN_KEYS = frozenset(
    {"dev-only-not-secret", "dev", "development", "secret", "secret-key", "secret_key",
     "changeme", "change-me", "test", "testing", "default", "password", "flask", "dash"}
)
GENERATE_HINT = 'python -c "import secrets; print(secrets.token_hex(32))"'


class MissingSecretKey(RuntimeError):
    """No usable SECRET_KEY where one is required; the message says how to make one."""


def secret_key_problem(key: str | None) -> str | None:
    """Why `key` is not a real secret key, or None when it is one."""
    if not key or not key.strip():
        return "SECRET_KEY is not set"
    lowered = key.strip().lower()
    if lowered in KNOWN_KEYS or "change-me" in lowered or "changeme" in lowered:
        return "SECRET_KEY is a placeholder or a well-known value"
    if len(key) < MIN_LENGTH:
        return f"SECRET_KEY is {len(key)} characters long; use at least {MIN_LENGTH}"
    return None


def require_secret_key(key: str | None) -> str:
    """The key, or MissingSecretKey saying what is wrong and how to make a good one."""
    problem = secret_key_problem(key)
    if problem is not None:
        raise MissingSecretKey(
            f"{problem}. The server will not start without a real secret key: anyone who "
            f"knows the key can stop the server's background jobs. Generate one with "
            f"{GENERATE_HINT} and set SECRET_KEY in the environment (.env for docker compose)."
        )
    assert key is not None
    return key


def require_operator_token_set_or_real(token: str | None) -> None:
    """MissingSecretKey when OPERATOR_TOKEN is the example's placeholder (empty is allowed)."""
    if token and ("change-me" in token.lower() or "changeme" in token.lower()):
        raise MissingSecretKey(
            "OPERATOR_TOKEN is the placeholder from .env.example: anyone could send it. "
            f"Set a real one ({GENERATE_HINT}) or leave it empty."
        )


def embedded_secret_key(data_dir: str | Path) -> str:
    """The data folder's own random key, created on first use (file mode 0600)."""
    folder = Path(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / KEY_FILE
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        os.chmod(path, 0o600)
        key = path.read_text(encoding="ascii").strip()
        if secret_key_problem(key) is None:
            return key
        path.unlink()  # emptied or damaged: draw a new one
        return embedded_secret_key(folder)
    key = secrets.token_hex(32)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key
