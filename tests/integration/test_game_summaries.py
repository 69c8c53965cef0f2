"""read_summaries: the games lists' short form, in one SELECT, equal to python-chess's reading."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text
from test_game_api import CHESSCOM, LICHESS, OTB, _speed, games_of

from webapp.db.game_summaries import GameSummary, read_summaries
from webapp.indexer.pgn import import_pgn_files

pytestmark = pytest.mark.skipif(
    not all(p.exists() for p in (LICHESS, CHESSCOM, OTB)), reason="shared game files not available"
)


def _rating(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def test_summaries_of_every_game_in_one_select(engine) -> None:  # type: ignore[no-untyped-def]
    import_pgn_files(engine, [LICHESS, OTB], index_plies=40)
    with engine.connect() as connection:
        uids = dict(connection.execute(text("SELECT id, uid FROM games")).all())
        statements: list[str] = []
        listen = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listen)
        try:
            summaries = read_summaries(connection, [*uids, max(uids) + 1000, *list(uids)[:3]])
        finally:
            event.remove(engine, "before_cursor_execute", listen)
    assert len(statements) == 1  # white and black joined in the same SELECT
    assert set(summaries) == set(uids)  # an unknown id is left out
    by_uid = {uids[db_id]: s for db_id, s in summaries.items()}
    for game in games_of(LICHESS):
        game_id = game.headers["Site"].rsplit("/", 1)[1]
        h = game.headers
        assert by_uid[f"lichess:{game_id}"] == GameSummary(
            db_id=by_uid[f"lichess:{game_id}"].db_id, public_id=game_id, url=f"https://lichess.org/{game_id}",
            white=h["White"], white_rating=_rating(h.get("WhiteElo")), black=h["Black"],
            black_rating=_rating(h.get("BlackElo")), winner={"1-0": "white", "0-1": "black"}.get(h["Result"]),
            speed=_speed(h["TimeControl"]), date=h["UTCDate"], rated=h["Event"].lower().startswith("rated"),
        )  # fmt: skip
    otb = [s for uid, s in by_uid.items() if uid.startswith("pgn:")]
    assert len(otb) == len(games_of(OTB))
    dates = {game.headers["Date"] for game in games_of(OTB)}
    expected_dates = {d.replace(".??", "") if "?" not in d[:4] else None for d in dates}
    assert {s.date for s in otb} == expected_dates  # 1901.??.?? → "1901", a full date as it is
    assert all(s.url is None and s.speed == "classical" for s in otb if s.date)


def test_no_ids_no_query(engine) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        assert read_summaries(connection, []) == {}


