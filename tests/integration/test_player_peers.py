"""GET /api/player/peers: the player's average own rating and the peers' range, counted
independently with python-chess over the sample (SQLite and PostgreSQL).

The peers are games whose mean rating falls in the 100-point bands covering the player's
average ± band; the average counts games with both ratings known, the player's own side
in each (either colour when none is chosen), under the query's filters.
"""

from __future__ import annotations

from typing import Any

import pytest
from explorer_reference import read_games
from sample_games import EXPLORER_SAMPLE, import_pgn


@pytest.fixture
def sample(engine):  # type: ignore[no-untyped-def]
    import_pgn(engine, [EXPLORER_SAMPLE])
    return read_games([EXPLORER_SAMPLE])


def _expected(games, player: str, color: str | None, band: int = 100, **filters: Any) -> dict:  # type: ignore[no-untyped-def]
    own = []
    for g in games:
        if g.white_rating is None or g.black_rating is None:
            continue
        if filters.get("speeds") and g.speed not in filters["speeds"]:
            continue
        if g.white == player and color in (None, "white"):
            own.append(g.white_rating)
        elif g.black == player and color in (None, "black"):
            own.append(g.black_rating)
    average = round(sum(own) / len(own))
    return {"rating": average, "ratingMin": max(average - band, 0) // 100 * 100,
            "ratingMax": (average + band) // 100 * 100 + 99}


@pytest.mark.parametrize(
    "params",
    [
        {"player": "frank"},
        {"player": "frank", "color": "white"},
        {"player": "carol_rook", "color": "black", "band": "200"},
        {"player": "dave99", "speeds": "blitz,rapid"},
    ],
)
def test_peers_are_games_around_the_players_average(client, sample, params) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/api/player/peers", query_string=params).get_json()
    speeds = params["speeds"].split(",") if "speeds" in params else None
    expected = _expected(sample, params["player"], params.get("color"), int(params.get("band", 100)),
                         speeds=speeds)
    assert {k: body[k] for k in expected} == expected
    assert body["label"] == (f"Peers rated {expected['ratingMin']}–{expected['ratingMax']} "
                             f"({params['player']}'s average {expected['rating']} ± {params.get('band', 100)}), "
                             f"{params['player']}'s own games left out")


def test_peers_of_an_unknown_player_is_404(client, sample) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/player/peers", query_string={"player": "nobody_here"})
    assert response.status_code == 404 and "nobody_here" in response.get_json()["error"]


@pytest.mark.parametrize(
    ("player", "color", "play"),
    [("frank", None, []), ("carol_rook", "white", ["e2e4"]), ("dave99", "black", [])],
)
def test_explorer_peers_leave_the_players_own_games_out(app, engine, sample, player, color, play) -> None:  # type: ignore[no-untyped-def]
    from explorer_reference import reference
    from stats_tables import track_every_player

    from webapp.db.leaks import read_peer_result, read_peers
    from webapp.model.query import ExplorerQuery

    track_every_player(engine)
    query = ExplorerQuery.build(play=play, player=player, color=color)
    with app.app_context():
        peers = read_peers(engine.connect, query)
        result = read_peer_result(engine.connect, query, peers)
    others = [g for g in sample if player not in (g.white, g.black)]
    expected = reference(others, play=play, rating_min=peers.rating_min, rating_max=peers.rating_max)
    assert expected["games"] < reference(sample, play=play, rating_min=peers.rating_min,
                                         rating_max=peers.rating_max)["games"]  # the player has games there
    assert (result.totals.white, result.totals.draws, result.totals.black) == (
        expected["white"], expected["draws"], expected["black"]
    )
    assert result.totals.average_rating == expected["averageRating"]
    assert [(m.uci, m.results.games, m.results.average_rating) for m in result.moves] == [
        (m["uci"], m["games"], m["averageRating"]) for m in expected["moves"]
    ]
