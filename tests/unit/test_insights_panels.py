"""The flags panel's and the Opponent tab's builders: what they write for given numbers."""

from __future__ import annotations

import chess
from component_text import texts as _texts

from webapp.dashboard.flags_panel import build_flags, evidence
from webapp.dashboard.opponent_panel import build_line, panel_args
from webapp.dashboard.state import Filters, ViewState
from webapp.db.move_flags import PositionFlags
from webapp.db.opponent import LineStep, OpponentPrep
from webapp.model.move_flags import MoveFlags, Surprise, Trap, Trend
from webapp.model.scores import Score


def _position(*moves: MoveFlags) -> PositionFlags:
    return PositionFlags(fen=chess.STARTING_FEN, turn="black", games=200, score=Score(80, 40, 80),
                         latest=202310, split=1500, moves=moves)


def _move(uci: str, san: str, *, trend: Trend | None = None, trap: Trap | None = None) -> MoveFlags:
    return MoveFlags(uci, san, 40, trend, Surprise(40, 0.2, Score(20, 0, 20), Score(80, 40, 80)),
                     trap or Trap(1500, Score(), Score()))


def test_trap_badge_and_its_evidence() -> None:
    trap = Trap(1500, Score(17, 1, 2), Score(3, 1, 16))
    move = _move("c6d4", "Nd4", trap=trap)
    position = _position(move, _move("g8f6", "Nf6"))
    text = evidence(move, "trap", position)
    assert text == ("black scores 87.5% below 1500 (20 games) vs 17.5% at 1500+ (20 games); "
                    "95% intervals apart")
    rows = build_flags(position)
    assert len(rows) == 1 and rows[0].id == {"type": "move-flag-row", "index": "c6d4"}  # Nf6 has no flag
    badge = rows[0].children[1]
    assert badge.children == "⚠ trap" and badge.title == text


def test_trend_evidence_names_both_windows() -> None:
    move = _move("c2c4", "c4", trend=Trend((202211, 202310), (202111, 202210), 30, 60, 10, 60, 3.9036))
    assert move.flags == ("rising",)
    assert evidence(move, "rising", _position(move)) == (
        "50.0% of games in 2022-11–2023-10 (30/60) vs 16.7% in 2021-11–2022-10 (10/60); z = +3.90"
    )


def test_no_flags_says_how_many_moves_were_tested() -> None:
    assert "No flags among the 2 moves" in _texts(build_flags(_position(_move("e7e5", "e5"), _move("c7c5", "c5"))))[0]
    assert _texts(build_flags(_position())) == ["No moves to flag here."]


def test_line_is_numbered_from_the_shown_position() -> None:
    board = chess.Board()
    board.push_uci("e2e4")
    steps = (LineStep("e7e5", "e5", "you", Score(3, 0, 1), ("e2e4", "e7e5")),
             LineStep("g1f3", "Nf3", "opponent", Score(2, 1, 1), ("e2e4", "e7e5", "g1f3")),
             LineStep("b8c6", "Nc6", "you", Score(2, 0, 0), ("e2e4", "e7e5", "g1f3", "b8c6")))
    prep = OpponentPrep("frank", "black", "white", board.fen(), "you", Score(), (), steps)
    links = build_line(prep, ["/a", "/b", "/c"]).children
    assert [a.children for a in links] == ["1…e5", "2.Nf3", "Nc6"]
    assert [a.href for a in links] == ["/a", "/b", "/c"]
    assert links[1].title == "they · 4 games · their score 62%"


def test_panel_args_never_take_the_explorers_player() -> None:
    view = ViewState(line=("e2e4",), ply=1, filters=Filters(player="me", color="white", speeds=("blitz",)))
    assert panel_args(view, "  ", "black") == {"play": "e2e4", "speeds": "blitz"}
    assert panel_args(view, "Frank ", "black") == {"play": "e2e4", "speeds": "blitz", "player": "Frank",
                                                    "color": "black"}
