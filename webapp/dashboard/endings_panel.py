"""How games ended, under the moves table: per move (and for the position) a stacked bar
of white's wins, the draws and black's wins split by kind (mate, resignation, time,
abandonment; agreement, repetition, stalemate, insufficient material, 50 moves, timeout vs
insufficient material; "other" for rules infractions and unknown endings).

The numbers are `read_explorer(..., with_endings=True)`, what `GET /api/explorer?endings=1`
answers. Each segment's hover title gives its count and share; the largest kinds are
also written small under the bar, so a phone (no hover) reads them too. The section opens
by a switch (remembered for the browser tab) and asks for the endings only while open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dash
from dash import html
from sqlalchemy import Connection

from webapp.dashboard.state import ViewState, explorer_query
from webapp.dashboard.switch_panel import build_switch_panel, read_for_panel, register_switch_panel
from webapp.db.explorer import read_explorer
from webapp.model.stats import ExplorerResult, Results

# component ids of this panel
ENDINGS = "endings"
ENDINGS_REQUEST = "endings-request"  # {view, version}, set in the browser while the Explorer shows
ENDINGS_LOADING = "endings-loading"
ENDINGS_SWITCH = "endings-switch"  # shown or not, remembered for this browser tab
ENDINGS_BODY = "endings-body"

#: moves shown (the most played), besides the position's own bar
MAX_MOVES = 12
SIDE_LABELS = {"white": "White won", "draws": "Draw", "black": "Black won"}
KIND_LABELS = {
    "checkmate": "checkmate",
    "resignation": "resignation",
    "time": "on time",
    "abandonment": "abandonment",
    "agreement": "agreement",
    "repetition": "repetition",
    "stalemate": "stalemate",
    "insufficientMaterial": "insufficient material",
    "fiftyMoves": "50-move rule",
    "timeoutVsInsufficient": "timeout vs insufficient material",
    "other": "other / unknown",
}
#: short words for the line under a bar
KIND_SHORT = {
    "checkmate": "mate", "resignation": "resign", "time": "time", "abandonment": "abandon",
    "agreement": "agreed", "repetition": "repetition", "stalemate": "stalemate",
    "insufficientMaterial": "insufficient", "fiftyMoves": "50 moves",
    "timeoutVsInsufficient": "timeout vs insuff.", "other": "other",
}  # fmt: skip
SIDE_SHORT = {"white": "1-0", "draws": "½", "black": "0-1"}


def build_endings_panel() -> html.Div:
    """The section under the moves table (filled by register_endings_callbacks)."""
    return build_switch_panel(
        switch=ENDINGS_SWITCH, body=ENDINGS_BODY, request=ENDINGS_REQUEST, output=ENDINGS, loading=ENDINGS_LOADING,
        label="How games ended", output_class="endings", panel_class="endings-panel", legend=build_legend(),
    )


def build_legend() -> html.Div:
    """The colours: white's wins light, draws grey, black's wins dark; one shade per kind."""
    items = []
    for side in SIDE_LABELS:
        kinds = _kinds(side)
        items.append(
            html.Div(
                [html.Span(SIDE_LABELS[side] + ":", className="me-1 fw-semibold"),
                 *[html.Span([html.Span(className=f"ending-swatch ending-{side}-{k}"), KIND_SHORT[k]],
                             className="me-2 text-nowrap") for k in kinds]],
                className="ending-legend-line",
            )
        )
    return html.Div(items, className="ending-legend text-muted mb-1")


def _kinds(side: str) -> tuple[str, ...]:
    if side == "draws":
        return ("agreement", "repetition", "stalemate", "insufficientMaterial", "fiftyMoves",
                "timeoutVsInsufficient", "other")
    return ("checkmate", "resignation", "time", "abandonment", "other")


def ending_phrase(side: str, kind: str) -> str:
    """'white won on time', 'black won by checkmate', 'drawn by repetition', 'drawn, other / unknown'."""
    start = "drawn" if side == "draws" else f"{side} won"
    if kind == "other":
        return f"{start}, other / unknown"
    return f"{start} {KIND_LABELS[kind]}" if kind == "time" else f"{start} by {KIND_LABELS[kind]}"


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


def build_bar(name: str, results: Results, uci: str | None = None) -> html.Div:
    """One move's (or the position's) bar: a segment per (side, kind) with games, its
    width the share of the games, its title the count and share; the largest written under."""
    games = results.games
    assert results.endings is not None
    shaped = results.endings.by_side(results.white, results.draws, results.black)
    segments, notes = [], []
    for side in SIDE_LABELS:
        for kind in _kinds(side):
            count = shaped[side][kind]
            if not count:
                continue
            title = f"{name}: {ending_phrase(side, kind)}: {count:,} of {games:,} games ({_pct(count, games)})"
            segments.append(
                html.Div(className=f"ending-seg ending-{side}-{kind}", title=title,
                         style={"width": f"{100 * count / games:.3f}%"},
                         **{"data-side": side, "data-kind": kind, "data-count": str(count)})
            )
            notes.append((count, side, kind))
    notes.sort(key=lambda n: -n[0])
    # each note whole on its line: a phone wraps between notes, never inside one ("0-1 / time 14.6%")
    written: list[Any] = []
    for c, s, k in notes[:4]:
        written += [" · "] if written else []
        written.append(html.Span(f"{SIDE_SHORT[s]} {KIND_SHORT[k]} {_pct(c, games)}",
                                 className="ending-note-item text-nowrap"))
    return html.Div(
        [
            html.Div(
                [html.Span(name, className="move-san fw-semibold me-2",
                           **({"title": f"Play {name}", "data-play": uci} if uci else {})),
                 html.Span(f"{games:,} games", className="text-muted ending-games")],
                className="d-flex justify-content-between",
            ),
            html.Div(segments, className="ending-bar"),
            html.Div(written, className="text-muted ending-note"),
        ],
        className="ending-row py-1",
        id={"type": "ending-row", "index": uci or "position"},
        **{"data-uci": uci or "", "data-games": str(games)},
    )


def build_endings(result: ExplorerResult) -> list[Any]:
    """The position's bar, then the most played moves' bars."""
    if not result.totals.games:
        return [html.Div("No games here.", className="text-muted")]
    rows = [build_bar("All games here", result.totals)]
    rows += [build_bar(move.san, move.results, move.uci) for move in result.moves[:MAX_MOVES]]
    if len(result.moves) > MAX_MOVES:
        rows.append(html.Div(f"{len(result.moves) - MAX_MOVES} less played moves not shown",
                             className="text-muted ending-note"))
    return rows


def endings_content(connection_factory: Callable[[], Connection], state: ViewState) -> list[Any]:
    """The panel for the shown position and filters; all games while a player is unknown or counted."""
    query, _problem = explorer_query(state)
    return build_endings(read_for_panel(
        lambda asked: read_explorer(connection_factory, asked, with_games=False, with_endings=True), query
    ))


def register_endings_callbacks(app: dash.Dash) -> None:
    """Register the endings panel's callbacks on `app`."""
    register_switch_panel(app, switch=ENDINGS_SWITCH, body=ENDINGS_BODY, request=ENDINGS_REQUEST, output=ENDINGS,
                          content=endings_content, name="endings")
