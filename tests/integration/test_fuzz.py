"""Hostile parameters to every HTTP endpoint and every dashboard callback: never a 5xx.

Hypothesis draws paths (every rule of the app's URL map, its variables filled with
hostile text), query strings, JSON and raw bodies, and callback requests to
`/_dash-update-component` whose inputs and state are arbitrary JSON. A few games are in
the database so the explorer and the exports do real work. The account sources point at
a closed port, so no request leaves the machine.
"""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import quote

import flask_migrate
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.dash_requests import callback_body
from webapp import create_app
from webapp.db.tables import metadata
from webapp.extensions import db
from webapp.indexer.games import GameRecord
from webapp.indexer.load import import_games
from webapp.model.speed import Speed

CLOSED_PORT = "http://127.0.0.1:9"
FUZZ = settings(
    max_examples=120, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SAMPLES = [
    "", " ", "..", "../../etc/passwd", "..%2f..%2f", "%00", "\x00", "e2e4,zzzz",
    "2020-13", "zz", "-1", "0", "1e309", "NaN", "null", "[]", "{}", "'", '"', "\\",
    "<script>alert(1)</script>", "' OR 1=1 --", "İ" * 64, "Sillars,K/Manter,L", "a" * 5000,
    "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1", "8/8/8/8/8/8/8/8 w - - 0 1",
    "lichess:bob", "chesscom:", "pgn:ann", "e2e4,e7e5", "blitz,bullet", "1600,1800",
    "99999999999999999999", "white", "black", "both", "true", "lichess", "chesscom",
]
PARAMETERS = [
    "fen", "play", "speeds", "ratings", "rating_min", "rating_max", "since", "until", "player",
    "color", "rated", "variant", "moves", "band", "min_games", "limit", "source", "username",
]
#: HTTP carries bytes: text here is anything but lone surrogates (raw bad bytes: RAW_PATHS)
hostile = st.one_of(
    st.sampled_from(SAMPLES),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
    st.integers().map(str),
)
#: sent as they are: percent-escapes of bytes that are not UTF-8, and of `..`
RAW_PATHS = ["%ff%fe", "%ed%b3%bf", "%2e%2e", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "%c0%ae%c0%ae"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | hostile,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(PARAMETERS + ["accounts", "line", "ply", "square"]) | hostile,
                      children, max_size=4),
    max_leaves=8,
)


def _record(uid: str, moves: str, result: str, white: str = "ann", black: str = "ben") -> GameRecord:
    return GameRecord(
        uid=f"pgn:{uid}", source="pgn", white=white, black=black, white_rating=1500,
        black_rating=1700, result=result, speed=Speed.BLITZ, rated=True,
        played_on=date(2021, 3, 4), moves=moves.split(),
    )


@pytest.fixture
def fuzz_app(settings):  # type: ignore[no-untyped-def]
    app = create_app(
        settings.with_(lichess_api_url=CLOSED_PORT, chesscom_api_url=CLOSED_PORT,
                       write_rate_limit="100000 per minute"),
        dashboard=True,
    )
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                connection.execute(table.delete())
        import_games(db.engine, [
            _record("f1", "e2e4 e7e5 g1f3", "1-0"), _record("f2", "e2e4 c7c5", "0-1", "Sillars,K/Manter,L"),
            _record("f3", "d2d4 d7d5", "1/2-1/2"),
        ], index_plies=40)
        yield app
        db.engine.dispose()


def _rules(app):  # type: ignore[no-untyped-def]
    return sorted(
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
        if rule.endpoint != "static"
    )


@st.composite
def http_requests(draw, rules):  # type: ignore[no-untyped-def]
    rule, method = draw(st.sampled_from(rules))
    path = rule
    while "<" in path:
        start, end = path.index("<"), path.index(">")
        kind = path[start + 1 : end]
        if kind.startswith("int:"):
            value = str(draw(st.integers(min_value=0, max_value=10**30)))
        elif kind.startswith("path:"):
            value = "/".join(quote(p, safe="") for p in draw(st.lists(hostile, min_size=1, max_size=3)))
        elif draw(st.booleans()):
            value = draw(st.sampled_from(RAW_PATHS))
        else:
            value = quote(draw(hostile), safe="") or "x"
        path = path[:start] + value + path[end + 1 :]
    query = draw(st.dictionaries(st.sampled_from(PARAMETERS) | hostile, hostile, max_size=4))
    body: bytes | None = None
    if method == "POST":
        body = draw(st.one_of(json_values.map(lambda v: json.dumps(v).encode()),
                              st.binary(max_size=64)))
    return method, path, query, body


def test_no_endpoint_answers_5xx(fuzz_app) -> None:  # type: ignore[no-untyped-def]
    client = fuzz_app.test_client()
    rules = _rules(fuzz_app)

    @FUZZ
    @given(http_requests(rules))
    def check(request) -> None:  # type: ignore[no-untyped-def]
        method, path, query, body = request
        response = client.open(path, method=method, query_string=query, data=body,
                               content_type="application/json" if body is not None else None)
        assert response.status_code < 500, (method, path, query, body, response.data[:300])

    check()


def test_no_callback_answers_5xx(fuzz_app) -> None:  # type: ignore[no-untyped-def]
    client = fuzz_app.test_client()
    client.get("/")  # Dash completes its callback map on the first request
    callbacks = fuzz_app.extensions["dash_app"].callback_map
    outputs = sorted(key for key, entry in callbacks.items() if not entry.get("background"))

    @FUZZ
    @given(st.data())
    def check(data) -> None:  # type: ignore[no-untyped-def]
        output = data.draw(st.sampled_from(outputs))
        entry = callbacks[output]
        names = [f'{s["id"]}.{s["property"]}' for s in entry["inputs"] + entry["state"]]
        values = {name: data.draw(json_values) for name in names if not name.startswith("{")}
        changed = data.draw(st.lists(st.sampled_from(names) | hostile, max_size=2))
        body = callback_body(callbacks, output, values, changed)
        response = client.post("/_dash-update-component", json=body)
        assert response.status_code < 500, (output, values, response.data[:300])

    check()


def test_background_callbacks_with_tampered_handles_answer_no_5xx(fuzz_app) -> None:  # type: ignore[no-untyped-def]
    client = fuzz_app.test_client()
    client.get("/")
    callbacks = fuzz_app.extensions["dash_app"].callback_map
    background = sorted(key for key, entry in callbacks.items() if entry.get("background"))

    @settings(max_examples=8, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.sampled_from(background), st.dictionaries(
        st.sampled_from(["oldJob", "job", "cacheKey", "endId"]), hostile, min_size=1, max_size=4))
    def check(output, handles) -> None:  # type: ignore[no-untyped-def]
        body = callback_body(callbacks, output, {})
        response = client.post("/_dash-update-component", json=body, query_string=handles)
        assert response.status_code < 500, (output, handles, response.data[:300])

    check()
