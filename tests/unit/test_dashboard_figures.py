"""The Plotly figure builders: pure functions from frames to figures, checked on their data.

Each figure dict is read back through plotly.graph_objects, which rejects any property
Plotly does not know, so a typo in a builder fails here rather than in the browser.
"""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from tests.unit.test_dashboard_chart_frames import AFTER_E4
from webapp.dashboard.chart_frames import chart_frames
from webapp.dashboard.figures import (
    bands_figure,
    empty_figure,
    graph_config,
    graph_style,
    results_figure,
    time_figure,
)
from webapp.db.breakdown import Breakdown

FRAMES = chart_frames(AFTER_E4)


def test_results_figure_stacks_white_draws_black_and_marks_the_score() -> None:
    figure = go.Figure(results_figure(FRAMES.moves, "black"))
    bars = {t.name: t for t in figure.data if t.type == "bar"}
    assert list(bars) == ["White wins", "Draws", "Black wins"]
    white = bars["White wins"]
    assert list(white.y) == ["e5", "c5"]
    assert [list(row) for row in white.customdata] == [["e7e5", 17, 24], ["c7c5", 2, 3]]
    assert white.x[0] == pytest.approx(100 * 17 / 24)
    score = next(t for t in figure.data if t.type == "scatter")
    assert score.name == "Black's score"
    assert score.x[0] == pytest.approx(100 * 5.5 / 24)
    low, high = FRAMES.moves.iloc[0][["score_low", "score_high"]]
    assert score.error_x.arrayminus[0] == pytest.approx(100 * (5.5 / 24 - low))
    assert score.error_x.array[0] == pytest.approx(100 * (high - 5.5 / 24))
    assert "95% interval" in score.hovertemplate and "customdata[1]" in score.hovertemplate
    assert figure.layout.barmode == "stack"
    assert figure.layout.xaxis2.range == (-4, 104)  # a 0% or 100% point is not clipped


def test_bands_figure_draws_a_line_and_a_95_band_per_move() -> None:
    figure = go.Figure(bands_figure(FRAMES.bands, "black", rating="rating (mean of both players)"))
    lines = [t for t in figure.data if t.customdata is not None]
    fills = [t for t in figure.data if t.fill == "toself"]
    assert [t.name for t in lines] == ["e5", "c5"]
    assert [t.name for t in fills] == ["e5 95%"]  # c5 has one group: its error bar is the band
    assert figure.data[0].fill == "toself"  # drawn under the lines
    e5 = lines[0]
    assert list(e5.x) == [1600, 1850]
    assert [row[3] for row in e5.customdata] == [11, 12]
    assert list(e5.error_x.array) == [100, 50]  # 1500–1699 and 1800–1899, half widths
    assert figure.layout.yaxis.range == (-4, 104)
    assert list(figure.layout.yaxis.tickvals) == [0, 25, 50, 75, 100]
    assert figure.layout.xaxis.title.text == "rating (mean of both players)"


def test_time_figure_shows_every_month_and_each_top_move() -> None:
    figure = go.Figure(time_figure(FRAMES.months, "black"))
    bars = [t for t in figure.data if t.type == "bar"]
    assert len(bars) == 1
    assert [row[1] for row in bars[0].customdata] == ["2021-01", "2021-02", "2021-03", "2021-04"]
    assert list(bars[0].y) == [14, 0, 0, 13]
    lines = [t for t in figure.data if t.type == "scatter"]
    assert [t.name for t in lines] == ["e5", "e5", "c5", "c5"]
    share = lines[0]
    assert share.connectgaps is False
    assert share.y[1] is None or share.y[1] != share.y[1]  # a month without games is a gap
    assert figure.layout.xaxis.type == "date"
    assert {t.xaxis for t in figure.data} == {"x"}  # one month axis under all three rows


def test_empty_frames_say_why_instead_of_drawing_axes() -> None:
    empty = chart_frames(Breakdown(fen="x", turn="white"))
    for built in (results_figure(empty.moves, "white"), bands_figure(empty.bands, "white"),
                  time_figure(empty.months, "white", empty="No dated games in this range")):
        figure = go.Figure(built)
        assert not figure.data
        assert figure.layout.xaxis.visible is False and figure.layout.yaxis.visible is False
        assert figure.layout.annotations[0].text == figure.layout.meta["empty"]
    assert empty_figure("No games in this range")["layout"]["annotations"][0]["text"] == "No games in this range"


def test_graph_config_keeps_a_png_download_on_screen() -> None:
    config = graph_config("chart-results")
    assert config["displayModeBar"] is True
    assert config["toImageButtonOptions"]["format"] == "png"
    assert "toImage" not in config["modeBarButtonsToRemove"]
    figure = results_figure(FRAMES.moves, "black")
    assert graph_style(figure) == {"height": f"{90 + 30 * 2}px"}  # grows with the moves shown
