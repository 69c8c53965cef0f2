"""GET /api/export/games.pgn sends exactly the games the explorer counts (issue: the export
matched the move order as a prefix and ignored `fen`).

For positions reached by several move orders, under filters, from a `fen`, and in a
player's view, the exported games' Site URLs must be the games python-chess finds
reaching the position (explorer_reference), and as many as /api/explorer counts. The
1,000-game lichess file makes rows with more games than they name (the replay path); the
sample's deep positions are named whole (the index path). SQLite and PostgreSQL.
"""

from __future__ import annotations

import io

import chess
import chess.pgn
import pytest
from explorer_reference import read_games, reference
from sample_games import EXPLORER_SAMPLE, LICHESS_2021_10, import_pgn
from test_explorer_counts import POSITIONS, _params

CASES = [
    ({}, "start"),
    ({}, "1.e4"),
    ({}, "zukertort via 1.Nf3"),
    ({"speeds": ["blitz"], "rating_min": 1600, "rating_max": 1999}, "1.e4"),
    ({"speeds": ["bullet"]}, "zukertort via 1.d4"),
    ({"since": "2021-01", "until": "2021-03"}, "nimzo via 1.c4"),
    ({}, "knight shuffle, repeated within games"),
    ({}, "no games"),
    ({"player": "frank"}, "1.e4"),
    ({"player": "carol_rook", "color": "white"}, "start"),
]


@pytest.fixture
def stored(engine):  # type: ignore[no-untyped-def]
    from webapp.db.players import find_player_ids
    from webapp.indexer.reindex import index_players

    import_pgn(engine, [EXPLORER_SAMPLE, LICHESS_2021_10])
    with engine.connect() as connection:
        ids = [i for name in ("frank", "carol_rook") for i in find_player_ids(connection, name)]
    index_players(engine, ids)
    return read_games([EXPLORER_SAMPLE, LICHESS_2021_10])


def _sites(text: str) -> list[str]:
    stream, sites = io.StringIO(text), []
    while (game := chess.pgn.read_game(stream)) is not None:
        sites.append(game.headers["Site"])
    return sites


def test_the_export_holds_exactly_the_games_counted(client, stored) -> None:  # type: ignore[no-untyped-def]
    wrong = []
    for filters, label in CASES:
        play = POSITIONS[label]
        params = {**_params(play, filters), "limit": "5000"}
        response = client.get("/api/export/games.pgn", query_string=params)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        included: list = []
        expected = reference(stored, play=play, included=included, **filters)
        sites = _sites(response.get_data(as_text=True))
        counted = client.get("/api/explorer", query_string=_params(play, filters)).get_json()["games"]
        if sorted(sites) != sorted(g.site for g, _, _ in included) or not len(sites) == counted == expected["games"]:
            wrong.append(f"{label} {filters}: exported {len(sites)}, counted {counted}, reference {expected['games']}")
        assert "X-Export-Note" not in response.headers
    assert not wrong, "\n".join(wrong)
    assert sum(1 for filters, label in CASES if reference(stored, play=POSITIONS[label], **filters)["games"]) >= 8


def test_the_export_reads_the_position_from_fen_and_play(client, stored) -> None:
    board = chess.Board()
    for uci in ("e2e4", "e7e5"):
        board.push_uci(uci)
    params = {"fen": board.fen(), "play": "g1f3", "limit": "5000"}
    sites = _sites(client.get("/api/export/games.pgn", query_string=params).get_data(as_text=True))
    included: list = []
    reference(stored, play=["e2e4", "e7e5", "g1f3"], included=included)
    assert sorted(sites) == sorted(g.site for g, _, _ in included) and sites
    counted = client.get("/api/explorer", query_string={k: v for k, v in params.items() if k != "limit"})
    assert len(sites) == counted.get_json()["games"]


def test_a_cut_export_says_how_many_it_left_out(client, stored) -> None:
    counted = client.get("/api/explorer", query_string={"play": "e2e4"}).get_json()["games"]
    response = client.get("/api/export/games.pgn", query_string={"play": "e2e4", "limit": "10"})
    note = f"limited to 10 games of {counted:,}: narrow the filters for the rest"
    assert response.headers["X-Export-Note"] == note
    text = response.get_data(as_text=True)
    assert text.startswith(f"% {note}\n") and len(_sites(text)) == 10
