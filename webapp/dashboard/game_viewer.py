"""The game viewer: one stored game stepped through move by move, over the explorer.

`?game=<public id>` (beside the explorer's own parameters) opens it, so a viewer link can
be shared and reloaded; "Back to the explorer" is a link to the same URL without `game=`,
and the explorer's line and filters, kept in their own store and in the URL, are never
touched meanwhile. The game is read once into a memory store; each step redraws the
board (board.board_src, read-only), the move list, and the explorer's numbers for the
position shown (the same explore() and move table as the explorer, under its filters)
while it lies within the indexed plies. ⇤ ◀ ▶ ⇥ (⏮ ⏭ are missing from common
Linux fonts), a click on a move, and ← → Home End
(assets/viewer.js) step.
"""

from __future__ import annotations

import logging
from typing import Any

import chess
import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from webapp.dashboard import ids
from webapp.dashboard.board import board_src, button_row
from webapp.dashboard.explore import ExplorerView, explore
from webapp.dashboard.moves import build_moves, build_opening, build_totals
from webapp.dashboard.state import ViewState
from webapp.dashboard.url import search_with_game, state_from_search
from webapp.db.game_summaries import GameDetail

RESULT_TEXT = {"white": "1-0", "black": "0-1", None: "½-½"}
STEPS = {ids.VIEWER_FIRST: "first", ids.VIEWER_PREVIOUS: "previous", ids.VIEWER_NEXT: "next", ids.VIEWER_LAST: "last"}
HIDDEN = {"display": "none"}


# --- pure helpers ----------------------------------------------------------------------


def game_data(detail: GameDetail) -> dict[str, Any]:
    """What the viewer keeps of a game in the browser (a memory store)."""
    s = detail.summary
    return {
        "id": s.public_id, "url": s.url, "white": s.white, "white_rating": s.white_rating,
        "black": s.black, "black_rating": s.black_rating, "winner": s.winner, "speed": s.speed,
        "date": s.date, "moves": list(detail.moves), "san": list(detail.san), "clocks": list(detail.clocks),
        "termination": detail.termination, "event": detail.event, "time_control": detail.time_control,
        "eco": detail.eco, "rated": detail.rated,
    }  # fmt: skip


def start_ply(moves: list[str], explorer: ViewState) -> int:
    """Where to open the game: the first ply at which it reaches the explorer's position
    (transpositions too), else its start."""
    target = explorer.board()
    wanted = (target.board_fen(), target.turn, target.castling_rights, target.ep_square)
    board = chess.Board()
    for ply in range(len(moves) + 1):
        if (board.board_fen(), board.turn, board.castling_rights, board.ep_square) == wanted:
            return ply
        if ply < len(moves):
            board.push_uci(moves[ply])
    return 0


def step(ply: int, how: str, length: int) -> int:
    """The ply after a step (first, previous, next, last), kept within the game."""
    target = {"first": 0, "previous": ply - 1, "next": ply + 1, "last": length}[how]
    return max(0, min(target, length))


def clock_text(seconds: float | None) -> str:
    """Seconds left as h:mm:ss or m:ss (tenths under a minute, as lichess shows them)."""
    if seconds is None:
        return "–"
    if seconds < 60 and seconds != int(seconds):
        return f"0:{seconds:04.1f}"
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def clocks_at(clocks: list[float | None], ply: int) -> tuple[float | None, float | None]:
    """(white's, black's) clock after the ply shown: each side's last known time."""
    white = next((clocks[i] for i in range(min(ply, len(clocks)) - 1, -1, -1) if i % 2 == 0), None)
    black = next((clocks[i] for i in range(min(ply, len(clocks)) - 1, -1, -1) if i % 2 == 1), None)
    return white, black


def player_text(name: str, rating: int | None) -> str:
    return f"{name} ({rating})" if rating is not None else name


# --- builders --------------------------------------------------------------------------


def build_game_viewer() -> html.Div:
    """The viewer's frame (hidden until the URL names a game); callbacks fill it in."""
    controls = button_row(
        [
            ("⇤", ids.VIEWER_FIRST, "Start of the game (Home)"),
            ("◀", ids.VIEWER_PREVIOUS, "Previous move (←)"),
            ("▶", ids.VIEWER_NEXT, "Next move (→)"),
            ("⇥", ids.VIEWER_LAST, "End of the game (End)"),
        ],
        "viewer-controls",
    )
    return html.Div(
        [
            dcc.Store(id=ids.VIEWER_ID, storage_type="memory"),
            dcc.Store(id=ids.VIEWER_GAME, storage_type="memory"),
            dcc.Store(id=ids.VIEWER_PLY, storage_type="memory", data=0),
            dcc.Store(id=ids.VIEWER_CLICK, storage_type="memory"),
            html.Div(id=ids.VIEWER_HEADER, className="viewer-header"),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            html.Div(html.Img(id=ids.VIEWER_BOARD, alt="the game's position", draggable="false"),
                                     className="board viewer-board"),
                            html.Div(id=ids.VIEWER_CLOCKS, className="viewer-clocks"),
                            html.Div(controls, className="d-flex justify-content-center my-2"),
                        ],
                        xs=12, md=6, xl=4, className="mb-2",
                    ),
                    dbc.Col(html.Div(id=ids.VIEWER_MOVES, className="viewer-moves"), xs=12, md=6, xl=3,
                            className="mb-2"),
                    dbc.Col(html.Div(id=ids.VIEWER_NUMBERS, className="viewer-numbers"), xs=12, md=12, xl=5,
                            className="mb-2"),
                ],
                className="g-3",
                id=ids.VIEWER_BODY,
            ),
        ],
        id=ids.VIEWER,
        className="game-viewer pt-2",
        style=HIDDEN,
    )


def build_header(game: dict[str, Any], back_href: str) -> list:
    """Back link, the players with ratings, result, date, speed, and links to the source and PGN."""
    details = [game.get("date") or "date unknown", game["speed"], "rated" if game.get("rated") else "casual"]
    if game.get("event") and game["event"] not in ("?", "-"):
        details.insert(0, game["event"])
    links: list = []
    if game.get("url"):
        links.append(html.A("source ↗", href=game["url"], target="_blank", rel="noopener noreferrer",
                            className="viewer-source ms-2", title="The game at its source"))
    links.append(html.A("PGN", href=f"/api/games/{game['id']}.pgn", className="viewer-pgn ms-2",
                        title="Download the game as PGN"))
    return [
        dcc.Link("← Back to the explorer", href=back_href, id=ids.VIEWER_BACK,
                 className="btn btn-outline-primary btn-sm viewer-back me-2"),
        html.Div(
            [
                html.Span(player_text(game["white"], game.get("white_rating")), className="viewer-white"),
                html.Span(RESULT_TEXT.get(game.get("winner")), className="viewer-result mx-2"),
                html.Span(player_text(game["black"], game.get("black_rating")), className="viewer-black"),
            ],
            className="viewer-players",
        ),
        html.Div([html.Span(" · ".join(details), className="viewer-details"), *links],
                 className="viewer-meta text-muted"),
    ]


def build_move_list(game: dict[str, Any], ply: int) -> list:
    """The whole game in SAN, numbered, two plies a row; each move a button to go there."""
    san: list[str] = game["san"]
    cells: list = [
        html.Button("start", className="game-ply start" + (" current" if ply == 0 else ""),
                    **{"data-game-ply": "0"}),
    ]
    for index, text in enumerate(san, start=1):
        if index % 2 == 1:
            cells.append(html.Span(f"{(index + 1) // 2}.", className="move-number"))
        cells.append(html.Button(text, className="game-ply" + (" current" if index == ply else ""),
                                 **{"data-game-ply": str(index)}))
    if len(san) % 2 == 1:
        cells.append(html.Span(className="ply-filler"))
    ending = RESULT_TEXT.get(game.get("winner"))
    termination = game.get("termination")
    if termination and termination != "unknown":
        ending += f" · {termination}"
    return [html.Div(cells, className="game-plies"), html.Div(ending, className="viewer-ending text-muted")]


def build_clocks(game: dict[str, Any], ply: int) -> list:
    if not game.get("clocks"):
        return []
    white, black = clocks_at(game["clocks"], ply)
    return [html.Span(f"White {clock_text(white)}", className="clock white"),
            html.Span(f"Black {clock_text(black)}", className="clock black")]


def build_numbers(view: ExplorerView | None, ply: int, index_plies: int) -> list:
    """The explorer's numbers for the position shown, or why there are none."""
    title = html.Div("Explorer at this position", className="viewer-numbers-title")
    if view is None:
        return [title, html.P(f"Past the first {index_plies} half-moves: the explorer indexes the opening only.",
                              className="text-muted small past-index")]
    return [
        title,
        html.Div(build_opening(view), className="opening"),
        html.Div(build_totals(view), className="totals"),
        html.Div(build_moves(view), className="moves", **{"data-fen": view.result.fen, "data-ply": str(ply)}),
    ]


# --- callbacks -------------------------------------------------------------------------


def _find(public: str) -> GameDetail | None:
    from webapp.db.game_summaries import find_game
    from webapp.extensions import db

    with db.engine.connect() as connection:
        return find_game(connection, public)


def _numbers(game: dict[str, Any], ply: int, explorer: ViewState) -> list:
    from flask import current_app
    from sqlalchemy.exc import SQLAlchemyError

    from webapp.extensions import db

    index_plies = current_app.extensions["settings"].index_plies
    if ply > index_plies:
        return build_numbers(None, ply, index_plies)
    state = ViewState(line=tuple(game["moves"]), ply=ply, orientation=explorer.orientation, filters=explorer.filters)
    try:
        view = explore(db.engine.connect, state)
    except SQLAlchemyError:
        logging.getLogger(__name__).exception("explorer query failed in the game viewer")
        return [html.P("The games database is not answering right now.", className="text-danger small")]
    return build_numbers(view, ply, index_plies)


def viewer_outputs(game: dict[str, Any], ply: int, search: str | None) -> dict[str, Any]:
    """Board, clocks, move list and numbers for the ply shown."""
    explorer = state_from_search(search)
    board = ViewState(line=tuple(game["moves"]), ply=ply, orientation=explorer.orientation)
    return {
        "board": board_src(board),
        "board_alt": f"the position: {board.board().fen()}",
        "clocks": build_clocks(game, ply),
        "moves": build_move_list(game, ply),
        "numbers": _numbers(game, ply, explorer),
    }


def register_game_viewer(app: dash.Dash) -> None:
    """Open and close the viewer from the URL; step through the game."""
    # in the browser: the URL's game id into a store, only when it changes, so the explorer's
    # own URL writes cost no request here
    app.clientside_callback(
        """function (search, current) {
            var match = /(?:^|[?&])game=([^&]*)/.exec(search || "");
            var game = match ? decodeURIComponent(match[1].replace(/\\+/g, " ")).trim() || null : null;
            return game === (current || null) ? window.dash_clientside.no_update : game;
        }""",
        Output(ids.VIEWER_ID, "data"),
        Input(ids.LOCATION, "search"),
        State(ids.VIEWER_ID, "data"),
    )

    @app.callback(
        output={
            "game": Output(ids.VIEWER_GAME, "data"),
            "ply": Output(ids.VIEWER_PLY, "data"),
            "viewer_style": Output(ids.VIEWER, "style"),
            "viewer_class": Output(ids.VIEWER, "className"),
            "explorer_style": Output(ids.EXPLORER_ROW, "style"),
            "body_style": Output(ids.VIEWER_BODY, "style"),
            "header": Output(ids.VIEWER_HEADER, "children"),
            "board": Output(ids.VIEWER_BOARD, "src"),
            "board_alt": Output(ids.VIEWER_BOARD, "alt"),
            "clocks": Output(ids.VIEWER_CLOCKS, "children"),
            "moves": Output(ids.VIEWER_MOVES, "children"),
            "numbers": Output(ids.VIEWER_NUMBERS, "children"),
        },
        inputs={
            "public": Input(ids.VIEWER_ID, "data"),
            "steps": [Input(button, "n_clicks") for button in STEPS],
            "click": Input(ids.VIEWER_CLICK, "data"),
            "search": State(ids.LOCATION, "search"),
            "stored": State(ids.VIEWER_GAME, "data"),
            "ply": State(ids.VIEWER_PLY, "data"),
        },
    )
    def view_game(public, steps, click, search, stored, ply):  # type: ignore[no-untyped-def]
        unchanged = {"header": no_update, "game": no_update, "viewer_style": no_update,
                     "viewer_class": no_update, "explorer_style": no_update, "body_style": no_update}  # fmt: skip
        trigger = ctx.triggered_id
        if trigger in STEPS or trigger == ids.VIEWER_CLICK:
            if not stored:
                raise PreventUpdate
            length = len(stored["moves"])
            if trigger == ids.VIEWER_CLICK:
                if not isinstance(click, dict) or not isinstance(click.get("ply"), int):
                    raise PreventUpdate
                new_ply = max(0, min(click["ply"], length))
            else:
                new_ply = step(int(ply or 0), STEPS[trigger], length)
            if new_ply == ply:
                raise PreventUpdate
            return {**unchanged, "ply": new_ply, **viewer_outputs(stored, new_ply, search)}
        empty = {"board": "", "board_alt": "", "clocks": [], "moves": [], "numbers": []}
        if not public:  # closed (or never opened): the explorer as it was
            if not stored:
                raise PreventUpdate
            return {"game": None, "ply": 0, "viewer_style": HIDDEN, "viewer_class": "game-viewer pt-2",
                    "explorer_style": {}, "body_style": {}, "header": [], **empty}  # fmt: skip
        detail = _find(public)
        back = "/" + search_with_game(search, None)
        shown = {"viewer_style": {}, "viewer_class": "game-viewer open pt-2", "explorer_style": HIDDEN}
        if detail is None:  # kept as a game without moves, so that closing the viewer knows it was open
            missing = [dcc.Link("← Back to the explorer", href=back, id=ids.VIEWER_BACK,
                                className="btn btn-outline-primary btn-sm me-2"),
                       html.Span(f"No game with id “{public}” in these games.", className="viewer-missing")]
            return {**shown, "game": {"id": public, "moves": []}, "ply": 0, "body_style": HIDDEN,
                    "header": missing, **empty}  # fmt: skip
        game = game_data(detail)
        new_ply = start_ply(game["moves"], state_from_search(search))
        return {**shown, "game": game, "ply": new_ply, "body_style": {}, "header": build_header(game, back),
                **viewer_outputs(game, new_ply, search)}
