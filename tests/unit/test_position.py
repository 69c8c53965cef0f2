"""Position keys equal python-chess's polyglot hash; move codes round-trip."""

import chess
import chess.polyglot

from webapp.model.position import NO_MOVE, decode_move, encode_move, position_key


def test_start_position_key_is_the_polyglot_reference_value() -> None:
    # The polyglot book format documents the start position's key as 463b96181691fc9c.
    key = position_key(chess.Board())
    assert key % (1 << 64) == 0x463B96181691FC9C
    assert -(1 << 63) <= key < (1 << 63)


def test_transposition_has_one_key() -> None:
    # 1.Nf3 d5 2.d4 and 1.d4 d5 2.Nf3 reach the same position.
    a, b = chess.Board(), chess.Board()
    for san in ("Nf3", "d5", "d4"):
        a.push_san(san)
    for san in ("d4", "d5", "Nf3"):
        b.push_san(san)
    assert position_key(a) == position_key(b)
    assert position_key(a) != position_key(chess.Board())


def test_every_move_code_round_trips_and_is_never_no_move() -> None:
    moves = {chess.Move(f, t) for f in chess.SQUARES for t in chess.SQUARES if f != t}
    moves |= {
        chess.Move(f, t, p)
        for f in chess.SQUARES
        for t in chess.SQUARES
        for p in (chess.KNIGHT, chess.BISHOP, chess.ROOK, chess.QUEEN)
        if f != t
    }
    codes = {encode_move(m) for m in moves}
    assert len(codes) == len(moves)
    assert NO_MOVE not in codes
    assert max(codes) < 1 << 15  # fits a SMALLINT
    assert all(decode_move(encode_move(m)) == m for m in moves)
