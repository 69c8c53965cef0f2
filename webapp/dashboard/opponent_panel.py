"""The Opponent tab: prepare against a player from the shown position.

Name the opponent (the player box's semantics: a name, `source:name`, or a person whose
linked accounts count as one) and the colour you will have. The panel shows what
`GET /api/opponent` answers, computed by the same function: the opponent's games and
score here, per move (a row plays the move on the shared board), the line they most
likely steer to, and their leaks past this position (links put the board there, with the
opponent as the explorer's player). While their games are being counted it says so and
asks again every two seconds.
"""

from __future__ import annotations

from typing import Any

import chess
import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from webapp.dashboard import ids
from webapp.dashboard.state import ViewState
from webapp.model.query import QueryError
from webapp.model.scores import Score

# component ids of this panel
OPPONENT_NAME = "opponent-name"
OPPONENT_COLOR = "opponent-color"  # the colour YOU will have
OPPONENT_REQUEST = "opponent-request"  # {view, version}, set in the browser while the tab shows
OPPONENT_POLL = "opponent-poll"  # ticks while the opponent's games are being counted
SUMMARY = "opponent-summary"
MOVES = "opponent-moves"
LINE = "opponent-line"
LEAKS = "opponent-leaks"
LEAKS_NOTE = "opponent-leaks-note"
LOADING = "opponent-loading"
LEAKS_LOADING = "opponent-leaks-loading"
PREP_READY = "opponent-prep-ready"  # the parameters of the prep just drawn: the leaks follow
SECTIONS = "opponent-sections"  # moves and line, hidden until there is a prep to show
LEAKS_SECTION = "opponent-leaks-section"  # the leaks, hidden with them
HIDDEN = {"display": "none"}


# ---------------------------------------------------------------------------- builders
def build_opponent_panel() -> html.Div:
    """The content of the Opponent tab."""
    return html.Div(
        [
            dcc.Store(id=OPPONENT_REQUEST, storage_type="memory"),
            dcc.Interval(id=OPPONENT_POLL, interval=2000, disabled=True),
            dcc.Store(id=PREP_READY, storage_type="memory"),
            dbc.Card(
                dbc.CardBody(
                    [
                        dbc.Row(
                            [
                                dbc.Col(dbc.Input(id=OPPONENT_NAME, placeholder="opponent (Enter)", size="sm",
                                                  debounce=True, autoComplete="off", type="text"), xs=12, md=6),
                                dbc.Col(
                                    [html.Span("You play ", className="small me-2"),
                                     dbc.RadioItems(id=OPPONENT_COLOR, inline=True, value="white",
                                                    options=[{"label": "white", "value": "white"},
                                                             {"label": "black", "value": "black"}],
                                                    className="d-inline-block small")],
                                    xs=12, md=6,
                                ),
                            ],
                            className="g-2 mb-2",
                        ),
                        dcc.Loading(
                            html.Div(
                                [
                                    html.Div(id=SUMMARY, className="small mb-2"),
                                    html.Div(
                                        [
                                            html.H6("Their moves here", className="chart-title mt-2",
                                                    id="opponent-moves-title"),
                                            html.Div(id=MOVES),
                                            html.H6("The line they steer to", className="chart-title mt-3"),
                                            html.Div(id=LINE, className="opponent-line small"),
                                        ],
                                        id=SECTIONS, style=HIDDEN,
                                    ),
                                ]
                            ),
                            id=LOADING, type="circle", delay_show=150,
                            overlay_style={"visibility": "visible", "opacity": 0.45},
                        ),
                        html.Div(
                            [
                                html.H6("Where they score worst from here", className="chart-title mt-3"),
                                html.Div(id=LEAKS_NOTE, className="small text-muted mb-1"),
                                dcc.Loading(html.Div(id=LEAKS), id=LEAKS_LOADING, type="circle", delay_show=150,
                                            overlay_style={"visibility": "visible", "opacity": 0.45}),
                            ],
                            id=LEAKS_SECTION, style=HIDDEN,
                        ),
                    ]
                )
            ),
        ],
        id="opponent-panel",
        className="pt-2",
    )


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def _interval(score: Score) -> str:
    interval = score.interval
    return "–" if interval is None else f"{100 * interval[0]:.0f}–{100 * interval[1]:.0f}%"


def _score_cell(score: Score) -> list[Any]:
    return [html.Div(_pct(score.score)), html.Div(_interval(score), className="small text-muted",
                                                  title="95% Wilson interval")]


def _header(*names: tuple[str, str]) -> html.Thead:
    return html.Thead(html.Tr([html.Th(name, className=cls) for name, cls in names]))


def build_moves_table(prep: Any) -> html.Table | html.Div:
    """Per next move (a row plays it): the opponent's games and score after it."""
    if not prep.moves:
        return html.Div("No game of theirs went on from this position.", className="text-muted small")
    rows = [
        html.Tr(
            [html.Td(m.san, className="move-san"),
             html.Td(f"{m.score.games:,}", className="opponent-games text-end"),
             html.Td(_score_cell(m.score), className="text-end")],
            className="move-row", title=f"Play {m.san}", **{"data-play": m.uci, "data-uci": m.uci},
        )
        for m in prep.moves
    ]
    header = _header(("Move", ""), ("Games", "text-end"), ("Their score", "text-end"))
    return html.Table([header, html.Tbody(rows)], id="opponent-moves-table",
                      className="table table-sm table-hover moves-table mb-0")


def build_line(prep: Any, urls: list[str]) -> html.Div:
    """The likely line: each step a link that puts the board there."""
    if not prep.line:
        return html.Div("Too few of their games go on from here to say.", className="text-muted")
    board = chess.Board(prep.fen)
    first_ply = 2 * (board.fullmove_number - 1) + (0 if board.turn == chess.WHITE else 1)
    parts: list[Any] = []
    for step, url in zip(prep.line, urls, strict=True):
        ply = first_ply + len(parts)
        number = f"{ply // 2 + 1}." if ply % 2 == 0 else (f"{ply // 2 + 1}…" if not parts else "")
        who = "they" if step.mover == "opponent" else "you"
        parts.append(
            html.A(f"{number}{step.san}", href=url, className=f"line-step line-{step.mover} me-1",
                   title=f"{who} · {step.score.games} games · their score {_pct(step.score.score)}",
                   **{"data-games": str(step.score.games)})
        )
    return html.Div(parts, id="opponent-line-steps")


def build_leaks_table(leaks: list[Any], urls: list[str]) -> html.Table | html.Div:
    """Their leaks past this position, most points lost first, each a link."""
    if not leaks:
        return html.Div("No position past this one, reached at least 3 times, where they score below peers.",
                        className="text-muted small")
    from webapp.dashboard.player_panel import _line_label

    rows = []
    for leak, url in zip(leaks, urls, strict=True):
        c = leak.comparison
        rows.append(
            html.Tr(
                [
                    html.Td(html.A(_line_label(leak.play), href=url, className="opponent-leak-link"),
                            className="leak-line"),
                    html.Td(f"{c.player.games:,}", className="text-end"),
                    html.Td(_score_cell(c.player), className="text-end"),
                    html.Td([html.Div(_pct(c.peers.score)),
                             html.Div(f"{c.peers.games:,} games", className="small text-muted")],
                            className="text-end"),
                ]
            )
        )
    header = _header(("Position", ""), ("Games", "text-end"), ("Their score", "text-end"), ("Peers", "text-end"))
    return html.Table([header, html.Tbody(rows)], id="opponent-leaks-table",
                      className="table table-sm table-hover moves-table mb-0")


# ---------------------------------------------------------------------- plain functions
def panel_args(view: ViewState, opponent: str | None, color: str | None) -> dict[str, str]:
    """The API's parameters for what the panel shows: the view's position and filters, the
    opponent as `player`, your colour as `color`."""
    from webapp.dashboard.player_panel import api_args

    args = api_args(view, (opponent or "").strip(), color)
    if not (opponent or "").strip():  # never the Explorer's player: that is usually you
        args.pop("player", None)
        args.pop("color", None)
    return args


def opponent_content(args: dict[str, str]) -> dict[str, Any]:
    """Summary, moves and line for the panel (`poll`: ask again, games being counted)."""
    from webapp.api.opponent_routes import answer_prep, line_json
    from webapp.dashboard.player_panel import _line_label
    from webapp.db.leaks import PlayerNotFound
    from webapp.db.players import PlayerIndexing

    empty = {"summary": "", "moves": "", "line": "", "poll": False, "title": "Their moves here", "ready": None}
    if not args.get("player"):
        return {**empty, "summary": "Name an opponent and the colour you will have."}
    try:
        prep, query = answer_prep(args)
    except (QueryError, PlayerNotFound) as error:
        return {**empty, "summary": html.Span(str(error), className="text-danger")}
    except PlayerIndexing as indexing:
        message = (f"Counting the {indexing.total:,} games of “{indexing.player}”… {indexing.done:,} done; "
                   "the preparation appears when every game is counted.")
        return {**empty, "summary": html.Span(message, className="opponent-indexing"), "poll": True}
    p = prep.position
    where = _line_label(tuple(args["play"].split(","))) if args.get("play") and not args.get("fen") else None
    summary = html.Span([
        html.Div(f"From {where or 'the Explorer’s position'}", className="text-muted", id="opponent-from"),
        html.B(f"{prep.opponent} as {prep.opponent_color}: "),
        html.Span(f"{p.games:,} games", id="opponent-summary-games"),
        f" here, their score {_pct(p.score)} ({_interval(p)})",
        " · their move" if prep.to_move == "opponent" else " · your move",
    ])
    return {
        "summary": summary,
        "moves": build_moves_table(prep),
        "line": build_line(prep, [s["url"] for s in line_json(prep, query)]),  # the API's links
        "poll": False,
        "title": "Their moves here" if prep.to_move == "opponent" else "Your replies they have faced",
        "ready": args,  # the opponent is indexed: the leaks may be asked for
    }


def leaks_content(args: dict[str, str]) -> tuple[Any, str]:
    """The leaks table and its note, apart from the rest: the first search about an opponent
    can take a second or two, and the moves and line never wait for it."""
    from webapp.api.opponent_routes import answer_leaks, leaks_json
    from webapp.api.wire import query_from_args
    from webapp.db.leaks import PlayerNotFound
    from webapp.db.players import PlayerIndexing

    if not args.get("player"):
        return "", ""
    try:
        query = query_from_args(args)
        rating, leaks = answer_leaks(query)
    except (QueryError, PlayerNotFound, PlayerIndexing):
        return "", ""  # the summary says what is wrong, or that the games are being counted
    note = ("Positions they reach at least 3 times, with them to move, scoring below peers"
            + (f" rated around their {rating}" if rating is not None else "") + "; most points lost first.")
    return build_leaks_table(leaks, [leak["url"] for leak in leaks_json(leaks, query)]), note


# --------------------------------------------------------------------------- callbacks
def register_opponent_callbacks(app: dash.Dash) -> None:
    """Register the Opponent tab's callbacks on `app`."""
    app.clientside_callback(
        """function (view, tab, version) {
            if (tab !== 'opponent' || !view) { return window.dash_clientside.no_update; }
            return {view: view, version: version};
        }""",
        Output(OPPONENT_REQUEST, "data"),
        Input(ids.VIEW_STATE, "data"),
        Input(ids.TABS, "active_tab"),
        Input(ids.DATA_VERSION, "data"),
    )

    @app.callback(
        Output(SUMMARY, "children"),
        Output(MOVES, "children"),
        Output(LINE, "children"),
        Output(OPPONENT_POLL, "disabled"),
        Output("opponent-moves-title", "children"),
        Output(PREP_READY, "data"),
        Output(SECTIONS, "style"),
        Output(LEAKS_SECTION, "style"),
        Input(OPPONENT_REQUEST, "data"),
        Input(OPPONENT_NAME, "value"),
        Input(OPPONENT_COLOR, "value"),
        Input(OPPONENT_POLL, "n_intervals"),
        State(ids.VIEW_STATE, "data"),
        State(ids.TABS, "active_tab"),
        prevent_initial_call=True,
    )
    def show_opponent(_request, name, color, _ticks, view, tab):  # type: ignore[no-untyped-def]
        if tab != "opponent":  # nothing to draw while the tab is hidden
            raise PreventUpdate
        out = opponent_content(panel_args(ViewState.from_dict(view), name, color))
        # no prep (no name, an unknown one, games being counted): no headings over nothing
        style = None if out["ready"] else HIDDEN
        return out["summary"], out["moves"], out["line"], not out["poll"], out["title"], out["ready"], style, style

    # after the prep, never beside it: the prep indexes a new opponent first (at once when
    # they have few games), and the leak search reads what that wrote
    @app.callback(
        Output(LEAKS, "children"),
        Output(LEAKS_NOTE, "children"),
        Input(PREP_READY, "data"),
        prevent_initial_call=True,
    )
    def show_leaks(args):  # type: ignore[no-untyped-def]
        return leaks_content(args or {})
