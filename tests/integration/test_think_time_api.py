"""Think time per move and for the position (`thinkTime=1`): the API's histograms, medians,
low clocks and games without clocks equal python-chess's reading of the same real lichess
and chess.com files (%clk comments, TimeControl), for all games, a speed, a player,
before and after compaction (rollup and monthly summary), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io

import pytest
from compaction_thresholds import shrink_thresholds
from sample_games import LICHESS_2021_10, SHARED_LICHESS, import_pgn
from think_time_reference import read_timed_games, think_time_reference

from webapp.caching import bump_generation
from webapp.db.players import find_player_ids
from webapp.indexer import compact as compaction
from webapp.indexer.reindex import index_players

SHARED_CHESSCOM = SHARED_LICHESS.parent / "chesscom"
FILES = [
    LICHESS_2021_10,  # %clk on every move, increments 0 to 3 s
    SHARED_CHESSCOM / "chesscom_export_MagnusCarlsen_2014-2018.pgn",  # %clk in tenths, "180", no clocks
    SHARED_CHESSCOM / "chesscom_api_fabianocaruana_2020-05.pgn",
    SHARED_LICHESS / "lichess_user_cubicinfinity_2022-12-28.pgn",  # no %clk; daily "-" games too
]
POSITIONS = [(), ("e2e4",), ("d2d4",), ("e2e4", "c7c5"), ("g1f3",), ("e2e4", "e7e5", "g1f3")]


def low_clock_line(games) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    """The first position of the files where a move left its mover under 10% of the base."""
    return next(line for game in games if (line := game.low_clock_line()) is not None)
PLAYER = "chesscom:magnuscarlsen"
EMPTY = {"games": 0, "noClock": 0, "median": None, "lowClock": 0, "histogram": []}


@pytest.fixture
def timed(engine):  # type: ignore[no-untyped-def]
    import_pgn(engine, FILES)
    return read_timed_games(FILES)


def answers(client, play, **extra) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    """The API's thinkTime objects: "position" and per move UCI."""
    params = {"play": ",".join(play), "thinkTime": "1", "topGames": "0", "recentGames": "0", **extra}
    response = client.get("/api/explorer", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    shaped = {"position": body["thinkTime"]}
    for move in body["moves"]:
        shaped[move["uci"]] = move["thinkTime"]
    return shaped


def _check(client, games, *, player=None, color=None, speeds=None, months=False) -> None:  # type: ignore[no-untyped-def]
    """Every position's figures; `months`: through a months filter holding every game."""
    extra = {
        **({"since": "2000-01", "until": "2030-12"} if months else {}),
        **({"player": player} if player else {}),
        **({"color": color} if color else {}),
        **({"speeds": ",".join(sorted(speeds))} if speeds else {}),
    }
    for play in (*POSITIONS, low_clock_line(games)):
        expected = think_time_reference(
            games, play, player=player.split(":")[-1] if player else None, color=color, speeds=speeds
        )
        expected.setdefault("position", EMPTY)
        assert answers(client, play, **extra) == expected, f"after {play}"


def test_think_time_per_move_equals_python_chess(client, timed) -> None:
    _check(client, timed)
    start = think_time_reference(timed)["position"]
    # none of it vacuous: moves with clocks and without, low clocks, medians in exact and ranged buckets
    # at the start the chess.com games count; lichess's untimed first moves and the games
    # without clocks do not (from white's second move on, lichess's count too)
    assert start["games"] > 300 and start["noClock"] > 1000
    assert think_time_reference(timed, ("e2e4", "e7e5"))["position"]["games"] > 250
    assert think_time_reference(timed, low_clock_line(timed))["position"]["lowClock"] > 0
    medians = {
        (m["median"]["from"], m["median"]["to"])
        for play in POSITIONS
        for m in think_time_reference(timed, play).values()
        if m["median"]
    }
    assert any(high == low + 1 for low, high in medians)
    body = answers(client, ("e2e4",))["position"]
    assert sum(n for _, _, n in body["histogram"]) == body["games"]
    assert "thinkTime" not in client.get("/api/explorer?topGames=0&recentGames=0").get_json()  # only when asked


def test_think_time_of_a_speed(client, timed) -> None:
    _check(client, timed, speeds={"blitz"})
    _check(client, timed, speeds={"bullet", "correspondence"})


def test_think_time_after_compaction(client, engine, timed, monkeypatch) -> None:
    shrink_thresholds(monkeypatch, hot=8, monthly=16)
    report = compaction.compact(engine)
    assert report.hot_added > 0 and report.monthly_added > 0
    bump_generation()
    _check(client, timed)  # the rollup answers
    _check(client, timed, months=True)  # the monthly summary answers a months filter without ratings


def test_think_time_of_a_player(client, engine, timed) -> None:
    with engine.connect() as connection:
        ids = find_player_ids(connection, PLAYER)
    assert ids
    index_players(engine, ids)
    bump_generation()
    _check(client, timed, player=PLAYER)
    _check(client, timed, player=PLAYER, color="white", speeds={"bullet"})
    _check(client, timed, player=PLAYER, months=True)  # the player's monthly rows answer


def test_think_time_in_the_move_table_csv(client, timed) -> None:
    for play in POSITIONS[:3]:
        text = client.get("/api/export/moves.csv", query_string={"play": ",".join(play)}).get_data(as_text=True)
        rows = {row["uci"]: row for row in csv.DictReader(io.StringIO(text))}
        expected = think_time_reference(timed, play)
        assert rows.keys() == expected.keys() - {"position"}
        for uci, row in rows.items():
            want = expected[uci]
            median = want["median"] or {"from": "", "to": ""}
            share = f"{want['lowClock'] / want['games']:.4f}" if want["games"] else ""
            assert (row["think_median_from_s"], row["think_median_to_s"], row["low_clock_share"]) == (
                str(median["from"]), "" if median["to"] is None else str(median["to"]), share,
            ), uci
            assert int(row["no_clock_games"]) == want["noClock"], uci
