"""The player endpoints, exports, people (API and command line) and import jobs."""

from __future__ import annotations

import csv
import io
import time

import chess.pgn
import pytest
from chess_sites import ChessSites
from test_player_analysis import PLIES, make_games

from webapp.cli import main as cli_main
from webapp.indexer.load import import_games
from webapp.jobs.imports import cancel_import_job, create_import_job, job_status, run_import_job
from webapp.jobs.queue import enqueue_import


@pytest.fixture
def loaded(app, engine):  # type: ignore[no-untyped-def]
    records = make_games()
    import_games(engine, records, index_plies=PLIES)
    return records


def test_compare_endpoint(client, loaded) -> None:
    body = client.get("/api/player/compare?play=e2e4,e7e5,g1f3,b8c6&player=carol&color=white").get_json()
    ucis = {m["uci"] for m in body["moves"]}
    assert ucis == {"f1c4", "f1b5"}
    italian = next(m for m in body["moves"] if m["uci"] == "f1c4")
    own = [r for r in loaded if r.white == "Carol" and list(r.moves[:5]) == "e2e4 e7e5 g1f3 b8c6 f1c4".split()]
    assert italian["player"]["games"] == len(own)
    low, high = italian["player"]["interval"]
    assert low <= italian["player"]["score"] <= high


def test_leaks_endpoint_links_to_the_board(client, loaded) -> None:
    body = client.get("/api/player/leaks?player=carol&color=white&min_games=3&limit=3").get_json()
    assert 0 < len(body["leaks"]) <= 3
    first = body["leaks"][0]
    assert first["url"] == f"/?play={first['play']}&player=carol&color=white"
    assert first["difference"] < 0


def test_player_endpoints_need_player_and_color(client, loaded) -> None:
    response = client.get("/api/player/compare?player=carol")
    assert response.status_code == 400
    assert "color is required" in response.get_json()["error"]
    response = client.get("/api/player/leaks?player=nobody_at_all&color=white")
    assert response.status_code == 404
    assert client.get("/api/player/compare?player=carol&color=white&band=-5").status_code == 400


def test_history_endpoint(client, loaded) -> None:
    body = client.get("/api/player/history?player=carol&color=white").get_json()
    carol = [r for r in loaded if r.white == "Carol"]
    assert sum(m["games"] for m in body["months"]) == len(carol)
    assert [m["month"] for m in body["months"]] == ["2021-01", "2021-02", "2021-03"]


def test_move_table_csv(client, loaded) -> None:
    response = client.get("/api/export/moves.csv?play=e2e4,e7e5&player=carol&color=white")
    assert response.headers["Content-Disposition"] == "attachment; filename=moves.csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    carol = [r for r in loaded if r.white == "Carol" and list(r.moves[:2]) == ["e2e4", "e7e5"]]
    assert {row["uci"] for row in rows} == {r.moves[2] for r in carol}
    assert sum(int(row["games"]) for row in rows) == len(carol)
    assert all(row["peer_score"] != "" for row in rows)


def test_games_pgn_export(client, loaded) -> None:
    response = client.get("/api/export/games.pgn?play=e2e4,c7c5&player=carol&color=white")
    text = response.get_data(as_text=True)
    games = []
    stream = io.StringIO(text)
    while (game := chess.pgn.read_game(stream)) is not None:
        games.append(game)
    expected = [r for r in loaded if r.white == "Carol" and list(r.moves[:2]) == ["e2e4", "c7c5"]]
    assert len(games) == len(expected) > 0


def test_people_api_and_command_line(app, client, loaded, capsys, monkeypatch) -> None:
    response = client.post("/api/people/Carol Two", json={"accounts": ["lichess:carol"]})
    assert response.get_json() == {"person": "Carol Two", "accounts": ["lichess:carol"]}
    assert client.post("/api/people/x", json={"accounts": ["carol"]}).status_code == 400
    settings = app.extensions["settings"]
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CACHE_DIR", settings.cache_dir)
    assert cli_main(["player", "link", "Carol Two", "chesscom:carol_cc"]) == 0
    assert "Carol Two: chesscom:carol_cc lichess:carol" in capsys.readouterr().out
    assert cli_main(["player", "link", "Carol Two", "nosource"]) == 2
    people = client.get("/api/people").get_json()["people"]
    assert people == {"Carol Two": ["chesscom:carol_cc", "lichess:carol"]}
    body = client.get("/api/player/history?player=carol two&color=white").get_json()
    assert sum(m["games"] for m in body["months"]) == sum(1 for r in loaded if r.white == "Carol")


@pytest.fixture
def sites(app):  # type: ignore[no-untyped-def]
    with ChessSites() as server:
        app.extensions["settings"] = app.extensions["settings"].with_(
            chesscom_api_url=server.url, lichess_api_url=server.url
        )
        yield server


def test_import_job_records_progress_and_outcome(app, engine, sites) -> None:
    sites.add_chesscom_fixture_months("AliceK", "2021-01", "2021-02", "2021-03")
    job_id = create_import_job(engine, "chesscom", "AliceK")
    assert job_status(engine, job_id).status == "queued"
    seen: list[tuple[int, int]] = []
    final = run_import_job(app, job_id, lambda report: seen.append((report.done, report.total)))
    assert (final.status, final.done, final.total, final.games_added) == ("done", 3, 3, 8)
    assert seen[-1] == (3, 3) and (1, 3) in seen
    assert "8 new games imported" in final.message
    failed = run_import_job(app, create_import_job(engine, "chesscom", "nobody_x"))
    assert failed.status == "failed" and "no such user" in failed.message


def test_cancelled_job_stops_between_months(app, engine, sites) -> None:
    sites.add_chesscom_fixture_months("AliceK", "2021-01", "2021-02", "2021-03")
    job_id = create_import_job(engine, "chesscom", "alicek")

    def cancel_after_first_month(report) -> None:  # type: ignore[no-untyped-def]
        if report.done == 1:
            cancel_import_job(engine, job_id)

    final = run_import_job(app, job_id, cancel_after_first_month)
    assert final.status == "cancelled"
    again = run_import_job(app, create_import_job(engine, "chesscom", "alicek"))
    assert again.status == "done"  # the lock was released


def test_enqueued_import_runs_after_its_row_committed(app, engine, sites) -> None:
    sites.add_lichess_fixture("Bobby_F")
    job_id = enqueue_import(app, "lichess", "Bobby_F")
    for _ in range(100):
        status = job_status(engine, job_id)
        if status.status in ("done", "failed"):
            break
        time.sleep(0.1)
    assert (status.status, status.games_added) == ("done", 6)
