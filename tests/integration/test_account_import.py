"""Account imports against a local stand-in for chess.com and lichess, on SQLite and PostgreSQL.

Expected numbers come from the fixture files themselves (json + python-chess), never from
the code under test.
"""

from __future__ import annotations

import io
import json
import threading
from collections import Counter

import chess.pgn
import pytest
from chess_sites import FIXTURES, Canned, ChessSites
from sqlalchemy import func, select

from webapp.db.tables import account_imports, games, requested_players
from webapp.indexer.sources.accounts import import_account
from webapp.indexer.sources.errors import (
    FetchError,
    ImportAlreadyRunning,
    UserNotFound,
)
from webapp.indexer.sources.http import USER_AGENT

MONTHS = ("2021-01", "2021-02", "2021-03")


def chesscom_games(*labels: str) -> list[dict]:
    out = []
    for label in labels:
        out += json.loads((FIXTURES / f"chesscom_alicek_{label}.json").read_text())["games"]
    return out


def standard(games_: list[dict]) -> list[dict]:
    return [g for g in games_ if g["rules"] == "chess"]


def results(pgns: list[str]) -> Counter:
    return Counter(chess.pgn.read_game(io.StringIO(p)).headers["Result"] for p in pgns)


def lichess_games() -> list[dict]:
    lines = (FIXTURES / "lichess_bobby_f.ndjson").read_text().splitlines()
    return [json.loads(line) for line in lines]


def lichess_standard(games_: list[dict]) -> list[dict]:
    return [
        g for g in games_
        if g["variant"] == "standard" and "aiLevel" not in g["players"]["black"]
        and "aiLevel" not in g["players"]["white"]
    ]


@pytest.fixture
def sites(app):  # type: ignore[no-untyped-def]
    with ChessSites() as server:
        app.extensions["settings"] = app.extensions["settings"].with_(
            chesscom_api_url=server.url, lichess_api_url=server.url
        )
        yield server


def game_count(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(games)).scalar_one()


def explorer_totals(client, player: str) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    body = client.get(f"/api/explorer?player={player}").get_json()
    return body["white"], body["draws"], body["black"]


def no_sleep(_seconds: float) -> None:
    pass


def test_chesscom_account_imports_every_month(app, client, engine, sites) -> None:
    sites.add_chesscom_fixture_months("AliceK", *MONTHS)
    report = import_account(app, "chesscom", "AliceK")
    expected = standard(chesscom_games(*MONTHS))
    assert report.imported == len(expected) == 8
    assert dict(report.skipped) == {"non-standard rules (chess960)": 1}
    assert (report.done, report.total, report.unit) == (3, 3, "months")
    assert game_count(engine) == len(expected)
    counts = results([g["pgn"] for g in expected])
    assert explorer_totals(client, "chesscom:alicek") == (
        counts["1-0"], counts["1/2-1/2"], counts["0-1"]
    )
    assert sites.paths() == [
        "/pub/player/alicek/games/archives",
        "/pub/player/alicek/games/2021/01",
        "/pub/player/alicek/games/2021/02",
        "/pub/player/alicek/games/2021/03",
    ]
    assert sites.user_agents == {USER_AGENT}


def test_second_chesscom_import_fetches_only_new_months(app, engine, sites) -> None:
    sites.add_chesscom_fixture_months("AliceK", "2021-01", "2021-02")
    first = import_account(app, "chesscom", "alicek")
    assert first.imported == len(standard(chesscom_games("2021-01", "2021-02")))
    sites.add_chesscom_fixture_months("AliceK", "2021-03")
    sites.requests.clear()
    second = import_account(app, "chesscom", "alicek")
    assert sites.paths() == [
        "/pub/player/alicek/games/archives",
        "/pub/player/alicek/games/2021/03",
    ]
    assert second.imported == len(standard(chesscom_games("2021-03"))) == 2
    assert game_count(engine) == len(standard(chesscom_games(*MONTHS)))


def test_unknown_chesscom_user_is_reported_and_remembered(app, engine, sites) -> None:
    with pytest.raises(UserNotFound, match="no such user"):
        import_account(app, "chesscom", "Nobody_Here")
    with engine.connect() as connection:
        rows = connection.execute(
            select(requested_players.c.source, requested_players.c.name)
        ).all()
    assert [tuple(r) for r in rows] == [("chesscom", "nobody_here")]
    assert game_count(engine) == 0


def test_rate_limited_month_is_retried(app, engine, sites) -> None:
    sites.add_chesscom_fixture_months("AliceK", *MONTHS)
    sites.script("/pub/player/alicek/games/2021/02", Canned(429, "", (("Retry-After", "0"),)))
    waits: list[float] = []
    report = import_account(app, "chesscom", "alicek", sleep=waits.append)
    assert report.imported == 8
    assert sites.paths().count("/pub/player/alicek/games/2021/02") == 2
    assert len(waits) == 1
    assert game_count(engine) == 8


def test_server_error_then_success(app, engine, sites) -> None:
    sites.add_chesscom_fixture_months("AliceK", *MONTHS)
    sites.script("/pub/player/alicek/games/2021/03", Canned(500, "oops"), Canned(503, "busy"))
    waits: list[float] = []
    report = import_account(app, "chesscom", "alicek", sleep=waits.append)
    assert report.imported == 8
    assert waits == [0.5, 1.0]
    assert sites.paths().count("/pub/player/alicek/games/2021/03") == 3


def test_lasting_server_errors_fail_naming_the_month(app, engine, sites) -> None:
    sites.add_chesscom_fixture_months("AliceK", *MONTHS)
    sites.script("/pub/player/alicek/games/2021/02", *[Canned(502, "bad gateway")] * 5)
    with pytest.raises(FetchError, match="2021-02.*server error 502 after 5 attempts") as caught:
        import_account(app, "chesscom", "alicek", sleep=no_sleep)
    january = len(standard(chesscom_games("2021-01")))
    assert caught.value.report.imported == january
    assert game_count(engine) == january
    with engine.connect() as connection:
        row = connection.execute(
            select(account_imports.c.last_complete_month, account_imports.c.status,
                   account_imports.c.last_error)
        ).one()
    assert row[:2] == (202101, "idle")
    assert "2021-02" in row[2]
    sites.requests.clear()
    import_account(app, "chesscom", "alicek")  # the site is back: resume after January
    assert sites.paths()[1:] == ["/pub/player/alicek/games/2021/02", "/pub/player/alicek/games/2021/03"]
    assert game_count(engine) == 8


def test_malformed_month_lands_nothing_of_it(app, engine, sites) -> None:
    sites.add_chesscom_fixture_months("AliceK", *MONTHS)
    good = sites.chesscom["alicek"]["2021-02"]
    sites.chesscom["alicek"]["2021-02"] = good[: len(good) // 2]  # valid start, cut mid-game
    with pytest.raises(FetchError, match="2021-02.*not valid JSON"):
        import_account(app, "chesscom", "alicek")
    assert game_count(engine) == len(standard(chesscom_games("2021-01")))


def test_lichess_account_import_skips_variants_and_ai(app, client, engine, sites) -> None:
    sites.add_lichess_fixture("Bobby_F")
    report = import_account(app, "lichess", "Bobby_F")
    expected = lichess_standard(lichess_games())
    assert report.imported == len(expected) == 6
    assert dict(report.skipped) == {
        "non-standard rules (chess960)": 1,
        "against the lichess AI": 1,
    }
    assert game_count(engine) == 6
    winners = Counter(g.get("winner", "draw") for g in expected)
    assert explorer_totals(client, "lichess:bobby_f") == (
        winners["white"], winners["draw"], winners["black"]
    )
    path, query = sites.requests[-1]
    assert path == "/api/games/user/bobby_f"
    assert query["sort"] == "dateAsc" and "since" not in query


def test_lichess_second_import_asks_since_the_last_game(app, engine, sites) -> None:
    all_games = lichess_games()
    sites.lichess["bobby_f"] = all_games[:5]
    import_account(app, "lichess", "bobby_f")
    assert game_count(engine) == len(lichess_standard(all_games[:5]))
    sites.lichess["bobby_f"] = all_games
    sites.requests.clear()
    report = import_account(app, "lichess", "bobby_f")
    _, query = sites.requests[-1]
    assert int(query["since"]) == all_games[4]["createdAt"] + 1
    assert report.imported == len(lichess_standard(all_games[5:])) == 3
    assert report.already_present == 0
    assert game_count(engine) == 6


def test_truncated_lichess_stream_keeps_whole_games(app, engine, sites) -> None:
    all_games = lichess_games()
    body = ChessSites.lichess_body(all_games, {"sort": "dateAsc"})
    whole = sum(len(line) + 1 for line in body.splitlines()[:3])
    sites.add_lichess_fixture("Bobby_F")
    sites.script("/api/games/user/bobby_f", Canned(200, body, truncate=whole + 25))
    with pytest.raises(FetchError, match="cut off after 3 whole games"):
        import_account(app, "lichess", "bobby_f")
    landed = len(lichess_standard(all_games[:3]))
    assert game_count(engine) == landed == 3
    sites.requests.clear()
    import_account(app, "lichess", "bobby_f")
    assert int(sites.requests[-1][1]["since"]) == all_games[2]["createdAt"] + 1
    assert game_count(engine) == 6


def test_malformed_lichess_line_names_the_game(app, engine, sites) -> None:
    lines = ChessSites.lichess_body(lichess_games(), {"sort": "dateAsc"}).splitlines()
    lines[1] = lines[1][:40] + "}"
    sites.add_lichess_fixture("Bobby_F")
    sites.script("/api/games/user/bobby_f", Canned(200, "\n".join(lines) + "\n"))
    with pytest.raises(FetchError, match="game 2 of the stream is not valid JSON"):
        import_account(app, "lichess", "bobby_f")
    assert game_count(engine) == 1


def test_unknown_lichess_user(app, engine, sites) -> None:
    with pytest.raises(UserNotFound, match="no such user"):
        import_account(app, "lichess", "ghost_user")
    with engine.connect() as connection:
        names = connection.execute(select(requested_players.c.name)).scalars().all()
    assert names == ["ghost_user"]


def test_two_imports_of_one_account_at_once(app, engine, sites) -> None:
    sites.add_chesscom_fixture_months("AliceK", *MONTHS)
    sites.delay_s = 0.2
    outcomes: list[object] = []
    started = threading.Barrier(2)

    def run() -> None:
        started.wait()
        try:
            outcomes.append(import_account(app, "chesscom", "alicek").imported)
        except ImportAlreadyRunning as error:
            outcomes.append(str(error))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes, key=str) == [8, "an import of chesscom:alicek is already running; "
                                         "its games will appear when it finishes"]
    assert game_count(engine) == 8


def test_command_line_imports_an_account(app, engine, sites, monkeypatch, capsys) -> None:
    from webapp.cli import main as cli_main

    sites.add_chesscom_fixture_months("AliceK", *MONTHS)
    settings = app.extensions["settings"]
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CACHE_DIR", settings.cache_dir)
    monkeypatch.setenv("CHESSCOM_API_URL", sites.url)
    monkeypatch.setenv("LICHESS_API_URL", sites.url)
    assert cli_main(["import", "--chesscom", "AliceK", "--quiet"]) == 0
    assert "8 imported" in capsys.readouterr().out
    assert game_count(engine) == 8
    assert cli_main(["import", "--lichess", "no_such_one", "--quiet"]) == 1
    assert "no such user" in capsys.readouterr().err


def test_imports_of_two_accounts_share_the_site_one_request_at_a_time(app, engine, sites) -> None:
    sites.add_chesscom_fixture_months("AliceK", *MONTHS)
    sites.chesscom["bob_cc"] = {"2021-01": sites.chesscom["alicek"]["2021-01"]}
    sites.delay_s = 0.1
    outcomes: list[int] = []
    started = threading.Barrier(2)

    def run(name: str) -> None:
        started.wait()
        outcomes.append(import_account(app, "chesscom", name).imported)

    threads = [threading.Thread(target=run, args=(n,)) for n in ("alicek", "bob_cc")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # bob's only month holds games of alice's January: whichever runs first loads them
    assert sorted(outcomes) in ([0, 8], [3, 5])
    assert game_count(engine) == 8
    assert sites.most_in_flight == 1
    assert len(sites.requests) == 4 + 2
