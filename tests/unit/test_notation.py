"""Reading pasted positions: FENs and move lists in SAN / UCI, checked against python-chess."""

from __future__ import annotations

import io

import chess
import chess.pgn
import pytest

from webapp.model.notation import NotationError, PastedPosition, read_position

SICILIAN = ("e2e4", "c7c5", "g1f3")


def _reference(pgn: str) -> tuple[str, ...]:
    """The mainline of a PGN as python-chess reads it (UCI)."""
    game = chess.pgn.read_game(io.StringIO(pgn))
    assert game is not None
    return tuple(m.uci() for m in game.mainline_moves())


@pytest.mark.parametrize(
    "text",
    [
        "1. e4 c5 2. Nf3",
        "1.e4 c5 2.Nf3",
        "e4 c5 Nf3",
        "e2e4 c7c5 g1f3",
        "e2e4,c7c5,g1f3",
        "1. e2e4 c7c5 2. g1f3",  # UCI with numbers
        "1. e4 {the king's pawn} c5! (1... e5 2. Nf3 (2. f4)) 2. Nf3 $1 *",
        "  1. e4\n  c5\n2. Nf3 ; a comment to the end of the line\n",
        "1. e4 1... c5 2. Nf3",
    ],
)
def test_a_sicilian_written_many_ways_is_the_same_line(text: str) -> None:
    assert read_position(text) == PastedPosition(fen=None, moves=SICILIAN)


def test_a_whole_pgn_with_headers_matches_python_chess() -> None:
    # The Opera Game, Morphy vs Duke Karl / Count Isouard, Paris 1858.
    pgn = """[Event "Paris"]
[White "Morphy, Paul"]
[Black "Duke Karl / Count Isouard"]
[Result "1-0"]

1. e4 e5 2. Nf3 d6 3. d4 Bg4 {This is a weak move already.} 4. dxe5 Bxf3 5. Qxf3 dxe5
6. Bc4 Nf6 7. Qb3 Qe7 8. Nc3 c6 9. Bg5 b5 10. Nxb5 cxb5 11. Bxb5+ Nbd7 12. O-O-O Rd8
13. Rxd7 Rxd7 14. Rd1 Qe6 15. Bxd7+ Nxd7 16. Qb8+ Nxb8 17. Rd8# 1-0
"""
    pasted = read_position(pgn)
    assert pasted.fen is None
    assert pasted.moves == _reference(pgn)
    assert pasted.board().is_checkmate()


def test_castling_written_as_king_onto_rook_is_castling() -> None:
    # 1.e4 e5 2.Nf3 Nc6 3.Bc4 Bc5: white may castle short; e1h1 is the king onto its rook.
    pasted = read_position("e2e4 e7e5 g1f3 b8c6 f1c4 f8c5 e1h1")
    assert pasted.moves[-1] == "e1g1"
    assert pasted.board().piece_at(chess.G1) == chess.Piece(chess.KING, chess.WHITE)
    assert pasted.board().piece_at(chess.F1) == chess.Piece(chess.ROOK, chess.WHITE)
    assert read_position("1. e4 e5 2. Nf3 Nc6 3. Bc4 Bc5 4. 0-0").moves[-1] == "e1g1"


def test_king_onto_rook_without_the_right_to_castle_is_illegal() -> None:
    # The f1 bishop still stands between king and rook.
    with pytest.raises(NotationError, match=r"“3\. e1h1” is not a legal move for White after 1\. e4 e5 2\. Nf3 Nc6"):
        read_position("e2e4 e7e5 g1f3 b8c6 e1h1")


def test_a_fen_sets_the_position() -> None:
    fen = "rnbqkbnr/pp1ppppp/8/2p5/4P3/5N2/PPPP1PPP/RNBQKB1R b KQkq - 1 2"
    assert read_position(fen) == PastedPosition(fen=fen)
    assert read_position("  " + fen.replace(" ", "   ") + "\n") == PastedPosition(fen=fen)


def test_a_fen_of_the_start_position_is_the_start() -> None:
    assert read_position(chess.STARTING_FEN) == PastedPosition()


def test_a_fen_with_only_the_board_and_side_is_completed() -> None:
    # python-chess fills castling "-", no en passant, clocks 0 1
    assert read_position("8/8/8/4k3/8/8/4P3/4K3 w").fen == "8/8/8/4k3/8/8/4P3/4K3 w - - 0 1"


def test_a_fen_tag_starts_the_moves_there() -> None:
    pgn = '[SetUp "1"]\n[FEN "8/8/8/4k3/8/8/4P3/4K3 w - - 0 1"]\n\n1. e4 Kd6 2. Kd2'
    pasted = read_position(pgn)
    assert pasted.fen == "8/8/8/4k3/8/8/4P3/4K3 w - - 0 1"
    assert pasted.moves == ("e2e4", "e5d6", "e1d2")


def test_the_first_illegal_move_is_named_with_its_number() -> None:
    with pytest.raises(NotationError) as error:
        read_position("1. e4 c5 2. Nf3 Nf3")
    assert str(error.value) == "“2... Nf3” is not a legal move for Black after 1. e4 c5 2. Nf3."


def test_an_illegal_first_move_is_named() -> None:
    with pytest.raises(NotationError) as error:
        read_position("e2e5")
    assert str(error.value) == "“1. e2e5” is not a legal move for White in the starting position."


def test_a_word_that_is_no_move_is_named() -> None:
    with pytest.raises(NotationError, match=r"“2\. hello” is not a move"):
        read_position("1. e4 e5 2. hello")


def test_an_ambiguous_move_asks_which_piece() -> None:
    # After 1.d4 d5 2.Nf3 Nf6 the d2 square is empty and both Nb1 and Nf3 reach it.
    with pytest.raises(NotationError, match="ambiguous"):
        read_position("1. d4 d5 2. Nf3 Nf6 3. Nd2")


def test_a_bad_fen_says_why() -> None:
    with pytest.raises(NotationError, match="no black king"):
        read_position("8/8/8/8/8/8/4P3/4K3 w - - 0 1")
    with pytest.raises(NotationError, match="Not a valid FEN"):
        read_position("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNX w KQkq - 0 1")
    with pytest.raises(NotationError, match="its board has 4 ranks, a FEN has 8"):
        read_position("rnbqkbnr/pppppppp/8/8 w")


def test_empty_text_says_what_to_paste() -> None:
    for text in ("", "   ", "1-0", "{just a comment}"):
        with pytest.raises(NotationError, match="e.g. 1. e4 c5"):
            read_position(text)


def test_promotion_in_san_and_uci() -> None:
    # 1.a4 b5 2.axb5 a6 3.bxa6 Bb7 4.axb7 Nc6 5.bxa8=N
    san = read_position("1. a4 b5 2. axb5 a6 3. bxa6 Bb7 4. axb7 Nc6 5. bxa8=N")
    uci = read_position("a2a4 b7b5 a4b5 a7a6 b5a6 c8b7 a6b7 b8c6 b7a8n")
    assert san == uci
    assert san.moves[-1] == "b7a8n"


def test_black_to_move_fen_plus_moves_numbers_black_first() -> None:
    with pytest.raises(NotationError, match=r"“2\.\.\. e5” is not a legal move for Black here"):
        read_position('[FEN "rnbqkbnr/pppp1ppp/8/4p3/4P3/5N2/PPPP1PPP/RNBQKB1R b KQkq - 1 2"]\n2... e5')
