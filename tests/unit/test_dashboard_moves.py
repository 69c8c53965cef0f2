"""The moves panel's builders: the numbers on screen are the explorer result's, exactly."""

from __future__ import annotations

from component_text import texts as _texts

from webapp.dashboard.explore import ExplorerView
from webapp.dashboard.moves import build_bar, build_moves, percent, player_score
from webapp.model.query import ExplorerQuery
from webapp.model.stats import ExplorerResult, MoveStats, Results


def test_bar_carries_exact_counts_and_rounded_shares() -> None:
    bar = build_bar(Results(white=7, draws=1, black=2))
    assert (bar.to_plotly_json()["props"]["data-white"], getattr(bar, "data-games")) == ("7", "10")
    assert [segment.children for segment in bar.children] == ["70%", "", "20%"]  # 10% is too narrow
    assert bar.title == "White wins 7 (70.0%) · draws 1 (10.0%) · Black wins 2 (20.0%)"


def test_percent_rounds_half_to_even() -> None:
    assert (percent(5, 8), percent(1, 8, 1), percent(1, 0)) == ("62%", "12.5%", "–")


def test_move_rows_in_explorer_order_with_games_share_and_rating() -> None:
    result = ExplorerResult(
        fen="x",
        totals=Results(white=6, draws=2, black=2, rating_sum=16000, rated_games=10),
        moves=(
            MoveStats("e2e4", "e4", Results(white=5, draws=1, black=1, rating_sum=11200, rated_games=7)),
            MoveStats("d2d4", "d4", Results(white=1, draws=1, black=0, rating_sum=3000, rated_games=2)),
        ),
    )
    view = ExplorerView(query=ExplorerQuery.build(), result=result)
    [table] = build_moves(view)
    rows = table.children[1].children
    assert [getattr(row, "data-play") for row in rows] == ["e2e4", "d2d4"]
    assert _texts(rows[0])[:3] == ["e4", "7", "70.0%"]
    assert _texts(rows[0])[-1] == "1600"
    assert _texts(rows[1])[:3] == ["d4", "2", "20.0%"]


def test_player_score_is_from_the_players_side() -> None:
    results = Results(white=1, draws=2, black=1)
    assert player_score(Results(white=3, draws=0, black=1), "black") == 0.25
    assert player_score(results, None) == 0.5
    assert player_score(Results(), "white") is None


def test_score_delta_in_whole_points() -> None:
    from webapp.dashboard.moves import score_delta

    assert (score_delta(0.58, 0.5), score_delta(0.497, 0.5), score_delta(0.4, 0.5)) == ("+8", "0", "-10")
    assert score_delta(None, 0.5) == "–"


def test_a_totals_row_under_the_moves_counts_every_game_of_the_position() -> None:
    # 10 games reached the position; 9 went on with e4 or d4, one ended there.
    result = ExplorerResult(
        fen="x",
        totals=Results(white=6, draws=2, black=2, rating_sum=16000, rated_games=10),
        moves=(
            MoveStats("e2e4", "e4", Results(white=5, draws=1, black=1, rating_sum=11200, rated_games=7)),
            MoveStats("d2d4", "d4", Results(white=1, draws=1, black=0, rating_sum=3000, rated_games=2)),
        ),
    )
    [table] = build_moves(ExplorerView(query=ExplorerQuery.build(), result=result))
    footer = table.children[2]
    assert footer.children.className == "totals-row"
    texts = _texts(footer)
    assert texts[:3] == ["Σ", "10", "100%"]
    assert texts[-1] == "1600"
    bar = footer.children.children[3].children
    assert (getattr(bar, "data-white"), getattr(bar, "data-draws"), getattr(bar, "data-black")) == ("6", "2", "2")


def test_the_comparison_table_totals_row_has_both_sides_and_the_players_spelling() -> None:
    mine = ExplorerResult(fen="x", totals=Results(white=3, draws=1, black=0),
                          moves=(MoveStats("e2e4", "e4", Results(white=3, draws=1, black=0)),))
    peers = ExplorerResult(fen="x", totals=Results(white=5, draws=0, black=5),
                           moves=(MoveStats("e2e4", "e4", Results(white=5, draws=0, black=5)),))
    query = ExplorerQuery.build(player="carol_rook", color="white")
    [table] = build_moves(ExplorerView(query=query, result=mine, peers=peers, player_name="Carol_Rook"))
    texts = _texts(table.children[2])
    # player 4 games scoring 87.5%, peers 10 games scoring 50%: +38 points (rounded)
    assert texts[:5] == ["Σ", "4", "10", "100%", "100%"]
    assert texts[-1] == "+38"
    assert "Carol_Rook" in _texts(table.children[0])
