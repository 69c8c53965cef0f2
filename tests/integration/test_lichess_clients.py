"""A real lichess client, berserk, pointed at a server this test starts: the numbers are python-chess's.

The server is werkzeug's, in a thread, on a free port, serving the app on a database with
explorer_sample.pgn imported (SQLite and PostgreSQL). berserk calls /lichess, /masters and
/player exactly as it calls explorer.lichess.ovh.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import berserk
import pytest
from explorer_reference import RefGame, expected_game_ids, read_games, reference
from sample_games import EXPLORER_SAMPLE, import_pgn, stored_ids
from werkzeug.serving import make_server

RUY = "e2e4 e7e5 g1f3 b8c6 f1b5".split()


@pytest.fixture
def sample(engine) -> list[RefGame]:  # type: ignore[no-untyped-def]
    import_pgn(engine, [EXPLORER_SAMPLE])
    return read_games([EXPLORER_SAMPLE])


@pytest.fixture
def explorer(app, sample) -> Iterator[berserk.Client]:  # type: ignore[no-untyped-def]
    """A berserk client whose explorer_url is a live server on the sample's database."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield berserk.Client(explorer_url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)


def counts(body: dict[str, Any], rating_key: str = "averageRating") -> dict[str, Any]:
    return {
        "white": body["white"], "draws": body["draws"], "black": body["black"],
        "moves": [(m["uci"], m["white"], m["draws"], m["black"], m[rating_key]) for m in body["moves"]],
    }


def want(games: list[RefGame], rating_key: str = "averageRating", moves: int | None = 12, **filters: Any) -> dict[str, Any]:
    ref = reference(games, **filters)
    return {
        "white": ref["white"], "draws": ref["draws"], "black": ref["black"],
        "moves": [(m["uci"], m["white"], m["draws"], m["black"], m[rating_key]) for m in ref["moves"][:moves]],
    }


def test_get_lichess_games(explorer, engine, sample) -> None:
    games = explorer.opening_explorer
    assert counts(games.get_lichess_games()) == want(sample)
    assert counts(games.get_lichess_games(play=["e2e4"], speeds=["blitz", "rapid"])) == want(
        sample, play=["e2e4"], speeds=["blitz", "rapid"]
    )
    assert counts(games.get_lichess_games(ratings=["1600", "1800", "2000"], since="2021-01", until="2021-08")) == want(
        sample, rating_min=1600, rating_max=2199, since="2021-01", until="2021-08"
    )
    body = games.get_lichess_games(play=RUY, moves=1, top_games=2, recent_games=2, history=True)
    assert counts(body) == want(sample, play=RUY, moves=1)
    assert body["opening"] == {"eco": "C60", "name": "Ruy Lopez"}
    top, recent = expected_game_ids(sample, stored_ids(engine, [g.site for g in sample]), 2, 2, play=RUY)
    assert [g["id"] for g in body["topGames"]] == top and [g["id"] for g in body["recentGames"]] == recent
    assert len(top) == len(recent) == 2
    history = {h["month"]: (h["white"], h["draws"], h["black"]) for h in body["history"]}
    for month, numbers in history.items():
        ref = reference(sample, play=RUY, since=month, until=month)
        assert numbers == (ref["white"], ref["draws"], ref["black"]), month
    assert sum(map(sum, history.values())) == body["white"] + body["draws"] + body["black"] > 0


def test_get_masters_games(explorer, engine, sample) -> None:
    from webapp.indexer.pgn import import_pgn_files

    import_pgn_files(engine, [EXPLORER_SAMPLE], index_plies=40, collection="masters")  # moved
    games = explorer.opening_explorer
    assert counts(games.get_masters_games(play=["d2d4"])) == want(sample, play=["d2d4"])
    assert counts(games.get_masters_games(since=2021, until=2021, moves=3)) == want(
        sample, since="2021-01", until="2021-12", moves=3
    )


def test_get_player_games(explorer, engine, sample) -> None:
    games = explorer.opening_explorer
    ids = stored_ids(engine, [g.site for g in sample])
    for player, color in [("frank", "black"), ("Carol_Rook", "white"), ("dave99", "white")]:
        body = games.get_player_games(player, color, wait_for_indexing=True)
        assert counts(body, "averageOpponentRating") == want(
            sample, "averageOpponentRating", None, player=player, color=color
        )
        _, recent = expected_game_ids(sample, ids, 0, 8, player=player, color=color)
        assert [g["id"] for g in body["recentGames"]] == recent and recent
    filtered = games.get_player_games(
        "frank", "white", play=["e2e4"], speeds=["blitz", "bullet", "rapid"], since="2021-02",
        wait_for_indexing=True,
    )
    assert counts(filtered, "averageOpponentRating") == want(
        sample, "averageOpponentRating", None, play=["e2e4"], player="frank", color="white",
        speeds=["blitz", "bullet", "rapid"], since="2021-02",
    )
    streamed = list(games.stream_player_games("frank", "black"))
    assert len(streamed) == 1 and counts(streamed[0], "averageOpponentRating") == want(
        sample, "averageOpponentRating", None, player="frank", color="black"
    )


def test_errors_reach_the_client(explorer, sample) -> None:
    with pytest.raises(berserk.exceptions.ResponseError) as raised:
        explorer.opening_explorer.get_lichess_games(variant="atomic")
    assert raised.value.status_code == 400
    assert "variant" in raised.value.cause["error"]
