"""Position keys of a stored game, replayed without python-chess's move generation.

Stored games were checked when they were imported, so their moves are known to be legal:
replaying them needs only to move pieces (and the rook of a castling, the pawn taken en
passant, the promoted piece) and to keep the polyglot Zobrist key up to date, a few
operations a ply instead of a legality check and a full hash. The keys equal
`webapp.model.position.position_key` (python-chess's polyglot hash) at every ply; the tests
check that on real games. Used to index players and rebuild statistics from the games
table, where python-chess would spend most of the time.
"""

from __future__ import annotations

from collections.abc import Sequence

import chess
import chess.polyglot

_RANDOM = chess.polyglot.POLYGLOT_RANDOM_ARRAY
_CASTLING = 768  # + 0 white kingside, 1 white queenside, 2 black kingside, 3 black queenside
_EP_FILE = 772
_WHITE_TO_MOVE = 780
_PAWN, _KING = chess.PAWN, chess.KING
# a piece is (piece_type - 1) * 2 + (1 if white else 0): polyglot's piece index
_WHITE, _BLACK = 1, 0


def _start() -> tuple[list[int], int]:
    board = [-1] * 64
    key = 0
    for square, piece in chess.Board().piece_map().items():
        index = (piece.piece_type - 1) * 2 + (_WHITE if piece.color else _BLACK)
        board[square] = index
        key ^= _RANDOM[64 * index + square]
    return board, key


_START_BOARD, _START_PIECES_KEY = _start()
_ALL_CASTLING = (
    _RANDOM[_CASTLING] ^ _RANDOM[_CASTLING + 1] ^ _RANDOM[_CASTLING + 2] ^ _RANDOM[_CASTLING + 3]
)
# castling flag lost when a move leaves or reaches the square: bit 0..3 as _CASTLING + bit
_RIGHTS_TOUCHED = {
    chess.E1: 0b0011, chess.H1: 0b0001, chess.A1: 0b0010,
    chess.E8: 0b1100, chess.H8: 0b0100, chess.A8: 0b1000,
}  # fmt: skip
_WHITE_PAWN = (_PAWN - 1) * 2 + _WHITE
_BLACK_PAWN = (_PAWN - 1) * 2 + _BLACK


def _signed(key: int) -> int:
    return key - (1 << 64) if key >= (1 << 63) else key


def _ep_key(board: list[int], ep_square: int, white_to_move: bool) -> int:
    """The en passant file's key, only when a pawn of the side to move stands beside the
    pawn that just moved two squares (legality does not matter), as polyglot says."""
    behind = ep_square - 8 if white_to_move else ep_square + 8  # the pawn that moved
    pawn = _WHITE_PAWN if white_to_move else _BLACK_PAWN
    file = ep_square & 7
    if (file > 0 and board[behind - 1] == pawn) or (file < 7 and board[behind + 1] == pawn):
        return _RANDOM[_EP_FILE + file]
    return 0


def replay_keys(codes: Sequence[int], plies: int) -> list[int]:
    """Position keys before each of the first `plies` moves and after the last of them.

    `codes` are move codes (from | to << 6 | promotion << 12) of a legal game from the
    standard start position.
    """
    board = list(_START_BOARD)
    pieces_key = _START_PIECES_KEY
    rights = 0b1111
    castling_key = _ALL_CASTLING
    ep_key = 0
    white = True
    keys = [_signed(pieces_key ^ castling_key ^ _RANDOM[_WHITE_TO_MOVE])]
    for code in codes[:plies]:
        source, target, promotion = code & 63, (code >> 6) & 63, code >> 12
        piece = board[source]
        captured = board[target]
        pieces_key ^= _RANDOM[64 * piece + source]
        if captured >= 0:
            pieces_key ^= _RANDOM[64 * captured + target]
        piece_type = (piece >> 1) + 1
        placed = piece if not promotion else (promotion - 1) * 2 + (piece & 1)
        board[source] = -1
        board[target] = placed
        pieces_key ^= _RANDOM[64 * placed + target]
        next_ep = -1
        if piece_type == _PAWN:
            if captured < 0 and (source ^ target) & 7:  # diagonal onto an empty square
                taken = target - 8 if white else target + 8
                pieces_key ^= _RANDOM[64 * board[taken] + taken]
                board[taken] = -1
            elif abs(target - source) == 16:
                next_ep = (source + target) // 2
        elif piece_type == _KING and abs(target - source) == 2:  # castling: the rook too
            rook_from, rook_to = (target + 1, target - 1) if target > source else (target - 2, target + 1)
            rook = board[rook_from]
            pieces_key ^= _RANDOM[64 * rook + rook_from] ^ _RANDOM[64 * rook + rook_to]
            board[rook_from] = -1
            board[rook_to] = rook
        lost = rights & (_RIGHTS_TOUCHED.get(source, 0) | _RIGHTS_TOUCHED.get(target, 0))
        if lost:
            for bit in range(4):
                if lost & (1 << bit):
                    castling_key ^= _RANDOM[_CASTLING + bit]
            rights &= ~lost
        white = not white
        ep_key = _ep_key(board, next_ep, white) if next_ep >= 0 else 0
        key = pieces_key ^ castling_key ^ ep_key
        if white:
            key ^= _RANDOM[_WHITE_TO_MOVE]
        keys.append(_signed(key))
    return keys


def legal_moves_keys(moves: Sequence[str]) -> dict[str, list[int]]:
    """`move_codes` and `position_keys` (every ply) for a GameRecord whose UCI moves were
    just replayed legally (by python-chess, from a site's API), so the loader need not."""
    from webapp.indexer.rows import MOVE_CODES

    codes = [MOVE_CODES[uci] for uci in moves]
    return {"move_codes": codes, "position_keys": replay_keys(codes, len(codes))}
