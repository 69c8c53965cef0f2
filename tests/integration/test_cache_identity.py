"""Two databases behind one cache (a shared cache folder, a shared Redis database) each
answer their own numbers: every cached value is keyed by the database's store id."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import select

from tests.private_redis import private_redis
from webapp import create_app
from webapp.db.store import forget_store_ids, read_store_id, store_id
from webapp.db.tables import metadata, store_info
from webapp.extensions import db
from webapp.indexer.games import GameRecord
from webapp.indexer.load import import_games
from webapp.model.speed import Speed
from webapp.settings import Settings


def _record(uid: str, moves: str, result: str) -> GameRecord:
    return GameRecord(
        uid=f"pgn:{uid}", source="pgn", white="ann", black="ben", white_rating=1500,
        black_rating=1700, result=result, speed=Speed.BLITZ, rated=True,
        played_on=date(2021, 3, 4), moves=moves.split(),
    )


FIRST = [_record("a1", "e2e4 e7e5", "1-0"), _record("a2", "e2e4 c7c5", "0-1"),
         _record("a3", "e2e4 e7e5", "1/2-1/2")]
SECOND = [_record("b1", "e2e4 e7e6", "1-0")]


@pytest.fixture(scope="module")
def shared_redis_url():  # type: ignore[no-untyped-def]
    with private_redis() as url:
        yield url


def _app(database_url: str, data_dir: Path, cache_dir: Path, redis_url: str | None):  # type: ignore[no-untyped-def]
    settings = Settings.from_env(
        {"DATABASE_URL": database_url, "DATA_DIR": str(data_dir), "CACHE_DIR": str(cache_dir)}
    ).with_(redis_url=redis_url)
    app = create_app(settings, dashboard=False)
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                connection.execute(table.delete())  # the store id too: it comes back by itself
    return app


def _e4(app) -> tuple[int, int, int, list[str]]:  # type: ignore[no-untyped-def]
    body = app.test_client().get("/api/explorer", query_string={"play": "e2e4"}).get_json()
    return body["white"], body["draws"], body["black"], [m["uci"] for m in body["moves"]]


@pytest.mark.parametrize("backend", ["filesystem", "redis"])
def test_two_databases_sharing_one_cache_answer_their_own_numbers(
    backend, database_url, tmp_path, request
) -> None:  # type: ignore[no-untyped-def]
    redis_url = request.getfixturevalue("shared_redis_url") if backend == "redis" else None
    cache_dir = tmp_path / "shared-cache"
    first = _app(database_url, tmp_path / "one", cache_dir, redis_url)
    second = _app(f"sqlite:///{tmp_path / 'two.sqlite3'}", tmp_path / "two", cache_dir, redis_url)
    for app, games in ((first, FIRST), (second, SECOND)):
        with app.app_context():
            import_games(db.engine, games, index_plies=40)
    for _ in range(2):  # computed, then from the cache
        with first.app_context():
            assert _e4(first) == (1, 1, 1, ["e7e5", "c7c5"])
        with second.app_context():
            assert _e4(second) == (1, 0, 0, ["e7e6"])
    for app in (first, second):
        with app.app_context():
            db.engine.dispose()


def test_store_id_is_drawn_by_the_migration_and_recreated_when_missing(app, engine) -> None:  # type: ignore[no-untyped-def]
    # conftest emptied every table after upgrading: the id comes back on first read
    forget_store_ids()
    created = store_id(engine)
    assert len(created) == 32 and int(created, 16) >= 0
    with engine.connect() as connection:
        assert connection.execute(select(store_info.c.value)).scalars().all() == [created]
    assert read_store_id(engine) == created  # stable once there
    flask_migrate.downgrade(revision="0004")
    flask_migrate.upgrade()
    with engine.connect() as connection:
        drawn = connection.execute(select(store_info.c.value)).scalars().all()
    assert len(drawn) == 1 and drawn[0] != created  # the migration drew a fresh one
    forget_store_ids()
