"""Players are indexed from the stored games on first request: the explorer answers 202
with the progress while a background job counts, then the exact numbers."""

from __future__ import annotations

import time

import pytest
from explorer_reference import api_numbers, read_games, reference
from sample_games import EXPLORER_SAMPLE, import_pgn
from sqlalchemy import text


@pytest.fixture
def settings(settings):  # type: ignore[no-untyped-def]
    """Every player is indexed in the background, however few their games."""
    return settings.with_(inline_index_games=0)


def _wait_for_numbers(client, url: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    deadline = time.monotonic() + 60
    while True:
        response = client.get(url)
        if response.status_code == 200:
            return response.get_json()
        assert response.status_code == 202, response.get_json()
        assert time.monotonic() < deadline, "indexing never finished"
        time.sleep(0.2)


def test_first_request_starts_indexing_then_answers_exactly(client, engine) -> None:
    import_pgn(engine, [EXPLORER_SAMPLE])
    games = read_games([EXPLORER_SAMPLE])
    frank_games = sum(1 for g in games if "frank" in (g.white, g.black))
    first = client.get("/api/explorer?player=frank")
    if first.status_code == 202:  # the job may already have finished on a fast machine
        body = first.get_json()["indexing"]
        assert body["player"] == "frank" and body["total"] == frank_games
        assert 0 <= body["done"] <= body["total"]
        assert first.headers["Retry-After"] == "2"
    numbers = _wait_for_numbers(client, "/api/explorer?player=frank&play=e2e4")
    assert api_numbers(numbers) == reference(games, play=["e2e4"], player="frank")
    with engine.connect() as connection:
        status = connection.execute(
            text(
                "SELECT t.status, t.done FROM tracked_players t JOIN players p "
                "ON p.id = t.player_id WHERE p.name = 'frank'"
            )
        ).one()
    assert tuple(status) == ("ready", frank_games)


def test_player_views_wait_for_indexing_too(client, engine) -> None:
    import_pgn(engine, [EXPLORER_SAMPLE])
    response = client.get("/api/player/compare?player=carol_rook&color=white")
    assert response.status_code in (200, 202)
    body = _wait_for_numbers(client, "/api/player/compare?player=carol_rook&color=white")
    games = read_games([EXPLORER_SAMPLE])
    expected = reference(games, player="carol_rook", color="white")
    assert body["position"]["player"]["games"] == expected["games"]


def test_games_imported_after_indexing_are_counted_once(client, engine, tmp_path) -> None:
    import_pgn(engine, [EXPLORER_SAMPLE])
    _wait_for_numbers(client, "/api/explorer?player=frank")
    copy = tmp_path / "more.pgn"
    copy.write_text(EXPLORER_SAMPLE.read_text().replace("lichess.org/", "lichess.org/Q"))
    import_pgn(engine, [copy])  # frank is tracked now: his rows are written as games land
    both = read_games([EXPLORER_SAMPLE, copy])
    numbers = _wait_for_numbers(client, "/api/explorer?player=frank")
    assert api_numbers(numbers) == reference(both, player="frank")


def test_lichess_player_stream_ends_with_the_indexed_numbers(client, engine) -> None:
    import json

    import_pgn(engine, [EXPLORER_SAMPLE])
    games = read_games([EXPLORER_SAMPLE])
    response = client.get("/player?player=frank&color=white")
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines() if line]
    expected = reference(games, player="frank", color="white")
    last = lines[-1]
    assert (last["white"], last["draws"], last["black"]) == (
        expected["white"], expected["draws"], expected["black"]
    )
    assert all(line["white"] + line["draws"] + line["black"] in (0, expected["games"]) for line in lines)


def test_a_player_indexed_in_many_chunks_is_counted_once(client, engine, monkeypatch) -> None:
    from webapp.indexer import reindex

    monkeypatch.setattr(reindex, "CHUNK", 3)  # frank's games come in several chunks
    import_pgn(engine, [EXPLORER_SAMPLE])
    games = read_games([EXPLORER_SAMPLE])
    assert sum(1 for g in games if "frank" in (g.white, g.black)) > 3 * 2
    numbers = _wait_for_numbers(client, "/api/explorer?player=frank")
    assert api_numbers(numbers) == reference(games, player="frank")
    white = _wait_for_numbers(client, "/api/explorer?player=frank&color=white&play=e2e4")
    assert api_numbers(white) == reference(games, player="frank", color="white", play=["e2e4"])


def test_a_background_indexing_leaves_the_leaks_ready(app, client, engine, monkeypatch) -> None:
    """The Player tab's first leak search (both colours, no filters) is in the cache when
    the job ends: asked then, it is answered without searching again, with the same leaks."""
    from webapp.db import leaks
    from webapp.db.players import find_player_ids
    from webapp.jobs.player_index import run_indexing
    from webapp.model.query import ExplorerQuery

    import_pgn(engine, [EXPLORER_SAMPLE])
    with engine.connect() as connection:
        ids = find_player_ids(connection, "frank")
    run_indexing(app, ids)
    searched = []
    real = leaks.find_leaks
    monkeypatch.setattr(leaks, "find_leaks", lambda *a, **k: searched.append(a) or real(*a, **k))
    found = 0
    for color in ("white", "black"):
        body = client.get(f"/api/player/leaks?player=frank&color={color}&limit={leaks.DEFAULT_LEAKS_ASKED}")
        assert body.status_code == 200
        with engine.connect() as connection:
            fresh = real(connection, ExplorerQuery.build(player="frank", color=color),
                         limit=leaks.DEFAULT_LEAKS_ASKED)
        found += len(fresh.leaks)
        assert [leak["play"] for leak in body.get_json()["leaks"]] == [",".join(x.play) for x in fresh.leaks]
    assert found > 0
    assert searched == []  # both answers came from the cache the job filled
    client.get("/api/player/leaks?player=frank&color=white&limit=5")  # another question: searched
    assert len(searched) == 1
