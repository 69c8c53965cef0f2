"""The game viewer's pure parts: where a game opens, steps, clocks, the move list."""

from __future__ import annotations

import chess
import pytest

from webapp.dashboard.game_viewer import build_move_list, clock_text, clocks_at, start_ply, step
from webapp.dashboard.state import ViewState

# 1. Nf3 d5 2. d4 Nf6 reaches the Queen's pawn position 1. d4 d5 2. Nf3 Nf6 by transposition
GAME = ["g1f3", "d7d5", "d2d4", "g8f6", "c2c4", "e7e6"]


def test_a_game_opens_where_it_reaches_the_explorers_position() -> None:
    assert start_ply(GAME, ViewState(line=("d2d4", "d7d5", "g1f3", "g8f6"), ply=4)) == 4  # transposed
    assert start_ply(GAME, ViewState(line=("g1f3",), ply=1)) == 1
    assert start_ply(GAME, ViewState()) == 0
    assert start_ply(GAME, ViewState(line=("e2e4",), ply=1)) == 0  # never there: the start
    after = chess.Board()
    for uci in GAME:
        after.push_uci(uci)
    assert start_ply(GAME, ViewState(fen=after.fen())) == len(GAME)  # a position jumped to by FEN


def test_steps_stay_within_the_game() -> None:
    assert [step(3, how, 6) for how in ("first", "previous", "next", "last")] == [0, 2, 4, 6]
    assert step(0, "previous", 6) == 0 and step(6, "next", 6) == 6


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "–"), (179.9, "2:59"), (59.5, "0:59.5"), (7.0, "0:07"), (3725.0, "1:02:05"), (0.0, "0:00")],
)
def test_clock_text(seconds: float | None, text: str) -> None:
    assert clock_text(seconds) == text


def test_each_sides_last_known_clock() -> None:
    clocks = [180.0, 179.0, 175.5, None, 170.0]
    assert clocks_at(clocks, 0) == (None, None)
    assert clocks_at(clocks, 1) == (180.0, None)
    assert clocks_at(clocks, 3) == (175.5, 179.0)
    assert clocks_at(clocks, 4) == (175.5, None)  # black's fourth-ply clock is unknown
    assert clocks_at(clocks, 5) == (170.0, None)


def test_the_move_list_numbers_moves_and_marks_the_current_one() -> None:
    game = {"san": ["Nf3", "d5", "d4"], "winner": None, "termination": "agreement"}
    plies, ending = build_move_list(game, 2)
    cells = [(type(c).__name__, getattr(c, "children", None), getattr(c, "className", ""))
             for c in plies.children]  # fmt: skip
    assert cells == [
        ("Button", "start", "game-ply start"),
        ("Span", "1.", "move-number"), ("Button", "Nf3", "game-ply"), ("Button", "d5", "game-ply current"),
        ("Span", "2.", "move-number"), ("Button", "d4", "game-ply"), ("Span", None, "ply-filler"),
    ]  # fmt: skip
    assert [c.to_plotly_json()["props"].get("data-game-ply") for c in plies.children if type(c).__name__ == "Button"] == [
        "0", "1", "2", "3"]  # fmt: skip
    assert ending.children == "½-½ · agreement"
