"""Polyglot Zobrist keys for many positions at once, from the board arrays of the fast parser.

Equal to `chess.polyglot.zobrist_hash` (as a signed 64-bit integer, like
webapp.model.position.position_key), including python-chess's en-passant rule: the file
of a double-pushed pawn is hashed only when a pawn of the side to move stands next to it.
Boards use the fast parser's encoding: 0 empty, 1..6 white PNBRQK, 7..12 black pnbrqk,
square a1 = 0 … h8 = 63; castling flags are (white king-side, white queen-side, black
king-side, black queen-side); en_passant is the file of a double push, or -1.
"""

from __future__ import annotations

import chess.polyglot
import numpy as np

_RANDOM = np.array(chess.polyglot.POLYGLOT_RANDOM_ARRAY, dtype=np.uint64)


def _piece_square_table() -> np.ndarray:
    """(13 × 64) keys: row = board code, column = square; row 0 (empty) is all zero."""
    table = np.zeros((13, 64), dtype=np.uint64)
    for code in range(1, 13):
        white = code <= 6
        piece_type = code if white else code - 6
        piece_index = (piece_type - 1) * 2 + (1 if white else 0)
        table[code] = _RANDOM[64 * piece_index : 64 * piece_index + 64]
    return table


_PIECE_SQUARE = _piece_square_table()
_FLAT_TABLE = _PIECE_SQUARE.reshape(-1)  # code * 64 + square
_CASTLING = _RANDOM[768:772]
_EP_FILE = _RANDOM[772:780]
_WHITE_TO_MOVE = _RANDOM[780]
_SQUARES = np.arange(64)


def zobrist_keys(
    boards: np.ndarray, castling: np.ndarray, en_passant: np.ndarray, white_to_move: np.ndarray
) -> np.ndarray:
    """Signed 64-bit keys of n positions: boards (n, 64) or (n, 8, 8), castling (n, 4) bool,
    en_passant (n,) file or -1, white_to_move (n,) bool."""
    boards = boards.reshape(len(boards), 64)
    keys = _piece_square_keys(boards)
    castling = castling.astype(bool)
    for flag in range(4):
        keys ^= np.where(castling[:, flag], _CASTLING[flag], np.uint64(0))
    keys ^= np.where(white_to_move, _WHITE_TO_MOVE, np.uint64(0))
    keys ^= _en_passant_keys(boards, en_passant, white_to_move)
    return keys.view(np.int64)


def _piece_square_keys(boards: np.ndarray) -> np.ndarray:
    """The pieces' part of each key, (n, 64) boards: the first board's keys xored whole,
    each later one's from the board before it through the squares that differ. The boards
    of a game follow one another (a move changes two to four squares), so this looks up
    about three keys a position instead of 64 (the first 41 positions of 2,000 real games:
    9.5 ms instead of 29); it holds for any two boards, a new game's first board included."""
    keys = np.zeros(len(boards), dtype=np.uint64)
    if len(boards) == 0:
        return keys
    keys[0] = np.bitwise_xor.reduce(_PIECE_SQUARE[boards[0], _SQUARES])
    squares = np.ascontiguousarray(boards).reshape(-1)
    # the flat index i of a changed square of the pair (board b, board b + 1): b = i // 64
    changed = np.flatnonzero(squares[64:] != squares[:-64])
    if len(changed):
        square = changed & 63
        before = squares[changed].astype(np.intp) * 64 + square
        after = squares[changed + 64].astype(np.intp) * 64 + square
        changes = _FLAT_TABLE[before] ^ _FLAT_TABLE[after]
        board = changed >> 6
        first_of_board = np.flatnonzero(np.concatenate(([True], board[1:] != board[:-1])))
        keys[board[first_of_board] + 1] = np.bitwise_xor.reduceat(changes, first_of_board)
    return np.bitwise_xor.accumulate(keys)


def _en_passant_keys(boards: np.ndarray, en_passant: np.ndarray, white_to_move: np.ndarray) -> np.ndarray:
    files = en_passant.astype(np.int64)
    rows = np.flatnonzero(files >= 0)
    result = np.zeros(len(boards), dtype=np.uint64)
    if len(rows) == 0:
        return result
    file = files[rows]
    white = white_to_move[rows].astype(bool)
    # The double-pushed pawn stands on rank 4 (black to move) or rank 5 (white to move);
    # a capturing pawn of the side to move must stand beside it.
    rank_start = np.where(white, 32, 24)
    capturer = np.where(white, 1, 7)
    beside = np.zeros(len(rows), dtype=bool)
    for step in (-1, 1):
        neighbour = file + step
        on_board = (neighbour >= 0) & (neighbour <= 7)
        square = rank_start + np.clip(neighbour, 0, 7)
        beside |= on_board & (boards[rows, square] == capturer)
    result[rows[beside]] = _EP_FILE[file[beside]]
    return result
