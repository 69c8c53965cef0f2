"""The fast path's position keys equal python-chess's polyglot hash at every ply."""

from __future__ import annotations

import random
from pathlib import Path

import chess
import chess.polyglot
import numpy as np
import pytest
import rust_pgn_reader_python_binding as rust_pgn

from webapp.indexer.pgn import parse_game_texts
from webapp.indexer.streams import binary_blocks, game_texts, open_pgn
from webapp.indexer.zobrist import zobrist_keys

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pgn"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


def python_chess_keys(moves: list[str]) -> list[int]:
    board = chess.Board()
    keys = []
    for uci in [*moves, None]:
        key = chess.polyglot.zobrist_hash(board)
        keys.append(key - (1 << 64) if key >= 1 << 63 else key)
        if uci is not None:
            board.push_uci(uci)
    return keys


def fast_keys(movetexts: list[str]) -> list[tuple[list[str], list[int]]]:
    """(moves, keys at every ply) from the Rust parser's boards and webapp.indexer.zobrist."""
    out = []
    for game in rust_pgn.parse_games_from_strings(movetexts):
        assert game.is_valid, game.parse_error
        keys = zobrist_keys(game.boards, game.castling, game.en_passant, game.turn)
        out.append((game.moves_uci(), keys.tolist()))
    return out


@pytest.mark.parametrize(
    "movetext",
    [
        # castling both ways, then rights lost by king and rook moves
        "1. e4 e5 2. Nf3 Nc6 3. Bc4 Bc5 4. O-O d6 5. d3 Be6 6. Nc3 Qd7 7. Be3 O-O-O 8. Rb1 Nf6 9. Rfe1 Rhe8 *",
        "1. h4 a5 2. Rh3 Ra6 3. Rg3 Rh6 4. Rh3 Rg6 *",
        # en passant captured, possible but not taken, and a double push with no pawn beside
        "1. e4 Nf6 2. e5 d5 3. exd6 cxd6 4. a4 Nc6 5. a5 b5 6. axb6 e5 7. d4 e4 8. f4 Be7 9. c4 *",
        # pinned pawn beside a double-pushed one: python-chess still hashes the file
        "1. e4 d5 2. e5 Kd7 3. Ke2 Ke6 4. Ke3 f5 *",
        # promotions, one under-promotion, and a capture of a rook on its square
        "1. d4 e5 2. dxe5 f6 3. exf6 Nc6 4. fxg7 Bc5 5. gxh8=N Qe7 6. Ng6 hxg6 *",
        "1. d4 e5 2. dxe5 f6 3. exf6 Nc6 4. fxg7 Bc5 5. gxh8=Q Kf8 6. Qxg8+ Kxg8 *",
        "1. a4 b5 2. axb5 a6 3. bxa6 Bb7 4. axb7 Nc6 5. bxa8=R *",
    ],
)
def test_keys_of_hand_made_games_equal_python_chess(movetext: str) -> None:
    [(moves, keys)] = fast_keys([movetext])
    assert keys == python_chess_keys(moves)


def test_keys_of_every_fixture_game_equal_python_chess() -> None:
    checked = 0
    for path in sorted(FIXTURES.glob("*.pgn")):
        with open_pgn(path) as stream:
            parsed = parse_game_texts(list(game_texts(binary_blocks(stream))), 10_000)
        for record in parsed.records:
            if record.position_keys is not None:
                assert list(record.position_keys) == python_chess_keys(list(record.moves))
                checked += 1
    assert checked >= 30


@pytest.mark.parametrize(
    "name",
    [
        "lichess/lichess_db_standard_rated_2021-10_first999.pgn",
        "otb/pgnmentor_Kasparov.pgn",
        "chesscom/chesscom_export_MagnusCarlsen_2014-2018.pgn",
    ],
)
def test_keys_of_real_games_equal_python_chess_at_every_ply(name: str) -> None:
    path = SHARED / name
    if not path.exists():
        pytest.skip("shared data not available")
    with open_pgn(path) as stream:
        parsed = parse_game_texts(list(game_texts(binary_blocks(stream))), 10_000)
    plies = castles = en_passant = promotions = 0
    for record in parsed.records:
        if record.position_keys is None:
            continue
        moves = list(record.moves)
        assert list(record.position_keys) == python_chess_keys(moves), record.uid
        plies += len(moves)
        castles += sum(m in ("e1g1", "e1c1", "e8g8", "e8c8") for m in moves)
        promotions += sum(len(m) == 5 for m in moves)
        board = chess.Board()
        for uci in moves:
            move = chess.Move.from_uci(uci)
            en_passant += board.is_en_passant(move)
            board.push(move)
    assert plies > 20_000 and castles > 100 and en_passant > 5 and promotions > 5


def test_en_passant_file_is_hashed_only_with_a_pawn_beside() -> None:
    board = chess.Board()
    for uci in ("e2e4", "a7a6", "e4e5", "d7d5"):  # white pawn e5 beside d5: file hashed
        board.push_uci(uci)
    board_array = np.zeros((1, 64), dtype=np.uint8)
    codes = {(p.piece_type, p.color): p.piece_type + (0 if p.color else 6) for p in
             (chess.Piece(t, c) for t in chess.PIECE_TYPES for c in chess.COLORS)}  # fmt: skip
    for square, piece in board.piece_map().items():
        board_array[0, square] = codes[(piece.piece_type, piece.color)]
    castling = np.array([[True, True, True, True]])
    with_file = zobrist_keys(board_array, castling, np.array([3]), np.array([True]))
    without = zobrist_keys(board_array, castling, np.array([-1]), np.array([True]))
    expected = chess.polyglot.zobrist_hash(board)
    assert int(with_file[0]) % (1 << 64) == expected
    assert with_file[0] != without[0]


def _board_row(board: chess.Board) -> np.ndarray:
    """The fast parser's encoding of a board: 1..6 white PNBRQK, 7..12 black, 0 empty."""
    row = np.zeros(64, dtype=np.uint8)
    for square, piece in board.piece_map().items():
        row[square] = piece.piece_type + (0 if piece.color else 6)
    return row


def test_keys_of_unrelated_boards_in_any_order_equal_python_chess() -> None:
    """Consecutive boards need not follow by a move (each key builds on the board before)."""
    rng = random.Random(11)
    boards = [chess.Board()]
    for _ in range(40):  # random legal play-outs, up to 80 plies each
        board = chess.Board()
        for _ in range(rng.randrange(1, 80)):
            legal = list(board.legal_moves)
            if not legal:
                break
            board.push(rng.choice(legal))
            boards.append(board.copy(stack=False))
    rng.shuffle(boards)
    boards.append(chess.Board.empty())
    arrays = np.stack([_board_row(b) for b in boards])
    castling = np.array([[b.has_kingside_castling_rights(chess.WHITE), b.has_queenside_castling_rights(chess.WHITE),
                          b.has_kingside_castling_rights(chess.BLACK), b.has_queenside_castling_rights(chess.BLACK)]
                         for b in boards])  # fmt: skip
    en_passant = np.array([chess.square_file(b.ep_square) if b.ep_square is not None else -1 for b in boards])
    turn = np.array([b.turn == chess.WHITE for b in boards])
    keys = zobrist_keys(arrays, castling, en_passant, turn)
    assert [int(k) % (1 << 64) for k in keys] == [chess.polyglot.zobrist_hash(b) for b in boards]
    assert len(boards) > 1000


def test_keys_of_no_boards_and_of_one() -> None:
    none = zobrist_keys(np.zeros((0, 64), np.uint8), np.zeros((0, 4), bool), np.zeros(0, np.int8), np.zeros(0, bool))
    assert none.shape == (0,)
    start = chess.Board()
    one = zobrist_keys(_board_row(start)[None], np.ones((1, 4), bool), np.array([-1]), np.array([True]))
    assert int(one[0]) % (1 << 64) == chess.polyglot.zobrist_hash(start)
