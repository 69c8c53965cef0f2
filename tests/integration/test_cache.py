"""The explorer cache, against real Redis and the default FileSystemCache.

A repeated question is answered from the cache: the tests prove it by changing the
database behind the cache's back and still seeing the old answer, until
bump_generation() (which every import calls) makes answers fresh. With Redis down the
API still answers, uncached, and says so in the log once.
"""

from __future__ import annotations

import logging
from datetime import date

import pytest
import redis
from sqlalchemy import text

from webapp import caching
from webapp.caching import bump_generation, memoized
from webapp.db.explorer import cache_key
from webapp.db.store import store_id
from webapp.indexer.games import GameRecord
from webapp.indexer.load import import_games
from webapp.model.position import position_key, uci_to_code
from webapp.model.query import ExplorerQuery
from webapp.model.speed import Speed
from webapp.settings import Settings

E4 = "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1"


def _redis_keys(url: str) -> list[str]:
    return [key.decode() for key in redis.Redis.from_url(url).scan_iter(match="oe:*")]


def _clear_redis(url: str) -> None:
    """Empty the session's private Redis (tests/conftest.py private_redis_url)."""
    redis.Redis.from_url(url).flushdb()


@pytest.fixture(autouse=True)
def _fresh_cache_health():  # type: ignore[no-untyped-def]
    """Cache health is process-wide: start and leave every test with a healthy cache."""
    caching._Health.down_since, caching._Health.warned = None, False
    yield
    caching._Health.down_since, caching._Health.warned = None, False


@pytest.fixture(params=["redis", "filesystem"])
def settings(request: pytest.FixtureRequest, database_url: str, tmp_path) -> Settings:  # type: ignore[no-untyped-def]
    """Overrides conftest's settings: each cache backend on each database."""
    base = Settings.from_env(
        {"DATABASE_URL": database_url, "CACHE_DIR": str(tmp_path / "cache"), "DATA_DIR": str(tmp_path)}
    )
    if request.param == "filesystem":
        return base
    url = request.getfixturevalue("private_redis_url")
    _clear_redis(url)
    return base.with_(redis_url=url)


def _record(uid: str, moves: str, result: str = "1-0", white: int = 1500, black: int = 1700) -> GameRecord:
    return GameRecord(
        uid=f"pgn:{uid}", source="pgn", white="ann", black="ben", white_rating=white,
        black_rating=black, result=result, speed=Speed.BLITZ, rated=True,
        played_on=date(2021, 3, 4), moves=moves.split(),
    )


GAMES = [
    _record("g1", "e2e4 e7e5 g1f3", "1-0"),
    _record("g2", "e2e4 c7c5", "0-1"),
    _record("g3", "e2e4 e7e5", "1/2-1/2", 1900, 2100),
    _record("g4", "d2d4 d7d5", "1-0"),
]


def _explore(client, play: str) -> dict:  # type: ignore[no-untyped-def]
    response = client.get("/api/explorer", query_string={"play": play})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _numbers(body: dict) -> tuple:  # type: ignore[type-arg]
    moves = tuple((m["uci"], m["white"], m["draws"], m["black"]) for m in body["moves"])
    return body["white"], body["draws"], body["black"], body["averageRating"], moves


def test_repeated_query_is_served_from_the_cache(client, engine) -> None:
    import_games(engine, GAMES, index_plies=40)
    first = _explore(client, "e2e4")
    assert _numbers(first) == (1, 1, 1, (1600 + 1600 + 2000) // 3, (("e7e5", 1, 1, 0), ("c7c5", 0, 0, 1)))
    # behind the cache's back: 100 more white wins with 1.e4 c5
    key = position_key(ExplorerQuery.build(play=["e2e4"]).board())
    with engine.begin() as connection:  # a position seen in one game: no month-less rollup yet
        connection.execute(
            text(
                "INSERT INTO move_stats (position_key, move, collection, speed, rated, rating_band,"
                " month, white, draws, black, rating_sum, seq) VALUES (:key, :move, 1, 2, 1, -1, 202103, 100, 0, 0, 0, 1)"
            ),
            {"key": key, "move": uci_to_code("c7c5")},
        )
    assert _explore(client, "e2e4") == first  # the cached answer
    bump_generation()
    fresh = _explore(client, "e2e4")
    assert _numbers(fresh)[:3] == (101, 1, 1)
    assert _numbers(fresh)[4] == (("c7c5", 100, 0, 1), ("e7e5", 1, 1, 0))


def test_empty_and_none_results_are_cached(client, engine) -> None:
    empty = _explore(client, "h2h4")
    assert (empty["games"], empty["moves"]) == (0, [])
    import_games(engine, [_record("h1", "h2h4 h7h5")], index_plies=40)  # bumps the generation
    assert _explore(client, "h2h4")["games"] == 1
    # an empty answer is stored like any other: a second call does not compute again
    calls: list[int] = []

    def compute_none() -> None:
        calls.append(1)
        return None

    assert memoized("test:none", compute_none) is None
    assert memoized("test:none", compute_none) is None
    assert memoized("test:empty", lambda: ()) == ()
    assert memoized("test:empty", lambda: ("recomputed",)) == ()
    assert len(calls) == 1


def test_empty_answer_stays_cached_until_the_generation_changes(client, engine) -> None:
    assert _explore(client, "a2a3")["games"] == 0
    key = position_key(ExplorerQuery.build(play=["a2a3"]).board())
    with engine.begin() as connection:  # rows the importer did not write: no bump
        connection.execute(
            text(
                "INSERT INTO move_stats (position_key, move, collection, speed, rated, rating_band,"
                " month, white, draws, black, rating_sum, seq)"
                " VALUES (:key, 0, 1, 2, 1, 16, 202103, 1, 0, 0, 1650, 1)"
            ),
            {"key": key},
        )
    assert _explore(client, "a2a3")["games"] == 0
    bump_generation()
    assert _explore(client, "a2a3")["games"] == 1


def test_import_makes_answers_fresh(client, engine) -> None:
    import_games(engine, GAMES, index_plies=40)
    assert _explore(client, "e2e4")["games"] == 3
    import_games(engine, [_record("n1", "e2e4 e7e6"), _record("n2", "e2e4 e7e6", "0-1")], index_plies=40)
    body = _explore(client, "e2e4")
    assert body["games"] == 5
    assert [(m["uci"], m["games"]) for m in body["moves"]] == [("e7e5", 2), ("e7e6", 2), ("c7c5", 1)]


def test_keys_are_plain_strings(client, settings, engine) -> None:
    query = ExplorerQuery.build(play=["e2e4"], speeds=["blitz"], rating_min=1600, rating_max=1999)
    key = cache_key(query)
    assert isinstance(key, str) and key.startswith(E4)
    _explore(client, "e2e4")
    if settings.redis_url:
        keys = _redis_keys(settings.redis_url)
        prefix = f"oe:explorer:{store_id(engine)}:"
        assert prefix + "generation" in keys
        assert any(k.startswith(prefix) and E4 in k for k in keys), keys


def test_transposed_unnamed_position_keeps_its_own_lines_name(client) -> None:
    # both lines reach one unnamed position (one cache entry); the name walks back along
    # each line to a different named ancestor
    via_d4 = _explore(client, "d2d4,g8f6,c2c4,e7e6,a2a3,a7a6")
    via_c4 = _explore(client, "c2c4,e7e6,d2d4,g8f6,a2a3,a7a6")
    assert via_d4["fen"] == via_c4["fen"]
    assert via_d4["opening"]["eco"] == "A50"
    assert via_c4["opening"]["eco"] == "A13"


def test_redis_down_answers_uncached_and_warns_once(database_url, closed_redis_url, tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    import flask_migrate

    from webapp import create_app
    from webapp.extensions import db

    settings = Settings.from_env(
        {"DATABASE_URL": database_url, "DATA_DIR": str(tmp_path), "REDIS_URL": closed_redis_url}
    )
    app = create_app(settings, dashboard=False)
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.begin() as connection:
            connection.execute(text("DELETE FROM move_stats"))
            connection.execute(text("DELETE FROM move_singles"))
            connection.execute(text("DELETE FROM player_move_stats"))
            connection.execute(text("DELETE FROM games"))
        client = app.test_client()
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="webapp.caching"):
            import_games(db.engine, GAMES, index_plies=40)  # its bump_generation must not fail
            for _ in range(3):
                for play, games in (("", 4), ("e2e4", 3), ("e2e4,e7e5", 2), ("d2d4", 1), ("h2h4", 0)):
                    assert _explore(client, play)["games"] == games
            bump_generation()
        warnings = [r for r in caplog.records if r.name == "webapp.caching"]
        assert len(warnings) == 1, [r.getMessage() for r in warnings]
        assert "cache unavailable" in warnings[0].getMessage()
        health = client.get("/health")
        assert health.status_code == 200
        assert health.get_json() == {"status": "ok", "database": "ok", "cache": "unreachable"}
        db.engine.dispose()
