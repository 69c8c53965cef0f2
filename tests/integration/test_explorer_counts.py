"""The explorer API's numbers equal counts made independently with python-chess.

Each test imports a PGN through the app's importer, asks `GET /api/explorer` about
positions under many filter combinations, and compares every total, every move's
white/draws/black/games/average rating, and the order of the moves, with
explorer_reference.reference() over the same file. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from explorer_reference import api_numbers, read_games, reference
from sample_games import EXPLORER_SAMPLE, LICHESS_2021_10, import_pgn

from webapp.model.query import ExplorerQuery

RUY_CLOSED = "e2e4 e7e5 g1f3 b8c6 f1b5 a7a6 b5a4 g8f6 e1g1 f8e7 f1e1 b7b5 a4b3 d7d6 c2c3 e8g8"
NAJDORF = "e2e4 c7c5 g1f3 d7d6 d2d4 c5d4 f3d4 g8f6 b1c3 a7a6 c1e3 e7e5 d4b3 c8e6"
POSITIONS: dict[str, list[str]] = {
    "start": [],
    "1.e4": ["e2e4"],
    "zukertort via 1.d4": "d2d4 d7d5 g1f3".split(),
    "zukertort via 1.Nf3": "g1f3 d7d5 d2d4".split(),
    "nimzo via 1.c4": "c2c4 e7e6 d2d4 g8f6 b1c3 f8b4".split(),
    "ruy lopez closed, 16 plies": RUY_CLOSED.split(),
    "najdorf, 14 plies": NAJDORF.split(),
    "knight shuffle, repeated within games": "g1f3 g8f6".split(),
    "no games": "h2h4 h7h5 a2a4".split(),
}
FILTERS: list[dict[str, Any]] = [
    {},
    {"speeds": ["blitz"]},
    {"speeds": ["bullet", "rapid"]},
    {"speeds": ["correspondence", "classical", "ultraBullet"]},
    {"rating_min": 1600, "rating_max": 1999},
    {"rating_min": 2000},
    {"rating_max": 1499},
    {"since": "2021-01", "until": "2021-03"},
    {"since": "2021-05"},
    {"until": "2020-12"},
    {"rated_only": True},
    {"speeds": ["blitz", "rapid", "classical"], "rated_only": True, "rating_min": 1500,
     "rating_max": 2199, "since": "2021-02"},
    {"player": "frank"},
    {"player": "Carol_Rook", "color": "white"},
    {"player": "carol_rook", "color": "black"},
    {"player": "FRANK", "color": "black", "speeds": ["blitz", "bullet", "rapid"], "rating_min": 1800},
    {"player": "Eve.Bishop", "since": "2021-02", "until": "2021-08", "rated_only": True},
    {"player": "dave99", "rating_max": 1799, "until": "2021-05"},
]


def _params(play: list[str], filters: dict[str, Any]) -> dict[str, str]:
    params = {"play": ",".join(play)}
    for name, value in filters.items():
        if name == "speeds":
            params["speeds"] = ",".join(value)
        elif name == "rated_only":
            params["rated"] = "true"
        else:
            params[name] = str(value)
    return params


def _mismatches(client, games, positions: dict[str, list[str]], filters: list[dict[str, Any]]):  # type: ignore[no-untyped-def]
    """Every (position, filters) whose API numbers differ from the reference's; and a count."""
    wrong: list[str] = []
    games_seen = 0
    for label, play in positions.items():
        for chosen in filters:
            response = client.get("/api/explorer", query_string=_params(play, chosen))
            assert response.status_code == 200, (label, chosen, response.get_json())
            expected = reference(games, play=play, **chosen)
            actual = api_numbers(response.get_json())
            games_seen += expected["games"]
            if actual != expected:
                wrong.append(f"{label} {chosen}:\n  api:       {actual}\n  reference: {expected}")
    return wrong, games_seen


@pytest.fixture
def sample(engine):  # type: ignore[no-untyped-def]
    import_pgn(engine, [EXPLORER_SAMPLE])
    return read_games([EXPLORER_SAMPLE])


def test_reference_counts_the_fixture_as_built(sample) -> None:
    # the fixture's plan (make_explorer_sample.py): 44 standard games once each, 4 + 3 of
    # them reach the Zukertort by the two move orders, 7 play the closed Ruy Lopez
    assert len(sample) == 44
    assert reference(sample)["games"] == 44
    assert reference(sample, play=POSITIONS["zukertort via 1.d4"])["games"] == 7
    assert reference(sample, play=POSITIONS["ruy lopez closed, 16 plies"])["games"] == 7
    assert reference(sample, play=POSITIONS["najdorf, 14 plies"])["games"] == 5
    # the 2 knight-shuffle games come back to the start position and play 1.e4 from it on
    # ply 8; they count at the start once, with their first move there (1.Nf3)
    first_moves = {m["uci"]: m["games"] for m in reference(sample)["moves"]}
    assert first_moves == {"e2e4": 7 + 5 + 4 + 3 + 5, "d2d4": 4 + 3 + 3, "c2c4": 2 + 3, "g1f3": 3 + 2}


def test_explorer_matches_reference_on_every_position_and_filter(client, sample) -> None:
    wrong, games_seen = _mismatches(client, sample, POSITIONS, FILTERS)
    assert not wrong, f"{len(wrong)} answers differ:\n" + "\n".join(wrong)
    assert games_seen > 500  # the cases are not all empty


#: pairs of filters with one statement shape (the same filters, other values)
SAME_SHAPE: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({}, {}),
    ({"speeds": ["blitz"]}, {"speeds": ["bullet"]}),
    ({"rating_min": 1600, "rating_max": 1999}, {"rating_min": 2000, "rating_max": 2399}),
    ({"since": "2021-01", "until": "2021-03"}, {"since": "2021-05", "until": "2021-12"}),
    ({"since": "2021-02", "rating_min": 1500}, {"since": "2021-06", "rating_min": 1900}),
    ({"player": "frank", "color": "white"}, {"player": "carol_rook", "color": "black"}),
    ({"player": "eve.bishop", "since": "2021-02"}, {"player": "dave99", "since": "2021-05"}),
]


def test_one_numbers_statement_per_shape_answers_each_query(client, engine, sample) -> None:
    """The numbers statement is built once per shape of filters and run with each query's
    values: two queries of one shape at different positions, alternated on one connection
    more often than psycopg's prepare_threshold (5) so PostgreSQL runs the prepared
    statement too, each answer equal to its reference, after compaction as before."""
    from webapp.api.wire import explorer_json
    from webapp.db.bound_filters import filter_shape
    from webapp.db.explorer import query_explorer
    from webapp.db.players import find_player_ids
    from webapp.indexer.compact import compact

    for name in ("frank", "carol_rook", "eve.bishop", "dave99"):  # now tracked: the player views
        assert client.get("/api/explorer", query_string={"player": name}).status_code == 200
    for compacted in (False, True):
        if compacted:
            compact(engine)
        with engine.connect() as connection:
            for first, second in SAME_SHAPE:
                cases = [
                    (ExplorerQuery.build(play=play, **chosen), reference(sample, play=play, **chosen))
                    for chosen, play in ((first, ["e2e4"]), (second, POSITIONS["zukertort via 1.Nf3"]))
                ]
                shapes = {
                    filter_shape(connection.dialect.name, query, query.player is not None) for query, _ in cases
                }
                assert len(shapes) == 1, shapes
                assert cases[0][1] != cases[1][1]  # the two answers differ
                for query, _ in cases:
                    assert query.player is None or find_player_ids(connection, query.player)
                for _ in range(4):
                    for query, expected in cases:
                        result = query_explorer(connection, query, with_games=False)
                        assert api_numbers(explorer_json(result, query)) == expected, (query, compacted)


def test_index_plies_boundary(client, sample) -> None:
    # a game longer than 40 plies reaches the position after ply 40 (counted, no move),
    # and nothing after it is indexed
    long_game = next(g for g in sample if len(g.moves) > 44)
    line = [m.uci() for m in long_game.moves]
    positions = {"after ply 40": line[:40], "after ply 41": line[:41], "after ply 39": line[:39]}
    wrong, _ = _mismatches(client, sample, positions, [{}])
    assert not wrong, "\n".join(wrong)
    body = client.get("/api/explorer", query_string={"play": ",".join(line[:40])}).get_json()
    assert body["games"] >= 1 and body["moves"] == []
    after = client.get("/api/explorer", query_string={"play": ",".join(line[:41])}).get_json()
    assert after["games"] == 0


def test_transposition_answers_alike_and_is_named(client, sample) -> None:
    by_d4 = client.get("/api/explorer", query_string={"play": "d2d4,d7d5,g1f3"}).get_json()
    by_nf3 = client.get("/api/explorer", query_string={"play": "g1f3,d7d5,d2d4"}).get_json()
    assert api_numbers(by_d4) == api_numbers(by_nf3)
    assert by_d4["games"] == 7
    expected_opening = {"eco": "D02", "name": "Queen's Pawn Game: Zukertort Variation"}
    assert by_d4["opening"] == by_nf3["opening"] == expected_opening


def test_moves_carry_san_and_the_opening_name(client, sample) -> None:
    start = client.get("/api/explorer").get_json()
    assert start["opening"] is None
    assert {m["uci"]: m["san"] for m in start["moves"]} == {
        "e2e4": "e4", "d2d4": "d4", "c2c4": "c4", "g1f3": "Nf3"
    }
    ruy = client.get("/api/explorer", query_string={"play": RUY_CLOSED.replace(" ", ",")}).get_json()
    assert ruy["opening"] == {"eco": "C90", "name": "Ruy Lopez: Closed"}


def test_reimporting_changes_no_count(client, engine, sample) -> None:
    import_pgn(engine, [EXPLORER_SAMPLE])
    wrong, _ = _mismatches(client, sample, {"start": [], "1.e4": ["e2e4"]}, FILTERS[:4])
    assert not wrong, "\n".join(wrong)


REAL_POSITIONS: dict[str, list[str]] = {
    "start": [],
    "1.e4": ["e2e4"],
    "1.d4": ["d2d4"],
    "sicilian": "e2e4 c7c5".split(),
    "open game": "e2e4 e7e5 g1f3 b8c6".split(),
    "queen's gambit": "d2d4 d7d5 c2c4".split(),
}
REAL_FILTERS: list[dict[str, Any]] = [
    {},
    {"speeds": ["blitz"]},
    {"speeds": ["bullet", "classical"]},
    {"rating_min": 1600, "rating_max": 1999},
    {"rating_min": 2200},
    {"rated_only": True, "speeds": ["rapid", "blitz"], "rating_max": 1799},
    {"since": "2021-10", "until": "2021-10"},
    {"until": "2021-09"},
]


@pytest.mark.skipif(not LICHESS_2021_10.exists(), reason="shared lichess data is absent")
def test_explorer_matches_reference_on_real_lichess_games(client, engine) -> None:
    import_pgn(engine, [LICHESS_2021_10])
    games = read_games([LICHESS_2021_10])
    # the deepest common line: follow the most played move for 12 plies
    line: list[str] = []
    for _ in range(12):
        moves = reference(games, play=line)["moves"]
        if not moves:
            break
        line.append(moves[0]["uci"])
    positions = {**REAL_POSITIONS, f"most played line, {len(line)} plies": line}
    # two players from the file, as their games' own names
    names = sorted({g.white for g in games} & {g.black for g in games})[:2]
    filters = REAL_FILTERS + [{"player": names[0]}, {"player": names[1], "color": "black"}]
    wrong, games_seen = _mismatches(client, games, positions, filters)
    assert not wrong, f"{len(wrong)} answers differ:\n" + "\n".join(wrong[:10])
    assert games_seen > 3000
