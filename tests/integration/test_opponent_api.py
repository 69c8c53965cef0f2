"""`GET /api/opponent` against counts made with python-chess from the same real PGN
(opponent_reference), on SQLite and PostgreSQL: Carlsen's two lichess accounts linked as
one opponent, his moves, the likely line and his leaks from the shown position."""

from __future__ import annotations

import functools
from typing import Any

import chess
import chess.polyglot
import pytest
from explorer_reference import board_after, read_games
from opponent_reference import at_position, likely_line, opponent_rating, peers_at
from sample_games import SHARED_LICHESS, import_pgn

CARLSEN = [SHARED_LICHESS / "lichess_user_DrDrunkenstein_2018-01_2021-01.pgn",
           SHARED_LICHESS / "lichess_user_DannyTheDonkey_2017-12.pgn"]
OTHERS = [SHARED_LICHESS / "lichess_user_cubicinfinity_2022-12-28.pgn",
          SHARED_LICHESS / "lichess_user_Cassiny_2025-12-15.pgn"]
ACCOUNTS = {"drdrunkenstein", "dannythedonkey"}
CUBIC = {"cubicinfinity"}  # rated near Cassiny's games: peers, so leaks
pytestmark = pytest.mark.skipif(not all(p.exists() for p in CARLSEN + OTHERS), reason="shared lichess data is absent")


@functools.cache
def _reference_games() -> list:  # type: ignore[type-arg]
    """Read once per test run (python-chess takes seconds over these files)."""
    return read_games(CARLSEN + OTHERS)


@pytest.fixture
def carlsen(client, engine):  # type: ignore[no-untyped-def]
    from webapp.db.people import link_accounts

    import_pgn(engine, CARLSEN + OTHERS)
    with engine.begin() as connection:
        link_accounts(connection, "Carlsen", ["lichess:DrDrunkenstein", "lichess:DannyTheDonkey"])
    return _reference_games()


def _scores(row: dict[str, Any]) -> dict[str, int]:
    return {k: row[k] for k in ("games", "wins", "draws", "losses")}


def _check(body: dict[str, Any], games, play: list[str], color: str, speeds: list[str],  # type: ignore[no-untyped-def]
           accounts: set[str] = ACCOUNTS, name: str = "carlsen") -> None:
    theirs = "black" if color == "white" else "white"
    board = board_after(play)
    position, moves = at_position(games, accounts, theirs, board, speeds)
    assert body["color"] == color and body["opponentColor"] == theirs
    assert _scores(body["position"]) == position
    assert [{"uci": m["uci"], **_scores(m)} for m in body["moves"]] == moves
    expected_line = likely_line(games, accounts, theirs, play, speeds)
    assert [{"uci": s["uci"], "mover": s["mover"], **_scores(s)} for s in body["line"]] == expected_line
    if expected_line:
        last = body["line"][-1]
        assert last["play"] == ",".join(play + [s["uci"] for s in expected_line])
        assert last["url"].startswith(f"/?play={last['play']}&")
        assert f"player={name}&color={theirs}" in last["url"]
    here = chess.polyglot.zobrist_hash(board)
    for leak in body["leaks"]:
        line = leak["play"].split(",")
        keys = {chess.polyglot.zobrist_hash(board_after(line[:i])) for i in range(len(line) + 1)}
        assert here in keys  # the leak lies past the shown position
        leak_board = board_after(line)
        assert leak_board.fen() == leak["fen"]
        assert leak_board.turn == (chess.WHITE if theirs == "white" else chess.BLACK)  # the opponent to move
        own, _moves = at_position(games, accounts, theirs, leak_board, speeds)
        assert _scores(leak["player"]) == own and own["games"] >= 3
        assert leak["url"] == f"/?play={leak['play']}" + (f"&speeds={','.join(speeds)}" if speeds else "") + \
            f"&player={name}&color={theirs}"
        low, high = leak["player"]["interval"]
        assert low <= leak["player"]["score"] <= high
        assert leak["yourScore"] == pytest.approx(1 - leak["player"]["score"], abs=1e-4)
        assert leak["difference"] < 0


def test_opponent_prep_matches_python_chess(client, carlsen) -> None:
    cases = [([], "black", [], "Carlsen"), ([], "white", [], "Carlsen"), (["e2e4"], "white", [], "Carlsen"),
             (["e2e4", "c7c5"], "white", [], "Carlsen"), (["d2d4"], "black", [], "Carlsen"),
             (["e2e4"], "black", ["bullet"], "Carlsen"), ([], "black", [], "cubicinfinity"),
             (["e2e4"], "black", [], "cubicinfinity"), (["e2e4", "e7e5"], "black", [], "cubicinfinity"),
             ([], "white", ["blitz"], "cubicinfinity")]
    leaks_seen = 0
    for play, color, speeds, opponent in cases:
        params = {"player": opponent, "color": color, "play": ",".join(play)}
        if speeds:
            params["speeds"] = ",".join(speeds)
        response = client.get("/api/opponent", query_string=params)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        accounts = ACCOUNTS if opponent == "Carlsen" else CUBIC
        _check(body, carlsen, play, color, speeds, accounts, opponent.lower())
        leaks_seen += len(body["leaks"])
        assert body["line"], play  # Carlsen's games go somewhere from every case
    assert leaks_seen > 0


def test_leaks_compare_with_peers_around_the_opponents_rating(client, carlsen) -> None:
    body = client.get("/api/opponent", query_string={"player": "cubicinfinity", "color": "black"}).get_json()
    rating = opponent_rating(carlsen, CUBIC, "white")
    assert body["rating"] == rating and rating is not None
    bands = (max(rating - 100, 0) // 100, (rating + 100) // 100)
    assert body["leaks"]
    for leak in body["leaks"]:
        assert _scores(leak["peers"]) == peers_at(carlsen, CUBIC, leak["fen"], bands, "white")
    lost = [leak["pointsLost"] for leak in body["leaks"]]
    assert lost == sorted(lost, reverse=True)


def test_linked_accounts_are_one_opponent(client, carlsen) -> None:
    person = client.get("/api/opponent", query_string={"player": "carlsen", "color": "black"}).get_json()
    one = client.get("/api/opponent", query_string={"player": "lichess:drdrunkenstein", "color": "black"}).get_json()
    other = client.get("/api/opponent", query_string={"player": "dannythedonkey", "color": "black"}).get_json()
    assert person["position"]["games"] == one["position"]["games"] + other["position"]["games"]
    assert other["position"]["games"] > 0


def test_opponent_errors(client, carlsen) -> None:
    missing_color = client.get("/api/opponent", query_string={"player": "carlsen"})
    assert missing_color.status_code == 400 and "color" in missing_color.get_json()["error"]
    assert client.get("/api/opponent", query_string={"color": "white"}).status_code == 400
    unknown = client.get("/api/opponent", query_string={"player": "nobody_at_all", "color": "white"})
    assert unknown.status_code == 404 and "nobody_at_all" in unknown.get_json()["error"]
