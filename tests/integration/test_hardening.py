"""Hostile and careless requests get 4xx answers in JSON, never a 500: tampered callback
inputs, non-object JSON bodies, `..` paths, long query strings; logs and echoes are capped;
security headers on every response; the write endpoints need the operator token (when
set), check names and are rate limited; exported PGN tags are escaped."""

from __future__ import annotations

import io
import logging
from datetime import date

import chess.pgn
import flask_migrate
import pytest

from tests.dash_requests import callback_body, callback_named
from tests.private_redis import private_redis
from webapp import create_app
from webapp.db.tables import metadata
from webapp.extensions import db
from webapp.indexer.games import GameRecord
from webapp.indexer.headers import parse_tags
from webapp.indexer.load import import_games
from webapp.model.speed import Speed
from webapp.security import MAX_LOGGED_CHARS, CappedLogRecords

NAVIGATE = "view-state.data"


def _dashboard_app(settings):  # type: ignore[no-untyped-def]
    app = create_app(settings, dashboard=True)
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                connection.execute(table.delete())
    return app


@pytest.fixture
def dash_app(settings):  # type: ignore[no-untyped-def]
    app = _dashboard_app(settings)
    with app.app_context():
        yield app
        db.engine.dispose()


def _record(uid: str, white: str, black: str, moves: str = "e2e4 e7e5", result: str = "1-0") -> GameRecord:
    return GameRecord(
        uid=f"pgn:{uid}", source="pgn", white=white, black=black, white_rating=2100,
        black_rating=2000, result=result, speed=Speed.CLASSICAL, rated=True,
        played_on=date(1999, 5, 1), moves=moves.split(), event='Open "A" \\ B', site="?",
    )


TAMPERED = [
    {"click.data": {"play": "zz"}},
    {"click.data": {"square": "zz"}},
    {"click.data": {"play": ["e2e4"]}},
    {"filter-rating.value": [None, None]},
    {"filter-player.value": {"a": 1}},
    {"url.search": 5},
]
#: what the browser's stores hold is read as a fresh state when it is not one of ours
GARBLED_STORES = [
    {"view-state.data": "not a dict", "back.n_clicks": 1},
    {"view-state.data": [1, 2], "reset.n_clicks": 1},
    {"selection.data": [1], "click.data": {"square": "e2"}},
]


@pytest.mark.parametrize("values", TAMPERED, ids=lambda v: ",".join(v))
def test_tampered_callback_inputs_are_answered_400(dash_app, values) -> None:  # type: ignore[no-untyped-def]
    callbacks = dash_app.extensions["dash_app"].callback_map
    body = callback_body(callbacks, callback_named(callbacks, NAVIGATE), values)
    response = dash_app.test_client().post("/_dash-update-component", json=body)
    assert response.status_code == 400, response.data[:300]
    assert response.get_json()["error"] == "the callback could not use the values it was sent"


@pytest.mark.parametrize("values", GARBLED_STORES, ids=lambda v: ",".join(v))
def test_garbled_stores_are_read_as_a_fresh_state(dash_app, values) -> None:  # type: ignore[no-untyped-def]
    callbacks = dash_app.extensions["dash_app"].callback_map
    body = callback_body(callbacks, callback_named(callbacks, NAVIGATE), values)
    response = dash_app.test_client().post("/_dash-update-component", json=body)
    assert response.status_code in (200, 204), response.data[:300]


def test_every_callback_survives_wrong_types(dash_app) -> None:  # type: ignore[no-untyped-def]
    callbacks = dash_app.extensions["dash_app"].callback_map
    client = dash_app.test_client()
    for output, entry in list(callbacks.items()):
        if entry.get("background"):
            continue  # would start a job process; the fuzz test sends these tampered handles
        names = [f'{s["id"]}.{s["property"]}' for s in entry["inputs"] + entry["state"]]
        for wrong in ("zz", {"x": [1]}, [None], -1, True):
            values = {name: wrong for name in names if not name.startswith("{")}
            response = client.post("/_dash-update-component", json=callback_body(callbacks, output, values))
            assert response.status_code < 500, (output, wrong, response.data[:300])


@pytest.mark.parametrize("body", ['"x"', "[1]", "123", "null", "true", "{", '{"accounts": "x"}',
                                  '{"accounts": [1, {"a": 1}]}'])
@pytest.mark.parametrize("path", ["/api/people/bob", "/api/player/import", "/_dash-update-component"])
def test_post_bodies_that_are_not_the_expected_object_are_400(dash_app, path, body) -> None:  # type: ignore[no-untyped-def]
    response = dash_app.test_client().post(path, data=body, content_type="application/json")
    assert response.status_code == 400, response.data[:300]
    assert isinstance(response.get_json()["error"], str)


@pytest.mark.parametrize("cut", ["inputs", "state"])
def test_callback_bodies_with_missing_inputs_or_state_are_400(dash_app, cut) -> None:  # type: ignore[no-untyped-def]
    callbacks = dash_app.extensions["dash_app"].callback_map
    body = callback_body(callbacks, callback_named(callbacks, "upload-result.children"), {})
    body[cut] = body[cut][:-1]
    response = dash_app.test_client().post("/_dash-update-component", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"] == f"the callback request's {cut} do not match the callback's"


@pytest.mark.parametrize("path", [
    "/assets/../webapp/__init__.py", "/assets/..%2f..%2fetc/passwd", "/assets/%2e%2e/x",
    "/_dash-component-suites/dash/../../x.js", "/_dash-component-suites/..%2f/x.js",
    "/static/../x", "/api/../health",
])
def test_paths_with_dot_dot_are_400(dash_app, path) -> None:  # type: ignore[no-untyped-def]
    response = dash_app.test_client().get(path)
    assert response.status_code == 400
    assert response.get_json()["error"] == "paths may not contain '..' segments"


def test_unknown_component_script_is_404_not_500(dash_app) -> None:  # type: ignore[no-untyped-def]
    response = dash_app.test_client().get("/_dash-component-suites/dash/nope.js")
    assert response.status_code == 404


def test_long_query_string_is_a_json_400_naming_the_parameter(dash_app) -> None:  # type: ignore[no-untyped-def]
    response = dash_app.test_client().get("/api/explorer", query_string={"play": "e2e4," * 2000})
    assert response.status_code == 400
    assert response.get_json()["error"] == (
        "the query string is 10,005 bytes; at most 6,000 are accepted "
        "(play is 10,000 characters long)"
    )


def test_huge_values_are_capped_in_answers_and_logs(dash_app, caplog) -> None:  # type: ignore[no-untyped-def]
    name = "x" * 5000
    response = dash_app.test_client().get(f"/api/explorer?{name}=1")
    assert response.status_code == 400
    assert len(response.get_json()["error"]) <= 500
    record = logging.LogRecord("t", logging.WARNING, __file__, 1, "value %s", ("y" * 100_000,), None)
    CappedLogRecords().filter(record)
    assert len(record.getMessage()) <= MAX_LOGGED_CHARS
    assert record.getMessage().startswith("value yyy") and "characters cut" in record.getMessage()
    callbacks = dash_app.extensions["dash_app"].callback_map
    caplog.set_level(logging.WARNING)
    body = callback_body(callbacks, callback_named(callbacks, NAVIGATE),
                         {"click.data": {"play": "z" * 200_000}})
    assert dash_app.test_client().post("/_dash-update-component", json=body).status_code == 400
    logged = [r for r in caplog.records if r.name == "webapp.security"]
    assert logged and all(len(r.getMessage()) <= MAX_LOGGED_CHARS for r in logged)
    assert all(len(r.exc_text or "") <= 8000 for r in logged)


def test_security_headers_on_the_page_and_the_api(dash_app) -> None:  # type: ignore[no-untyped-def]
    client = dash_app.test_client()
    for path in ("/", "/api/explorer", "/_dash-layout"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        scripts = next(part for part in csp.split("; ") if part.startswith("script-src"))
        assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
        for digest in dash_app.extensions["dash_app"].csp_hashes():
            assert digest.startswith("'sha256-") and f" {digest}" in scripts


def test_people_link_needs_the_operator_token_when_one_is_set(settings) -> None:  # type: ignore[no-untyped-def]
    app = _dashboard_app(settings.with_(operator_token="s3cret-operator-token"))
    client = app.test_client()
    body = {"accounts": ["lichess:bob"]}
    for headers in ({}, {"X-Operator-Token": "wrong"}, {"Authorization": "Bearer nope"}):
        response = client.post("/api/people/Bob", json=body, headers=headers)
        assert response.status_code == 401
        assert "operator token" in response.get_json()["error"]
    with app.app_context():
        assert client.get("/api/people").get_json() == {"people": {}}
    ok = client.post("/api/people/Bob", json=body, headers={"X-Operator-Token": "s3cret-operator-token"})
    assert ok.status_code == 200, ok.get_json()
    bearer = client.post("/api/people/Bob", json={"accounts": ["chesscom:bob"]},
                         headers={"Authorization": "Bearer s3cret-operator-token"})
    assert bearer.get_json()["accounts"] == ["chesscom:bob", "lichess:bob"]
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(("name", "accounts"), [
    ("Bob", ["lichess:" + "x" * 65]),
    ("x" * 65, ["lichess:bob"]),
    ("bad\x00name", ["lichess:bob"]),
    ("Bob", ["lichess:a\nb"]),
    ("Bob", ["lichess:bob"] * 51),
])
def test_people_link_checks_names(dash_app, name, accounts) -> None:  # type: ignore[no-untyped-def]
    response = dash_app.test_client().post(f"/api/people/{name}", json={"accounts": accounts})
    assert response.status_code == 400, response.data[:300]


def test_write_endpoints_are_rate_limited_per_client(settings) -> None:  # type: ignore[no-untyped-def]
    app = _dashboard_app(settings.with_(write_rate_limit="3 per minute"))
    client = app.test_client()
    statuses = [client.post("/api/people/Bob", json={"accounts": ["lichess:bob"]}).status_code
                for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.post("/api/player/import", json={"source": "nowhere", "username": "bob"})
    assert [limited.status_code] + [
        client.post("/api/player/import", json={"source": "nowhere", "username": "b"}).status_code
        for _ in range(3)
    ] == [400, 400, 400, 429]
    assert "3 per 1 minute" in client.post("/api/player/import", json={}).get_json()["error"]
    other = client.post("/api/people/Bob", json={"accounts": ["lichess:bob"]},
                        environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 200  # another client has its own allowance
    with app.app_context():
        db.engine.dispose()


def test_behind_a_proxy_clients_are_told_apart_by_x_forwarded_for(settings) -> None:  # type: ignore[no-untyped-def]
    app = _dashboard_app(settings.with_(write_rate_limit="1 per minute", proxy_hops=1))
    client = app.test_client()

    def link(client_address: str) -> int:
        return client.post("/api/people/Bob", json={"accounts": ["lichess:bob"]},
                           headers={"X-Forwarded-For": client_address}).status_code

    assert [link("203.0.113.1"), link("203.0.113.1"), link("203.0.113.2")] == [200, 429, 200]
    # a client cannot pose as another by prepending addresses: the proxy's entry counts
    assert link("203.0.113.2, 203.0.113.1") == 429
    with app.app_context():
        db.engine.dispose()


def test_rate_limit_counts_in_the_configured_redis(settings) -> None:  # type: ignore[no-untyped-def]
    with private_redis() as redis_url:
        limited = settings.with_(write_rate_limit="2 per minute", redis_url=redis_url)
        first, second = _dashboard_app(limited), _dashboard_app(limited)  # two workers
        statuses = [app.test_client().post("/api/people/Bob", json={"accounts": ["lichess:bob"]}).status_code
                    for app in (first, second, first)]
        assert statuses == [200, 200, 429]
        for app in (first, second):
            with app.app_context():
                db.engine.dispose()


def test_pgn_export_escapes_quotes_and_backslashes(dash_app) -> None:  # type: ignore[no-untyped-def]
    white = 'Evil "] [Result "0-1'
    black = "Back\\slash, B"
    import_games(db.engine, [_record("q1", white, black)], index_plies=40)
    response = dash_app.test_client().get("/api/export/games.pgn", query_string={"play": "e2e4"})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert '[White "Evil \\"] [Result \\"0-1"]' in text
    assert '[Black "Back\\\\slash, B"]' in text
    game = chess.pgn.read_game(io.StringIO(text))  # no tag was injected: one Result, 1-0
    assert game is not None and game.headers["Result"] == "1-0"
    assert len([line for line in text.splitlines() if line.startswith("[Result ")]) == 1
    tags = parse_tags([line for line in text.splitlines() if line.startswith("[")])
    assert (tags["White"], tags["Black"], tags["Event"]) == (white, black, 'Open "A" \\ B')


def test_names_with_slashes_are_queryable_as_players(dash_app) -> None:  # type: ignore[no-untyped-def]
    import_games(db.engine, [
        _record("s1", "Sillars,K/Manter,L", "Keene,R"),
        _record("s2", "Keene,R", "Sillars,K/Manter,L", "d2d4 d7d5", "0-1"),
    ], index_plies=40)
    body = dash_app.test_client().get(
        "/api/explorer", query_string={"player": "Sillars,K/Manter,L", "color": "white"}
    ).get_json()
    assert body["playerFound"] is True
    assert (body["white"], body["draws"], body["black"]) == (1, 0, 0)
    assert [m["uci"] for m in body["moves"]] == ["e2e4"]
    both = dash_app.test_client().get("/api/explorer", query_string={"player": "sillars,k/manter,l"})
    assert both.get_json()["games"] == 2
