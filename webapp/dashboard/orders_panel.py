"""Move orders under the moves table: the sequences of moves that reached the position,
most games first, each with its share of the games (a bar) and its results.

The numbers are `read_move_orders` (what `GET /api/explorer/orders` answers). Each order
is written in full, the moves it shares with the most played order muted, so where they
part shows; each is a link that puts the board on that line (the filters kept). The
section opens by a switch (remembered for the browser tab) and asks only while open.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import chess
import dash
from dash import html
from sqlalchemy import Connection

from webapp.dashboard.state import ViewState, explorer_query
from webapp.dashboard.switch_panel import build_switch_panel, register_switch_panel
from webapp.db.move_orders import NOT_FOR_PLAYERS, MoveOrder, PositionOrders, read_move_orders
from webapp.model.links import explorer_url
from webapp.model.query import ExplorerQuery, QueryError

# component ids of this panel
ORDERS = "move-orders"
ORDERS_REQUEST = "move-orders-request"  # {view, version}, set in the browser while the Explorer shows
ORDERS_LOADING = "move-orders-loading"
ORDERS_SWITCH = "move-orders-switch"  # shown or not, remembered for this browser tab
ORDERS_BODY = "move-orders-body"

#: orders shown (the most played)
MAX_ORDERS = 10


def build_orders_panel() -> html.Div:
    """The section under the moves table (filled by register_orders_callbacks)."""
    return build_switch_panel(
        switch=ORDERS_SWITCH, body=ORDERS_BODY, request=ORDERS_REQUEST, output=ORDERS, loading=ORDERS_LOADING,
        label="Move orders into this position", output_class="move-orders", panel_class="move-orders-panel",
    )


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "–"


def move_text(san: Sequence[str], start: int = 0, end: int | None = None) -> str:
    """'1.d4 Nf6 2.c4' for the plies start..end of a line from the start position."""
    words = []
    for ply in range(start, len(san) if end is None else end):
        number = f"{ply // 2 + 1}." if ply % 2 == 0 else (f"{ply // 2 + 1}…" if ply == start else "")
        words.append(number + san[ply])
    return " ".join(words)


def build_order(order: MoveOrder, total: int, url: str) -> html.A:
    """One order: its moves (the shared start muted), a bar of its share, games and results."""
    share = order.games / total if total else 0.0
    split = order.diverges_at if order.diverges_at < len(order.san) else 0  # the most played: all its own
    moves = [
        html.Span(move_text(order.san, 0, split), className="text-muted order-shared") if split else None,
        html.Span(move_text(order.san, split), className="fw-semibold order-own" + (" ms-1" if split else ""))
        if order.san else None,
    ]
    line = [m for m in moves if m is not None] or [html.Span("(the start position)", className="text-muted")]
    results = f"+{order.white:,} ={order.draws:,} −{order.black:,}"
    return html.A(
        [
            html.Div(line, className="order-moves"),
            html.Div(html.Div(className="order-bar-fill", style={"width": f"{100 * share:.2f}%"}),
                     className="order-bar"),
            html.Div(
                [html.Span(f"{order.games:,} games · {_pct(order.games, total)}", className="order-games"),
                 html.Span(results, className="text-muted order-results", title="white wins = draws − black wins")],
                className="d-flex justify-content-between flex-wrap",
            ),
        ],
        href=url,
        className="order-row d-block py-1 text-reset text-decoration-none",
        title=f"Play {move_text(order.san) or 'nothing'}",
        **{"data-uci": ",".join(order.uci), "data-games": str(order.games), "data-share": f"{share:.4f}",
           "data-white": str(order.white), "data-draws": str(order.draws), "data-black": str(order.black)},
    )


def build_orders(orders: PositionOrders, query: ExplorerQuery) -> list[Any]:
    """The most played orders, each a link to its line, and a note of any left out."""
    if not orders.games:
        return [html.Div("No games here.", className="text-muted")]
    from_start = replace(query, fen=chess.STARTING_FEN)
    rows: list[Any] = [
        build_order(order, orders.games, explorer_url(from_start, order.uci)) for order in orders.orders[:MAX_ORDERS]
    ]
    hidden = len(orders.orders) - MAX_ORDERS + orders.more_orders
    if hidden > 0:
        rows.append(html.Div(f"{hidden} less played orders not shown", className="text-muted order-note"))
    if orders.unresolved:
        rows.append(html.Div(f"{orders.unresolved} orders could not be told apart", className="text-muted order-note"))
    return rows


def orders_content(connection_factory: Callable[[], Connection], state: ViewState) -> list[Any]:
    """The panel for the shown position and filters."""
    query, _problem = explorer_query(state)
    if query.player:
        return [html.Div(NOT_FOR_PLAYERS.capitalize() + ".", className="text-muted")]
    try:
        return build_orders(read_move_orders(connection_factory, query), query)
    except QueryError as error:
        return [html.Div(str(error), className="text-muted")]


def register_orders_callbacks(app: dash.Dash) -> None:
    """Register the move orders panel's callbacks on `app`."""
    register_switch_panel(app, switch=ORDERS_SWITCH, body=ORDERS_BODY, request=ORDERS_REQUEST, output=ORDERS,
                          content=orders_content, name="move orders")
