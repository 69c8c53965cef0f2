"""The player panel: account import with progress, player beside peers, leaks, exports.

Its layout goes in the dashboard's "Player" tab; its callbacks are registered here, each
forwarding to plain functions (webapp.db.leaks, webapp.jobs.imports, the export builders
of webapp.api.player_routes). The position and filters come from the dashboard's view
state; the player, colour and peer band from this panel's own controls.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

from webapp.dashboard import ids
from webapp.dashboard.board import board_src, build_move_line, build_squares
from webapp.dashboard.figures import graph_config
from webapp.dashboard.state import ViewState
from webapp.db.leaks import DEFAULT_LEAKS_ASKED
from webapp.model.links import explorer_url
from webapp.model.query import ExplorerQuery, QueryError
from webapp.model.scores import ScoreComparison

# component ids of this panel
IMPORT_SOURCE = "player-import-source"
IMPORT_USERNAME = "player-import-username"
IMPORT_BUTTON = "player-import-button"
IMPORT_CANCEL = "player-import-cancel"
IMPORT_JOB = "player-import-job"
IMPORT_PROGRESS = "player-import-progress"
IMPORT_PROGRESS_WRAP = "player-import-progress-wrap"
IMPORT_STATUS = "player-import-status"
IMPORT_RESULT = "player-import-result"
PLAYER_NAME = "player-name"
PLAYER_COLOR = "player-color"
PLAYER_BAND = "player-band"
PLAYER_VERSION = "player-version"
SUMMARY = "player-summary"
COMPARE = "player-compare"
LEAKS = "player-leaks"
HISTORY = "player-history"
PERSON_NAME = "player-person-name"
PERSON_ACCOUNTS = "player-person-accounts"
PERSON_LINK = "player-person-link"
PERSON_RESULT = "player-person-result"
EXPORT_CSV = "player-export-csv"
EXPORT_PGN = "player-export-pgn"
DOWNLOAD = "player-download"
BOARD_IMAGE = "player-board-image"
BOARD_OVERLAY = "player-board-overlay"
MOVE_LINE = "player-move-line"
OPENING = "player-opening"
LEAKS_NOTE = "player-leaks-note"
BOARD_REQUEST = "player-board-request"  # {view, selection}, set in the browser while the tab shows
VIEW_REQUEST = "player-view-request"  # {view}, likewise, when the position or filters change
#: leaks asked for before near-duplicates are dropped, and shown after
LEAKS_ASKED, LEAKS_SHOWN = DEFAULT_LEAKS_ASKED, 10


# ---------------------------------------------------------------------------- builders
def build_player_panel() -> html.Div:
    """The content of the Player tab: the Explorer's board (same position, clickable) and
    the accounts beside the player's analysis."""
    return html.Div(
        [
            dcc.Store(id=IMPORT_JOB, storage_type="memory"),
            dcc.Store(id=PLAYER_VERSION, storage_type="memory", data=0),
            dcc.Store(id=BOARD_REQUEST, storage_type="memory"),
            dcc.Store(id=VIEW_REQUEST, storage_type="memory"),
            dcc.Download(id=DOWNLOAD),
            html.Div(  # a CSS grid (assets/charts.css): the accounts go last on a phone
                [
                    html.Div(build_player_board(), className="player-grid-board"),
                    html.Div(build_analysis_card(), className="player-grid-analysis"),
                    html.Div([build_import_card(), build_people_card()], className="player-grid-accounts"),
                ],
                className="player-grid pt-2",
            ),
        ],
        id="player-panel",
    )


def build_player_board() -> html.Div:
    """The Explorer's board, drawn again here: its squares and plies carry the same data-*
    attributes, so clicks move the one shared line (assets/clicks.js); ← → work too."""
    squares = build_squares()
    squares.id = BOARD_OVERLAY
    return html.Div(
        [
            html.Div([html.Img(id=BOARD_IMAGE, alt="chess board", draggable="false"), squares],
                     className="board"),
            html.Div(id=MOVE_LINE, className="move-line mt-1"),
        ],
        className="board-panel mb-3",
    )


def build_import_card() -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H6("Import an account", className="card-title"),
                dbc.InputGroup(
                    [
                        dbc.Select(
                            id=IMPORT_SOURCE,
                            options=[
                                {"label": "lichess", "value": "lichess"},
                                {"label": "chess.com", "value": "chesscom"},
                            ],
                            value="lichess",
                            style={"maxWidth": "8rem"},
                        ),
                        dbc.Input(id=IMPORT_USERNAME, placeholder="username", debounce=False),
                        dbc.Button("Import", id=IMPORT_BUTTON, color="primary", n_clicks=0),
                    ],
                    size="sm",
                ),
                html.Div(
                    [
                        dbc.Progress(id=IMPORT_PROGRESS, value=0, max=1, striped=True,
                                     animated=True, className="mt-2"),
                        html.Div(id=IMPORT_STATUS, className="small text-muted mt-1"),
                        dbc.Button("Cancel", id=IMPORT_CANCEL, color="link", size="sm",
                                   n_clicks=0, className="p-0"),
                    ],
                    id=IMPORT_PROGRESS_WRAP,
                    style={"display": "none"},
                ),
                html.Div(id=IMPORT_RESULT, className="mt-2"),
                html.Div(
                    "A second import of the same account fetches only what is new.",
                    className="small text-muted",
                ),
            ]
        ),
        className="mb-3",
    )


def build_people_card() -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H6("One player, several accounts", className="card-title"),
                dbc.Input(id=PERSON_NAME, placeholder="name (use it as the player)", size="sm",
                          className="mb-1"),
                dbc.Input(id=PERSON_ACCOUNTS, placeholder="lichess:USER chesscom:USER", size="sm",
                          className="mb-1"),
                dbc.Button("Link", id=PERSON_LINK, size="sm", color="secondary", n_clicks=0),
                html.Div(id=PERSON_RESULT, className="small mt-1"),
            ]
        ),
        className="mb-3",
    )


def build_analysis_card() -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                dbc.Row(
                    [
                        dbc.Col(dbc.Input(id=PLAYER_NAME, placeholder="player (or the explorer's)",
                                          size="sm", debounce=True), md=5),
                        dbc.Col(
                            dbc.RadioItems(
                                id=PLAYER_COLOR,
                                options=[{"label": "white", "value": "white"},
                                         {"label": "black", "value": "black"}],
                                value="white",
                                inline=True,
                            ),
                            md=3,
                        ),
                        dbc.Col(
                            dbc.InputGroup(
                                [dbc.InputGroupText("peers ±"),
                                 dbc.Input(id=PLAYER_BAND, type="number", value=100, min=0,
                                           max=1000, step=50)],
                                size="sm",
                            ),
                            md=4,
                        ),
                    ],
                    className="g-2 mb-2",
                ),
                html.Div(id=OPENING, className="opening"),
                _loading(html.Div([html.Div(id=SUMMARY, className="small mb-2"), html.Div(id=COMPARE)]),
                         "player-compare-loading"),
                html.Div(
                    [
                        dbc.Button("Move table (CSV)", id=EXPORT_CSV, size="sm", color="secondary",
                                   outline=True, n_clicks=0, className="me-2"),
                        dbc.Button("Games here (PGN)", id=EXPORT_PGN, size="sm", color="secondary",
                                   outline=True, n_clicks=0),
                    ],
                    className="my-2",
                ),
                html.H6("Where the points leak", className="mt-3 chart-title"),
                html.Div(id=LEAKS_NOTE, className="small text-muted mb-1"),
                _loading(html.Div(id=LEAKS, className="player-leaks"), "player-leaks-loading"),
                html.H6("This position over time", className="mt-3 chart-title"),
                _loading(dcc.Graph(id=HISTORY, config=graph_config("player-history"),
                                   style={"height": "260px"}, responsive=True),
                         "player-history-loading"),
            ]
        )
    )


def _loading(child: Any, loading_id: str) -> dcc.Loading:
    """A loading overlay that dims the previous answer while the next one is computed."""
    return dcc.Loading(child, id=loading_id, type="circle", delay_show=150,
                       overlay_style={"visibility": "visible", "opacity": 0.45})


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def _interval(comparison: ScoreComparison) -> str:
    interval = comparison.player.interval
    return "–" if interval is None else f"{100 * interval[0]:.0f}–{100 * interval[1]:.0f}%"


def significant(comparison: ScoreComparison, z: float = 1.96) -> bool:
    """Whether the player's and the peers' scores differ at the 5% level: a two-proportion
    z-test on points per game (pooled), so a handful of games on either side never counts
    as a difference."""
    mine, theirs = comparison.player, comparison.peers
    if not mine.games or not theirs.games:
        return False
    pooled = (mine.points + theirs.points) / (mine.games + theirs.games)
    spread = (pooled * (1 - pooled) * (1 / mine.games + 1 / theirs.games)) ** 0.5
    if spread == 0:
        return False
    return abs(mine.points / mine.games - theirs.points / theirs.games) / spread >= z


def _diff(comparison: ScoreComparison) -> html.Span:
    """Δ in points: coloured when significant, greyed (and saying so) when not."""
    difference = comparison.difference
    if difference is None:
        return html.Span("–", className="text-muted")
    text = f"{100 * difference:+.0f}"
    if significant(comparison):
        colour = "text-danger" if difference < 0 else "text-success"
        return html.Span(text, className=f"delta delta-significant fw-semibold {colour}",
                         title="significant: a two-proportion test at the 5% level")
    return html.Span(text, className="delta delta-ns text-muted",
                     title="not significant at the 5% level (two-proportion test)")


def _score_cell(comparison: ScoreComparison) -> list:
    return [html.Div(_pct(comparison.player.score)),
            html.Div(_interval(comparison), className="small text-muted", title="95% interval")]


def _peers_cell(comparison: ScoreComparison) -> list:
    return [html.Div(_pct(comparison.peers.score)),
            html.Div(f"{comparison.peers.games:,} games", className="small text-muted peers-count")]


def _header(*names: tuple[str, str]) -> html.Thead:
    return html.Thead(html.Tr([html.Th(name, className=cls) for name, cls in names]))


def build_compare_table(result: Any) -> html.Table | html.Div:
    """Per next move (a row plays it): the player's games and score with its 95% interval,
    the peers' score and games, and the difference (greyed when not significant)."""
    if not result.moves:
        return html.Div("No games of the player or peers from this position.",
                        className="text-muted small")
    header = _header(("Move", ""), ("Games", "text-end"), ("Score", "text-end"),
                     ("Peers", "text-end"), ("Δ", "text-end"))
    rows = [
        html.Tr(
            [
                html.Td(m.san, className="move-san"),
                html.Td(f"{m.comparison.player.games:,}", className="compare-games text-end"),
                html.Td(_score_cell(m.comparison), className="text-end"),
                html.Td(_peers_cell(m.comparison), className="text-end"),
                html.Td(_diff(m.comparison), className="text-end"),
            ],
            id={"type": "player-compare-row", "index": m.uci},
            className="move-row",
            title=f"Play {m.san}",
            **{"data-play": m.uci, "data-uci": m.uci},
        )
        for m in result.moves
    ]
    return html.Table([header, html.Tbody(rows)], id="player-compare-table",
                      className="table table-sm table-hover moves-table player-table mb-0")


def build_leaks_table(query: ExplorerQuery, leaks: list[Any]) -> html.Table | html.Div:
    if not leaks:
        return html.Div("No position reached often enough where the player scores below peers.",
                        className="text-muted small")
    header = _header(("Position", ""), ("Games", "text-end"), ("Score", "text-end"),
                     ("Peers", "text-end"), ("Lost", "text-end"))
    rows = []
    for leak in leaks:
        c = leak.comparison
        rows.append(
            html.Tr(
                [
                    html.Td(html.A(_line_label(leak.play), href=explorer_url(query, leak.play),
                                   className="player-leak-link"), className="leak-line"),
                    html.Td(f"{c.player.games:,}", className="text-end"),
                    html.Td(_score_cell(c), className="text-end"),
                    html.Td(_peers_cell(c), className="text-end"),
                    html.Td(f"{c.points_lost:.1f}", className="text-end", title="points lost"),
                ]
            )
        )
    return html.Table([header, html.Tbody(rows)], id="player-leaks-table",
                      className="table table-sm table-hover moves-table player-table mb-0")


def drop_near_duplicates(leaks: list[Any], *, share: float = 0.9) -> list[Any]:
    """Leaks without near-duplicates: a leak whose line a deeper leak continues, carried by
    (nearly) the same games (the deeper one has at least `share` of its games), gives way
    to the deeper one, so one weak line is listed once, where it is deepest."""
    kept = []
    for leak in leaks:
        games = leak.comparison.player.games
        continued = any(
            len(other.play) > len(leak.play) and other.play[: len(leak.play)] == leak.play
            and other.comparison.player.games >= share * games
            for other in leaks
        )
        if not continued:
            kept.append(leak)
    return kept


def _line_label(play: tuple[str, ...]) -> str:
    import chess

    board = chess.Board()
    parts = []
    for ply, uci in enumerate(play):
        move = chess.Move.from_uci(uci)
        san = board.san(move)
        parts.append(f"{ply // 2 + 1}. {san}" if ply % 2 == 0 else san)
        board.push(move)
    return " ".join(parts) or "start"


def build_history_figure(months: list[Any], *, empty: str = "No games of the player here") -> dict[str, Any]:
    """Monthly games (bars) and the player's score (line) in the current position."""
    from webapp.dashboard.chart_frames import history_frame
    from webapp.dashboard.figures import history_figure

    rows = [(m.month, m.score.wins, m.score.draws, m.score.losses) for m in months]
    return history_figure(history_frame(rows), empty=empty)


# ---------------------------------------------------------------------- plain functions
def api_args(view: ViewState, player: str | None, color: str | None, band: Any = None) -> dict[str, str]:
    """The API's parameters for what the panel shows (so exports match the API exactly)."""
    f = view.filters
    args: dict[str, str] = {}
    if view.fen:
        args["fen"] = view.fen
    if view.play:
        args["play"] = ",".join(view.play)
    if f.speeds:
        args["speeds"] = ",".join(f.speeds)
    if f.rating_min is not None:
        args["rating_min"] = str(f.rating_min)
    if f.rating_max is not None:
        args["rating_max"] = str(f.rating_max)
    if f.since:
        args["since"] = f.since
    if f.until:
        args["until"] = f.until
    if f.rated:
        args["rated"] = "true"
    if f.collections:
        args["collections"] = ",".join(f.collections)
    name = (player or "").strip() or (f.player or "")
    if name:
        args["player"] = name
        if color:
            args["color"] = color
    if band not in (None, ""):
        args["band"] = str(band)
    return args


def analyse(args: dict[str, str]) -> dict[str, Any]:
    """Summary, comparison table and history figure for the panel (the leaks come apart)."""
    from flask import current_app, has_app_context

    from webapp.api.player_routes import parse_player_args
    from webapp.db.leaks import DEFAULT_BAND_WIDTH, PlayerNotFound, compare_player, player_history
    from webapp.db.players import PlayerIndexing, display_name
    from webapp.extensions import db
    from webapp.jobs.player_index import ensure_player_indexed

    empty = {"summary": "", "compare": "",
             "history": build_history_figure([], empty="Choose a player to see their months")}
    if not args.get("player"):
        return {**empty, "summary": "Choose a player (or import an account) to compare with peers."}
    try:
        query, extra = parse_player_args(args)
        band = extra.get("band", DEFAULT_BAND_WIDTH)
        if query.player and has_app_context():
            ensure_player_indexed(current_app, query.player)
        with db.engine.connect() as connection:
            compared = compare_player(connection, query, band_width=band)
            shown_name = display_name(connection, compared.player) or compared.player
            months = player_history(connection, query)
    except (QueryError, PlayerNotFound) as error:
        return {**empty, "summary": html.Span(str(error), className="text-danger"),
                "history": build_history_figure([], empty=str(error))}
    except PlayerIndexing as indexing:
        message = (
            f"Counting the {indexing.total:,} games of “{indexing.player}”… "
            f"{indexing.done:,} done; the comparison appears when every game is counted."
        )
        return {**empty, "summary": html.Span(message, className="player-indexing"),
                "history": build_history_figure([], empty=message)}
    p = compared.position
    peers = (
        [f"; peers rated {compared.peer_rating_min}–{compared.peer_rating_max} "
         f"(around {shown_name}'s average {compared.rating} ± {band}): ",
         html.Span(f"{p.peers.games:,} games", id="player-summary-peers"),
         f", score {_pct(p.peers.score)}"]
        if compared.rating is not None
        else ["; no ratings to find peers by"]
    )
    summary = html.Span(
        [
            html.B(f"{shown_name} as {compared.color}: "),
            html.Span(f"{p.player.games} games", id="player-summary-games"),
            f", score {_pct(p.player.score)} ({_interval(p)})",
            *peers,
            html.Div("Peers are all games in that rating range, the player's own left out (as in the Explorer).",
                     className="text-muted"),
        ]
    )
    return {
        "summary": summary,
        "compare": build_compare_table(compared),
        "history": build_history_figure(months),
    }


def leaks_panel(args: dict[str, str], index_plies: int) -> tuple[Any, str]:
    """The leaks table (near-duplicates dropped) and a note on how they are ranked."""
    from webapp.api.heavy import ServerBusy, heavy_slot
    from webapp.api.player_routes import parse_player_args, request_deadline
    from webapp.db.leaks import DEFAULT_BAND_WIDTH, PlayerNotFound, read_leaks
    from webapp.db.players import PlayerIndexing, display_name
    from webapp.extensions import db
    from webapp.model.deadline import WorkTooLong

    if not args.get("player"):
        return "", ""
    try:
        query, extra = parse_player_args(args)
        search = read_leaks(db.engine.connect, query, band_width=extra.get("band", DEFAULT_BAND_WIDTH),
                            index_plies=index_plies, limit=LEAKS_ASKED, deadline=request_deadline(),
                            slot=heavy_slot("leaks"))
    except (QueryError, PlayerNotFound, PlayerIndexing):
        return "", ""  # the summary above says what is wrong, or that the games are counted
    except (WorkTooLong, ServerBusy) as error:
        return html.Span(str(error), className="text-danger"), ""
    shown = drop_near_duplicates(list(search.leaks))[:LEAKS_SHOWN]
    with db.engine.connect() as connection:  # the name as the summary above spells it
        name = display_name(connection, query.player or "") or query.player
    note = (f"Positions {name} reaches at least 3 times as {query.color}, most points lost "
            "against peers first; a line continued by the same games is listed once, deepest.")
    if search.note:
        note = f"{note} Search {search.note}."
    return build_leaks_table(query, shown), note


def board_outputs(view: dict | None, selection: dict | None) -> tuple[str, str, list, list]:
    """The shared board as the Player tab draws it: picture, overlay class, line, opening."""
    from webapp.dashboard.state import Selection
    from webapp.model.opening import opening_for

    state = ViewState.from_dict(view)
    overlay = "board-overlay" + (" flipped" if state.orientation == "black" else "")
    opening = opening_for(state.board())
    if opening is None:
        named = [html.Span("Starting position" if not state.play else "Unnamed position",
                           className="opening-name")]
    else:
        named = [html.Span(opening.eco, className="opening-eco badge text-bg-light me-1"), " ",
                 html.Span(opening.name, className="opening-name")]
    return board_src(state, Selection.from_dict(selection)), overlay, build_move_line(state), named


def import_message(status: Any) -> dbc.Alert:
    colour = {"done": "success", "failed": "danger", "cancelled": "warning"}.get(status.status, "info")
    return dbc.Alert(status.message or status.status, color=colour, className="mb-0 py-2 small",
                     id="player-import-alert")


# --------------------------------------------------------------------------- callbacks
def register_player_callbacks(app: dash.Dash) -> None:
    """Register the player panel's callbacks on `app`."""
    server = app.server

    @app.callback(
        Output(IMPORT_JOB, "data"),
        Output(IMPORT_RESULT, "children"),
        Input(IMPORT_BUTTON, "n_clicks"),
        State(IMPORT_SOURCE, "value"),
        State(IMPORT_USERNAME, "value"),
        prevent_initial_call=True,
    )
    def start_import(n_clicks, source, username):  # type: ignore[no-untyped-def]
        from webapp.extensions import db
        from webapp.indexer.sources.errors import AccountImportError
        from webapp.jobs.imports import create_import_job

        if not n_clicks:
            raise PreventUpdate
        try:
            job_id = create_import_job(db.engine, source or "", username or "")  # committed
        except AccountImportError as error:
            return no_update, dbc.Alert(str(error), color="danger", className="mb-0 py-2 small")
        return {"id": job_id}, html.Div(f"Importing {source}:{(username or '').strip()}…",
                                        className="small text-muted")

    @app.callback(
        Output(IMPORT_RESULT, "children", allow_duplicate=True),
        Output(PLAYER_VERSION, "data"),
        Output(PLAYER_NAME, "value"),
        Input(IMPORT_JOB, "data"),
        State(PLAYER_VERSION, "data"),
        background=True,
        progress=[Output(IMPORT_PROGRESS, "value"), Output(IMPORT_PROGRESS, "max"),
                  Output(IMPORT_STATUS, "children")],
        running=[
            (Output(IMPORT_BUTTON, "disabled"), True, False),
            (Output(IMPORT_PROGRESS_WRAP, "style"), {"display": "block"}, {"display": "none"}),
        ],
        cancel=[Input(IMPORT_CANCEL, "n_clicks")],
        interval=300,
        prevent_initial_call=True,
    )
    def run_import(set_progress, job, version):  # type: ignore[no-untyped-def]
        from webapp.extensions import db
        from webapp.jobs.imports import run_import_job

        if not job:
            raise PreventUpdate
        with server.app_context():
            db.engine.dispose(close=False)  # a job process never shares the parent's connections

        def progress(report) -> None:  # type: ignore[no-untyped-def]
            of = f" of {report.total}" if report.total else ""
            set_progress((report.done, max(report.total, report.done, 1),
                          f"{report.done}{of} {report.unit} · {report.imported} games imported"))

        set_progress((0, 1, "starting…"))
        status = run_import_job(server, int(job["id"]), progress)
        player = f"{status.source}:{status.name}" if status.status == "done" else no_update
        return import_message(status), (version or 0) + 1, player

    @app.callback(
        Output(IMPORT_RESULT, "children", allow_duplicate=True),
        Input(IMPORT_CANCEL, "n_clicks"),
        State(IMPORT_JOB, "data"),
        prevent_initial_call=True,
    )
    def cancel_import(n_clicks, job):  # type: ignore[no-untyped-def]
        from webapp.extensions import db
        from webapp.jobs.imports import cancel_import_job, job_status

        if not n_clicks or not job:
            raise PreventUpdate
        cancel_import_job(db.engine, int(job["id"]))
        status = job_status(db.engine, int(job["id"]))
        return import_message(status) if status else no_update

    @app.callback(
        Output(ids.DATA_VERSION, "data", allow_duplicate=True),
        Input(PLAYER_VERSION, "data"),
        State(ids.DATA_VERSION, "data"),
        prevent_initial_call=True,
    )
    def refresh_explorer(_player_version, version):  # type: ignore[no-untyped-def]
        return (version or 0) + 1

    # a click on the Explorer tab costs the server nothing here: the browser passes the
    # view on only while this tab shows (and when it is shown again); a piece picked up
    # redraws the board alone
    app.clientside_callback(
        """function (view, selection, tab) {
            const skip = window.dash_clientside.no_update;
            if (tab !== 'player') { return [skip, skip]; }
            const fired = (window.dash_clientside.callback_context.triggered || []).map(t => t.prop_id);
            const pickedOnly = fired.length === 1 && fired[0] === 'selection.data';
            return [{view: view, selection: selection}, pickedOnly ? skip : {view: view}];
        }""",
        Output(BOARD_REQUEST, "data"),
        Output(VIEW_REQUEST, "data"),
        Input(ids.VIEW_STATE, "data"),
        Input(ids.SELECTION, "data"),
        Input(ids.TABS, "active_tab"),
    )

    @app.callback(
        Output(BOARD_IMAGE, "src"),
        Output(BOARD_OVERLAY, "className"),
        Output(MOVE_LINE, "children"),
        Output(OPENING, "children"),
        Input(BOARD_REQUEST, "data"),
        prevent_initial_call=True,
    )
    def show_board(request):  # type: ignore[no-untyped-def]
        if not request:
            raise PreventUpdate
        return board_outputs(request.get("view"), request.get("selection"))

    @app.callback(
        Output(SUMMARY, "children"),
        Output(COMPARE, "children"),
        Output(HISTORY, "figure"),
        Input(VIEW_REQUEST, "data"),
        Input(PLAYER_NAME, "value"),
        Input(PLAYER_COLOR, "value"),
        Input(PLAYER_BAND, "value"),
        Input(PLAYER_VERSION, "data"),
        Input(ids.DATA_VERSION, "data"),
        State(ids.VIEW_STATE, "data"),
        State(ids.TABS, "active_tab"),
        prevent_initial_call=True,
    )
    def show_player(_request, player, color, band, _version, _data_version, view, tab):  # type: ignore[no-untyped-def]
        if tab != "player":  # nothing to draw while the panel is hidden
            raise PreventUpdate
        out = analyse(api_args(ViewState.from_dict(view), player, color, band))
        return out["summary"], out["compare"], out["history"]

    @app.callback(
        Output(LEAKS, "children"),
        Output(LEAKS_NOTE, "children"),
        Input(VIEW_REQUEST, "data"),
        Input(PLAYER_NAME, "value"),
        Input(PLAYER_COLOR, "value"),
        Input(PLAYER_BAND, "value"),
        Input(PLAYER_VERSION, "data"),
        Input(ids.DATA_VERSION, "data"),
        State(ids.VIEW_STATE, "data"),
        State(ids.TABS, "active_tab"),
        prevent_initial_call=True,
    )
    def show_leaks(_request, player, color, band, _version, _data_version, view, tab):  # type: ignore[no-untyped-def]
        # apart from the table above, so a slow first leak search never holds it back
        if tab != "player":
            raise PreventUpdate
        args = api_args(ViewState.from_dict(view), player, color, band)
        return leaks_panel(args, server.extensions["settings"].index_plies)

    @app.callback(
        Output(PERSON_RESULT, "children"),
        Input(PERSON_LINK, "n_clicks"),
        State(PERSON_NAME, "value"),
        State(PERSON_ACCOUNTS, "value"),
        prevent_initial_call=True,
    )
    def link_person(n_clicks, name, accounts):  # type: ignore[no-untyped-def]
        from webapp.caching import bump_generation
        from webapp.db.people import AccountSpecError, link_accounts, parse_account
        from webapp.extensions import db
        from webapp.model.query import QueryError, check_name

        if not n_clicks:
            raise PreventUpdate
        if app.server.extensions["settings"].operator_token:  # shared data: the API, with the token
            return html.Span("Linking accounts needs the operator token: use POST /api/people/NAME.",
                             className="text-danger")
        try:
            check_name(str(name or ""))
            for account in str(accounts or "").split():
                check_name(parse_account(account)[1])
            with db.engine.begin() as connection:
                linked = link_accounts(connection, str(name or ""), str(accounts or "").split())
        except (AccountSpecError, QueryError) as error:
            return html.Span(str(error), className="text-danger")
        bump_generation()
        return f"{name}: {' '.join(linked)} — use “{name}” as the player."

    @app.callback(
        Output(DOWNLOAD, "data"),
        Input(EXPORT_CSV, "n_clicks"),
        Input(EXPORT_PGN, "n_clicks"),
        State(ids.VIEW_STATE, "data"),
        State(PLAYER_NAME, "value"),
        State(PLAYER_COLOR, "value"),
        State(PLAYER_BAND, "value"),
        prevent_initial_call=True,
    )
    def export(_csv, _pgn, view, player, color, band):  # type: ignore[no-untyped-def]
        from webapp.api.heavy import ServerBusy
        from webapp.api.player_routes import games_pgn, move_table_csv
        from webapp.db.leaks import PlayerNotFound

        trigger = dash.ctx.triggered_id
        if trigger not in (EXPORT_CSV, EXPORT_PGN):
            raise PreventUpdate
        args = api_args(ViewState.from_dict(view), player, color, band)
        try:
            if trigger == EXPORT_CSV:
                return dcc.send_string(move_table_csv(args), "moves.csv")
            return dcc.send_string(games_pgn(args), "games.pgn")
        except (QueryError, PlayerNotFound, ServerBusy):
            raise PreventUpdate from None
