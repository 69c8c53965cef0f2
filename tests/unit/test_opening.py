"""Opening names by position: exact names, transpositions, and the nearest named ancestor."""

from __future__ import annotations

import chess

from webapp.model.opening import epd_key, named_opening, opening_for, opening_table
from webapp.model.stats import Opening


def _board(sans: str, fen: str = chess.STARTING_FEN) -> chess.Board:
    board = chess.Board(fen)
    for san in sans.split():
        board.push_san(san)
    return board


def test_sicilian_defense_is_b20() -> None:
    assert opening_for(_board("e4 c5")) == Opening("B20", "Sicilian Defense")


def test_kings_pawn_game_after_one_move() -> None:
    assert opening_for(_board("e4")) == Opening("B00", "King's Pawn Game")


def test_start_position_has_no_name() -> None:
    assert opening_for(chess.Board()) is None


def test_zukertort_transposition_named_the_same_both_ways() -> None:
    # 1.Nf3 d5 2.d4 and 1.d4 d5 2.Nf3 reach one position: named by the position, not the moves
    via_knight = opening_for(_board("Nf3 d5 d4"))
    via_pawn = opening_for(_board("d4 d5 Nf3"))
    assert via_knight == via_pawn == Opening("D02", "Queen's Pawn Game: Zukertort Variation")


def test_nimzo_indian_reached_from_the_english() -> None:
    # 1.c4 e6 2.d4 Nf6 3.Nc3 Bb4 is the Nimzo-Indian by transposition
    assert opening_for(_board("c4 e6 d4 Nf6 Nc3 Bb4")) == Opening("E20", "Nimzo-Indian Defense")


def test_deep_unnamed_position_takes_nearest_named_ancestor() -> None:
    # 6.a3 after the Najdorf's 5...a6 is in no opening list; 5...a6 is the Najdorf (B90)
    najdorf = "e4 c5 Nf3 d6 d4 cxd4 Nxd4 Nf6 Nc3 a6"
    deep = _board(najdorf + " a3 h6 Ra2 g6 Ra1 Bg7")
    assert deep.ply() == 16
    assert named_opening(deep) is None
    assert opening_for(deep) == Opening("B90", "Sicilian Defense: Najdorf Variation")


def test_ruy_lopez_closed_sixteen_plies_deep() -> None:
    board = _board("e4 e5 Nf3 Nc6 Bb5 a6 Ba4 Nf6 O-O Be7 Re1 b5 Bb3 d6 c3 O-O")
    assert opening_for(board) == Opening("C90", "Ruy Lopez: Closed")


def test_board_from_fen_named_when_that_position_is_named() -> None:
    # the FEN names an en passant square no pawn can use: the lookup ignores it
    fen = "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq e3 0 1"
    assert opening_for(chess.Board(fen)) == Opening("B00", "King's Pawn Game")


def test_board_from_bare_fen_of_unnamed_position_has_no_ancestor() -> None:
    unnamed = _board("e4 c5 Nf3 d6 d4 cxd4 Nxd4 Nf6 Nc3 a6 a3 h6")
    assert opening_for(chess.Board(unnamed.fen())) is None


def test_walking_back_leaves_the_callers_board_alone() -> None:
    board = _board("e4 c5 a3 h6 b4")
    before = board.fen(), len(board.move_stack)
    opening_for(board)
    assert (board.fen(), len(board.move_stack)) == before


def test_table_holds_only_lichess_names() -> None:
    table = opening_table()
    # lichess-org/chess-openings has about 3,500 lines; every code is a real ECO code
    assert 3400 < len(table) < 3700
    assert all(len(o.eco) == 3 and o.eco[0] in "ABCDE" for o in table.values())


def test_epd_keys_are_equal_exactly_when_epds_are() -> None:
    """Boards along real-looking lines, with en passant squares that a capture can use, that
    no pawn stands beside, and that a pinned pawn stands beside (pseudo-legal, not legal),
    and castling rights with and without the rook at home."""
    boards = [
        chess.Board(),
        chess.Board("rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq e3 0 1"),
        chess.Board("rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1"),
        chess.Board("rnbqkbnr/ppp1pppp/8/8/3pP3/8/PPPP1PPP/RNBQKBNR b KQkq e3 0 3"),
        chess.Board("rnbqkbnr/ppp1pppp/8/8/3pP3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 3"),
        # d4xe3 would take both pawns off the fourth rank: the rook on h4 would give check
        chess.Board("8/8/8/8/k2pP2R/8/8/4K3 b - e3 0 1"),
        chess.Board("8/8/8/8/k2pP2R/8/8/4K3 b - - 0 1"),
        chess.Board("r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1"),
        chess.Board("r3k2r/8/8/8/8/8/8/R3K2R w Kk - 0 1"),
        chess.Board("r3k2r/8/8/8/8/8/8/R3K2R b KQkq - 0 1"),
        _board("e4 c5 Nf3 d6 d4 cxd4 Nxd4 Nf6 Nc3 a6"),
        _board("Nf3 d5 d4"),
        _board("d4 d5 Nf3"),
    ]
    for first in boards:
        for second in boards:
            assert (epd_key(first) == epd_key(second)) == (first.epd() == second.epd()), (first.fen(), second.fen())
    assert len({b.epd() for b in boards}) < len(boards)  # some are equal: the check can see both ways
