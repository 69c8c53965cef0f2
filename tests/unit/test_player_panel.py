"""The player panel's plain functions: the API parameters it asks with, and its tables."""

from __future__ import annotations

import plotly.graph_objects as go

from webapp.dashboard.player_panel import (
    _line_label,
    api_args,
    build_compare_table,
    build_history_figure,
    build_leaks_table,
)
from webapp.dashboard.state import Filters, ViewState
from webapp.db.leaks import Leak, MonthResult, MoveComparison, PlayerComparison
from webapp.model.query import ExplorerQuery
from webapp.model.scores import Score, ScoreComparison


def test_api_args_use_the_views_position_and_filters() -> None:
    view = ViewState(line=("e2e4", "e7e5", "g1f3"), ply=2,
                     filters=Filters(speeds=("blitz",), since="2021-01", player="explorer_player"))
    assert api_args(view, "", "black", 150) == {
        "play": "e2e4,e7e5", "speeds": "blitz", "since": "2021-01",
        "player": "explorer_player", "color": "black", "band": "150",
    }
    assert api_args(view, "lichess:bob", "white", None)["player"] == "lichess:bob"
    assert "player" not in api_args(ViewState(), None, "white", 100)
    mastered = ViewState(filters=Filters(collections=("masters", "otb")))
    assert api_args(mastered, "bob", None)["collections"] == "masters,otb"  # the peers' games too


def test_line_label_in_san() -> None:
    assert _line_label(("e2e4", "e7e5", "g1f3")) == "1. e4 e5 2. Nf3"
    assert _line_label(()) == "start"


def test_tables_show_the_numbers() -> None:
    comparison = ScoreComparison(Score(1, 0, 3), Score(6, 2, 2))
    result = PlayerComparison("bob", "white", 1500, 1400, 1699, comparison,
                              (MoveComparison("g1f3", "Nf3", comparison),))
    table = str(build_compare_table(result))
    assert "Nf3" in table and "25%" in table and "70%" in table and "-45" in table
    query = ExplorerQuery.build(player="bob", color="white")
    leaks = str(build_leaks_table(query, [Leak(("e2e4",), "fen", comparison)]))
    assert "/?play=e2e4&player=bob&color=white" in leaks and "1. e4" in leaks
    figure = go.Figure(build_history_figure([MonthResult(202101, Score(2, 0, 2))]))
    assert list(figure.data[0].y) == [4] and list(figure.data[1].y) == [50.0]


def test_history_shows_missing_months_as_gaps() -> None:
    months = [MonthResult(202011, Score(1, 0, 0)), MonthResult(202102, Score(0, 1, 1))]
    figure = go.Figure(build_history_figure(months))
    bars, score = figure.data
    assert figure.layout.xaxis.type == "date"  # not categories, which drop empty months
    assert list(bars.x) == ["2020-11-01", "2020-12-01", "2021-01-01", "2021-02-01"]
    assert list(bars.y) == [1, 0, 0, 2]
    assert list(score.y) == [100.0, None, None, 25.0]  # no games, no score: a gap
    assert score.connectgaps is False


def test_history_score_axis_holds_100_percent_with_round_ticks() -> None:
    figure = go.Figure(build_history_figure([MonthResult(202101, Score(3, 0, 0))]))
    axis = figure.layout.yaxis2
    assert axis.range[0] < 0 and axis.range[1] > 100  # a point at 100% is drawn whole
    assert axis.tickmode == "array" and list(axis.tickvals) == [0, 25, 50, 75, 100]


def test_history_of_an_unknown_player_says_so_without_axes() -> None:
    figure = go.Figure(build_history_figure([], empty="No games of 'nobody' have been imported yet."))
    assert not figure.data
    assert figure.layout.xaxis.visible is False and figure.layout.yaxis.visible is False
    assert figure.layout.annotations[0].text == "No games of 'nobody' have been imported yet."


def test_difference_is_marked_when_significant_and_greyed_when_not() -> None:
    from webapp.dashboard.player_panel import _diff, significant

    # 8 of 10 against 40 of 100: pooled 48/110, z = 0.4 / 0.164 = 2.4
    clear = ScoreComparison(Score(8, 0, 2), Score(40, 0, 60))
    assert significant(clear)
    span = _diff(clear)
    assert span.children == "+40" and "delta-significant" in span.className and "text-success" in span.className
    # 2 of 4 against 40 of 100: z = 0.1 / 0.25 = 0.4
    unclear = ScoreComparison(Score(2, 0, 2), Score(40, 0, 60))
    assert not significant(unclear)
    span = _diff(unclear)
    assert span.children == "+10" and "delta-ns" in span.className and "text-muted" in span.className
    # clearly below: red (0.5 of 10 against 60 of 100, z = −3.3)
    below = ScoreComparison(Score(0, 1, 9), Score(60, 0, 40))
    assert "text-danger" in _diff(below).className
    # one game each way, 0% against 100%: not a difference anyone can read (z = 1.41)
    assert not significant(ScoreComparison(Score(0, 0, 1), Score(1, 0, 0)))
    assert not significant(ScoreComparison(Score(3, 0, 0), Score(0, 0, 0)))  # no peers


def test_leaks_keep_the_deepest_of_a_line_carried_by_the_same_games() -> None:
    from webapp.dashboard.player_panel import drop_near_duplicates

    def leak(play: str, games: int) -> Leak:
        return Leak(tuple(play.split()), "fen", ScoreComparison(Score(0, 0, games), Score(5, 0, 5)))

    leaks = [
        leak("e2e4", 10),
        leak("e2e4 c7c5", 10),  # the same 10 games a ply deeper: e4 gives way
        leak("e2e4 c7c5 g1f3", 9),  # 9 of them again: c5 gives way too
        leak("d2d4", 20),
        leak("d2d4 d7d5", 5),  # a quarter of d4's games: both stay
    ]
    assert [" ".join(kept.play) for kept in drop_near_duplicates(leaks)] == ["e2e4 c7c5 g1f3", "d2d4", "d2d4 d7d5"]


def test_compare_rows_play_their_move_and_show_peers_games() -> None:
    comparison = ScoreComparison(Score(1, 0, 3), Score(6, 2, 2))
    result = PlayerComparison("bob", "white", 1500, 1400, 1699, comparison,
                              (MoveComparison("g1f3", "Nf3", comparison),))
    table = build_compare_table(result)
    row = table.children[1].children[0]
    assert getattr(row, "data-play") == "g1f3"  # a click plays it, as in the Explorer
    assert "10 games" in str(row)  # the peers' games beside their score


def test_the_player_tab_board_is_the_explorers_position() -> None:
    from webapp.dashboard.player_panel import board_outputs

    state = ViewState(line=("e2e4", "e7e5", "g1f3"), ply=2, orientation="black")
    src, overlay, line, opening = board_outputs(state.to_dict(), None)
    assert src.startswith("data:image/svg+xml;base64,")
    assert overlay == "board-overlay flipped"
    assert [getattr(b, "data-ply", None) for b in line if hasattr(b, "data-ply")] == ["0", "1", "2", "3"]
    assert [c.children for c in opening if hasattr(c, "children")] == ["C20", "King's Pawn Game"]
