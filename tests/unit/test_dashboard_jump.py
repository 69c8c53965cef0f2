"""The jump box: pasted text → the dashboard URL (filters kept) or the problem in words."""

from __future__ import annotations

from webapp.dashboard.callbacks import Event, event_from_trigger, next_state
from webapp.dashboard.explore import ExplorerView
from webapp.dashboard.jump import jump_search
from webapp.dashboard.moves import build_opening
from webapp.dashboard.state import Filters, Selection, ViewState
from webapp.dashboard.url import state_from_search
from webapp.model.query import ExplorerQuery
from webapp.model.stats import ExplorerResult, Results

FEN = "rnbqkbnr/pp1ppppp/8/2p5/4P3/5N2/PPPP1PPP/RNBQKB1R b KQkq - 1 2"


def test_a_move_list_becomes_the_line_and_the_filters_stay() -> None:
    stored = ViewState(line=("d2d4",), ply=1, orientation="black",
                       filters=Filters(speeds=("blitz",), since="2021-01")).to_dict()
    search, problem = jump_search("1. e4 c5 2. Nf3", stored)
    assert problem is None
    assert search == "?play=e2e4,c7c5,g1f3&speeds=blitz&since=2021-01&orientation=black"
    state = state_from_search(search)
    assert (state.line, state.ply, state.fen) == (("e2e4", "c7c5", "g1f3"), 3, None)


def test_a_fen_becomes_the_start_of_an_empty_line() -> None:
    search, problem = jump_search(FEN, None)
    assert problem is None
    assert state_from_search(search) == ViewState(fen=FEN)


def test_the_start_position_jumps_home() -> None:
    assert jump_search("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1", None) == ("?", None)


def test_a_bad_paste_gives_the_problem_and_no_url() -> None:
    assert jump_search("1. e4 e5 2. Ke3", None) == ("", "“2. Ke3” is not a legal move for White after 1. e4 e5.")


def test_a_drop_from_clicks_js_is_an_event_that_plays_the_move() -> None:
    event = event_from_trigger("click", {"n": 3, "from": "g1", "to": "f3"})
    assert event == Event("drop", ("g1", "f3"))
    state, selection = next_state(event, ViewState(), Selection(), Filters(), None)
    assert (state.line, selection) == (("g1f3",), Selection())


def test_a_fen_position_is_not_called_the_starting_position() -> None:
    result = ExplorerResult(fen=FEN, totals=Results(), moves=())
    view = ExplorerView(query=ExplorerQuery.build(fen=FEN), result=result)
    assert build_opening(view)[0].children == "Unnamed position"
    view = ExplorerView(query=ExplorerQuery.build(), result=result)
    assert build_opening(view)[0].children == "Starting position"
