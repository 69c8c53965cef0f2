"""How games ended, per move and for the position (`endings=1`), and the "exclude games
lost on time" filter (`noTimeLosses=1`): the API's counts equal python-chess's reading of
the same real lichess and chess.com files (Termination tags, chess.com's sentences, the
final position), for all games and a player, before and after compaction, on SQLite and
PostgreSQL."""

from __future__ import annotations

import pytest
from compaction_thresholds import shrink_thresholds
from endings_reference import endings_reference, read_ended_games
from sample_games import LICHESS_2021_10, SHARED_LICHESS, import_pgn

from webapp.caching import bump_generation
from webapp.db.players import find_player_ids
from webapp.indexer import compact as compaction
from webapp.indexer.reindex import index_players

SHARED_CHESSCOM = SHARED_LICHESS.parent / "chesscom"
FILES = [
    LICHESS_2021_10,  # Normal, Time forfeit, Abandoned
    SHARED_CHESSCOM / "chesscom_export_MagnusCarlsen_2014-2018.pgn",  # every chess.com sentence
    SHARED_CHESSCOM / "chesscom_api_fabianocaruana_2020-05.pgn",
]
POSITIONS = [(), ("e2e4",), ("d2d4",), ("e2e4", "c7c5"), ("g1f3",)]
PLAYER = "chesscom:magnuscarlsen"


@pytest.fixture
def ended(engine):  # type: ignore[no-untyped-def]
    import_pgn(engine, FILES)
    return read_ended_games(FILES)


def answers(client, play, **extra) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    """The API's answer as endings_reference shapes it."""
    params = {"play": ",".join(play), "endings": "1", "topGames": "0", "recentGames": "0", **extra}
    response = client.get("/api/explorer", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    shaped = {"position": {k: body[k] for k in ("white", "draws", "black", "endings")}}
    for move in body["moves"]:
        shaped[move["uci"]] = {k: move[k] for k in ("white", "draws", "black", "endings")}
    return shaped


def _check(client, games, **filters) -> int:  # type: ignore[no-untyped-def]
    """Compare every position; returns the games counted at the start position."""
    player = filters.pop("player", None)
    color = filters.pop("color", None)
    extra = {**({"player": player} if player else {}), **({"color": color} if color else {})}
    no_time = bool(filters.pop("noTimeLosses", False))
    for play in POSITIONS:
        expected = endings_reference(
            games, play, player=player.split(":")[-1] if player else None, color=color, no_time_losses=no_time
        )
        got = answers(client, play, **extra, **({"noTimeLosses": "1"} if no_time else {}))
        assert got == expected, f"after {play}: {got} != {expected}"
    start = expected_start = endings_reference(games, (), player=player.split(":")[-1] if player else None)
    return sum(expected_start["position"][s] for s in ("white", "draws", "black")) if start else 0


def test_endings_per_move_equal_python_chess(client, ended) -> None:
    counted = _check(client, ended)
    assert counted == len(ended) > 1300
    kinds = endings_reference(ended)["position"]["endings"]
    # the files hold every kind the tags name: none of these is vacuous
    assert kinds["white"]["time"] > 0 and kinds["white"]["abandonment"] > 0
    assert kinds["draws"]["stalemate"] > 0 and kinds["draws"]["timeoutVsInsufficient"] > 0
    assert kinds["draws"]["repetition"] > 0 and kinds["white"]["checkmate"] > 0


def test_no_time_losses_leaves_out_the_wins_on_time(client, ended) -> None:
    _check(client, ended, noTimeLosses=True)
    every = client.get("/api/explorer?topGames=0&recentGames=0").get_json()
    without = client.get("/api/explorer?topGames=0&recentGames=0&noTimeLosses=1").get_json()
    kinds = endings_reference(ended)["position"]["endings"]
    assert every["white"] - without["white"] == kinds["white"]["time"] > 0
    assert every["black"] - without["black"] == kinds["black"]["time"] > 0
    assert every["draws"] == without["draws"]
    assert "endings" not in every  # only when asked


def test_endings_after_compaction(client, engine, ended) -> None:
    report = compaction.compact(engine)
    assert report.hot_added > 0  # the opening positions are read from the rollup now
    bump_generation()
    _check(client, ended)
    _check(client, ended, noTimeLosses=True)


def test_endings_of_a_player(client, engine, ended) -> None:
    with engine.connect() as connection:
        ids = find_player_ids(connection, PLAYER)
    assert ids
    index_players(engine, ids)
    bump_generation()
    _check(client, ended, player=PLAYER)
    _check(client, ended, player=PLAYER, color="black", noTimeLosses=True)


def _breakdown_per_move(client, play, **extra) -> dict[str, dict[str, dict[str, int]]]:  # type: ignore[no-untyped-def]
    """The charts' breakdown summed per move, over bands and over months, as the
    reference shapes a move's counts (the position under "position")."""
    body = client.get(
        "/api/explorer/breakdown", query_string={"play": ",".join(play), "noTimeLosses": "1", **extra}
    ).get_json()
    out: dict[str, dict[str, dict[str, int]]] = {}
    for part in ("bands", "months"):
        for row in body[part]:
            for name in ("position", *([row["uci"]] if row["uci"] else [])):
                counts = out.setdefault(part, {}).setdefault(name, {"white": 0, "draws": 0, "black": 0})
                for side in ("white", "draws", "black"):
                    counts[side] += row[side]
    return out


@pytest.mark.parametrize("compacted", [False, True])
def test_charts_leave_out_the_games_lost_on_time(client, engine, ended, monkeypatch, compacted) -> None:
    """The charts' rating bands and months (and so the move flags) honour noTimeLosses,
    also where a hot position's summaries answer."""
    if compacted:
        shrink_thresholds(monkeypatch, hot=8, monthly=16)
        report = compaction.compact(engine)
        assert report.hot_added > 0 and report.monthly_added > 0
        bump_generation()
    for play in POSITIONS:
        expected = {
            name: {side: entry[side] for side in ("white", "draws", "black")}
            for name, entry in endings_reference(ended, play, no_time_losses=True).items()
        }
        got = _breakdown_per_move(client, play)
        assert got["bands"] == expected, play
        assert got["months"] == expected, play
