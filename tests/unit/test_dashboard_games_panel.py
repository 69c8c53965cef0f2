"""The games lists under the moves table: rows from the answer's entries, links to the viewer."""

from __future__ import annotations

from typing import Any

import chess
from component_text import texts as _texts
from dash import dcc, html

from webapp.dashboard.games_panel import build_games, move_text
from webapp.dashboard.state import Filters, ViewState
from webapp.model.stats import ExplorerResult, Results

AFTER_E4 = "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1"


def _entry(game_id: str, winner: str | None, uci: str, url: str | None = None) -> dict:
    return {
        "id": game_id, "url": url, "white": {"name": "Capablanca", "rating": None},
        "black": {"name": "Lasker", "rating": 2600}, "winner": winner, "speed": "classical",
        "mode": "rated", "date": "1921", "year": 1921, "month": None, "uci": uci,
    }  # fmt: skip


def test_move_text_is_san_when_legal_else_as_sent() -> None:
    assert move_text(AFTER_E4, "c7c5") == "c5"
    assert move_text(chess.STARTING_FEN, "e1g1") == "e1g1"  # not legal at the start
    assert move_text(AFTER_E4, "junk") == "junk"
    assert move_text(AFTER_E4, None) == ""


def test_no_games_draw_nothing() -> None:
    assert build_games(ExplorerResult(fen=AFTER_E4, totals=Results()), ViewState()) == []


def test_rows_link_to_the_viewer_with_the_explorers_url() -> None:
    state = ViewState(line=("e2e4",), ply=1, filters=Filters(speeds=("blitz",)))
    result = ExplorerResult(
        fen=AFTER_E4, totals=Results(), top_games=(_entry("abc", "white", "c7c5", "https://lichess.org/abc"),),
        recent_games=(_entry("def", None, "e7e5"), _entry("ghi", "black", "c7c5")),
    )
    top, recent = build_games(result, state)
    assert top.className == "games-list top-games" and recent.className == "games-list recent-games"
    row = top.children[1]
    link, source = row.children
    assert isinstance(link, dcc.Link) and link.href == "/?play=e2e4&speeds=blitz&game=abc"
    assert _texts(link) == ["1-0", "Capablanca", "", "Lasker", "2600", "c5", "1921"]
    assert isinstance(source, html.A) and source.href == "https://lichess.org/abc"
    assert (source.target, source.rel) == ("_blank", "noopener noreferrer")
    assert [_texts(r.children[0])[0] for r in recent.children[1:]] == ["½-½", "0-1"]
    assert len(recent.children[1].children) == 1  # no source link for a game without one


def _ids_under(component: Any) -> set[str]:
    """The string ids of a component and everything under it."""
    found = {component.id} if isinstance(getattr(component, "id", None), str) else set()
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if hasattr(child, "to_plotly_json"):
            found |= _ids_under(child)
    return found


def test_the_games_lists_sit_under_the_moves_tables_loading_overlay() -> None:
    """A new position dims the Top / Recent games with the table: never the last position's
    games at full strength beside a spinner over the new one's table."""
    from webapp.dashboard import ids
    from webapp.dashboard.layout import build_explorer_panel

    def loadings(component: Any) -> list[Any]:
        out = [component] if isinstance(component, dcc.Loading) else []
        children = getattr(component, "children", None)
        for child in children if isinstance(children, list) else [children]:
            if hasattr(child, "to_plotly_json"):
                out += loadings(child)
        return out

    overlay = next(c for c in loadings(build_explorer_panel()) if c.id == ids.LOADING)
    assert {ids.EXPLORER_PANEL, ids.GAMES_PANEL} <= _ids_under(overlay)
