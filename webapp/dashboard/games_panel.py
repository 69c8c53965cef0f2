"""The games lists under the moves table: "Top games" and "Recent games" of the position.

Drawn from the explorer's answer the explore flow already has (ExplorerResult.top_games
and .recent_games, each entry webapp.api.game_json's shape): no query of its own. Each
row is a link to the same explorer URL with `game=<id>`, which opens the game viewer
(webapp.dashboard.game_viewer) in place, so rows need no callback here; the ↗ beside a
row opens the game at its source in a new tab.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import chess
from dash import dcc, html

from webapp.dashboard import ids
from webapp.dashboard.state import ViewState
from webapp.dashboard.url import search_from_state, search_with_game
from webapp.model.stats import ExplorerResult

RESULT_TEXT = {"white": "1-0", "black": "0-1"}
#: rows shown per list (the explorer's answer keeps 15 of each)
SHOWN = 8
DRAW_TEXT = "½-½"


def build_games_panel() -> html.Div:
    """The container the explorer fills in with every answer (callbacks.explorer_outputs)."""
    return html.Div(id=ids.GAMES_PANEL, className="games-panel")


def move_text(fen: str, uci: str | None) -> str:
    """The move a game played in the position, in SAN when it is legal there, else as sent."""
    if not uci:
        return ""
    try:
        board = chess.Board(fen)
        move = chess.Move.from_uci(uci)
        return board.san(move) if move in board.legal_moves else uci
    except ValueError:
        return uci


def side_text(side: dict[str, Any] | None) -> str:
    side = side or {}
    name = str(side.get("name") or "?")
    return f"{name} ({side['rating']})" if side.get("rating") is not None else name


def build_side(side: dict[str, Any] | None, color: str) -> html.Span:
    """A player's name (cut short with … when narrow) and rating (always shown)."""
    side = side or {}
    rating = side.get("rating")
    return html.Span(
        [
            html.Span(str(side.get("name") or "?"), className="game-name"),
            html.Span(f"{rating}" if rating is not None else "", className="game-rating"),
        ],
        className=f"game-{color}",
    )


def build_game_row(game: dict[str, Any], fen: str, search: str) -> html.Div:
    """One game: result, players with ratings, the move it played, date; a link to the viewer."""
    result = RESULT_TEXT.get(str(game.get("winner")), DRAW_TEXT)
    white, black = side_text(game.get("white")), side_text(game.get("black"))
    opened = dcc.Link(
        [
            html.Span(result, className="game-result"),
            html.Span(
                [build_side(game.get("white"), "white"), build_side(game.get("black"), "black")],
                className="game-players",
            ),
            html.Span(move_text(fen, game.get("uci")), className="game-move"),
            html.Span(game.get("date") or "", className="game-date"),
        ],
        href="/" + search_with_game(search, str(game.get("id"))),
        className="game-open",
        title=f"{white} – {black}, {result}: step through the game",
    )
    children: list = [opened]
    if game.get("url"):
        children.append(
            html.A("↗", href=game["url"], target="_blank", rel="noopener noreferrer", className="game-source",
                   title="The game at its source (new tab)", **{"aria-label": "the game at its source"})
        )
    return html.Div(children, className="game-row", **{"data-game": str(game.get("id"))})


def build_games_list(title: str, games: Sequence[dict[str, Any]], fen: str, search: str, kind: str) -> html.Div:
    return html.Div(
        [html.Div(title, className="games-title"), *(build_game_row(g, fen, search) for g in games)],
        className=f"games-list {kind}",
    )


def build_games(result: ExplorerResult, state: ViewState) -> list:
    """Top games and recent games of the answer; nothing when it lists none."""
    search = search_from_state(state)
    out = []
    if result.top_games:
        out.append(build_games_list("Top games", result.top_games[:SHOWN], result.fen, search, "top-games"))
    if result.recent_games:
        out.append(
            build_games_list("Recent games", result.recent_games[:SHOWN], result.fen, search, "recent-games")
        )
    return out
