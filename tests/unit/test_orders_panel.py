"""The move orders panel's builder: each order's moves (shared start muted), games, share,
results and a link from the start position with the query's filters."""

from __future__ import annotations

from component_text import texts

from webapp.dashboard.orders_panel import build_orders, move_text
from webapp.db.move_orders import MoveOrder, PositionOrders
from webapp.model.query import ExplorerQuery

QGD = MoveOrder(("d2d4", "g8f6", "c2c4", "e7e6"), ("d4", "Nf6", "c4", "e6"), 30, 20, 12, 4)
ENGLISH = MoveOrder(("c2c4", "e7e6", "d2d4", "g8f6"), ("c4", "e6", "d4", "Nf6"), 10, 10, 10, 0)
SHARED = MoveOrder(("d2d4", "e7e6", "c2c4", "g8f6"), ("d4", "e6", "c4", "Nf6"), 5, 2, 1, 1)


def test_moves_are_numbered_from_the_ply_they_start_at() -> None:
    assert move_text(QGD.san) == "1.d4 Nf6 2.c4 e6"
    assert move_text(QGD.san, 1) == "1…Nf6 2.c4 e6"
    assert move_text(QGD.san, 0, 1) == "1.d4"


def test_each_order_links_its_line_with_the_filters() -> None:
    query = ExplorerQuery.build(play=["d2d4", "g8f6", "c2c4", "e7e6"], speeds=["blitz"])
    orders = PositionOrders(fen="x", games=100, orders=(QGD, ENGLISH, SHARED), unresolved=1)
    rows = build_orders(orders, query)
    assert [r.href for r in rows[:3]] == [
        "/?play=d2d4,g8f6,c2c4,e7e6&speeds=blitz",
        "/?play=c2c4,e7e6,d2d4,g8f6&speeds=blitz",
        "/?play=d2d4,e7e6,c2c4,g8f6&speeds=blitz",
    ]
    first = " | ".join(texts(rows[0]))
    assert "1.d4 Nf6 2.c4 e6" in first and "62 games · 62%" in first and "+30 =20 −12" in first
    assert texts(rows[0])[0] == "1.d4 Nf6 2.c4 e6"  # the most played: written whole, its own
    assert texts(rows[2])[:2] == ["1.d4", "1…e6 2.c4 Nf6"]  # the shared start, then its own moves
    assert getattr(rows[1], "data-share") == "0.3000"
    assert texts(rows[3]) == ["1 orders could not be told apart"]
