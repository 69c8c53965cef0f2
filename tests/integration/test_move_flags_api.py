"""`GET /api/explorer/flags` against flags counted with python-chess from the same PGN
(flags_reference), on SQLite and PostgreSQL: real lichess exports for the trends and
surprises, and a written PGN of the Blackburne Shilling trap for the trap."""

from __future__ import annotations

import functools
import random
from pathlib import Path
from typing import Any

import chess
import chess.pgn
import pytest
from explorer_reference import read_games, reference
from flags_reference import expected_flags
from sample_games import SHARED_LICHESS, import_pgn

REAL = [SHARED_LICHESS / name for name in (
    "lichess_user_cubicinfinity_2022-12-28.pgn", "lichess_user_Cassiny_2025-12-15.pgn",
    "lichess_user_DrDrunkenstein_2018-01_2021-01.pgn", "lichess_user_DannyTheDonkey_2017-12.pgn",
)]
POSITIONS = ["", "e2e4", "d2d4", "e2e4 e7e5", "e2e4 c7c5", "e2e4 d7d5", "e2e4 e7e5 g1f3", "d2d4 d7d5",
             "d2d4 g8f6", "e2e4 e7e6", "e2e4 c7c6", "g1f3"]
FILTERS: list[dict[str, Any]] = [{}, {"speeds": ["bullet", "blitz"]}, {"rating_min": 1400, "rating_max": 2199},
                                 {"since": "2019-01", "until": "2021-12"}]
SHILLING = "e2e4 e7e5 g1f3 b8c6 f1c4 c6d4".split()


@functools.cache
def _real_games() -> list:  # type: ignore[type-arg]
    """Read once per test run (python-chess takes seconds over these files)."""
    return read_games(REAL)


def _params(play: list[str], chosen: dict[str, Any]) -> dict[str, str]:
    params = {"play": ",".join(play)}
    for name, value in chosen.items():
        params[name] = ",".join(value) if isinstance(value, list) else str(value)
    return params


def _month(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def compare(body: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """What differs between the API's evidence and the reference's (empty: nothing)."""
    wrong = []
    if (body["games"], body["ratingSplit"]) != (expected["games"], expected["split"]):
        wrong.append(f"position {body['games']}, {body['ratingSplit']} != {expected['games']}, {expected['split']}")
    if expected["latest"] is not None and body["windows"]["recent"]["until"] != _month(expected["latest"]):
        wrong.append(f"windows {body['windows']} latest {_month(expected['latest'])}")
    if expected["average"] is not None and body["score"]["score"] != round(expected["average"], 4):
        wrong.append(f"average {body['score']} != {expected['average']}")
    api = {m["uci"]: m for m in body["moves"]}
    if set(api) != set(expected["moves"]):
        return [*wrong, f"moves {sorted(api)} != {sorted(expected['moves'])}"]
    for uci, e in expected["moves"].items():
        m = api[uci]
        got = (m["games"], m["flags"], m["surprise"]["share"], m["surprise"]["games"], m["surprise"]["score"],
               m["trap"]["below"]["games"], m["trap"]["above"]["games"], m["trap"]["below"]["score"],
               m["trap"]["above"]["score"])
        want = (e["games"], e["flags"], round(e["share"], 4), e["games"], _r(e["score"]["score"]),
                e["below"]["games"], e["above"]["games"], _r(e["below"]["score"]), _r(e["above"]["score"]))
        if got != want:
            wrong.append(f"{uci}: {got} != {want}")
        if e["score"]["interval"] != pytest.approx(m["surprise"]["interval"], abs=6e-5):
            wrong.append(f"{uci} interval {m['surprise']['interval']} != {e['score']['interval']}")
        if e["trend"] is not None:
            t = m["trend"]
            counts = (t["recentGames"], t["recentTotal"], t["previousGames"], t["previousTotal"])
            z = None if e["trend"][4] is None else round(e["trend"][4], 3)
            if counts != e["trend"][:4] or t["z"] != z:
                wrong.append(f"{uci} trend {t} != {e['trend']}")
    return wrong


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@pytest.mark.skipif(not all(p.exists() for p in REAL), reason="shared lichess data is absent")
def test_flags_match_python_chess_on_real_games(client, engine) -> None:
    import_pgn(engine, REAL)
    games = _real_games()
    wrong: list[str] = []
    seen: set[str] = set()
    for line in POSITIONS:
        play = line.split()
        for chosen in FILTERS:
            response = client.get("/api/explorer/flags", query_string=_params(play, chosen))
            assert response.status_code == 200, response.get_json()
            body = response.get_json()
            expected = expected_flags(games, play, **chosen)
            wrong += [f"{line or 'start'} {chosen}: {w}" for w in compare(body, expected)]
            seen.update(f for m in body["moves"] for f in m["flags"])
    assert not wrong, f"{len(wrong)} differences:\n" + "\n".join(wrong[:8])
    assert {"rising", "falling", "surprise"} <= seen  # the cases are not all unflagged


def write_trap_pgn(path: Path, seed: int = 13) -> None:
    """Games of 1.e4 e5 2.Nf3 Nc6 3.Bc4 and a Black third move: 3...Nd4 (the Blackburne
    Shilling gambit) wins for Black below 1500 and loses above; 3...Nf6 and 3...Bc5 score
    evenly at every level. Dates run over two years, ratings 1000–2099."""
    rng = random.Random(seed)
    moves3 = {"c6d4": 40, "g8f6": 140, "f8c5": 120}
    n = 0
    with open(path, "w", encoding="utf-8") as out:
        for third, count in moves3.items():
            for i in range(count):
                low = i % 2 == 0
                mean = rng.randint(1000, 1480) if low else rng.randint(1500, 2090)
                if third == "c6d4":
                    weights = (1, 1, 8) if low else (8, 1, 1)
                else:
                    weights = (4, 2, 4)
                result = rng.choices(["1-0", "1/2-1/2", "0-1"], weights=weights)[0]
                game = chess.pgn.Game()
                month = 1 + rng.randrange(24)
                year = 2022 + (month - 1) // 12
                game.headers.update({
                    "Event": "Rated Blitz game", "Site": f"https://lichess.org/tp{n:06d}",
                    "Date": f"{year}.{(month - 1) % 12 + 1:02d}.{1 + i % 28:02d}",
                    "White": f"w{i % 17}", "Black": f"b{i % 19}", "Result": result,
                    "WhiteElo": str(mean + 10), "BlackElo": str(mean - 10), "TimeControl": "300+0",
                })
                node = game
                for uci in [*SHILLING[:5], third]:
                    node = node.add_variation(chess.Move.from_uci(uci))
                out.write(str(game) + "\n\n")
                n += 1


def test_trap_flag_matches_python_chess(client, engine, tmp_path) -> None:
    path = tmp_path / "shilling.pgn"
    write_trap_pgn(path)
    import_pgn(engine, [path])
    games = read_games([path])
    play = SHILLING[:5]
    for chosen in ({}, {"speeds": ["blitz"]}, {"since": "2022-06"}):
        body = client.get("/api/explorer/flags", query_string=_params(play, chosen)).get_json()
        expected = expected_flags(games, play, **chosen)
        assert compare(body, expected) == []
    body = client.get("/api/explorer/flags", query_string={"play": ",".join(play)}).get_json()
    nd4 = next(m for m in body["moves"] if m["uci"] == "c6d4")
    assert "trap" in nd4["flags"] and body["turn"] == "black" and body["ratingSplit"] == 1500
    below, above = nd4["trap"]["below"], nd4["trap"]["above"]
    assert below["interval"][0] > above["interval"][1] and nd4["trap"]["difference"] >= 0.15
    assert all("trap" not in m["flags"] for m in body["moves"] if m["uci"] != "c6d4")


def test_flags_of_a_player_and_errors(client, engine, tmp_path) -> None:
    path = tmp_path / "shilling.pgn"
    write_trap_pgn(path)
    import_pgn(engine, [path])
    games = read_games([path])
    response = client.get("/api/explorer/flags", query_string={"play": "e2e4", "player": "w3", "color": "white"})
    assert response.status_code == 200
    body = response.get_json()
    expected = reference(games, play=["e2e4"], player="w3", color="white")
    assert body["playerFound"] is True and body["games"] == expected["games"] > 10
    assert {m["uci"]: m["games"] for m in body["moves"]} == {m["uci"]: m["games"] for m in expected["moves"]}
    missing = client.get("/api/explorer/flags", query_string={"player": "nobody_here"}).get_json()
    assert missing["playerFound"] is False and missing["moves"] == []
    assert client.get("/api/explorer/flags", query_string={"since": "2021-13"}).status_code == 400
