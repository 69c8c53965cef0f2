"""Positions and moves as the database stores them: 64-bit Zobrist keys and 16-bit move codes."""

from __future__ import annotations

import chess
import chess.polyglot

#: move code for "the game reached this position and no further indexed move followed"
NO_MOVE = 0
_PROMOTIONS = (None, None, chess.KNIGHT, chess.BISHOP, chess.ROOK, chess.QUEEN)


def position_key(board: chess.Board) -> int:
    """The board's polyglot Zobrist hash as a signed 64-bit integer (fits a BIGINT)."""
    key = chess.polyglot.zobrist_hash(board)
    return key - (1 << 64) if key >= (1 << 63) else key


def encode_move(move: chess.Move) -> int:
    """A move as from | to << 6 | promotion piece << 12 (never 0 for a real move)."""
    return move.from_square | (move.to_square << 6) | ((move.promotion or 0) << 12)


def decode_move(code: int) -> chess.Move:
    """The move that encode_move() turned into `code`."""
    promotion = code >> 12
    return chess.Move(code & 63, (code >> 6) & 63, promotion or None)


def uci_to_code(uci: str) -> int:
    return encode_move(chess.Move.from_uci(uci))
