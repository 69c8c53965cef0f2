"""topGames / recentGames and a single move's `game` equal the games python-chess finds.

The reference (explorer_reference) walks the same PGN files, keeps the games that reach
the position under the filters (transpositions included) and orders them by rating, date
and stored id; the API's lists must be exactly its first 15 of each, with the move each
game played there. Checked after import, after compaction (rows and their game
references merged in SQL, the hot positions' summaries read where they can hold the
lists) and in a player's view. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from explorer_reference import read_games, reference, reference_games
from sample_games import EXPLORER_SAMPLE, LICHESS_2021_10, import_pgn
from sqlalchemy import text
from test_explorer_counts import FILTERS, POSITIONS, _params

from webapp.caching import bump_generation
from webapp.indexer import compact as compaction
from webapp.indexer.compact import compact


@pytest.fixture
def stored(engine):  # type: ignore[no-untyped-def]
    import_pgn(engine, [EXPLORER_SAMPLE, LICHESS_2021_10])
    games = read_games([EXPLORER_SAMPLE, LICHESS_2021_10])
    with engine.connect() as connection:
        by_uid = dict(connection.execute(text("SELECT uid, id FROM games")).all())
    db_ids = {g.site: by_uid["lichess:" + g.site.rsplit("/", 1)[-1][:8]] for g in games}
    return games, db_ids


def _listed(entries: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    return [("https://lichess.org/" + e["id"], e["uci"]) for e in entries]


def _wrong(client, games, db_ids) -> list[str]:  # type: ignore[no-untyped-def]
    wrong = []
    for label, play in {**POSITIONS, "sicilian": "e2e4 c7c5".split()}.items():
        for chosen in FILTERS:
            params = {**_params(play, chosen), "topGames": "15", "recentGames": "15"}
            body = client.get("/api/explorer", query_string=params).get_json()
            included: list = []
            expected_numbers = reference(games, play=play, included=included, **chosen)
            top, recent = reference_games(included, db_ids, 15)
            if (_listed(body["topGames"]), _listed(body["recentGames"])) != (top, recent):
                wrong.append(f"{label} {chosen}: api {body['topGames'][:2]}… reference {top[:2]}…")
            for move in expected_numbers["moves"]:
                if move["games"] == 1:
                    (site,) = [g.site for g, _, m in included if m == move["uci"]]
                    answered = next(m for m in body["moves"] if m["uci"] == move["uci"])
                    if "game" not in answered or answered["game"]["url"] != site:
                        wrong.append(f"{label} {chosen} {move['uci']}: single game {answered.get('game')}")
    return wrong


def test_games_lists_equal_the_reference_before_and_after_compaction(client, engine, stored, monkeypatch) -> None:
    games, db_ids = stored
    wrong = _wrong(client, games, db_ids)
    assert not wrong, f"{len(wrong)} lists differ:\n" + "\n".join(wrong[:10])
    # positions over 32 rows get a monthly summary, over 64 a rollup too: the lists under a
    # months filter come from the monthly summary's references there
    monkeypatch.setattr(compaction, "MONTHLY_ROWS", 32)
    compact(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM monthly_positions")).scalar() > 10
    with client.application.app_context():  # answers cached before compaction go
        bump_generation()
    wrong = _wrong(client, games, db_ids)
    assert not wrong, f"after compaction, {len(wrong)} lists differ:\n" + "\n".join(wrong[:10])


def test_a_game_entry_has_the_lichess_shape(client, stored) -> None:
    body = client.get("/api/explorer", query_string={"play": "e2e4", "topGames": "1"}).get_json()
    (game,) = body["topGames"]
    assert set(game) >= {"id", "url", "white", "black", "winner", "speed", "date", "uci"}
    assert set(game["white"]) == {"name", "rating"} and game["url"].endswith(game["id"])
    assert len(body["recentGames"]) == 4  # the default, as on lichess


@pytest.mark.parametrize("value", ["16", "-1", "x"])
def test_games_counts_out_of_range_are_400(client, value: str) -> None:
    response = client.get("/api/explorer", query_string={"topGames": value})
    assert response.status_code == 400
    assert "topGames" in response.get_json()["error"]


def _rated_and_dated_games(count: int) -> str:
    """`count` games of 1.e4 e5, each alone in its rating band and month: the higher rated,
    the older, so the best and the newest are different games."""
    out = []
    for i in range(count):
        rating = 1000 + 100 * i
        year, month = divmod(2020 * 12 + (count - i), 12)
        out.append(
            f'[Event "Rated Blitz game"]\n[Site "https://lichess.org/band{i:04d}"]\n'
            f'[Date "{year}.{month + 1:02d}.15"]\n[White "w{i}"]\n[Black "b{i}"]\n[Result "1-0"]\n'
            f'[WhiteElo "{rating}"]\n[BlackElo "{rating}"]\n[TimeControl "300+0"]\n\n1. e4 e5 1-0\n'
        )
    return "\n".join(out)


@pytest.mark.parametrize("months", [{}, {"since": "2019-01"}])
def test_summaries_hold_every_best_and_newest_game(client, engine, monkeypatch, tmp_path, months) -> None:
    """30 games in 30 summary rows at the start position: the lists need exactly the 15
    highest bands' rows and the 15 latest months' rows (a bound one row too tight fails)."""
    from webapp.indexer.pgn import import_pgn_files

    count = 30
    monkeypatch.setattr(compaction, "HOT_ROWS", 4)
    monkeypatch.setattr(compaction, "MONTHLY_ROWS", 8)
    path = tmp_path / "bands.pgn"
    path.write_text(_rated_and_dated_games(count), encoding="utf-8")
    import_pgn_files(engine, [str(path)], index_plies=40, batch_size=3)
    compact(engine)
    with engine.connect() as connection:
        summarized = connection.execute(
            text("SELECT (SELECT count(*) FROM hot_positions), (SELECT count(*) FROM monthly_positions)")
        ).one()
    assert summarized[0] > 0 and summarized[1] > 0
    body = client.get(
        "/api/explorer", query_string={"topGames": "15", "recentGames": "15", **months}
    ).get_json()
    site = "https://lichess.org/band{:04d}"
    assert [g["url"] for g in body["topGames"]] == [site.format(i) for i in range(count - 1, count - 16, -1)]
    assert [g["url"] for g in body["recentGames"]] == [site.format(i) for i in range(15)]
