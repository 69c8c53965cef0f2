"""Every request's work is bounded: PGN exports stop at their limit or time budget and say
so, leaks stop at the budget (503) and say when only the most frequent positions were
weighed, and a statement cut by PostgreSQL's statement_timeout is a 503, not a 500."""

from __future__ import annotations

import io
from collections import Counter

import chess
import chess.pgn
import chess.polyglot
import pytest
from test_player_analysis import PLIES, make_games

from webapp.indexer.load import import_games


@pytest.fixture
def loaded(app, engine):  # type: ignore[no-untyped-def]
    records = make_games()
    import_games(engine, records, index_plies=PLIES)
    return records


def _keys(record) -> set[int]:  # type: ignore[no-untyped-def]
    """The position keys a game reached in its first PLIES moves (python-chess)."""
    board = chess.Board()
    keys = {chess.polyglot.zobrist_hash(board)}
    for uci in record.moves[:PLIES]:
        board.push_uci(uci)
        keys.add(chess.polyglot.zobrist_hash(board))
    return keys


def _reaching(records, play: str, player: str | None = "Carol") -> list:  # type: ignore[no-untyped-def]
    """The games (Carol's as white, or everyone's when player is None) that reach the
    position after `play` within PLIES moves, by any move order."""
    board = chess.Board()
    for uci in play.split(","):
        board.push_uci(uci)
    key = chess.polyglot.zobrist_hash(board)
    return [r for r in records if (player is None or r.white == player) and key in _keys(r)]


def _games(text: str) -> list[chess.pgn.Game]:
    stream, out = io.StringIO(text), []
    while (game := chess.pgn.read_game(stream)) is not None:
        out.append(game)
    return out


def _budget(app, seconds: float) -> None:  # type: ignore[no-untyped-def]
    app.extensions["settings"] = app.extensions["settings"].with_(request_deadline_s=seconds)


def test_an_export_cut_by_its_limit_says_so(client, loaded) -> None:
    expected = _reaching(loaded, "e2e4,e7e5")
    assert len(expected) > 2
    response = client.get("/api/export/games.pgn?play=e2e4,e7e5&player=carol&color=white&limit=2")
    note = f"limited to 2 games of {len(expected)}: narrow the filters for the rest"
    assert response.status_code == 200
    assert response.headers["X-Export-Note"] == note
    assert response.headers["X-Games"] == "2"
    text = response.get_data(as_text=True)
    assert text.startswith(f"% {note}\n")
    games = _games(text)
    assert len(games) == 2
    lines = {" ".join(r.moves) for r in expected}
    assert all(" ".join(m.uci() for m in g.mainline_moves()) in lines for g in games)


def test_an_export_that_holds_every_game_says_nothing(client, loaded) -> None:
    expected = _reaching(loaded, "e2e4,e7e5")
    response = client.get(f"/api/export/games.pgn?play=e2e4,e7e5&player=carol&color=white&limit={len(expected)}")
    assert "X-Export-Note" not in response.headers
    text = response.get_data(as_text=True)
    assert not text.startswith("%")
    assert len(_games(text)) == len(expected)
    # a position none of the player's games reached: nothing, and nothing cut
    response = client.get("/api/export/games.pgn?play=h2h4,h7h5&player=carol&color=white")
    assert response.headers["X-Games"] == "0" and "X-Export-Note" not in response.headers


def test_an_export_stops_at_the_time_budget_and_says_so(app, client, loaded) -> None:
    expected = _reaching(loaded, "e2e4")
    _budget(app, 0)
    response = client.get("/api/export/games.pgn?play=e2e4&player=carol&color=white")
    assert response.status_code == 200
    # streamed: the cut is known only at the end, so the last line says it
    assert "X-Export-Note" not in response.headers
    assert response.get_data(as_text=True) == (
        f"% stopped after 0 games of {len(expected)}: the server's time budget (0 s) ran out\n"
    )


def test_leaks_stop_at_the_time_budget_with_a_503(app, client, loaded) -> None:
    _budget(app, 0)
    response = client.get("/api/player/leaks?player=carol&color=white")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.get_json()["error"] == (
        "finding leaks took longer than this server allows (0 s); narrow the filters or try again later"
    )
    _budget(app, 10)
    assert client.get("/api/player/leaks?player=carol&color=white").status_code == 200


def test_leaks_weigh_the_most_frequent_positions_and_say_so(client, loaded, monkeypatch) -> None:
    from webapp.db import leaks

    body = client.get("/api/player/leaks?player=carol&color=white&min_games=1&limit=50").get_json()
    assert "limitedTo" not in body and "note" not in body
    monkeypatch.setattr(leaks, "MAX_LEAK_POSITIONS", 5)
    # band=101: another question than the one above, so not its cached answer
    body = client.get("/api/player/leaks?player=carol&color=white&min_games=1&limit=50&band=101").get_json()
    assert body["limitedTo"] == 5
    assert body["note"] == ("limited to the 5 positions the player reaches most often "
                            "(raise min_games to weigh rarer ones)")
    counts = Counter(k for r in loaded if r.white == "Carol" for k in _keys(r))
    fifth = sorted(counts.values(), reverse=True)[4]
    assert 0 < len(body["leaks"]) <= 5
    assert all(leak["player"]["games"] >= fifth for leak in body["leaks"])


def test_a_statement_past_the_timeout_is_a_503(postgres_database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    from webapp import create_app
    from webapp.extensions import db
    from webapp.settings import Settings

    settings = Settings.from_env({"DATABASE_URL": postgres_database_url, "DATA_DIR": str(tmp_path),
                                  "STATEMENT_TIMEOUT_MS": "100"})
    app = create_app(settings, dashboard=False)

    @app.get("/api/test-sleep")
    def sleep():  # type: ignore[no-untyped-def]
        with db.engine.connect() as connection:
            connection.execute(text("SELECT pg_sleep(2)"))
        return "slept"

    response = app.test_client().get("/api/test-sleep")
    assert response.status_code == 503
    assert response.get_json()["error"] == (
        "the database took longer than this server allows (0.1 s); narrow the filters or try again later"
    )
    with app.app_context():
        db.engine.dispose()


def test_long_requests_wait_for_a_slot_then_are_told_the_server_is_busy(app, client, loaded, monkeypatch) -> None:
    import threading

    from webapp.api import heavy

    monkeypatch.setattr(heavy, "HEAVY_WAIT_S", 0.05)
    assert client.get("/api/player/leaks?player=carol&color=white").status_code == 200  # now cached
    slots = threading.BoundedSemaphore(1)
    app.extensions["heavy_slots"] = slots
    slots.acquire()  # a long request of another client holds the only slot
    try:
        response = client.get("/api/export/games.pgn?play=e2e4&player=carol&color=white")
        assert response.status_code == 503
        assert "Retry-After" in response.headers  # the export's rate limiter writes its own
        assert response.get_json()["error"] == (
            "the server is busy with other long requests (PGN exports); try again in a few seconds"
        )
        response = client.get("/api/player/leaks?player=carol&color=black")
        assert response.status_code == 503 and response.headers["Retry-After"] == "5"
        # a cached answer needs no slot
        assert client.get("/api/player/leaks?player=carol&color=white").status_code == 200
    finally:
        slots.release()
    assert client.get("/api/export/games.pgn?play=e2e4&player=carol&color=white").status_code == 200


def test_the_export_is_rate_limited_per_client(app, client, loaded) -> None:
    app.extensions["settings"] = app.extensions["settings"].with_(export_rate_limit="2 per minute")
    statuses = [client.get("/api/export/games.pgn?play=e2e4&player=carol&color=white").status_code
                for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_an_export_of_all_games_says_when_its_limit_cuts_it(client, loaded) -> None:
    count = len(_reaching(loaded, "e2e4,e7e5", None))
    assert count > 3
    cut = client.get("/api/export/games.pgn?play=e2e4,e7e5&limit=3")
    assert cut.headers["X-Export-Note"] == f"limited to 3 games of {count}: narrow the filters for the rest"
    assert len(_games(cut.get_data(as_text=True))) == 3
    whole = client.get(f"/api/export/games.pgn?play=e2e4,e7e5&limit={count}")
    assert "X-Export-Note" not in whole.headers
    assert len(_games(whole.get_data(as_text=True))) == count


def test_the_charts_say_when_a_position_is_too_big_to_chart_in_time(postgres_database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A statement cut by the timeout is told apart from a database that is down."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    from webapp.db.errors import timed_out

    engine = create_engine(postgres_database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with pytest.raises(OperationalError) as cut, engine.connect() as connection:
        connection.execute(text("SET statement_timeout = 50"))
        connection.execute(text("SELECT pg_sleep(1)"))
    engine.dispose()
    assert timed_out(cut.value)
    missing = create_engine(f"sqlite:///{tmp_path}/none/x.sqlite3")
    with pytest.raises(OperationalError) as down, missing.connect():
        pass
    assert not timed_out(down.value)
