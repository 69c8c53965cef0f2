"""`GET /lichess`, `/masters`, `/player` over HTTP: exact counts, JSON 400s, CORS.

Counts are compared with explorer_reference (python-chess over the same PGN). Filters the
reference does not know (casual games, rating groups that are not adjacent, one month of
history) are made by choosing the reference's games first. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from explorer_reference import RefGame, expected_game_ids, read_games, reference
from sample_games import EXPLORER_SAMPLE, import_pgn, stored_ids
from stats_tables import track_every_player

from webapp.db.players import requested_player_names

GROUPS = (0, 1000, 1200, 1400, 1600, 1800, 2000, 2200, 2500)
POSITIONS = {"start": [], "1.e4": ["e2e4"], "1.d4 d5": ["d2d4", "d7d5"], "none": ["h2h4", "h7h5"]}


@pytest.fixture
def sample(engine) -> list[RefGame]:  # type: ignore[no-untyped-def]
    import_pgn(engine, [EXPLORER_SAMPLE])
    return read_games([EXPLORER_SAMPLE])


def numbers(body: dict[str, Any], rating_key: str = "averageRating") -> dict[str, Any]:
    """A lichess answer's (or the reference's) counts: totals and each move's, in order."""
    keys = ("white", "draws", "black", rating_key)
    return {
        **{k: body[k] for k in ("white", "draws", "black")},
        "moves": [{"uci": m["uci"], **{k: m[k] for k in keys}} for m in body["moves"]],
    }


def expected(games: list[RefGame], rating_key: str = "averageRating", limit: int | None = 12, **filters: Any) -> dict[str, Any]:
    ref = reference(games, **filters)
    ref["moves"] = ref["moves"][:limit]
    return numbers(ref, rating_key)


def _group(game: RefGame) -> int | None:
    if game.white_rating is None or game.black_rating is None:
        return None
    mean = (game.white_rating + game.black_rating) // 2
    return max(g for g in GROUPS if g <= mean)


LICHESS_CASES: list[tuple[dict[str, str], dict[str, Any]]] = [
    ({}, {}),
    ({"speeds": "blitz"}, {"speeds": ["blitz"]}),
    ({"speeds": "bullet,rapid"}, {"speeds": ["bullet", "rapid"]}),
    ({"ratings": "1600,1800"}, {"rating_min": 1600, "rating_max": 1999}),
    ({"ratings": "2500"}, {"rating_min": 2500}),
    ({"since": "2021-02", "until": "2021-06"}, {"since": "2021-02", "until": "2021-06"}),
    ({"until": "2020-12"}, {"until": "2020-12"}),
    ({"speeds": "blitz,rapid,classical", "ratings": "1400,1600,1800,2000", "since": "2021-01"},
     {"speeds": ["blitz", "rapid", "classical"], "rating_min": 1400, "rating_max": 2199, "since": "2021-01"}),
]


def test_lichess_counts_equal_pythonchess(client, sample) -> None:
    wrong = []
    seen = 0
    for label, play in POSITIONS.items():
        for params, filters in LICHESS_CASES:
            response = client.get("/lichess", query_string={"play": ",".join(play), **params})
            assert response.status_code == 200, response.get_json()
            want = expected(sample, play=play, **filters)
            seen += want["white"] + want["draws"] + want["black"]
            if numbers(response.get_json()) != want:
                wrong.append(f"{label} {params}: {numbers(response.get_json())} != {want}")
    assert not wrong, "\n".join(wrong)
    assert seen > 150


def test_rating_groups_need_not_be_adjacent(client, sample) -> None:
    chosen = (1200, 2000, 2200)
    games = [g for g in sample if _group(g) in chosen]
    for play in POSITIONS.values():
        body = client.get("/lichess", query_string={"play": ",".join(play), "ratings": "1200,2000,2200"}).get_json()
        assert numbers(body) == expected(games, play=play)
    assert sum(1 for g in games if "e2e4" == g.moves[0].uci()) > 0


def test_moves_limits_the_moves_not_the_totals(client, sample) -> None:
    everything = client.get("/lichess").get_json()
    two = client.get("/lichess", query_string={"moves": "2"}).get_json()
    none = client.get("/lichess", query_string={"moves": "0"}).get_json()
    assert len(everything["moves"]) == 4
    assert two["moves"] == everything["moves"][:2] and none["moves"] == []
    assert (two["white"], two["draws"], two["black"]) == (none["white"], none["draws"], none["black"])
    assert two["white"] + two["draws"] + two["black"] == 44


def test_answer_shape_is_lichesss(client, engine, sample) -> None:
    play = ["d2d4", "d7d5", "g1f3"]
    body = client.get("/lichess", query_string={"play": ",".join(play), "topGames": "4", "recentGames": "8"}).get_json()
    assert set(body) == {"white", "draws", "black", "moves", "topGames", "recentGames", "opening"}
    assert body["opening"] == {"eco": "D02", "name": "Queen's Pawn Game: Zukertort Variation"}
    top, recent = expected_game_ids(sample, stored_ids(engine, [g.site for g in sample]), 4, 8, play=play)
    assert [g["id"] for g in body["topGames"]] == top and len(top) == 4
    assert [g["id"] for g in body["recentGames"]] == recent and len(recent) == 7  # all 7 games here
    move = body["moves"][0]
    assert set(move) == {"uci", "san", "averageRating", "white", "draws", "black", "game", "opening"}
    assert all(m["game"] is None for m in body["moves"])  # every move here was played more than once
    # a move played in one game carries that game (the first such position of a sample game)
    line = next(
        [m.uci() for m in g.moves[:ply]] for g in sample for ply in range(1, 12)
        if any(m["games"] == 1 for m in reference(sample, play=[m.uci() for m in g.moves[:ply]])["moves"])
    )
    answer = client.get("/lichess", query_string={"play": ",".join(line)}).get_json()
    included: list = []
    for wanted in reference(sample, play=line, included=included)["moves"]:
        answered = next(m for m in answer["moves"] if m["uci"] == wanted["uci"])
        if wanted["games"] == 1:
            (site,) = [g.site for g, _, move in included if move == wanted["uci"]]
            assert answered["game"]["url"] == site and answered["game"]["uci"] == wanted["uci"]
        else:
            assert answered["game"] is None
    start = client.get("/lichess").get_json()
    assert {m["uci"]: (m["san"], m["opening"]["name"]) for m in start["moves"]}["g1f3"] == ("Nf3", "Zukertort Opening")


def _months(sample: list[RefGame]) -> list[str]:
    """Every month from the sample's first game to its last, as YYYY-MM."""
    first, last = min(g.month for g in sample if g.month), max(g.month for g in sample)
    months = []
    year, month = divmod(first, 100)
    while year * 100 + month <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return months


def test_history_per_month_equals_pythonchess(client, sample) -> None:
    for play in POSITIONS.values():
        for params, filters in [({}, {}), ({"speeds": "blitz,bullet"}, {"speeds": ["blitz", "bullet"]})]:
            body = client.get("/lichess", query_string={"play": ",".join(play), "history": "true", **params}).get_json()
            want = []
            for month in _months(sample):
                ref = reference(sample, play=play, since=month, until=month, **filters)
                want.append({"month": month, "white": ref["white"], "draws": ref["draws"], "black": ref["black"]})
            while want and not sum(want[0][k] for k in ("white", "draws", "black")):
                want.pop(0)  # the history starts at the first month with games
            while want and not sum(want[-1][k] for k in ("white", "draws", "black")):
                want.pop()  # and ends at the last
            assert body["history"] == want, play
    # no month is missing: every game of the sample has a date
    full = client.get("/lichess", query_string={"history": "1"}).get_json()
    assert sum(h["white"] + h["draws"] + h["black"] for h in full["history"]) == 44
    months = [h["month"] for h in full["history"]]
    assert months[0] == _months(sample)[0] and months[-1] == _months(sample)[-1]
    assert len(months) == 12  # 2020-12 to 2021-11, empty months filled with zeros


def test_history_starts_at_since(client, sample) -> None:
    body = client.get("/lichess", query_string={"history": "true", "since": "2020-06", "until": "2021-01"}).get_json()
    assert [h["month"] for h in body["history"]] == [
        "2020-06", "2020-07", "2020-08", "2020-09", "2020-10", "2020-11", "2020-12", "2021-01"
    ]
    assert sum(h["white"] + h["draws"] + h["black"] for h in body["history"]) == (
        body["white"] + body["draws"] + body["black"]
    )
    old = client.get("/lichess/history", query_string={"since": "2020-06", "until": "2021-01"}).get_json()
    assert old["history"] == body["history"] and old["moves"] == []


def test_masters_years(client, engine, sample) -> None:
    assert numbers(client.get("/masters").get_json())["white"] == 0  # no masters collection yet
    from webapp.indexer.pgn import import_pgn_files

    import_pgn_files(engine, [EXPLORER_SAMPLE], index_plies=40, collection="masters")  # moved
    assert numbers(client.get("/lichess").get_json())["white"] == 0  # /lichess leaves them out
    for play in POSITIONS.values():
        for params, filters in [({}, {}), ({"since": "2021", "until": "2021"}, {"since": "2021-01", "until": "2021-12"}),
                                ({"until": "2020"}, {"until": "2020-12"})]:
            body = client.get("/masters", query_string={"play": ",".join(play), **params}).get_json()
            assert numbers(body) == expected(sample, play=play, **filters), (play, params)
            ids = stored_ids(engine, [g.site for g in sample])
            top, _ = expected_game_ids(sample, ids, 15, 0, play=play, **filters)
            assert "recentGames" not in body and [g["id"] for g in body["topGames"]] == top
            assert client.get("/lichess", query_string={"play": ",".join(play)}).get_json()["topGames"] == []
    assert client.get("/master").get_json() == client.get("/masters").get_json()


PLAYERS = [("frank", "black"), ("Carol_Rook", "white"), ("carol_rook", "black"), ("dave99", "white")]


def _ndjson(response) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/x-ndjson"
    return [json.loads(line) for line in response.get_data(as_text=True).splitlines() if line.strip()]


def test_player_counts_equal_pythonchess(client, sample) -> None:
    casual_games = [g for g in sample if not g.rated]
    rated_games = [g for g in sample if g.rated]
    seen = 0
    for player, color in PLAYERS:
        for play in POSITIONS.values():
            for params, games, filters in [
                ({}, sample, {}),
                ({"modes": "rated"}, rated_games, {}),
                ({"modes": "casual"}, casual_games, {}),
                ({"modes": "casual,rated", "speeds": "blitz,rapid"}, sample, {"speeds": ["blitz", "rapid"]}),
                ({"since": "2021-03"}, sample, {"since": "2021-03"}),
            ]:
                query = {"player": player, "color": color, "play": ",".join(play), **params}
                lines = _ndjson(client.get("/player", query_string=query))
                assert len(lines) == 1  # already indexed: the final answer at once
                want = expected(games, "averageOpponentRating", None, play=play, player=player, color=color, **filters)
                assert numbers(lines[0], "averageOpponentRating") == want, query
                seen += want["white"] + want["draws"] + want["black"]
    assert seen > 100


def test_player_performance(client, sample) -> None:
    checked = 0
    for player, color in PLAYERS:
        body = _ndjson(client.get("/player", query_string={"player": player, "color": color}))[0]
        for move in body["moves"]:
            games = move["white"] + move["draws"] + move["black"]
            own = move["white"] if color == "white" else move["black"]
            points = own + move["draws"] / 2
            if move["averageOpponentRating"] is None:  # opponents without a rating
                assert move["performance"] is None
                continue
            if points == games:  # won all: FIDE's +800
                assert move["performance"] == move["averageOpponentRating"] + 800
            elif points == 0:
                assert move["performance"] == move["averageOpponentRating"] - 800
            elif points * 2 == games:
                assert move["performance"] == move["averageOpponentRating"]
            else:
                continue
            checked += 1
    assert checked >= 3


def test_unknown_player_is_empty_and_remembered(client, engine, sample) -> None:
    lines = _ndjson(client.get("/player", query_string={"player": "nobody_here", "color": "white"}))
    assert len(lines) == 1
    assert (lines[0]["white"], lines[0]["draws"], lines[0]["black"], lines[0]["moves"]) == (0, 0, 0, [])
    with engine.connect() as connection:
        assert ("any", "nobody_here", 1) in requested_player_names(connection)
    assert _ndjson(client.get("/personal", query_string={"player": "frank", "color": "white"}))


def test_player_stream_yields_an_answer_whenever_indexing_changed_it(app, engine, sample, tmp_path) -> None:
    from webapp.api.lichess_answer import player_answers
    from webapp.api.lichess_wire import player_request

    extra = tmp_path / "one_more.pgn"
    extra.write_text(
        '[Event "Rated Blitz game"]\n[Site "https://lichess.org/zzzzzzz1"]\n[Date "2021.12.01"]\n'
        '[UTCDate "2021.12.01"]\n[White "frank"]\n[Black "nobody"]\n[Result "1-0"]\n'
        '[WhiteElo "2000"]\n[BlackElo "2000"]\n[TimeControl "300+0"]\n\n1. e4 e5 1-0\n\n'
    )
    calls = []

    def indexing_done(_request) -> bool:  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 2:  # while "indexing", one more game of frank's lands
            import_pgn(engine, [extra])
        return len(calls) >= 3

    track_every_player(engine)  # frank's games counted, as the route's first request does
    request = player_request({"player": "frank", "color": "white"})
    answers = list(player_answers(engine.connect, request, indexing_done=indexing_done, pause=lambda: None))
    before = reference(sample, player="frank", color="white")["games"]
    # the first answer, the one after the import, and no repeat of it when indexing ends
    assert [a.totals.games for a in answers] == [before, before + 1]


BAD_REQUESTS: list[tuple[str, dict[str, str], tuple[str, ...]]] = [
    ("/lichess", {"variant": "atomic"}, ("variant", "atomic", "standard")),
    ("/masters", {"variant": "antichess"}, ("variant", "antichess")),
    ("/player", {"player": "frank", "color": "white", "variant": "horde"}, ("variant", "horde")),
    ("/lichess", {"play": "e2e4,e7e5,e1e3"}, ("play", "e1e3", "illegal")),
    ("/lichess", {"fen": "8/8/8/8/8/8/8/8 w - - 0 1"}, ("fen",)),
    ("/lichess", {"speeds": "hyperbullet"}, ("speeds", "hyperbullet")),
    ("/lichess", {"ratings": "1600,expert"}, ("ratings", "expert")),
    ("/lichess", {"since": "2021-13"}, ("since", "2021-13")),
    ("/lichess", {"until": "yesterday"}, ("until", "yesterday")),
    ("/lichess", {"moves": "-5"}, ("moves",)),
    ("/lichess", {"topGames": "many"}, ("topGames", "many")),
    ("/lichess", {"recentGames": "-1"}, ("recentGames",)),
    ("/lichess", {"history": "sometimes"}, ("history", "sometimes")),
    ("/lichess/history", {"speeds": "slow"}, ("speeds", "slow")),
    ("/masters", {"since": "2021-01"}, ("since", "year")),
    ("/masters", {"since": "2000", "until": "1999"}, ("since", "until")),
    ("/player", {"color": "white"}, ("player", "required")),
    ("/player", {"player": "frank"}, ("color",)),
    ("/player", {"player": "frank", "color": "green"}, ("color", "green")),
    ("/player", {"player": "frank", "color": "white", "modes": "bullet"}, ("modes", "bullet")),
    ("/player", {"player": "<script>x</script>", "color": "white"}, ("player",)),
    ("/personal", {"player": "frank", "color": "white", "since": "2021"}, ("since",)),
]


def test_every_bad_parameter_is_a_json_400_naming_it(client, sample) -> None:
    problems = []
    for path, params, words in BAD_REQUESTS:
        response = client.get(path, query_string=params)
        body = response.get_json(silent=True)
        if response.status_code != 400 or not isinstance(body, dict) or body.get("status") != 400:
            problems.append(f"{path} {params}: {response.status_code} {response.data[:200]!r}")
            continue
        missing = [w for w in words if w.lower() not in body["error"].lower()]
        if missing:
            problems.append(f"{path} {params}: {body['error']!r} lacks {missing}")
        if response.headers.get("Access-Control-Allow-Origin") != "*":
            problems.append(f"{path} {params}: error without CORS header")
    assert not problems, "\n".join(problems)


def test_unknown_parameters_are_ignored_as_lichess_ignores_them(client, sample) -> None:
    plain = client.get("/lichess", query_string={"play": "e2e4"}).get_json()
    assert client.get("/lichess", query_string={"play": "e2e4", "source": "analysis", "x": "1"}).get_json() == plain


READ_PATHS = ["/lichess", "/masters", "/player?player=frank&color=white", "/api/explorer"]


@pytest.mark.parametrize("path", READ_PATHS)
def test_cors_on_read_endpoints(client, sample, path: str) -> None:
    response = client.get(path, headers={"Origin": "https://tool.example"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        path.split("?")[0],
        headers={"Origin": "https://tool.example", "Access-Control-Request-Method": "GET",
                 "Access-Control-Request-Headers": "accept, content-type"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, OPTIONS"
    assert preflight.headers["Access-Control-Allow-Headers"] == "accept, content-type"
    assert int(preflight.headers["Access-Control-Max-Age"]) > 0


def test_no_cors_elsewhere(client, sample) -> None:
    response = client.get("/health", headers={"Origin": "https://tool.example"})
    assert "Access-Control-Allow-Origin" not in response.headers
    leaks = client.get("/api/people", headers={"Origin": "https://tool.example"})
    assert "Access-Control-Allow-Origin" not in leaks.headers


def test_cors_origins_setting_names_the_origins(settings, sample) -> None:
    from webapp import create_app

    app = create_app(settings.with_(cors_origins=("https://tool.example",)), dashboard=False)
    client = app.test_client()
    allowed = client.get("/lichess", headers={"Origin": "https://tool.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://tool.example"
    assert "Origin" in allowed.headers["Vary"]
    other = client.get("/lichess", headers={"Origin": "https://evil.example"})
    assert other.status_code == 200 and "Access-Control-Allow-Origin" not in other.headers
    closed = create_app(settings.with_(cors_origins=()), dashboard=False).test_client()
    assert "Access-Control-Allow-Origin" not in closed.get("/api/explorer", headers={"Origin": "https://tool.example"}).headers


def test_cors_origins_from_the_environment() -> None:
    from webapp.settings import Settings

    assert Settings.from_env({}).cors_origins == ("*",)
    assert Settings.from_env({"CORS_ORIGINS": "https://a.example/, https://b.example"}).cors_origins == (
        "https://a.example", "https://b.example"
    )
    assert Settings.from_env({"CORS_ORIGINS": ""}).cors_origins == ()


def test_lichess_and_our_api_share_queries_and_cache(client, engine, sample) -> None:
    from sqlalchemy import event

    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    params = {"play": "e2e4,e7e5", "speeds": "blitz,rapid", "since": "2021-01"}
    ours = client.get("/api/explorer", query_string=params).get_json()
    client.get("/lichess", query_string=params)  # every collection but masters: its own entry
    event.listen(engine, "before_cursor_execute", count)
    try:
        theirs = client.get("/lichess", query_string=params).get_json()
        assert statements == []  # answered from the shared cache
        client.get("/lichess", query_string={**params, "speeds": "classical"})
        # a new question: its numbers, its games' references, their collections today
        # (/lichess leaves the masters out) and the listed games' players and dates
        assert len(statements) == 4 and statements[0].startswith("SELECT anon_1.move, sum(")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert [(m["uci"], m["white"], m["draws"], m["black"]) for m in theirs["moves"]] == [
        (m["uci"], m["white"], m["draws"], m["black"]) for m in ours["moves"]
    ]
