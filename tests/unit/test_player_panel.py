"""The player panel's plain functions: the API parameters it asks with, and its tables."""

from __future__ import annotations

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
    figure = build_history_figure([MonthResult(202101, Score(2, 0, 2))])
    assert list(figure.data[0].y) == [4] and list(figure.data[1].y) == [50.0]
