"""The board picture and its buttons: last move, check, targets, orientation, square order."""

from __future__ import annotations

import chess

from webapp.dashboard.board import board_svg, build_move_line, build_squares
from webapp.dashboard.state import Selection, ViewState


def test_squares_run_from_a8_to_h1_like_the_picture_from_whites_side() -> None:
    names = [getattr(button, "data-square") for button in build_squares().children.children]
    assert len(names) == 64 and len(set(names)) == 64
    assert (names[0], names[7], names[56], names[63]) == ("a8", "h8", "a1", "h1")


def test_last_move_and_check_are_marked() -> None:
    # 1.e4 e5 2.Bc4 Nc6 3.Bxf7+: the bishop checks the king on e8.
    svg = board_svg(ViewState(line=("e2e4", "e7e5", "f1c4", "b8c6", "c4f7"), ply=5))
    assert "lastmove" in svg and "check_gradient" in svg
    quiet = board_svg(ViewState(line=("e2e4",), ply=1))
    assert "lastmove" in quiet and "check_gradient" not in quiet
    assert "lastmove" not in board_svg(ViewState())


def test_targets_of_the_picked_piece_are_filled() -> None:
    svg = board_svg(ViewState(), Selection(square="b1"))
    assert svg.count("#2e8b57") == 2  # a3 and c3
    assert svg.count("#f6f669") == 1  # b1 itself


def test_orientation_turns_the_picture() -> None:
    white, black = board_svg(ViewState()), board_svg(ViewState(orientation="black"))
    assert white != black
    assert black == chess.svg.board(chess.Board(), orientation=chess.BLACK, coordinates=True)


def test_move_line_numbers_moves_and_marks_the_current_ply() -> None:
    items = build_move_line(ViewState(line=("e2e4", "e7e5", "g1f3"), ply=2))
    texts = [item.children for item in items]
    assert texts == ["start", "1.", "e4", "e5", "2.", "Nf3"]
    plies = [item for item in items if getattr(item, "data-ply", None) is not None]
    assert [getattr(p, "data-ply") for p in plies] == ["0", "1", "2", "3"]
    assert [p.className for p in plies] == ["ply", "ply", "ply current", "ply ahead"]


def test_targets_are_dots_and_rings_not_square_fills() -> None:
    # 1.e4 d5: the e4 pawn may push to e5 (a dot) or take on d5 (a ring).
    state = ViewState(line=("e2e4", "d7d5"), ply=2)
    svg = board_svg(state, Selection(square="e4"))
    assert 'class="target e5"' in svg and 'class="target capture d5"' in svg
    assert svg.count('class="target') == 2


def test_a_line_from_a_fen_with_black_to_move_numbers_from_the_fen() -> None:
    fen = "rnbqkbnr/pp1ppppp/8/2p5/4P3/5N2/PPPP1PPP/RNBQKB1R b KQkq - 1 2"
    items = build_move_line(ViewState(fen=fen, line=("b8c6", "d2d4"), ply=2))
    assert [i.children for i in items] == ["FEN", "2…", "Nc6", "3.", "d4"]
