"""The dashboard's Plotly figures: pure functions from pandas frames (chart_frames) to figures.

Every trace carries its exact counts in `customdata` (what the hover shows, and what the
browser tests compare with the JSON API). An empty frame becomes a figure that says why
instead of empty axes. Sizes and fonts suit a 390 px phone as well as a desktop.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from webapp.dashboard.chart_frames import ALL_GAMES

RESULT_COLOURS = {"White wins": "#f0f0f0", "Draws": "#a0a0a0", "Black wins": "#404040"}
MOVE_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e")
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 12}
SCORE_TICKS = [0, 25, 50, 75, 100]
SCORE_RANGE = [-4, 104]  # a little room, so a 0% or 100% point is drawn whole


def graph_config(filename: str) -> dict[str, Any]:
    """A dcc.Graph config: the mode bar always shown (phones cannot hover) with a PNG download."""
    return {
        "displayModeBar": True,
        "displaylogo": False,
        "responsive": True,
        "modeBarButtonsToRemove": ["zoom2d", "pan2d", "select2d", "lasso2d", "autoScale2d",
                                   "zoomIn2d", "zoomOut2d"],  # a PNG download and a reset stay
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
    }


def _layout(figure: go.Figure, height: int, **extra: Any) -> go.Figure:
    figure.update_layout(
        height=height,
        margin={"l": 8, "r": 8, "t": 48, "b": 8},  # room for the mode bar above the titles
        modebar={"bgcolor": "rgba(255,255,255,0.8)"},
        font=FONT,
        template="plotly_white",
        hoverlabel={"font_size": 12},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "title": None},
        **extra,
    )
    figure.update_xaxes(automargin=True)
    figure.update_yaxes(automargin=True)
    return figure


def empty_figure(message: str, height: int = 140) -> go.Figure:
    """No axes, just the reason there is nothing to draw."""
    figure = go.Figure()
    figure.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                          font={"size": 14, "color": "#6c757d"})
    _layout(figure, height)
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    figure.update_layout(meta={"empty": message})
    return figure


def side(turn: str) -> str:
    return "White" if turn == "white" else "Black"


def _move_colours(sans: list[str]) -> dict[str, str]:
    return {san: MOVE_COLOURS[i % len(MOVE_COLOURS)] for i, san in enumerate(sans)}


def results_figure(moves: pd.DataFrame, turn: str, *, empty: str = "No games in this range") -> go.Figure:
    """Per move, a stacked bar of white wins / draws / black wins (% of its games), and
    beside it the side to move's score with its 95% interval."""
    if moves.empty:
        return empty_figure(empty)
    long = pd.concat(
        [
            moves[["uci", "san", "games"]].assign(result=name, percent=moves[pct], count=moves[count])
            for name, pct, count in (("White wins", "white_pct", "white"), ("Draws", "draws_pct", "draws"),
                                     ("Black wins", "black_pct", "black"))
        ],
        ignore_index=True,
    )
    bars = px.bar(
        long, x="percent", y="san", color="result", orientation="h",
        color_discrete_map=RESULT_COLOURS, custom_data=["uci", "count", "games"],
        category_orders={"san": list(moves["san"]), "result": list(RESULT_COLOURS)},
    )
    bars.update_traces(
        marker_line={"color": "#888", "width": 0.5},
        hovertemplate="<b>%{y}</b>: %{fullData.name} %{customdata[1]:,} of %{customdata[2]:,} games"
                      " (%{x:.1f}%)<extra></extra>",
    )
    figure = make_subplots(rows=1, cols=2, shared_yaxes=True, column_widths=[0.6, 0.4],
                           horizontal_spacing=0.05,
                           subplot_titles=("White / draws / Black, %", f"{side(turn)}'s score, 95% int."))
    for trace in bars.data:
        figure.add_trace(trace, row=1, col=1)
    scores = moves.dropna(subset=["score"])
    figure.add_trace(
        go.Scatter(
            x=100 * scores["score"], y=scores["san"], mode="markers", name=f"{side(turn)}'s score",
            marker={"color": "#1f77b4", "size": 8}, showlegend=False,
            error_x={"type": "data", "symmetric": False,
                     "array": 100 * (scores["score_high"] - scores["score"]),
                     "arrayminus": 100 * (scores["score"] - scores["score_low"]),
                     "color": "#1f77b4", "thickness": 1.5, "width": 4},
            customdata=scores[["uci", "games", "white", "draws", "black", "score_low", "score_high"]]
            .assign(score_low=100 * scores["score_low"], score_high=100 * scores["score_high"])
            .to_numpy(),
            hovertemplate=f"<b>%{{y}}</b>: {side(turn)}'s score %{{x:.1f}}%"
                          "<br>95% interval %{customdata[5]:.1f}–%{customdata[6]:.1f}%"
                          "<br>%{customdata[2]:,} / %{customdata[3]:,} / %{customdata[4]:,} of "
                          "%{customdata[1]:,} games<extra></extra>",
        ),
        row=1, col=2,
    )
    figure.add_vline(x=50, line={"color": "#bbb", "dash": "dot", "width": 1}, row=1, col=2)
    _layout(figure, 90 + 30 * len(moves), barmode="stack", bargap=0.25, showlegend=False)
    figure.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=list(moves["san"]),
                        row=1, col=1)
    figure.update_xaxes(range=[0, 100], tickvals=[0, 50, 100], row=1, col=1)
    figure.update_xaxes(range=SCORE_RANGE, tickvals=[0, 50, 100], row=1, col=2)
    figure.update_annotations(font_size=12)
    return figure


def bands_figure(bands: pd.DataFrame, turn: str, *, rating: str = "rating",
                 empty: str = "No games with a known rating in this range") -> go.Figure:
    """For the top moves: the side to move's score by rating group, with a 95% band."""
    if bands.empty:
        return empty_figure(empty)
    frame = bands.assign(
        score_pct=100 * bands["score"],
        plus=100 * (bands["score_high"] - bands["score"]),
        minus=100 * (bands["score"] - bands["score_low"]),
        low_pct=100 * bands["score_low"],
        high_pct=100 * bands["score_high"],
    )
    sans = list(dict.fromkeys(frame["san"]))
    colours = _move_colours(sans)
    figure = px.line(
        frame, x="rating_mid", y="score_pct", color="san", markers=True,
        error_y="plus", error_y_minus="minus", color_discrete_map=colours,
        category_orders={"san": sans},
        custom_data=["uci", "rating_min", "rating_max", "games", "white", "draws", "black",
                     "low_pct", "high_pct", "label"],
    )
    figure.update_traces(
        error_y={"thickness": 1, "width": 3},
        hovertemplate=f"<b>%{{fullData.name}}</b> · {rating} %{{customdata[9]}}"
                      f"<br>{side(turn)}'s score %{{y:.1f}}% (95%: %{{customdata[7]:.1f}}–%{{customdata[8]:.1f}}%)"
                      "<br>%{customdata[4]:,} / %{customdata[5]:,} / %{customdata[6]:,} of "
                      "%{customdata[3]:,} games<extra></extra>",
    )
    for san in sans:  # the 95% band, drawn under the lines
        part = frame[frame["san"] == san].sort_values("rating_mid")
        if len(part) < 2:
            continue
        figure.add_trace(go.Scatter(
            x=list(part["rating_mid"]) + list(part["rating_mid"])[::-1],
            y=list(part["high_pct"]) + list(part["low_pct"])[::-1],
            fill="toself", fillcolor=colours[san], opacity=0.15, line={"width": 0},
            hoverinfo="skip", showlegend=False, legendgroup=san, name=f"{san} 95%",
        ))
    figure.data = figure.data[len(sans):] + figure.data[:len(sans)]
    figure.add_hline(y=50, line={"color": "#bbb", "dash": "dot", "width": 1})
    _layout(figure, 300)
    figure.update_yaxes(range=SCORE_RANGE, tickvals=SCORE_TICKS, ticksuffix="%",
                        title={"text": f"{side(turn)}'s score", "standoff": 4})
    figure.update_xaxes(title={"text": rating, "standoff": 4}, tickformat="d")
    return figure


def time_figure(months: pd.DataFrame, turn: str, *, empty: str = "No dated games in this range") -> go.Figure:
    """Games per month (every month shown, none skipped), each top move's share of them and
    the side to move's score with it."""
    if months.empty:
        return empty_figure(empty)
    figure = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.07,
                           row_heights=[0.3, 0.35, 0.35],
                           subplot_titles=("games per month", "share of the month's games",
                                           f"{side(turn)}'s score"))
    every = months[months["series"] == ALL_GAMES]
    label = every["month"].dt.strftime("%Y-%m")
    figure.add_trace(go.Bar(
        x=every["month"], y=every["games"], name=ALL_GAMES, marker_color="#9aa5b1", showlegend=False,
        customdata=pd.DataFrame({"uci": "", "month": label, "games": every["games"],
                                 "white": every["white"], "draws": every["draws"],
                                 "black": every["black"]}).to_numpy(),
        hovertemplate="%{customdata[1]}: %{y:,} games<br>%{customdata[3]:,} / %{customdata[4]:,} / "
                      "%{customdata[5]:,} (white / draws / black)<extra></extra>",
        xperiod="M1", xperiodalignment="middle",
    ), row=1, col=1)
    moves = months[months["series"] != ALL_GAMES]
    sans = list(dict.fromkeys(moves["series"]))
    colours = _move_colours(sans)
    for san in sans:
        part = moves[moves["series"] == san]
        data = pd.DataFrame({
            "uci": part["uci"], "month": part["month"].dt.strftime("%Y-%m"), "games": part["games"],
            "total": part["total"], "white": part["white"], "draws": part["draws"],
            "black": part["black"],
            "low": 100 * part["score_low"].astype(float), "high": 100 * part["score_high"].astype(float),
        }).to_numpy()
        common = {"x": part["month"], "customdata": data, "legendgroup": san,
                  "line": {"color": colours[san], "width": 2}, "marker": {"size": 6},
                  "mode": "lines+markers", "connectgaps": False,
                  "xperiod": "M1", "xperiodalignment": "middle"}
        figure.add_trace(go.Scatter(
            y=part["share"], name=san, **common,
            hovertemplate=f"<b>{san}</b> %{{customdata[1]}}: %{{customdata[2]:,}} of "
                          "%{customdata[3]:,} games (%{y:.1f}%)<extra></extra>",
        ), row=2, col=1)
        figure.add_trace(go.Scatter(
            y=100 * part["score"].astype(float), name=san, showlegend=False, **common,
            hovertemplate=f"<b>{san}</b> %{{customdata[1]}}: {side(turn)}'s score %{{y:.1f}}% "
                          "(95%: %{customdata[7]:.1f}–%{customdata[8]:.1f}%)<br>%{customdata[4]:,} / "
                          "%{customdata[5]:,} / %{customdata[6]:,} of %{customdata[2]:,} games"
                          "<extra></extra>",
        ), row=3, col=1)
    _layout(figure, 440, bargap=0.15)
    figure.update_layout(legend={"y": -0.08, "yanchor": "top"}, margin={"b": 20})
    first, last = every["month"].min(), every["month"].max()
    figure.update_xaxes(type="date", range=[first - pd.Timedelta(days=20), last + pd.Timedelta(days=50)],
                        nticks=7)
    figure.update_yaxes(rangemode="tozero", row=1, col=1)
    figure.update_yaxes(range=SCORE_RANGE, tickvals=SCORE_TICKS, ticksuffix="%", row=2, col=1)
    figure.update_yaxes(range=SCORE_RANGE, tickvals=SCORE_TICKS, ticksuffix="%", row=3, col=1)
    figure.update_annotations(font_size=12)
    return figure
