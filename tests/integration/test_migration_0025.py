"""Migration 0025: the players' unique key led by the name serves the lookups by name, and
ix_players_name goes; down, the key (source, name) and ix_players_name come back. Either
way a player is stored once and found by name."""

from __future__ import annotations

import flask_migrate
from explorer_reference import api_numbers, read_games, reference
from sample_games import EXPLORER_SAMPLE, import_pgn
from sqlalchemy import inspect, text

from webapp.db.players import suggest_players


def _keys(engine) -> tuple[dict[str, list[str]], dict[str, list[str]]]:  # type: ignore[no-untyped-def]
    """The players' unique keys (constraints, and on SQLite unique indexes) and plain
    indexes, by name: their columns."""
    found = inspect(engine)
    unique = {c["name"]: c["column_names"] for c in found.get_unique_constraints("players") if c["name"]}
    plain = {}
    for index in found.get_indexes("players"):
        (unique if index["unique"] else plain)[index["name"]] = index["column_names"]
    return unique, plain


def _players(engine) -> list:  # type: ignore[type-arg]
    with engine.connect() as connection:
        return connection.execute(text("SELECT source, name, count(*) FROM players GROUP BY source, name ORDER BY source, name")).all()


def _name_lookup_plan(engine) -> str:  # type: ignore[no-untyped-def]
    """PostgreSQL's plan for a prefix search by name, sequential scans off."""
    with engine.connect() as connection:
        connection.execute(text("SET enable_seqscan = off"))
        plan = connection.execute(
            text("EXPLAIN SELECT id FROM players WHERE name >= 'al' AND name < 'am' ORDER BY name LIMIT 10")
        ).scalars()
        return "\n".join(plan)


def test_the_key_led_by_the_name_down_and_up_again(client, engine) -> None:
    postgres = engine.dialect.name == "postgresql"
    at_head = _keys(engine)
    unique, plain = at_head
    assert unique["uq_players_name_source"] == ["name", "source"]
    if postgres:  # SQLite's table keeps the key it was created with beside it
        assert "uq_players_source_name" not in unique
    assert "ix_players_name" not in plain
    import_pgn(engine, [EXPLORER_SAMPLE])
    players = _players(engine)
    assert players and all(count == 1 for *_key, count in players)
    name = players[0][1]
    with engine.connect() as connection:
        assert name in {s.name.lower() for s in suggest_players(connection, name[:2])}
    if postgres:
        assert "uq_players_name_source" in _name_lookup_plan(engine)

    flask_migrate.downgrade(revision="0024")
    unique, plain = _keys(engine)
    assert unique["uq_players_source_name"] == ["source", "name"]
    assert "uq_players_name_source" not in unique
    assert plain["ix_players_name"] == ["name"]
    import_pgn(engine, [EXPLORER_SAMPLE])  # again: its players are found, none added
    assert _players(engine) == players
    if postgres:
        assert "ix_players_name" in _name_lookup_plan(engine)

    flask_migrate.upgrade()
    assert _keys(engine) == at_head
    games = read_games([EXPLORER_SAMPLE])
    body = client.get("/api/explorer?play=e2e4").get_json()
    assert api_numbers(body) == reference(games, play=["e2e4"])
    assert _players(engine) == players
