"""Migration 0026: the monthly summary's best_rating becomes NOT NULL, the rows an older
compaction left without one filled from their references; best_band, its index and, on
PostgreSQL, migration 0022's triggers go. Down, best_band comes back as the highest band of
the rows each summary row sums, with its index, best_rating nullable, and the triggers.
The numbers and the lists under a months filter are the same throughout."""

from __future__ import annotations

import flask_migrate
from sqlalchemy import inspect, text
from test_migration_0022 import (
    _answers,
    _column,
    _expected_best_bands,
    _expected_best_ratings,
    _import_and_compact,
)

from webapp.db.schema import current_revision, head_revision

CHECK = "ck_move_stats_monthly_best_rating"
TRIGGERS = {"monthly_best_rating_inserted", "monthly_best_rating_added"}


def _nullable(engine) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    return {c["name"]: c["nullable"] for c in inspect(engine).get_columns("move_stats_monthly")}


def _indexes(engine) -> set[str]:  # type: ignore[no-untyped-def]
    return {index["name"] for index in inspect(engine).get_indexes("move_stats_monthly")}


def _triggers(engine) -> set[str]:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            statement = "SELECT tgname FROM pg_trigger WHERE tgrelid = 'move_stats_monthly'::regclass AND NOT tgisinternal"
        else:
            statement = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'move_stats_monthly'"
        return set(connection.execute(text(statement)).scalars())


def _checks(engine) -> set[str]:  # type: ignore[no-untyped-def]
    if engine.dialect.name != "postgresql":
        return set()
    with engine.connect() as connection:
        return set(connection.execute(text("SELECT conname FROM pg_constraint WHERE conname = :name"), {"name": CHECK}).scalars())


def _assert_at_head(engine) -> None:  # type: ignore[no-untyped-def]
    assert current_revision(engine) == head_revision()
    nullable = _nullable(engine)
    assert "best_band" not in nullable and nullable["best_rating"] is False
    assert "ix_move_stats_monthly_best" not in _indexes(engine)
    assert "ix_move_stats_monthly_best_rating" in _indexes(engine)
    assert _triggers(engine) == set() and _checks(engine) == set()
    if engine.dialect.name == "sqlite":  # the table as rebuilt keeps its layout
        with engine.connect() as connection:
            created = connection.execute(text("SELECT sql FROM sqlite_master WHERE name = 'move_stats_monthly'")).scalar()
        assert "WITHOUT ROWID" in created.upper()


def test_best_rating_required_down_and_up_filling_the_rows_left_without_one(client, engine, monkeypatch) -> None:
    _import_and_compact(engine, monkeypatch)
    _assert_at_head(engine)
    ratings, bands = _expected_best_ratings(engine), _expected_best_bands(engine)
    assert _column(engine, "best_rating") == ratings
    answers = _answers(client)
    assert all(answer["topGames"] and answer["recentGames"] for answer in answers)

    flask_migrate.downgrade(revision="0025")
    nullable = _nullable(engine)
    assert nullable["best_band"] is False and nullable["best_rating"] is True
    assert "ix_move_stats_monthly_best" in _indexes(engine)
    assert _triggers(engine) == (TRIGGERS if engine.dialect.name == "postgresql" else set())
    assert _column(engine, "best_band") == bands  # the highest band of the rows each sums
    assert _answers(client) == answers

    with engine.begin() as connection:  # as an older release's compaction may leave them
        emptied = connection.execute(
            text("UPDATE move_stats_monthly SET best_rating = NULL WHERE month BETWEEN 202101 AND 202106")
        ).rowcount
        if engine.dialect.name == "postgresql":  # and a run stopped after its first step
            connection.execute(
                text(f"ALTER TABLE move_stats_monthly ADD CONSTRAINT {CHECK} CHECK (best_rating IS NOT NULL) NOT VALID")
            )
    assert emptied > 10
    flask_migrate.upgrade()
    _assert_at_head(engine)
    assert _column(engine, "best_rating") == ratings  # filled from the references
    assert _answers(client) == answers
