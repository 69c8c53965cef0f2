"""Whether the database carries the schema this code expects."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
UPGRADE_COMMAND = "python -m webapp db upgrade"


class SchemaOutdated(RuntimeError):
    """The database is behind the code (or empty); the message names the fix."""


def _scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config)


def head_revision() -> str | None:
    return _scripts().get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def check_schema(engine: Engine) -> None:
    """Raise SchemaOutdated unless the database is at this code's newest migration.

    A database at a revision this code does not know is newer than the code (a rolling
    upgrade: migrations ran, older workers still serve); that is allowed with a warning,
    since migrations are written to keep the previous release working.
    """
    current, head = current_revision(engine), head_revision()
    if current is not None and current != head and _is_unknown(current):
        log.warning(
            "database schema %s is newer than this code (%s); serving anyway", current, head
        )
        return
    if current != head:
        state = "has no schema yet" if current is None else f"is at revision {current}"
        raise SchemaOutdated(
            f"The database {engine.url.render_as_string(hide_password=True)} {state}; "
            f"this version needs revision {head}. Run: {UPGRADE_COMMAND}"
        )


def _is_unknown(revision: str) -> bool:
    try:
        return _scripts().get_revision(revision) is None
    except Exception:  # noqa: BLE001 - alembic raises for revisions it has never seen
        return True
