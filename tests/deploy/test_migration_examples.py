"""The live-database migration pattern of docs/DEPLOY.md, run for real on SQLite and PostgreSQL.

deploy/migration_examples/ holds the two documented migrations (add nullable column +
batched backfill + concurrent index; then NOT NULL via a validated check). They are put on
top of the app's real migrations in a scratch copy and run up and down over imported games.
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import chess.pgn
import flask_migrate
import psycopg
import pytest
from deploy_files import POSTGRES_URL, ROOT
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from webapp import create_app
from webapp.db.schema import MIGRATIONS_DIR, head_revision
from webapp.settings import Settings

EXAMPLES = ROOT / "deploy" / "migration_examples"
FIXTURE = Path(__file__).parent / "fixtures" / "smoke.pgn"


@pytest.fixture(params=["sqlite", "postgresql"])
def scratch_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of this test's own: its schema leaves the app's migration history."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    request.getfixturevalue("postgres_database_url")  # skips when PostgreSQL is unavailable
    name = f"oe_deploy_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fixture_results() -> dict[str, str]:
    """Site URL → result of every fixture game, read by python-chess."""
    results = {}
    with FIXTURE.open() as handle:
        while (game := chess.pgn.read_game(handle)) is not None:
            results[game.headers["Site"]] = game.headers["Result"]
    return results


def scratch_migrations(tmp_path: Path) -> Path:
    """The app's migrations plus the examples, chained onto the app's current head; the
    backfill batch made tiny so that several batches run."""
    directory = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, directory, ignore=shutil.ignore_patterns("__pycache__"))
    head = head_revision()
    for example in sorted(EXAMPLES.glob("09*.py")):
        source = example.read_text()
        if example.name.startswith("0901"):
            source = re.sub(r'^down_revision = "\w+"', f'down_revision = "{head}"', source, flags=re.M)
            source = re.sub(r"^BATCH_ROWS = .*$", "BATCH_ROWS = 2", source, flags=re.M)
        (directory / "versions" / example.name).write_text(source)
    return directory


def decisive_by_site(connection) -> dict[str, bool | None]:  # type: ignore[no-untyped-def]
    rows = connection.execute(text("SELECT site, decisive FROM games")).all()
    return {site: decisive for site, decisive in rows}


def test_add_backfill_index_then_require(scratch_database_url: str, tmp_path: Path) -> None:
    from webapp.extensions import db
    from webapp.indexer.pgn import import_pgn_files

    settings = Settings.from_env(
        {"DATABASE_URL": scratch_database_url, "DATA_DIR": str(tmp_path)}
    )
    app = create_app(settings, dashboard=False)
    directory = str(scratch_migrations(tmp_path))
    expected = {site: result != "1/2-1/2" for site, result in fixture_results().items()}
    with app.app_context():
        flask_migrate.upgrade(directory=directory, revision=head_revision())
        import_pgn_files(db.engine, [FIXTURE], index_plies=settings.index_plies)

        flask_migrate.upgrade(directory=directory, revision="0901")
        with db.engine.connect() as connection:
            assert decisive_by_site(connection) == expected
            assert sum(expected.values()) == 5 and len(expected) == 7
        indexes = {ix["name"] for ix in inspect(db.engine).get_indexes("games")}
        assert "ix_games_decisive_month" in indexes
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as connection:
                valid = connection.execute(
                    text("SELECT indisvalid FROM pg_index WHERE indexrelid = "
                         "'ix_games_decisive_month'::regclass")
                ).scalar()
            assert valid is True

        # An old writer leaves a NULL between the releases; step 2 fills it, then requires.
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE games SET decisive = NULL WHERE result = '0-1'"))
        flask_migrate.upgrade(directory=directory, revision="0902")
        with db.engine.connect() as connection:
            assert decisive_by_site(connection) == expected
        columns = {c["name"]: c for c in inspect(db.engine).get_columns("games")}
        assert columns["decisive"]["nullable"] is False
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(text("UPDATE games SET decisive = NULL"))

        flask_migrate.downgrade(directory=directory, revision=head_revision())
        columns = {c["name"] for c in inspect(db.engine).get_columns("games")}
        assert "decisive" not in columns
        indexes = {ix["name"] for ix in inspect(db.engine).get_indexes("games")}
        assert "ix_games_decisive_month" not in indexes
        db.engine.dispose()
