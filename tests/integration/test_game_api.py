"""`GET /api/games/<id>`: real games read back whole, equal to python-chess's reading of the files.

Three real files: a lichess account export (ids, clocks), chess.com games (numbers, links,
tenths of seconds) and Capablanca's over-the-board games (year-only dates, content-hash
ids). Skips when /work/shared/data is absent.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

import chess.pgn
import pytest

from webapp.indexer.headers import identity_of
from webapp.indexer.pgn import import_pgn_files

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
LICHESS = SHARED_DATA / "lichess" / "lichess_user_IsmatS_2025-12-15.pgn"
CHESSCOM = SHARED_DATA / "chesscom" / "chesscom_api_fabianocaruana_2020-05.pgn"
OTB = SHARED_DATA / "otb" / "pgnmentor_Capablanca.pgn"
pytestmark = pytest.mark.skipif(
    not all(p.exists() for p in (LICHESS, CHESSCOM, OTB)), reason="shared game files not available"
)


@functools.cache
def games_of(path: Path) -> tuple[chess.pgn.Game, ...]:
    """Every finished standard game with moves in the file, as python-chess reads it."""
    out = []
    with path.open(encoding="utf-8") as handle:
        while (game := chess.pgn.read_game(handle)) is not None:
            finished = game.headers.get("Result") in ("1-0", "0-1", "1/2-1/2")
            if finished and game.headers.get("Variant", "Standard") == "Standard" and game.next() is not None:
                out.append(game)
    return tuple(out)


def _speed(time_control: str) -> str:
    """Lichess's rule, written out again: base + 40 × increment seconds."""
    base, _, increment = time_control.partition("+")
    total = int(base) + 40 * int(increment or 0)
    for limit, name in ((30, "ultraBullet"), (180, "bullet"), (480, "blitz"), (1500, "rapid"), (21600, "classical")):
        if total < limit:
            return name
    return "correspondence"


def _expected(game: chess.pgn.Game) -> dict:
    """The fields python-chess gives for a game, in the API's words (names trimmed, as stored)."""
    board = game.board()
    san = []
    for move in game.mainline_moves():
        san.append(board.san(move))
        board.push(move)
    headers = game.headers
    clocks = [node.clock() for node in game.mainline()]
    return {
        "moves": [move.uci() for move in game.mainline_moves()],
        "san": san,
        "clocks": [] if all(c is None for c in clocks) else [None if c is None else round(c, 1) for c in clocks],
        "white": {"name": headers["White"].strip(), "rating": int(headers["WhiteElo"]) if headers.get("WhiteElo", "?").isdigit() else None},
        "black": {"name": headers["Black"].strip(), "rating": int(headers["BlackElo"]) if headers.get("BlackElo", "?").isdigit() else None},
        "winner": {"1-0": "white", "0-1": "black"}.get(headers["Result"]),
    }


@pytest.fixture
def stored(engine) -> None:  # type: ignore[no-untyped-def]
    report = import_pgn_files(engine, [LICHESS, CHESSCOM, OTB], index_plies=40)
    assert report.imported >= len(games_of(LICHESS)) + len(games_of(CHESSCOM))


def _check_pgn(body: dict, game: chess.pgn.Game) -> None:
    """The answer's PGN reads back (python-chess) as the same game, tags and moves."""
    again = chess.pgn.read_game(io.StringIO(body["pgn"]))
    assert again is not None and not again.errors
    assert [m.uci() for m in again.mainline_moves()] == [m.uci() for m in game.mainline_moves()]
    for tag in ("White", "Black", "Result"):
        assert again.headers[tag] == game.headers[tag].strip()  # the importer trims names
    assert [n.clock() for n in again.mainline()] == [
        None if c is None else round(c, 1) for c in (n.clock() for n in game.mainline())
    ]


def test_gapi001_lichess_games_read_back_whole(client, stored) -> None:
    for game in games_of(LICHESS):
        game_id = game.headers["Site"].rsplit("/", 1)[1]
        response = client.get(f"/api/games/{game_id}")
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        expected = _expected(game)
        assert {key: body[key] for key in expected} == expected
        day = game.headers["UTCDate"]
        assert body["id"] == game_id and body["url"] == f"https://lichess.org/{game_id}"
        assert body["date"] == day and body["year"] == int(day[:4]) and body["month"] == day[:7].replace(".", "-")
        assert body["speed"] == _speed(game.headers["TimeControl"])
        assert body["eco"] == game.headers["ECO"] and body["timeControl"] == game.headers["TimeControl"]
        rated = game.headers["Event"].lower().startswith("rated")
        assert (body["mode"], body["rated"], body["uci"]) == ("rated" if rated else "casual", rated, None)
        _check_pgn(body, game)


def test_gapi002_chesscom_games_by_number_link_to_their_page(client, stored) -> None:
    for game in games_of(CHESSCOM):
        link = game.headers["Link"]
        number = link.rsplit("/", 1)[1]
        body = client.get(f"/api/games/{number}").get_json()
        expected = _expected(game)
        assert {key: body[key] for key in expected} == expected
        assert body["id"] == number and body["url"] == link
        assert body["speed"] == _speed(game.headers["TimeControl"])
        _check_pgn(body, game)


def test_gapi003_over_the_board_games_by_hash_keep_a_year_only_date(client, stored) -> None:
    checked = 0
    for game in games_of(OTB):
        moves = [m.uci() for m in game.mainline_moves()]
        uid, source = identity_of(dict(game.headers), moves)
        assert source == "pgn" and uid.startswith("pgn:")
        response = client.get(f"/api/games/{uid.removeprefix('pgn:')}")
        assert response.status_code == 200, (uid, response.get_data(as_text=True))
        body = response.get_json()
        expected = _expected(game)
        assert {key: body[key] for key in expected} == expected
        assert body["url"] is None and body["clocks"] == []
        day = game.headers["Date"]
        if day.endswith(".??.??"):
            assert (body["date"], body["year"], body["month"]) == (day[:4], int(day[:4]), None)
        _check_pgn(body, game)
        checked += 1
    assert checked == len(games_of(OTB)) > 500
    first = client.get("/api/games/" + identity_of(dict(games_of(OTB)[0].headers), [
        m.uci() for m in games_of(OTB)[0].mainline_moves()])[0].removeprefix("pgn:")).get_json()
    assert first["date"] == "1901" and first["pgn"].splitlines()[2] == '[Date "1901.??.??"]'


def test_gapi004_the_pgn_download(client, stored) -> None:
    game = games_of(LICHESS)[0]
    game_id = game.headers["Site"].rsplit("/", 1)[1]
    response = client.get(f"/api/games/{game_id}.pgn")
    assert response.status_code == 200
    assert response.mimetype == "text/x-chess-pgn"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{game_id}.pgn"'
    assert response.get_data(as_text=True) == client.get(f"/api/games/{game_id}").get_json()["pgn"]


@pytest.mark.parametrize("unknown", ["zzzzzzzz", "123", "0" * 32, "not an id", "a" * 200])
def test_gapi005_an_unknown_game_is_a_json_404(client, stored, unknown: str) -> None:
    for path in (f"/api/games/{unknown}", f"/api/games/{unknown}.pgn"):
        response = client.get(path)
        assert response.status_code == 404
        body = response.get_json()
        assert body["status"] == 404 and "no game with id" in body["error"]
