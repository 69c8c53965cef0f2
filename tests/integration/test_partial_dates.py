"""Partial PGN dates keep what they know: `1901.??.??` is the year 1901 (month 190100), and a
since/until filter counts a year-only game when the range includes any month of its year."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from webapp.indexer.pgn import import_pgn_files

#: (date tag, moves): each game a different first move, so the explorer shows which counted
GAMES = {
    "1901.??.??": "a2a3",
    "1901.03.??": "b2b3",
    "1902.??.??": "c2c3",
    "????.??.??": "d2d4",
    "1900.12.31": "e2e4",
}
_SAN = {"a2a3": "a3", "b2b3": "b3", "c2c3": "c3", "d2d4": "d4", "e2e4": "e4"}


@pytest.fixture
def dated_games(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "dates.pgn"
    path.write_text(
        "".join(
            f'[Event "{move}"]\n[Date "{day}"]\n[White "Capablanca"]\n[Black "Lasker"]\n'
            f'[Result "1-0"]\n\n1. {_SAN[move]} e5 1-0\n\n'
            for day, move in GAMES.items()
        )
    )
    report = import_pgn_files(engine, [path], index_plies=40)
    assert report.imported == len(GAMES)


def test_a_partial_date_keeps_its_year_and_month(engine, dated_games) -> None:
    with engine.connect() as connection:
        months = dict(
            connection.execute(text("SELECT event, month FROM games")).all()
        )
    assert months == {"a2a3": 190100, "b2b3": 190103, "c2c3": 190200, "d2d4": 0, "e2e4": 190012}


@pytest.mark.parametrize(
    ("since", "until", "moves"),
    [
        ("1901-05", "1901-07", {"a2a3"}),  # inside 1901: the year-only 1901 game, not March
        ("1901-01", "1901-03", {"a2a3", "b2b3"}),
        ("1900-06", "1901-01", {"a2a3", "e2e4"}),  # the range reaches January 1901
        ("1901-12", None, {"a2a3", "c2c3"}),
        (None, "1900-12", {"e2e4"}),  # no month of 1901 asked: not the 1901 game
        ("1902-01", "1902-01", {"c2c3"}),
        ("1903-01", None, set()),
        (None, None, {"a2a3", "b2b3", "c2c3", "d2d4", "e2e4"}),  # no filter: every game
    ],
)
@pytest.mark.parametrize("player", [None, "Capablanca"])
def test_a_year_only_game_belongs_to_every_month_range_touching_its_year(
    client, dated_games, since: str | None, until: str | None, moves: set[str], player: str | None
) -> None:
    query = {"play": ""}
    if since:
        query["since"] = since
    if until:
        query["until"] = until
    if player:
        query |= {"player": player, "color": "white"}
    response = client.get("/api/explorer", query_string=query)
    assert response.status_code == 200, response.get_json()
    assert {move["uci"] for move in response.get_json()["moves"]} == moves


def test_the_month_range_and_labels_of_year_only_games(engine, dated_games) -> None:
    from webapp.db.summary import month_range
    from webapp.model.query import format_month

    with engine.connect() as connection:
        assert month_range(connection) == (190012, 190212)  # 1902.??.?? reaches December
    assert (format_month(190100), format_month(190103)) == ("1901", "1901-03")


def test_a_month_by_month_history_leaves_year_only_games_out(client, dated_games) -> None:
    body = client.get("/lichess", query_string={"play": "", "history": "true"}).get_json()
    months = {entry["month"]: entry["white"] + entry["draws"] + entry["black"]
              for entry in body["history"] if entry["white"] + entry["draws"] + entry["black"]}
    assert months == {"1900-12": 1, "1901-03": 1}
