"""Bad explorer parameters answer 400 with a JSON error that names the problem.

Never a 500, never a traceback, and nothing a username carries reaches the SQL or the
page as code. An unknown player is not an error: 200, playerFound false, a message, and
the name is remembered in requested_players for a later import.
"""

from __future__ import annotations

from sqlalchemy import text

from webapp.db.players import requested_player_names

TEN_THOUSAND_MOVES = ",".join(["g1f3", "g8f6", "f3g1", "f6g8"] * 2500)

#: (query string, words the error message must contain)
BAD_QUERIES: list[tuple[dict[str, str], tuple[str, ...]]] = [
    ({"play": "e2e4,e7e5,e1e3"}, ("play", "move 3", "e1e3", "illegal")),
    ({"play": "e2e5"}, ("play", "e2e5", "illegal")),
    ({"play": "e4,e5"}, ("play", "'e4'", "UCI")),
    ({"fen": "not a fen"}, ("fen",)),
    ({"fen": "8/8/8/8/8/8/8/8 w - - 0 1"}, ("fen", "impossible")),
    ({"fen": "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1", "play": "e7e5"}, ("illegal",)),
    ({"speeds": "blitz,hyperbullet"}, ("speed", "hyperbullet")),
    ({"rating_min": "2000", "rating_max": "1599"}, ("rating_min", "2000", "above", "rating_max")),
    ({"rating_min": "1650"}, ("rating_min", "multiple of 100", "1650")),
    ({"rating_max": "1650"}, ("rating_max", "99", "1650")),
    ({"rating_min": "-100"}, ("rating_min", "between")),
    ({"rating_min": "abc"}, ("rating_min", "whole number")),
    ({"ratings": "1650"}, ("ratings", "1650")),
    ({"ratings": "1600", "rating_min": "1600"}, ("ratings", "rating_min")),
    ({"since": "2021-05", "until": "2021-01"}, ("since", "2021-05", "after", "until", "2021-01")),
    ({"since": "2021-13"}, ("since", "YYYY-MM", "2021-13")),
    ({"until": "May 2021"}, ("until", "YYYY-MM")),
    ({"play": TEN_THOUSAND_MOVES}, ("play", "characters long")),
    ({"player": "' OR 1=1 --"}, ("player", "username")),
    ({"player": "x'; DROP TABLE games; --"}, ("player", "username")),
    ({"player": "<script>alert(1)</script>"}, ("player", "username")),
    ({"frobnicate": "1"}, ("unknown parameter", "frobnicate")),
    ({"color": "white"}, ("color", "player")),
    ({"player": "frank", "color": "purple"}, ("color", "purple")),
    ({"rated": "maybe"}, ("rated", "maybe")),
    ({"variant": "atomic"}, ("variant", "atomic")),
]


def test_every_bad_parameter_is_a_400_naming_the_problem(client) -> None:
    problems: list[str] = []
    for params, words in BAD_QUERIES:
        response = client.get("/api/explorer", query_string=params)
        shown = {k: (v if len(v) < 60 else v[:20] + "...") for k, v in params.items()}
        body = response.get_json(silent=True)
        if response.status_code != 400 or not isinstance(body, dict):
            problems.append(f"{shown}: {response.status_code} {response.data[:200]!r}")
            continue
        message = body.get("error", "")
        missing = [w for w in words if w.lower() not in message.lower()]
        if missing or body.get("status") != 400:
            problems.append(f"{shown}: message {message!r} lacks {missing}")
        if "Traceback" in response.get_data(as_text=True) or "<script>" in message:
            problems.append(f"{shown}: leaks {message!r}")
    assert not problems, "\n".join(problems)


def test_database_intact_after_hostile_usernames(client, engine) -> None:
    for name in ("' OR 1=1 --", "x'; DROP TABLE games; --", "<script>alert(1)</script>"):
        assert client.get("/api/explorer", query_string={"player": name}).status_code == 400
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM games")).scalar() == 0
        assert requested_player_names(connection) == []
    assert client.get("/api/explorer").status_code == 200


def test_unknown_player_is_remembered_not_an_error(client, engine) -> None:
    for _ in range(2):
        response = client.get("/api/explorer", query_string={"player": "NoSuchPlayer42", "play": "e2e4"})
        assert response.status_code == 200
        body = response.get_json()
        assert body["playerFound"] is False
        assert "nosuchplayer42" in body["message"]
        assert (body["games"], body["moves"]) == (0, [])
    # a quote is allowed in a name: it travels as a bound parameter, never as SQL text
    response = client.get("/api/explorer", query_string={"player": "lichess:O'Brien"})
    assert response.status_code == 200 and response.get_json()["playerFound"] is False
    with engine.connect() as connection:
        assert sorted(requested_player_names(connection)) == [
            ("any", "nosuchplayer42", 2),
            ("lichess", "o'brien", 1),
        ]


def test_unknown_routes_and_methods_answer_json(client) -> None:
    missing = client.get("/api/nothing-here")
    assert missing.status_code == 404 and missing.get_json()["status"] == 404
    wrong_method = client.post("/api/explorer")
    assert wrong_method.status_code == 405 and wrong_method.get_json()["status"] == 405
