"""chess.com archive games and lichess export lines → GameRecords, or the reason they are skipped.

Hand-written games in the APIs' formats, plus the real samples under ../shared/data when
they are there (skipped cleanly when not).
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import chess.pgn
import pytest

from webapp.indexer.sources import chesscom, lichess
from webapp.model.speed import Speed, speed_from_time_control
from webapp.model.termination import Termination

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"

CHESSCOM_DAILY = {
    "url": "https://www.chess.com/game/daily/555",
    "pgn": '[Event "Let\'s Play!"]\n[Site "Chess.com"]\n[Date "2020.03.01"]\n[White "Ann"]\n'
    '[Black "Ben"]\n[Result "1/2-1/2"]\n[UTCDate "2020.03.01"]\n[WhiteElo "1400"]\n'
    '[BlackElo "1450"]\n[TimeControl "1/172800"]\n\n1. d4 d5 2. c4 1/2-1/2',
    "time_control": "1/172800",
    "end_time": 1583280000,
    "rated": False,
    "time_class": "daily",
    "rules": "chess",
    "white": {"username": "Ann", "rating": 1400, "result": "agreed"},
    "black": {"username": "Ben", "rating": 1450, "result": "agreed"},
}


def test_chesscom_daily_game() -> None:
    record = chesscom.record_from_game(CHESSCOM_DAILY)
    assert not isinstance(record, str)
    assert (record.uid, record.source, record.result, record.speed, record.rated) == (
        "chesscom:daily/555", "chesscom", "1/2-1/2", Speed.CORRESPONDENCE, False
    )
    assert list(record.moves) == ["d2d4", "d7d5", "c2c4"]
    assert (record.played_on, record.month) == (date(2020, 3, 1), 202003)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"rules": "bughouse"}, "non-standard rules (bughouse)"),
        ({"rules": "chess960"}, "non-standard rules (chess960)"),
        ({"pgn": CHESSCOM_DAILY["pgn"].replace('[TimeControl', '[SetUp "1"]\n[FEN "8/8/8/8/8/8/8/K6k w - - 0 1"]\n[TimeControl')},
         "non-standard start position"),
        ({"url": "https://example.org/x"}, "no game URL or PGN"),
    ],
)
def test_chesscom_games_that_are_skipped(change: dict, reason: str) -> None:
    assert chesscom.record_from_game({**CHESSCOM_DAILY, **change}) == reason


LICHESS_DRAW = {
    "id": "AbCdEfGh", "rated": True, "variant": "standard", "speed": "rapid",
    "createdAt": 1609459200000, "status": "draw",
    "players": {"white": {"user": {"name": "Cy"}, "rating": 1900},
                "black": {"user": {"name": "Di"}, "rating": 1880}},
    "moves": "e4 c5 Nf3", "clock": {"initial": 600, "increment": 5},
}


def test_lichess_draw_without_winner() -> None:
    record = lichess.record_from_game(LICHESS_DRAW)
    assert not isinstance(record, str)
    assert (record.uid, record.result, record.speed, record.time_control) == (
        "lichess:AbCdEfGh", "1/2-1/2", Speed.RAPID, "600+5"
    )
    assert list(record.moves) == ["e2e4", "c7c5", "g1f3"]
    assert record.played_on == date(2021, 1, 1)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"variant": "fromPosition"}, "non-standard rules (fromPosition)"),
        ({"variant": "crazyhouse"}, "non-standard rules (crazyhouse)"),
        ({"status": "aborted"}, "unfinished or aborted"),
        ({"players": {"white": {"aiLevel": 8}, "black": LICHESS_DRAW["players"]["black"]}},
         "against the lichess AI"),
        ({"moves": "e4 e4"}, "unreadable moves"),
    ],
)
def test_lichess_games_that_are_skipped(change: dict, reason: str) -> None:
    assert lichess.record_from_game({**LICHESS_DRAW, **change}) == reason


def test_lichess_correspondence_without_clock() -> None:
    game = {**LICHESS_DRAW, "speed": "correspondence", "daysPerTurn": 3}
    del game["clock"]
    record = lichess.record_from_game(game)
    assert (record.speed, record.time_control) == (Speed.CORRESPONDENCE, "-")


@pytest.mark.parametrize("name", ["chesscom_api_fabianocaruana_2020-05.json", "chesscom_api_erik_2009-10.json"])
def test_real_chesscom_archives(name: str) -> None:
    path = SHARED / "chesscom" / name
    if not path.exists():
        pytest.skip(f"{path} is not available")
    games = json.loads(path.read_text())["games"]
    records, skipped = chesscom.records_from_month(games)
    # thematic tournaments start from a set-up position: not the explorer's tree either
    standard = [g for g in games if g["rules"] == "chess" and '[SetUp "1"]' not in g["pgn"]]
    assert len(records) == len(standard)
    assert sum(skipped.values()) == len(games) - len(standard)
    for game, record in zip(standard, records, strict=True):
        parsed = chess.pgn.read_game(io.StringIO(game["pgn"]))
        assert list(record.moves) == [m.uci() for m in parsed.mainline_moves()]
        assert record.speed == speed_from_time_control(game["time_control"])
        assert (record.white_rating, record.black_rating) == (game["white"]["rating"], game["black"]["rating"])


def test_real_lichess_export_lines() -> None:
    path = SHARED / "lichess" / "api_export_user_thibault_sample.ndjson"
    if not path.exists():
        pytest.skip(f"{path} is not available")
    games = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    outcomes = [lichess.record_from_game(g) for g in games]
    humans = [g for g in games if "aiLevel" not in g["players"]["white"] and "aiLevel" not in g["players"]["black"]]
    records = [o for o in outcomes if not isinstance(o, str)]
    assert len(records) == len(humans)
    for game, record in zip(humans, records, strict=True):
        parsed = chess.pgn.read_game(io.StringIO(game["pgn"]))
        assert list(record.moves) == [m.uci() for m in parsed.mainline_moves()]
        assert record.result == parsed.headers["Result"]


ACCOUNT_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "accounts"


def test_chesscom_termination_from_the_losers_result_code() -> None:
    games = json.loads((ACCOUNT_FIXTURES / "chesscom_alicek_2021-01.json").read_text())["games"]
    kinds = [chesscom.record_from_game(g).termination for g in games[:3]]  # type: ignore[union-attr]
    assert kinds == [Termination.RESIGNATION, Termination.RESIGNATION, Termination.AGREEMENT]
    timeout = {**games[0], "black": {**games[0]["black"], "result": "timeout"}}
    assert chesscom.record_from_game(timeout).termination == Termination.TIME  # type: ignore[union-attr]


def test_chesscom_clocks_from_the_pgn() -> None:
    game = json.loads((ACCOUNT_FIXTURES / "chesscom_alicek_2021-01.json").read_text())["games"][0]
    game = {**game, "pgn": game["pgn"].replace("1. e4 ", "1. e4 {[%clk 0:02:59.9]} ")}
    record = chesscom.record_from_game(game)
    assert record.clocks[0] == pytest.approx(179.9)  # type: ignore[union-attr, index]
    assert all(c != c for c in record.clocks[1:])  # type: ignore[union-attr, index] - NaN: none given


def test_lichess_status_and_clocks() -> None:
    lines = (ACCOUNT_FIXTURES / "lichess_bobby_f.ndjson").read_text().splitlines()
    first = json.loads(lines[0])
    record = lichess.record_from_game({**first, "clocks": [30000, 30000, 29803]})
    assert record.termination == Termination.RESIGNATION  # type: ignore[union-attr]
    assert record.clocks[:3] == [300.0, 300.0, 298.03]  # type: ignore[union-attr, index]
    assert len(record.clocks) == len(record.moves)  # type: ignore[union-attr, arg-type]
    flagged_draw = lichess.record_from_game({**first, "status": "outoftime", "winner": None})
    assert flagged_draw.termination == Termination.TIMEOUT_VS_INSUFFICIENT  # type: ignore[union-attr]
    mated = lichess.record_from_game({**first, "status": "mate"})
    assert mated.termination == Termination.CHECKMATE  # type: ignore[union-attr]


def test_a_nul_byte_in_an_account_game_skips_it() -> None:
    """No database text can hold NUL: the game is skipped with a reason, not its batch."""
    game = dict(CHESSCOM_DAILY, pgn=CHESSCOM_DAILY["pgn"].replace("Let's Play!", "Let's\x00Play!"))
    assert chesscom.record_from_game(game) == "NUL byte in a tag"
    white = dict(CHESSCOM_DAILY["white"], username="A\x00nn")
    assert chesscom.record_from_game(dict(CHESSCOM_DAILY, white=white)) == "NUL byte in a tag"
    assert not isinstance(chesscom.record_from_game(CHESSCOM_DAILY), str)
