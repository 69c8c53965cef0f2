"""`GET /api/opponent` about a player not yet indexed answers 202 with the progress, as
`/api/explorer` does, then the exact numbers (SQLite and PostgreSQL)."""

from __future__ import annotations

import time

import chess
import pytest
from explorer_reference import read_games
from opponent_reference import at_position
from sample_games import EXPLORER_SAMPLE, import_pgn


@pytest.fixture
def settings(settings):  # type: ignore[no-untyped-def]
    """Every player is indexed in the background, however few their games."""
    return settings.with_(inline_index_games=0)


def test_opponent_being_indexed_answers_202_then_numbers(client, engine) -> None:
    import_pgn(engine, [EXPLORER_SAMPLE])
    games = read_games([EXPLORER_SAMPLE])
    url = "/api/opponent?player=frank&color=black"
    first = client.get(url)
    if first.status_code == 202:  # the job may already have finished on a fast machine
        body = first.get_json()["indexing"]
        assert body["player"] == "frank" and body["total"] == sum(1 for g in games if "frank" in (g.white, g.black))
        assert first.headers["Retry-After"] == "2"
    deadline = time.monotonic() + 60
    while (response := client.get(url)).status_code == 202:
        assert time.monotonic() < deadline, "indexing never finished"
        time.sleep(0.2)
    assert response.status_code == 200, response.get_json()
    position, moves = at_position(games, {"frank"}, "white", chess.Board())
    body = response.get_json()
    assert body["position"]["games"] == position["games"] > 0
    assert [(m["uci"], m["games"]) for m in body["moves"]] == [(m["uci"], m["games"]) for m in moves]
