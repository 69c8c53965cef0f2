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
