"""`GET /api/explorer/orders`: the move orders that reached the position, with games, share
and results each (webapp.db.move_orders).

The same parameters as `/api/explorer`; a player's view is not broken down yet (400).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from webapp.api.wire import query_from_args
from webapp.db.move_orders import MoveOrder, PositionOrders, read_move_orders
from webapp.extensions import db

orders_api = Blueprint("orders_api", __name__)


def order_json(order: MoveOrder, total: int) -> dict[str, Any]:
    return {
        "uci": list(order.uci),
        "san": list(order.san),
        "games": order.games,
        "white": order.white,
        "draws": order.draws,
        "black": order.black,
        "share": round(order.games / total, 4) if total else 0.0,
        "divergesAt": order.diverges_at,
    }


def orders_json(orders: PositionOrders) -> dict[str, Any]:
    return {
        "fen": orders.fen,
        "games": orders.games,
        "orders": [order_json(o, orders.games) for o in orders.orders],
        "unresolved": orders.unresolved,
        "moreOrders": orders.more_orders,
        "moreGames": orders.more_games,
    }


@orders_api.get("/api/explorer/orders")
def orders():  # type: ignore[no-untyped-def]
    return jsonify(orders_json(read_move_orders(db.engine.connect, query_from_args(request.args))))
