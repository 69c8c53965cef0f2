"""The app's PostgreSQL connections keep their prepared statements past a read's end
(webapp.db.prepared), and still roll back what a transaction wrote."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import text

from webapp.db.prepared import KeepingConnection
from webapp.db.tables import store_info
from webapp.model.query import ExplorerQuery


@pytest.fixture
def database_url(postgres_database_url: str) -> str:
    """conftest's app and engine, on PostgreSQL only (SQLite prepares nothing)."""
    return postgres_database_url


def _prepared(connection) -> set[str]:  # type: ignore[no-untyped-def]
    rows = connection.execute(text("SELECT statement FROM pg_prepared_statements")).scalars()
    return {" ".join(statement.split()) for statement in rows}


def test_a_read_ended_by_the_connection_keeps_the_statements_it_prepared(engine) -> None:  # type: ignore[no-untyped-def]
    statement = text("SELECT count(*) FROM store_info WHERE key = :key")
    with engine.connect() as connection:
        assert isinstance(connection.connection.dbapi_connection, KeepingConnection)
        for _ in range(connection.connection.dbapi_connection.prepare_threshold + 1):
            connection.execute(statement, {"key": "store_id"}).scalar_one()
            connection.rollback()  # what SQLAlchemy does as each `with engine.connect()` ends
        assert "SELECT count(*) FROM store_info WHERE key = $1" in _prepared(connection)


def test_a_rollback_after_a_write_still_undoes_it(engine) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        connection.execute(store_info.insert().values(key="written", value="then rolled back"))
        connection.rollback()
        assert connection.execute(text("SELECT count(*) FROM store_info WHERE key = 'written'")).scalar_one() == 0
    with engine.connect() as connection:  # the context's own end, with the write pending
        connection.execute(store_info.insert().values(key="written", value="then rolled back"))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM store_info WHERE key = 'written'")).scalar_one() == 0


def test_a_failed_statement_is_rolled_back_and_the_connection_goes_on(engine) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        with pytest.raises(Exception, match="division by zero"):
            connection.execute(text("SELECT 1 / 0"))
        connection.rollback()
        assert connection.execute(text("SELECT 2")).scalar_one() == 2


def test_the_explorer_reads_through_prepared_statements(engine) -> None:  # type: ignore[no-untyped-def]
    from webapp.db.explorer import query_explorer

    query = ExplorerQuery.build(play=["e2e4"])
    with engine.connect() as connection:
        for _ in range(connection.connection.dbapi_connection.prepare_threshold + 1):
            query_explorer(connection, query)
            connection.rollback()
        assert any(statement.startswith("SELECT anon_1.move, sum(anon_1.white)") for statement in _prepared(connection))


def test_a_statement_planned_for_its_values_is_never_prepared(engine) -> None:  # type: ignore[no-untyped-def]
    from webapp.db.prepared import PLANNED_FOR_ITS_VALUES

    statement = text("SELECT count(*) + :extra FROM store_info")
    with engine.connect() as connection:
        for extra in range(connection.connection.dbapi_connection.prepare_threshold + 2):
            answer = connection.execute(statement, {"extra": extra}, execution_options={PLANNED_FOR_ITS_VALUES: True})
            assert answer.scalar_one() == extra
        assert "SELECT count(*) + $1 FROM store_info" not in _prepared(connection)


def test_a_months_question_at_a_busy_position_plans_its_lists_for_it(engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from webapp.db import position_games
    from webapp.db.explorer import query_explorer
    from webapp.indexer.pgn import import_pgn_stream

    import_pgn_stream(engine, io.StringIO('[Result "1-0"]\n[Date "2020.05.01"]\n\n1. e4 e5 2. Nf3 1-0\n'), index_plies=8)
    query = ExplorerQuery.build(play=["e2e4"], since="2020-01", until="2020-12")

    def prepared_after_asking() -> set[str]:
        with engine.connect() as connection:
            for _ in range(connection.connection.dbapi_connection.prepare_threshold + 1):
                assert query_explorer(connection, query).totals.games == 1
                connection.rollback()
            return _prepared(connection)

    def lists(statements: set[str]) -> list[str]:
        return [s for s in statements if s.startswith("SELECT anon_1.move, anon_1.refs")]

    assert lists(prepared_after_asking())  # a position of one game: the lists' statement prepared
    engine.dispose()
    monkeypatch.setattr(position_games, "PLANNED_FOR_ITS_GAMES", 1)
    assert not lists(prepared_after_asking())
