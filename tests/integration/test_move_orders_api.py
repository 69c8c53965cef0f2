"""`GET /api/explorer/orders` against move orders found with python-chess in the same
real lichess files (orders_reference), on SQLite and PostgreSQL: transposed positions
under several filters, before and after compaction (hot positions read from the
month-less rollup plus the rows appended since), and the knight shuffle's first visit."""

from __future__ import annotations

import functools
from typing import Any

import pytest
from compaction_thresholds import shrink_thresholds
from explorer_reference import read_games
from orders_reference import expected_orders
from sample_games import EXPLORER_SAMPLE, LICHESS_2021_10, SHARED_LICHESS, import_pgn

from webapp.caching import bump_generation
from webapp.db import move_orders
from webapp.indexer import compact as compaction

FIRST = LICHESS_2021_10
SECOND = SHARED_LICHESS / "lichess_user_DrDrunkenstein_2018-01_2021-01.pgn"
#: positions reached by several move orders (Italian, French, QGD, Two Knights), and the
#: start and 1.Nf3, which a knight shuffle reaches again
POSITIONS = [
    "e2e4 e7e5 g1f3 b8c6 f1c4", "e2e4 e7e6 d2d4 d7d5", "d2d4 d7d5 c2c4 g8f6 b1c3 e7e6",
    "e2e4 e7e5 g1f3 b8c6 f1c4 g8f6", "", "g1f3", "e2e4 c7c5 g1f3 d7d6",
]  # fmt: skip
FILTERS: list[dict[str, Any]] = [
    {}, {"speeds": ["bullet", "blitz"]}, {"rating_min": 1400, "rating_max": 2199},
    {"since": "2019-01", "until": "2020-12"}, {"rated_only": True, "speeds": ["blitz"]},
]  # fmt: skip


@functools.cache
def _games(*paths) -> list:  # type: ignore[no-untyped-def, type-arg]
    return read_games(list(paths))


def _params(play: str, chosen: dict[str, Any]) -> dict[str, str]:
    params = {"play": ",".join(play.split())}
    for name, value in chosen.items():
        if name == "rated_only":
            params["rated"] = "true"
        else:
            params[name] = ",".join(value) if isinstance(value, list) else str(value)
    return params


def _check(client, games: list) -> int:  # type: ignore[no-untyped-def, type-arg]
    """Every position under every filter set as the reference has it; the orders checked."""
    bump_generation()
    checked = 0
    for play in POSITIONS:
        for chosen in FILTERS:
            response = client.get("/api/explorer/orders", query_string=_params(play, chosen))
            assert response.status_code == 200, response.get_data(as_text=True)
            assert response.get_json() == expected_orders(games, play.split(), **chosen), (play, chosen)
            checked += len(response.get_json()["orders"])
    return checked


def test_orders_match_python_chess_before_and_after_compaction(client, engine, monkeypatch) -> None:
    shrink_thresholds(monkeypatch, hot=4)
    import_pgn(engine, [FIRST])
    first = _games(FIRST)
    assert _check(client, first) > len(POSITIONS) * len(FILTERS)  # some positions split
    compaction.compact(engine)
    assert _check(client, first)
    import_pgn(engine, [SECOND])  # rows appended after the rollup was brought up to date
    both = _games(FIRST, SECOND)
    assert _check(client, both)
    compaction.compact(engine)
    assert _check(client, both)


def test_the_start_position_is_reached_by_no_moves(client, engine) -> None:
    import_pgn(engine, [FIRST])
    body = client.get("/api/explorer/orders").get_json()
    assert body["orders"] == [
        {"uci": [], "san": [], "games": body["games"], "white": body["orders"][0]["white"],
         "draws": body["orders"][0]["draws"], "black": body["orders"][0]["black"], "share": 1.0, "divergesAt": 0}
    ]  # fmt: skip
    assert body["games"] == len(_games(FIRST))


@pytest.mark.parametrize("params", [{"player": "lichess:someone"}, {"play": "e2e5"}])
def test_player_views_and_bad_positions_are_refused(client, params: dict[str, str]) -> None:
    response = client.get("/api/explorer/orders", query_string=params)
    assert response.status_code == 400
    assert response.get_json()["error"]


def test_a_knight_shuffle_reaches_a_position_by_its_first_visit(client, engine, monkeypatch) -> None:
    """The explorer sample's games that shuffle knights (1.Nf3 Nf6 2.Ng1 Ng8 …) before 1.e4
    come back to the start position (counted once, by no moves) and reach 1.e4 late."""
    import_pgn(engine, [EXPLORER_SAMPLE])
    games = _games(EXPLORER_SAMPLE)
    for play in ("", "e2e4", "e2e4 e7e5", "d2d4 d7d5 g1f3 g8f6"):
        body = client.get("/api/explorer/orders", query_string=_params(play, {})).get_json()
        assert body == expected_orders(games, play.split()), play
    late = client.get("/api/explorer/orders", query_string={"play": "e2e4"}).get_json()["orders"][1]
    assert late["uci"][:4] == ["g1f3", "g8f6", "f3g1", "f6g8"] and late["uci"][-1] == "e2e4"
    monkeypatch.setattr(move_orders, "MAX_ORDERS", 1)  # only the most played told, the rest counted
    bump_generation()
    capped = client.get("/api/explorer/orders", query_string={"play": "e2e4"}).get_json()
    full = expected_orders(games, ["e2e4"])
    assert capped == {**full, "orders": full["orders"][:1], "moreOrders": 1, "moreGames": 2}
