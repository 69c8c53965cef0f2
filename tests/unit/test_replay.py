"""Keys replayed from stored move codes equal python-chess's polyglot hash at every ply."""

from __future__ import annotations

import io
from pathlib import Path

import chess
import chess.pgn
import pytest

from webapp.indexer.replay import replay_keys
from webapp.indexer.rows import indexed_keys
from webapp.model.position import encode_move

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "lichess"


def _codes(moves: list[str]) -> list[int]:
    return [encode_move(chess.Move.from_uci(uci)) for uci in moves]


@pytest.mark.parametrize(
    "moves",
    [
        # both castlings, en passant with a capturer beside (and one without), a promotion
        # with capture, underpromotion, rights lost by a rook move and by a rook captured
        "e2e4 g8f6 e4e5 d7d5 e5d6 e7e6 d6c7 f8e7 c7b8q e8g8 g1f3 d8d5 f1e2 c8d7 e1g1",
        "e2e4 d7d5 e4e5 f7f5 e5f6 g7f6 h2h4 b8c6 h4h5 g8h6 h1h3 e8d7 a2a4 e7e5",
        "a2a4 b7b5 a4b5 a7a6 b5a6 c8b7 a6b7 b8c6 b7a8n d8a8 g2g4 h7h5 g4h5 g7g5 h5g6",
        "e2e4 e7e5 g1f3 b8c6 f1c4 g8f6 d2d3 f8c5 c1g5 d7d6 b1c3 c8g4 d1d2 d8d7 e1c1 e8c8",
        "d2d4 e7e5 d4d5 c7c5 d5c6 b7c6 h2h4 a7a5 h4h5 g7g5 h5g6",
    ],
)
def test_hand_made_games(moves: str) -> None:
    uci = moves.split()
    assert replay_keys(_codes(uci), 40) == indexed_keys(uci, 40)


def test_plies_limit() -> None:
    uci = "e2e4 e7e5 g1f3 b8c6 f1b5".split()
    assert replay_keys(_codes(uci), 2) == indexed_keys(uci, 2)
    assert len(replay_keys(_codes(uci), 2)) == 3


def _games(path: Path, limit: int) -> list[list[str]]:
    games = []
    with open(path, encoding="utf-8", errors="replace") as handle:
        while len(games) < limit and (game := chess.pgn.read_game(handle)) is not None:
            if game.errors or "FEN" in game.headers or game.headers.get("Variant", "Standard") != "Standard":
                continue
            moves = list(game.mainline_moves())
            if all(moves):  # a null move (`--`) is no chess move: the importer skips it
                games.append([m.uci() for m in moves])
    return games


def test_every_ply_of_real_games() -> None:
    paths = [FIXTURES / "explorer_sample.pgn", *sorted((FIXTURES / "pgn").glob("*.pgn"))]
    shared = SHARED / "lichess_db_standard_rated_2021-10_first999.pgn"
    if shared.exists():
        paths.append(shared)
    checked = 0
    for path in paths:
        for moves in _games(path, 400):
            assert replay_keys(_codes(moves), 400) == indexed_keys(moves, 400), (path.name, moves)
            checked += 1
    assert checked > 50


def test_a_stored_game_round_trip() -> None:
    pgn = io.StringIO("1. e4 e5 2. Nf3 Nc6 3. Bb5 a6 4. Bxc6 dxc6 5. O-O f6 1-0")
    moves = [m.uci() for m in chess.pgn.read_game(pgn).mainline_moves()]  # type: ignore[union-attr]
    assert replay_keys(_codes(moves), 40) == indexed_keys(moves, 40)
