"""The busiest positions' rollups summed over the rating bands (webapp.indexer.bandless_sums):
compaction sums them, every later step that adds to a rollup adds to them, the explorer
with no rating asked reads them while they are up to date with the rollup, and its numbers
stay those of the games."""

from __future__ import annotations

import chess
import pytest
from compaction_thresholds import shrink_thresholds
from declared_tables import assert_summed_over_the_bands
from explorer_reference import api_numbers, read_games, reference
from sample_games import EXPLORER_SAMPLE, import_pgn
from sqlalchemy import text

from webapp.db.explorer import query_explorer
from webapp.indexer import bandless_sums
from webapp.indexer import compact as compaction
from webapp.indexer.pgn import import_pgn_files
from webapp.model.position import position_key
from webapp.model.query import ExplorerQuery

CASES = [
    {"play": []},
    {"play": [], "speeds": ["blitz", "rapid"]},
    {"play": [], "rated_only": True},
    {"play": ["e2e4"]},
    {"play": ["e2e4"], "speeds": ["blitz"]},
    {"play": ["d2d4"]},
    {"play": ["e2e4", "e7e5"]},
    {"play": [], "rating_min": 1600, "rating_max": 1999},  # a rating asked: the rollup's rows
]
START = position_key(chess.Board())


def _url(case: dict) -> str:  # type: ignore[type-arg]
    url = f"/api/explorer?play={','.join(case['play'])}"
    if "speeds" in case:
        url += f"&speeds={','.join(case['speeds'])}"
    if case.get("rated_only"):
        url += "&rated=true"
    if "rating_min" in case:
        url += f"&rating_min={case['rating_min']}&rating_max={case['rating_max']}"
    return url


def _assert_exact(client, games) -> None:  # type: ignore[no-untyped-def]
    for case in CASES:
        response = client.get(_url(case))
        assert response.status_code == 200, response.get_json()
        assert api_numbers(response.get_json()) == reference(games, **case), case


def _count(engine, sql: str) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return int(connection.execute(text(sql)).scalar_one())


def _assert_sums_are_the_rollups(engine) -> None:  # type: ignore[no-untyped-def]
    """Every listed position is up to date with its rollup, and its band-less rows are its
    rollup rows summed, to the count."""
    behind = _count(
        engine,
        "SELECT count(*) FROM bandless_positions b LEFT JOIN hot_positions h "
        "ON h.position_key = b.position_key AND h.seq = b.seq WHERE h.position_key IS NULL",
    )
    assert behind == 0
    assert_summed_over_the_bands(
        engine, "move_stats_rollup", "move_stats_bandless", "bandless_positions", bandless_sums.KEYS, ("position_key",)
    )


def _answers(engine) -> list:  # type: ignore[type-arg]
    """query_explorer's numbers for CASES, endings and think times included."""
    answers = []
    with engine.connect() as connection:
        for case in CASES:
            query = ExplorerQuery.build(**case)
            result = query_explorer(connection, query, with_games=False, with_endings=True, with_think_time=True)
            answers.append((result.totals, [(m.uci, m.results) for m in result.moves]))
    return answers


@pytest.fixture
def summed(engine, monkeypatch):  # type: ignore[no-untyped-def]
    """The sample imported and compacted with thresholds that give its first plies a
    rollup, a monthly summary and so band-less sums; its games."""
    shrink_thresholds(monkeypatch, hot=1, monthly=1)
    import_pgn(engine, [EXPLORER_SAMPLE])
    report = compaction.compact(engine)
    assert report.bandless_added == _count(engine, "SELECT count(*) FROM bandless_positions") > 0
    assert report.bandless_added == _count(engine, "SELECT count(*) FROM monthly_positions")
    return read_games([EXPLORER_SAMPLE])


def test_compaction_sums_the_monthly_positions_and_the_explorer_reads_the_sums(client, engine, summed) -> None:
    _assert_sums_are_the_rollups(engine)
    _assert_exact(client, summed)
    assert compaction.compact(engine).bandless_added == 0  # summed once

    # the explorer reads them: a count added to the band-less sums shows in its answer
    query, rated = ExplorerQuery.build(), ExplorerQuery.build(rating_min=0, rating_max=3999)
    with engine.connect() as connection:
        before = query_explorer(connection, query, with_games=False).totals.white
        rated_before = query_explorer(connection, rated, with_games=False).totals
    with engine.begin() as connection:
        at_start = connection.execute(
            text("UPDATE move_stats_bandless SET white = white + 1 WHERE position_key = :key"), {"key": START}
        ).rowcount
    assert at_start > 0
    with engine.connect() as connection:
        assert query_explorer(connection, query, with_games=False).totals.white == before + at_start
        assert query_explorer(connection, rated, with_games=False).totals == rated_before  # the rollup's rows


def test_sums_behind_their_rollup_are_not_read_and_the_next_compaction_sums_again(client, engine, summed) -> None:
    answers = _answers(engine)
    with engine.begin() as connection:  # as if a compaction had moved the rollup on without them
        connection.execute(text("UPDATE move_stats_bandless SET white = white + 1"))
        connection.execute(text("UPDATE bandless_positions SET seq = seq - 1 WHERE position_key = :key"), {"key": START})
    assert _answers(engine)[0] == answers[0]  # the start position: its rollup read
    with engine.begin() as connection:
        elsewhere = connection.execute(
            text("UPDATE move_stats_bandless SET white = white - 1 WHERE position_key <> :key"), {"key": START}
        ).rowcount
    assert elsewhere > 0

    assert compaction.compact(engine).bandless_added == 1  # the start position summed again
    _assert_sums_are_the_rollups(engine)
    assert _answers(engine) == answers
    _assert_exact(client, summed)


def test_later_imports_moves_and_refreshes_reach_the_sums(client, engine, summed, monkeypatch, tmp_path) -> None:
    positions = _count(engine, "SELECT count(*) FROM bandless_positions")
    copy = tmp_path / "more.pgn"
    copy.write_text(EXPLORER_SAMPLE.read_text().replace("lichess.org/", "lichess.org/Q"))
    import_pgn(engine, [copy])
    compaction.compact(engine)  # its step 1 and ranges add to the sums (and new positions get some)
    _assert_sums_are_the_rollups(engine)
    games = read_games([EXPLORER_SAMPLE, copy])
    _assert_exact(client, games)

    # the copy's games moved to another collection: counts leave one and join the other,
    # brought in by compaction's first step alone (refresh_summaries)
    monkeypatch.setattr(compaction, "REFRESH_ROWS", 0)
    import_pgn_files(engine, [str(copy)], index_plies=40, collection="club")
    refresh = compaction.refresh_summaries(engine)
    assert refresh.positions > 0
    _assert_sums_are_the_rollups(engine)
    _assert_exact(client, games)
    assert _count(engine, "SELECT count(*) FROM bandless_positions") >= positions


def test_the_sums_give_the_rollups_answers(engine, summed) -> None:
    """Endings and think times too: the same numbers with every position's sums dropped."""
    with_sums = _answers(engine)
    with engine.begin() as connection:
        for table in ("bandless_positions", "move_stats_bandless"):
            connection.execute(text(f"DELETE FROM {table}"))
    assert with_sums == _answers(engine)
    assert with_sums[0][0].games > 0 and with_sums[0][0].endings and with_sums[0][1]
