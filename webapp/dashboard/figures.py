"""The dashboard's Plotly figures: pure functions from pandas frames (chart_frames) to figures.

A figure is Plotly's JSON form (a dict of `data` and `layout`), which dcc.Graph draws as
is: building `plotly.graph_objects` (and so plotly express, which builds them) validates
every property and cost 0.5–1 s per figure on this machine, far over the budget of a
click; the unit tests validate each dict through `go.Figure` instead. Every trace carries
its exact counts in `customdata` (what the hover shows, and what the browser tests
compare with the JSON API). An empty frame becomes a figure that says why instead of
empty axes. Sizes and fonts suit a 390 px phone as well as a desktop.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from webapp.dashboard.chart_frames import ALL_GAMES

Figure = dict[str, Any]

RESULTS = (("White wins", "white", "white_pct", "#f3f3f3"), ("Draws", "draws", "draws_pct", "#a0a0a0"),
           ("Black wins", "black", "black_pct", "#3b3b3b"))
MOVE_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e")
SCORE_COLOUR = "#1f77b4"
GRID = "#e5e9f0"
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 12, "color": "#2a3f5f"}
SCORE_TICKS = [0, 25, 50, 75, 100]
SCORE_RANGE = [-4, 104]  # a little room, so a 0% or 100% point is drawn whole


def graph_config(filename: str) -> dict[str, Any]:
    """A dcc.Graph config: the mode bar always shown (phones cannot hover) with a PNG download.

    The graph follows its container's width (dcc.Graph(responsive=True)); its height is
    the figure's layout.height, given to the container too (graph_style).
    """
    return {
        "displayModeBar": True,
        "displaylogo": False,
        "modeBarButtonsToRemove": ["zoom2d", "pan2d", "select2d", "lasso2d", "autoScale2d", "sendChartToCloud",
                                   "zoomIn2d", "zoomOut2d"],  # a PNG download and a reset stay
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
    }


def graph_style(figure: Figure) -> dict[str, str]:
    """The style of a responsive dcc.Graph drawing `figure`: its layout's height."""
    return {"height": f"{figure['layout']['height']}px"}


def _axis(**extra: Any) -> dict[str, Any]:
    return {"gridcolor": GRID, "zerolinecolor": GRID, "linecolor": GRID, "automargin": True,
            "fixedrange": True, **extra}


def _layout(height: int, **extra: Any) -> dict[str, Any]:
    return {
        "height": height,
        "margin": {"l": 8, "r": 8, "t": 48, "b": 8},  # room for the mode bar above the titles
        "font": FONT,
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "hoverlabel": {"font": {"size": 12}},
        "hovermode": "closest",
        "modebar": {"bgcolor": "rgba(255,255,255,0.8)"},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        **extra,
    }


def _count_axis(most: int, **extra: Any) -> dict[str, Any]:
    """An axis of game counts: whole numbers only (no 0.5 games)."""
    return _axis(rangemode="tozero", tickformat=",d", **({"dtick": 1} if most <= 6 else {}), **extra)


def _title(text: str, x: float, y: float = 1.0, xanchor: str = "left") -> dict[str, Any]:
    """A subplot title, placed in paper coordinates."""
    return {"text": text, "x": x, "y": y, "xref": "paper", "yref": "paper", "xanchor": xanchor,
            "yanchor": "bottom", "showarrow": False, "font": {"size": 12}}


def _numbers(values: Any) -> list[Any]:
    """A column as JSON numbers, None for a missing value (a gap in a line)."""
    return [None if v is None or v != v else float(v) for v in list(values)]


def _rows(frame: pd.DataFrame, columns: list[str]) -> list[list[Any]]:
    """customdata rows: plain Python values (ints stay ints), None for missing ones."""
    values = [frame[column].tolist() for column in columns]
    return [[None if isinstance(v, float) and v != v else v for v in row] for row in zip(*values, strict=True)]


def empty_figure(message: str, height: int = 140) -> Figure:
    """No axes, just the reason there is nothing to draw (also in layout.meta, for tests)."""
    return {
        "data": [],
        "layout": _layout(
            height,
            xaxis={"visible": False},
            yaxis={"visible": False},
            meta={"empty": message},
            annotations=[{"text": message, "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper",
                          "showarrow": False, "font": {"size": 14, "color": "#6c757d"}}],
        ),
    }


def side(turn: str) -> str:
    return "White" if turn == "white" else "Black"


def results_figure(moves: pd.DataFrame, turn: str, *, empty: str = "No games in this range") -> Figure:
    """Per move, a stacked bar of white wins / draws / black wins (% of its games), and
    beside it the side to move's score with its 95% interval."""
    if moves.empty:
        return empty_figure(empty)
    sans = list(moves["san"])
    data: list[dict[str, Any]] = []
    for name, count, pct, colour in RESULTS:
        data.append({
            "type": "bar", "orientation": "h", "name": name, "x": _numbers(moves[pct]), "y": sans,
            "xaxis": "x", "yaxis": "y", "marker": {"color": colour, "line": {"color": "#888", "width": 0.5}},
            "customdata": _rows(moves, ["uci", count, "games"]),
            "hovertemplate": f"<b>%{{y}}</b>: {name} %{{customdata[1]:,}} of %{{customdata[2]:,}} games"
                             " (%{x:.1f}%)<extra></extra>",
        })
    scores = moves.dropna(subset=["score"])
    data.append({
        "type": "scatter", "mode": "markers", "name": f"{side(turn)}'s score",
        "x": _numbers(100 * scores["score"]), "y": list(scores["san"]), "xaxis": "x2", "yaxis": "y",
        "marker": {"color": SCORE_COLOUR, "size": 8},
        "error_x": {"type": "data", "symmetric": False,
                    "array": _numbers(100 * (scores["score_high"] - scores["score"])),
                    "arrayminus": _numbers(100 * (scores["score"] - scores["score_low"])),
                    "color": SCORE_COLOUR, "thickness": 1.5, "width": 4},
        "customdata": _rows(scores.assign(low=100 * scores["score_low"], high=100 * scores["score_high"]),
                            ["uci", "games", "white", "draws", "black", "low", "high"]),
        "hovertemplate": f"<b>%{{y}}</b>: {side(turn)}'s score %{{x:.1f}}%"
                         "<br>95% interval %{customdata[5]:.1f}–%{customdata[6]:.1f}%"
                         "<br>%{customdata[2]:,} / %{customdata[3]:,} / %{customdata[4]:,} of "
                         "%{customdata[1]:,} games<extra></extra>",
    })
    return {
        "data": data,
        "layout": _layout(
            90 + 30 * len(moves),
            barmode="stack",
            bargap=0.25,
            showlegend=False,
            xaxis=_axis(domain=[0, 0.57], range=[0, 100], tickvals=[0, 50, 100], anchor="y"),
            xaxis2=_axis(domain=[0.63, 1], range=SCORE_RANGE, tickvals=[0, 50, 100], anchor="y"),
            yaxis=_axis(autorange="reversed", type="category", categoryorder="array",
                        categoryarray=sans, gridcolor="rgba(0,0,0,0)"),
            shapes=[{"type": "line", "xref": "x2", "yref": "paper", "x0": 50, "x1": 50, "y0": 0, "y1": 1,
                     "line": {"color": "#bbb", "dash": "dot", "width": 1}}],
            annotations=[_title("White / draws / Black, %", 0), _title(f"{side(turn)}'s score, 95%", 0.63)],
        ),
    }


def bands_figure(bands: pd.DataFrame, turn: str, *, rating: str = "rating",
                 empty: str = "No games with a known rating in this range") -> Figure:
    """For the top moves: the side to move's score by rating group, with a 95% band."""
    if bands.empty:
        return empty_figure(empty)
    fills: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    for index, san in enumerate(dict.fromkeys(bands["san"])):
        colour = MOVE_COLOURS[index % len(MOVE_COLOURS)]
        part = bands[bands["san"] == san].sort_values("rating_mid")
        score, low, high = 100 * part["score"], 100 * part["score_low"], 100 * part["score_high"]
        if len(part) >= 2:  # the 95% band under the line (a single group has its error bar)
            fills.append({
                "type": "scatter", "name": f"{san} 95%", "legendgroup": san, "showlegend": False,
                "x": _numbers(part["rating_mid"]) + _numbers(part["rating_mid"])[::-1],
                "y": _numbers(high) + _numbers(low)[::-1], "fill": "toself", "fillcolor": colour,
                "opacity": 0.15, "line": {"width": 0}, "hoverinfo": "skip", "mode": "lines",
            })
        lines.append({
            "type": "scatter", "mode": "lines+markers", "name": san, "legendgroup": san,
            "x": _numbers(part["rating_mid"]), "y": _numbers(score),
            "line": {"color": colour, "width": 2}, "marker": {"color": colour, "size": 7},
            "error_y": {"type": "data", "symmetric": False, "array": _numbers(high - score),
                        "arrayminus": _numbers(score - low), "color": colour, "thickness": 1, "width": 3},
            # the ratings the point stands for (a merged group is wide)
            "error_x": {"type": "data", "array": _numbers((part["rating_max"] + 1 - part["rating_min"]) / 2),
                        "color": colour, "thickness": 1, "width": 0},
            "customdata": _rows(part.assign(low=low, high=high),
                                ["uci", "rating_min", "rating_max", "games", "white", "draws", "black",
                                 "low", "high", "label"]),
            "hovertemplate": f"<b>{san}</b> · {rating} %{{customdata[9]}}"
                             f"<br>{side(turn)}'s score %{{y:.1f}}% (95%: %{{customdata[7]:.1f}}–"
                             "%{customdata[8]:.1f}%)<br>%{customdata[4]:,} / %{customdata[5]:,} / "
                             "%{customdata[6]:,} of %{customdata[3]:,} games<extra></extra>",
        })
    return {
        "data": fills + lines,
        "layout": _layout(
            300,
            xaxis=_axis(title={"text": rating, "standoff": 4}, tickformat="d"),
            yaxis=_axis(range=SCORE_RANGE, tickvals=SCORE_TICKS, ticksuffix="%",
                        title={"text": f"{side(turn)}'s score", "standoff": 4}),
            shapes=[{"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": 50, "y1": 50,
                     "line": {"color": "#bbb", "dash": "dot", "width": 1}}],
        ),
    }


def time_figure(months: pd.DataFrame, turn: str, *, empty: str = "No dated games in this range") -> Figure:
    """Games per month (every month shown, none skipped), each top move's share of them and
    the side to move's score with it, on one date axis."""
    if months.empty:
        return empty_figure(empty)
    every = months[months["series"] == ALL_GAMES]
    dates = list(every["month"].dt.strftime("%Y-%m-%d"))
    period = {"xperiod": "M1", "xperiodalignment": "middle"}
    data: list[dict[str, Any]] = [{
        "type": "bar", "name": ALL_GAMES, "x": dates, "y": [int(g) for g in every["games"]],
        "xaxis": "x", "yaxis": "y", "marker": {"color": "#9aa5b1"}, "showlegend": False, **period,
        "customdata": _rows(every.assign(uci="", label=every["month"].dt.strftime("%Y-%m")),
                            ["uci", "label", "games", "white", "draws", "black"]),
        "hovertemplate": "%{customdata[1]}: %{y:,} games<br>%{customdata[3]:,} / %{customdata[4]:,} / "
                         "%{customdata[5]:,} (white / draws / black)<extra></extra>",
    }]
    moves = months[months["series"] != ALL_GAMES]
    for index, san in enumerate(dict.fromkeys(moves["series"])):
        colour = MOVE_COLOURS[index % len(MOVE_COLOURS)]
        part = moves[moves["series"] == san]
        custom = _rows(part.assign(label=part["month"].dt.strftime("%Y-%m"),
                                   low=100 * part["score_low"].astype(float),
                                   high=100 * part["score_high"].astype(float)),
                       ["uci", "label", "games", "total", "white", "draws", "black", "low", "high"])
        common = {"type": "scatter", "x": list(part["month"].dt.strftime("%Y-%m-%d")), "customdata": custom,
                  "legendgroup": san, "line": {"color": colour, "width": 2},
                  "marker": {"color": colour, "size": 6}, "mode": "lines+markers", "connectgaps": False,
                  "xaxis": "x", **period}
        data.append({
            **common, "name": san, "yaxis": "y2", "y": _numbers(part["share"]),
            "hovertemplate": f"<b>{san}</b> %{{customdata[1]}}: %{{customdata[2]:,}} of "
                             "%{customdata[3]:,} games (%{y:.1f}%)<extra></extra>",
        })
        data.append({
            **common, "name": san, "yaxis": "y3", "showlegend": False, "y": _numbers(100 * part["score"].astype(float)),
            "hovertemplate": f"<b>{san}</b> %{{customdata[1]}}: {side(turn)}'s score %{{y:.1f}}% "
                             "(95%: %{customdata[7]:.1f}–%{customdata[8]:.1f}%)<br>%{customdata[4]:,} / "
                             "%{customdata[5]:,} / %{customdata[6]:,} of %{customdata[2]:,} games"
                             "<extra></extra>",
        })
    first, last = every["month"].min(), every["month"].max()
    span = [(first - pd.Timedelta(days=20)).strftime("%Y-%m-%d"), (last + pd.Timedelta(days=50)).strftime("%Y-%m-%d")]
    return {
        "data": data,
        "layout": _layout(
            440,
            bargap=0.15,
            legend={"orientation": "h", "yanchor": "top", "y": -0.13, "x": 0},
            margin={"l": 8, "r": 8, "t": 48, "b": 34},
            xaxis=_axis(type="date", range=span, nticks=6, anchor="y3", tickformat="%b\n%Y", tickangle=0),
            yaxis=_count_axis(int(every["games"].max()), domain=[0.74, 1]),
            yaxis2=_axis(domain=[0.38, 0.66], range=SCORE_RANGE, tickvals=SCORE_TICKS, ticksuffix="%"),
            yaxis3=_axis(domain=[0, 0.30], range=SCORE_RANGE, tickvals=SCORE_TICKS, ticksuffix="%"),
            annotations=[_title("games per month", 0.5, 1.0, "center"),
                         _title("share of the month's games", 0.5, 0.66, "center"),
                         _title(f"{side(turn)}'s score", 0.5, 0.30, "center")],
        ),
    }


def history_figure(history: pd.DataFrame, *, empty: str = "No games in this range") -> Figure:
    """A player's games per month (bars, every month on a date axis, so a month without
    games is a gap) and their score (line, right axis 0–100% with room for 0 and 100)."""
    if history.empty:
        return empty_figure(empty, height=260)
    dates = list(history["month"].dt.strftime("%Y-%m-%d"))
    period = {"xperiod": "M1", "xperiodalignment": "middle"}
    custom = _rows(history.assign(low=100 * history["score_low"].astype(float),
                                  high=100 * history["score_high"].astype(float)),
                   ["label", "games", "wins", "draws", "losses", "low", "high"])
    first, last = history["month"].min(), history["month"].max()
    span = [(first - pd.Timedelta(days=20)).strftime("%Y-%m-%d"),
            (last + pd.Timedelta(days=50)).strftime("%Y-%m-%d")]
    return {
        "data": [
            {"type": "bar", "name": "games", "x": dates, "y": [int(g) for g in history["games"]],
             "yaxis": "y", "marker": {"color": "#9aa5b1"}, "customdata": custom, **period,
             "hovertemplate": "%{customdata[0]}: %{y:,} games<br>%{customdata[2]:,} won / "
                              "%{customdata[3]:,} drawn / %{customdata[4]:,} lost<extra></extra>"},
            {"type": "scatter", "name": "score %", "x": dates, "y": _numbers(100 * history["score"].astype(float)),
             "yaxis": "y2", "mode": "lines+markers", "connectgaps": False, "customdata": custom, **period,
             "line": {"color": SCORE_COLOUR, "width": 2}, "marker": {"color": SCORE_COLOUR, "size": 6},
             "cliponaxis": False,
             "hovertemplate": "%{customdata[0]}: score %{y:.1f}% (95%: %{customdata[5]:.1f}–"
                              "%{customdata[6]:.1f}%) over %{customdata[1]:,} games<extra></extra>"},
        ],
        "layout": _layout(
            260,
            margin={"l": 8, "r": 8, "t": 36, "b": 8},
            xaxis=_axis(type="date", range=span, nticks=6, tickformat="%b\n%Y", tickangle=0),
            yaxis=_count_axis(int(history["games"].max()), title={"text": "games", "standoff": 4}),
            yaxis2=_axis(title={"text": "score", "standoff": 4}, overlaying="y", side="right",
                         range=SCORE_RANGE, tickmode="array", tickvals=SCORE_TICKS, ticksuffix="%",
                         showgrid=False),
        ),
    }
