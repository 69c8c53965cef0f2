"""Compaction merges appended statistics without changing a single answer.

The explorer sample is imported in small batches, so positions gather rows from many
batches; the explorer's answers are compared with python-chess's counts (the reference)
before compaction, after it, after a compaction interrupted halfway and resumed, and
while an import and compactions run beside a reader. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
import threading

import pytest
from compaction_thresholds import shrink_thresholds
from explorer_reference import api_numbers, read_games, reference
from sample_games import EXPLORER_SAMPLE
from sqlalchemy import event, text
from stats_tables import month_less_view, move_stats_by_month
from test_explorer_counts import FILTERS, POSITIONS, _mismatches

from webapp.caching import bump_generation
from webapp.indexer import compact as compaction
from webapp.indexer import runs
from webapp.indexer.compact import ROW_TABLES
from webapp.indexer.pgn import import_pgn_files

SMALL_BATCH = 5  # the 44 games in 9 batches: the opening positions get rows from each


@pytest.fixture
def many_batches(engine, monkeypatch):  # type: ignore[no-untyped-def]
    shrink_thresholds(monkeypatch, hot=4, monthly=8)  # the opening positions get both summaries
    import_pgn_files(engine, [EXPLORER_SAMPLE], index_plies=40, batch_size=SMALL_BATCH)
    return read_games([EXPLORER_SAMPLE])


def _again(tmp_path):  # type: ignore[no-untyped-def]
    """The explorer sample's games again under other ids: imported, every count doubles."""
    copy = tmp_path / "again.pgn"
    copy.write_text(EXPLORER_SAMPLE.read_text().replace("lichess.org/", "lichess.org/Z"), encoding="utf-8")
    return copy


def _row_count(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM move_stats_all")).scalar())


def _snapshot(engine) -> tuple[dict, dict]:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return move_stats_by_month(connection), month_less_view(connection)


def _by_month(client) -> list:  # type: ignore[no-untyped-def]
    """What the month-by-month readers answer at the opening positions: the charts' months,
    the history, the move flags (their trends), without and with a months filter."""
    bump_generation()
    answers = []
    for play in ("", "e2e4", "e2e4,e7e5", "d2d4,g8f6"):
        for extra in ({}, {"since": "2021-02", "until": "2021-06"}, {"speeds": "blitz"}):
            params = {"play": play, **extra}
            breakdown = client.get("/api/explorer/breakdown", query_string=params)
            history = client.get("/lichess/history", query_string=params)
            flags = client.get("/api/explorer/flags", query_string=params)
            assert breakdown.status_code == history.status_code == flags.status_code == 200
            answers.append((breakdown.get_json(), history.get_json(), flags.get_json()))
    return answers


def _assert_exact(client, games) -> None:  # type: ignore[no-untyped-def]
    bump_generation()  # compaction never changes an answer, so it does not bump: read afresh
    wrong, games_seen = _mismatches(client, games, POSITIONS, FILTERS)
    assert not wrong, f"{len(wrong)} answers differ:\n" + "\n".join(wrong)
    assert games_seen > 500


def test_answers_are_exact_before_and_after_compaction(client, engine, many_batches) -> None:
    _assert_exact(client, many_batches)
    months_before = _by_month(client)
    before_rows = _row_count(engine)
    before = _snapshot(engine)
    report = compaction.compact(engine)
    assert report.merged_rows > 0 and report.hot_added > 0 and report.monthly_added > 0
    assert _row_count(engine) == before_rows - report.merged_rows
    assert _snapshot(engine) == before  # the same counts, in fewer rows
    _assert_exact(client, many_batches)
    assert _by_month(client) == months_before
    with engine.connect() as connection:  # ... read from the start position's monthly summary
        assert connection.execute(
            text("SELECT count(*) FROM monthly_positions WHERE position_key = :k"), {"k": _start_key()}
        ).scalar() == 1
        summary_rows, month_rows = connection.execute(
            text(
                "SELECT (SELECT count(*) FROM move_stats_monthly WHERE position_key = :k), "
                "(SELECT count(*) FROM move_stats_all WHERE position_key = :k)"
            ),
            {"k": _start_key()},
        ).one()
    assert 0 < summary_rows < month_rows
    with engine.connect() as connection:  # the start position is hot: its rollup holds all
        start_rows = connection.execute(
            text("SELECT count(*) FROM hot_positions WHERE position_key = :k"),
            {"k": _start_key()},
        ).scalar()
    assert start_rows == 1
    again = compaction.compact(engine)  # nothing appended since: nothing to do
    assert (again.merged_rows, again.hot_added, again.ranges) == (0, 0, 0)


def _rows_by_position(engine) -> dict[int, list[tuple]]:  # type: ignore[no-untyped-def]
    """Each position's statistics rows: key columns and counts, sorted."""
    columns = f"{compaction.MONTH_GROUP}, white, draws, black, rating_sum"
    with engine.connect() as connection:
        rows = connection.execute(text(f"SELECT {columns} FROM move_stats_all")).all()
    by_position: dict[int, list[tuple]] = {}
    for row in rows:
        by_position.setdefault(row[0], []).append(tuple(row))
    return {key: sorted(found) for key, found in by_position.items()}


def test_only_positions_with_more_rows_than_merge_rows_are_merged(
    client, engine, many_batches, monkeypatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    merge_rows = 6
    monkeypatch.setattr(compaction, "MERGE_ROWS", merge_rows)
    # every lichess game again under another id of 8 characters (so in the same collection):
    # each key at least twice
    copy = tmp_path / "again.pgn"
    copy.write_text(re.sub(r"lichess\.org/\w", "lichess.org/Z", EXPLORER_SAMPLE.read_text()), encoding="utf-8")
    assert import_pgn_files(engine, [copy], index_plies=40, batch_size=SMALL_BATCH).imported == len(many_batches)
    before = _rows_by_position(engine)
    key_count = len(compaction.MONTH_GROUP.split(", "))

    def repeated(rows: list[tuple]) -> bool:
        return len({row[:key_count] for row in rows}) < len(rows)

    few = {key for key, rows in before.items() if len(rows) <= merge_rows}
    assert any(repeated(before[key]) for key in few)  # keys that would merge, left as they are
    assert any(repeated(rows) for key, rows in before.items() if key not in few)
    report = compaction.compact(engine)
    after = _rows_by_position(engine)
    assert {key: after[key] for key in few} == {key: before[key] for key in few}
    merged = 0
    for key in before.keys() - few:
        assert not repeated(after[key]), key
        merged += len(before[key]) - len(after[key])
    assert merged == report.merged_rows > 0
    _assert_exact(client, read_games([EXPLORER_SAMPLE, copy]))


def _start_key() -> int:
    import chess

    from webapp.model.position import position_key

    return position_key(chess.Board())


def test_a_new_summary_is_written_in_key_order(engine, many_batches) -> None:
    """Compaction writes a position's new rollup and monthly summary rows together (in key
    order), so reading a hot position reads a few pages, not one a row: in the tables'
    physical order each position's rows form one run. PostgreSQL is kept from sorting where
    it need not, as at scale, where it sums by hashing; SQLite keeps these tables in key
    order (WITHOUT ROWID). With two workers (compaction.PARTS) too: the second writes its
    new summaries after the first has written all of its own."""
    if engine.dialect.name != "postgresql":
        with engine.connect() as connection:
            for table in ("move_stats_rollup", "move_stats_monthly"):
                sql = connection.execute(text("SELECT sql FROM sqlite_master WHERE name = :t"), {"t": table}).scalar()
                assert "WITHOUT ROWID" in sql.upper(), table
        return

    def no_needless_sort(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET enable_sort = off")

    # fresh heaps: the room rows an earlier test deleted left (the app fixture empties the
    # tables with DELETE) would take new rows out of key order once vacuumed
    with engine.begin() as connection:
        for table in ("move_stats_rollup", "move_stats_monthly"):
            assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0, table
        connection.execute(text("TRUNCATE move_stats_rollup, move_stats_monthly"))
    event.listen(engine, "connect", no_needless_sort)
    engine.dispose()
    try:
        compaction.compact(engine)
    finally:
        event.remove(engine, "connect", no_needless_sort)
        engine.dispose()
    with engine.connect() as connection:
        for table in ("move_stats_rollup", "move_stats_monthly"):
            keys = connection.execute(text(f"SELECT position_key FROM {table} ORDER BY ctid")).scalars().all()
            runs = [key for index, key in enumerate(keys) if index == 0 or keys[index - 1] != key]
            assert len(set(keys)) > 5, table  # several positions summarized
            assert len(runs) == len(set(runs)), (table, len(runs), len(set(runs)))


def test_imports_after_compaction_add_to_hot_positions(client, engine, many_batches, tmp_path) -> None:
    compaction.compact(engine)
    copy = _again(tmp_path)  # every count doubles
    import_pgn_files(engine, [copy], index_plies=40, batch_size=SMALL_BATCH)
    doubled = read_games([EXPLORER_SAMPLE, copy])
    _assert_exact(client, doubled)  # hot rollup and monthly summary + rows appended since
    months = _by_month(client)
    compaction.compact(engine)
    _assert_exact(client, doubled)
    assert _by_month(client) == months


def _summaries_behind(engine) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """The latest batch, and the hot and monthly positions whose summary is older."""
    with engine.connect() as connection:
        return connection.execute(
            text(
                "SELECT (SELECT max(id) FROM stat_batches), "
                "(SELECT count(*) FROM hot_positions WHERE seq < (SELECT max(id) FROM stat_batches)), "
                "(SELECT count(*) FROM monthly_positions WHERE seq < (SELECT max(id) FROM stat_batches))"
            )
        ).one()


#: a position's appended rows that refresh_summaries counts: all of them at a position with
#: a monthly summary, the wide ones elsewhere (webapp.indexer.compact._busiest)
_COUNTED = "(m.game_id IS NULL OR s.position_key IN (SELECT position_key FROM monthly_positions))"
#: each hot position's appended rows counted so
_COUNTED_FOR_HOT = (
    "SELECT s.position_key, count(*) FROM hot_positions s JOIN move_stats_all m "
    f"ON m.position_key = s.position_key AND m.seq > s.seq WHERE {_COUNTED} GROUP BY s.position_key"
)


@pytest.mark.parametrize("summarize_every", [0, SMALL_BATCH])
def test_a_long_import_keeps_the_summaries_up_to_date(
    client, engine, many_batches, tmp_path, monkeypatch, summarize_every
) -> None:  # type: ignore[no-untyped-def]
    """Between compactions, an import adds its rows to the hot and monthly positions'
    summaries every `summarize_every` games (where it counts rows: _COUNTED); the answers
    stay exact, and a compaction after changes none of them."""
    monkeypatch.setattr(compaction, "REFRESH_ROWS", 0)  # every position with a row counted
    compaction.compact(engine)
    with engine.connect() as connection:
        hot, monthly = (
            connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() for table in ("hot_positions", "monthly_positions")
        )
    assert hot > 0 and monthly > 0
    copy = _again(tmp_path)
    import_pgn_files(engine, [copy], index_plies=40, batch_size=SMALL_BATCH, summarize_every=summarize_every)
    latest, hot_behind, monthly_behind = _summaries_behind(engine)
    with engine.connect() as connection:
        counted = len(connection.execute(text(_COUNTED_FOR_HOT)).all())
    if summarize_every:  # refreshed after every batch of 5 new games: all but the last at least
        with engine.connect() as connection:
            previous = connection.execute(
                text("SELECT max(id) FROM stat_batches WHERE id < :latest"), {"latest": latest}
            ).scalar()
            behind = connection.execute(
                text(
                    "SELECT count(*) FROM (SELECT position_key, seq FROM hot_positions UNION ALL "
                    "SELECT position_key, seq FROM monthly_positions) AS s "
                    "JOIN move_stats_all m ON m.position_key = s.position_key AND m.seq > s.seq AND m.seq <= :previous "
                    f"WHERE {_COUNTED}"
                ),
                {"previous": previous},
            ).scalar()
        assert behind == 0
    else:  # the summaries are as the compaction left them, until refreshed
        assert (hot_behind, monthly_behind) == (hot, monthly)
        assert 0 < counted < hot  # the others have one-game rows alone appended
        refresh = compaction.refresh_summaries(engine)
        assert refresh.positions == counted and refresh.rollup_rows > 0 and refresh.monthly_rows > 0
        assert _summaries_behind(engine) == (latest, hot - counted, 0)
        again = compaction.refresh_summaries(engine)  # nothing counted since
        assert (again.positions, again.rollup_rows, again.monthly_rows) == (0, 0, 0)
    doubled = read_games([EXPLORER_SAMPLE, copy])
    _assert_exact(client, doubled)
    months = _by_month(client)
    view = _snapshot(engine)
    compaction.compact(engine)
    assert _snapshot(engine) == view
    _assert_exact(client, doubled)
    assert _by_month(client) == months


#: each hot position's rows appended since its rollup, wide and one-game (webapp.db.singles)
_APPENDED_TO_HOT = (
    "SELECT h.position_key, count(*) FROM hot_positions h JOIN move_stats_all m "
    "ON m.position_key = h.position_key AND m.seq > h.seq GROUP BY h.position_key"
)


def _appended_to_hot(engine, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """The sample again after a compaction, with REFRESH_ROWS set so that about half the hot
    positions have more rows counted (_COUNTED_FOR_HOT): the copy, each hot position's
    appended rows, those with more counted."""
    compaction.compact(engine)
    copy = _again(tmp_path)
    import_pgn_files(engine, [copy], index_plies=40, batch_size=SMALL_BATCH)
    with engine.connect() as connection:
        counts = dict(connection.execute(text(_APPENDED_TO_HOT)).all())
        counted = dict(connection.execute(text(_COUNTED_FOR_HOT)).all())
    many = sorted(counted.values())[len(counted) // 2]
    busiest = {key for key, n in counted.items() if n > many}
    assert 0 < len(busiest) < len(counts)
    monkeypatch.setattr(compaction, "REFRESH_ROWS", many)
    return copy, counts, busiest


def test_only_positions_with_many_rows_appended_are_refreshed(client, engine, many_batches, tmp_path, monkeypatch) -> None:
    copy, counts, expected = _appended_to_hot(engine, tmp_path, monkeypatch)
    with engine.connect() as connection:
        before = dict(connection.execute(text("SELECT position_key, seq FROM hot_positions")).all())
    refresh = compaction.refresh_summaries(engine)
    with engine.connect() as connection:
        after = dict(connection.execute(text("SELECT position_key, seq FROM hot_positions")).all())
        left = dict(connection.execute(text(_APPENDED_TO_HOT)).all())
    assert refresh.positions == len(expected)
    assert {key for key in after if after[key] != before[key]} == expected
    assert set(left) == set(counts) - expected
    _assert_exact(client, read_games([EXPLORER_SAMPLE, copy]))


def test_one_game_rows_count_only_at_positions_with_a_monthly_summary(
    client, engine, many_batches, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Every hot position of the sample has rows appended, but those without a monthly
    summary only one-game rows: with a threshold below every count, the positions with a
    monthly summary are refreshed and those are left to the compaction."""
    copy, counts, _busiest = _appended_to_hot(engine, tmp_path, monkeypatch)
    fewest = min(counts.values())
    monkeypatch.setattr(compaction, "REFRESH_ROWS", fewest - 1)
    with engine.connect() as connection:
        monthly = set(connection.execute(text("SELECT position_key FROM monthly_positions")).scalars())
        wide = set(connection.execute(text(_APPENDED_TO_HOT.replace("move_stats_all", "move_stats"))).scalars())
    expected = set(counts) & monthly
    assert fewest > 0 and 0 < len(expected) < len(counts)
    assert not wide - monthly  # the others' rows are all one-game rows
    refresh = compaction.refresh_summaries(engine)
    with engine.connect() as connection:
        left = dict(connection.execute(text(_APPENDED_TO_HOT)).all())
    assert refresh.positions == len(expected)
    assert set(left) == set(counts) - expected
    _assert_exact(client, read_games([EXPLORER_SAMPLE, copy]))


def test_a_refresh_whose_monthly_half_fails_leaves_every_count_once(client, engine, many_batches, tmp_path, monkeypatch) -> None:
    """On PostgreSQL the rollups and the monthly summaries are refreshed in transactions of
    their own, at once: the rollups' commits though the other fails; on SQLite, one
    transaction, neither does. Either way every answer stays exact."""
    copy, _counts, expected = _appended_to_hot(engine, tmp_path, monkeypatch)
    months = _by_month(client)
    with engine.connect() as connection:
        hot_before = dict(connection.execute(text("SELECT position_key, seq FROM hot_positions")).all())
        monthly_before = dict(connection.execute(text("SELECT position_key, seq FROM monthly_positions")).all())

    def killed(*_args) -> None:  # type: ignore[no-untyped-def]
        raise RuntimeError("killed while adding to the monthly summaries")

    monkeypatch.setattr(compaction, "_add_to_monthly", killed)
    with pytest.raises(RuntimeError, match="killed"):
        compaction.refresh_summaries(engine)
    with engine.connect() as connection:
        hot_after = dict(connection.execute(text("SELECT position_key, seq FROM hot_positions")).all())
        monthly_after = dict(connection.execute(text("SELECT position_key, seq FROM monthly_positions")).all())
    refreshed = {key for key in hot_after if hot_after[key] != hot_before[key]}
    assert refreshed == (expected if engine.dialect.name == "postgresql" else set())
    assert monthly_after == monthly_before
    _assert_exact(client, read_games([EXPLORER_SAMPLE, copy]))
    assert _by_month(client) == months


def test_compaction_brings_the_busiest_positions_up_to_date_before_its_ranges(
    client, engine, many_batches, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The hot positions with more than REFRESH_ROWS rows appended take them into their
    summaries before the first range is compacted; the others as their range comes; no
    answer changes."""
    copy, counts, busiest = _appended_to_hot(engine, tmp_path, monkeypatch)
    left_at_first_range: list[set[int]] = []
    ranges = compaction._compact_parts

    def observed(*args, **kwargs):  # type: ignore[no-untyped-def]
        with engine.connect() as connection:
            left_at_first_range.append(set(dict(connection.execute(text(_APPENDED_TO_HOT)).all())))
        return ranges(*args, **kwargs)

    monkeypatch.setattr(compaction, "_compact_parts", observed)
    doubled = read_games([EXPLORER_SAMPLE, copy])
    months = _by_month(client)
    report = compaction.compact(engine)
    assert left_at_first_range == [set(counts) - busiest]
    assert report.refreshed == len(busiest)
    with engine.connect() as connection:
        assert connection.execute(text(_APPENDED_TO_HOT)).all() == []
    _assert_exact(client, doubled)
    assert _by_month(client) == months

def test_import_refreshes_the_summaries_every_so_many_games(engine, many_batches, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(compaction, "REFRESH_ROWS", 0)
    compaction.compact(engine)
    refreshes: list[int] = []
    real = compaction.refresh_summaries

    def counted(engine):  # type: ignore[no-untyped-def]
        refreshes.append(_summaries_behind(engine)[0])
        return real(engine)

    monkeypatch.setattr(compaction, "refresh_summaries", counted)
    copy = _again(tmp_path)
    import_pgn_files(engine, [copy], index_plies=40, batch_size=SMALL_BATCH, summarize_every=2 * SMALL_BATCH)
    # 44 games in batches of 5: after the 2nd, 4th, 6th and 8th batch
    assert len(refreshes) == len(read_games([copy])) // (2 * SMALL_BATCH)
    assert len(set(refreshes)) == len(refreshes)


def test_an_import_of_several_files_compacts_every_so_many_games_across_them(
    client, engine, many_batches, tmp_path, monkeypatch
) -> None:
    """No file holds compact_every games, yet the import compacts after every that many."""
    compactions: list[int] = []
    real = compaction.compact

    def counted(engine, **options):  # type: ignore[no-untyped-def]
        compactions.append(_summaries_behind(engine)[0])
        return real(engine, **options)

    monkeypatch.setattr(compaction, "compact", counted)
    games = ("\n\n" + _again(tmp_path).read_text(encoding="utf-8").strip()).split("\n\n[Event ")[1:]
    files = []
    for index in range(4):
        path = tmp_path / f"part{index}.pgn"
        path.write_text("".join(f"[Event {game}\n\n" for game in games[index::4]), encoding="utf-8")
        files.append(path)
    every = 4 * SMALL_BATCH
    assert len(games) == 46 and all(len(games[index::4]) < every for index in range(4))
    report = import_pgn_files(engine, files, index_plies=40, batch_size=SMALL_BATCH, compact_every=every)
    assert report.imported == 44  # of the 46: a Chess960 game is skipped, one game is there twice
    assert len(compactions) == 2  # after the 20th and the 40th new game
    assert compactions == sorted(set(compactions))
    _assert_exact(client, read_games([EXPLORER_SAMPLE, *files]))


def test_compaction_refreshes_the_planner_statistics_of_the_tables_it_changed(
    engine, many_batches, monkeypatch, tmp_path
) -> None:
    """On PostgreSQL the statistics tables a compaction changed by more than ANALYZE_SHARE
    of their estimated rows are analyzed at its end, so the planner's row estimates are
    the rows there now (exact: ANALYZE reads every row of a small table); a compaction
    with nothing to do, or changes under the share, analyzes nothing."""
    monkeypatch.setattr(compaction, "ANALYZE_SHARE", 0.0)
    report = compaction.compact(engine)
    tables = (
        "move_stats", "move_singles", "move_stats_rollup", "move_stats_monthly", "hot_positions", "monthly_positions",
        "move_stats_bandless", "bandless_positions",
    )  # fmt: skip
    if engine.dialect.name != "postgresql":
        assert report.analyzed == ()
        return
    assert report.merged_rows and report.rollup_rows and report.monthly_rows and report.monthly_added
    assert report.bandless_added == report.monthly_added
    assert report.analyzed == tables
    with engine.connect() as connection:
        estimates = {
            table: int(connection.execute(text(f"SELECT reltuples FROM pg_class WHERE relname = '{table}'")).scalar())
            for table in tables
        }
        rows = {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() for table in tables}
    assert estimates == rows
    assert compaction.compact(engine).analyzed == ()  # nothing appended since
    copy = _again(tmp_path)
    import_pgn_files(engine, [copy], index_plies=40, batch_size=SMALL_BATCH)
    monkeypatch.setattr(compaction, "ANALYZE_SHARE", 1e9)
    report = compaction.compact(engine)
    assert report.merged_rows and report.analyzed == ()  # every change under the share


def test_compaction_first_analyzes_a_statistics_table_it_has_no_estimate_for(engine, monkeypatch) -> None:
    """A new store's appended rows have no planner estimate (PostgreSQL): compaction
    analyzes the statistics rows' tables (wide and narrow) before its first range, so its
    lookups by key are planned for the rows there (reltuples: the rows before merging),
    whatever the share that decides the analysis at its end. The emptied tables are
    analyzed first (their estimate: no rows), and autovacuum is off for them (move_singles'
    runs: autovacuum never analyzes a partitioned table itself) meanwhile, so no other
    analysis runs."""
    if engine.dialect.name != "postgresql":
        return  # PostgreSQL's planner estimates
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        heaps = ["move_stats", *(run.name for run in runs.runs(connection))]
        for table in ROW_TABLES:
            connection.execute(text(f"VACUUM ANALYZE {table}"))
        for table in heaps:
            connection.execute(text(f"ALTER TABLE {table} SET (autovacuum_enabled = false)"))
    try:
        monkeypatch.setattr(compaction, "ANALYZE_SHARE", 1e9)
        import_pgn_files(engine, [EXPLORER_SAMPLE], index_plies=40, batch_size=SMALL_BATCH)
        with engine.connect() as connection:
            appended = {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() for table in ROW_TABLES}
        assert appended["move_singles"]  # this sample's rows: nearly all of one game
        report = compaction.compact(engine)
        assert report.merged_rows and "move_singles" not in report.analyzed
        with engine.connect() as connection:
            estimates = {
                table: int(connection.execute(text(f"SELECT reltuples FROM pg_class WHERE relname = '{table}'")).scalar())
                for table in ROW_TABLES
            }
        # the narrow rows' estimate is of the rows before merging: analyzed before, not after
        assert estimates["move_singles"] == appended["move_singles"]
    finally:
        with engine.begin() as connection:
            for table in heaps:
                connection.execute(text(f"ALTER TABLE IF EXISTS {table} RESET (autovacuum_enabled)"))  # a run may be merged away


def test_an_interrupted_compaction_loses_nothing(client, engine, many_batches, monkeypatch) -> None:
    before = _snapshot(engine)
    real = compaction._compact_range
    done: list[int] = []

    def dies_halfway(connection, low, high, since, upto, report, **kwargs):  # type: ignore[no-untyped-def]
        if len(done) == compaction.RANGES // 2:
            real(connection, low, high, since, upto, report, **kwargs)  # its work is rolled back
            raise KeyboardInterrupt
        done.append(low)
        real(connection, low, high, since, upto, report, **kwargs)

    monkeypatch.setattr(compaction, "_compact_range", dies_halfway)
    with pytest.raises(KeyboardInterrupt):
        compaction.compact(engine)
    assert _snapshot(engine) == before
    _assert_exact(client, many_batches)
    monkeypatch.setattr(compaction, "_compact_range", real)
    compaction.compact(engine)  # takes up what is left
    assert _snapshot(engine) == before
    _assert_exact(client, many_batches)
    assert compaction.compact(engine).ranges == 0


def test_reads_stay_exact_while_importing_and_compacting(client, engine, monkeypatch) -> None:
    """A reader sees, at every moment, the counts of a whole number of batches."""
    shrink_thresholds(monkeypatch, hot=4, monthly=8)
    monkeypatch.setattr(compaction, "REFRESH_ROWS", 0)
    games = read_games([EXPLORER_SAMPLE])
    # whole batches only: the batches of SMALL_BATCH games and the last, smaller one, in any
    # order (PostgreSQL writes two batches at once, so the last may land before another)
    full, last = divmod(len(games), SMALL_BATCH)
    start_totals = {SMALL_BATCH * a + last * b for a in range(full + 1) for b in (0, 1)}
    seen: list[int] = []
    errors: list[BaseException] = []
    finished = threading.Event()

    def importer() -> None:
        try:
            import_pgn_files(
                engine, [EXPLORER_SAMPLE], index_plies=40, batch_size=SMALL_BATCH, compact_every=10,
                summarize_every=SMALL_BATCH,
            )
            compaction.compact(engine)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            finished.set()

    thread = threading.Thread(target=importer)
    thread.start()
    reader = client.application.test_client()
    while not finished.is_set() or len(seen) < 3:
        bump_generation()
        body = reader.get("/api/explorer").get_json()
        seen.append(body["white"] + body["draws"] + body["black"])
        assert sum(m["white"] + m["draws"] + m["black"] for m in body["moves"]) <= seen[-1]
    thread.join()
    assert not errors, errors
    assert set(seen) <= start_totals, sorted(set(seen) - start_totals)
    assert seen == sorted(seen)  # never a step back
    assert seen[-1] == len(games)
    final = reader.get("/api/explorer").get_json()
    assert api_numbers(final) == reference(games)


def test_a_position_summarized_by_month_first_still_gets_hot(client, engine, monkeypatch, tmp_path) -> None:
    """Thresholds change (or a migration summarizes first): a position with a monthly summary
    but no rollup yet gets one when it passes HOT_ROWS, and the answers stay exact."""
    monkeypatch.setattr(compaction, "HOT_ROWS", 10_000)
    monkeypatch.setattr(compaction, "MONTHLY_ROWS", 8)
    import_pgn_files(engine, [EXPLORER_SAMPLE], index_plies=40, batch_size=SMALL_BATCH)
    compaction.compact(engine)
    count = "SELECT count(*) FROM {} WHERE position_key = :k"
    with engine.connect() as connection:
        assert connection.execute(text(count.format("monthly_positions")), {"k": _start_key()}).scalar() == 1
        assert connection.execute(text(count.format("hot_positions")), {"k": _start_key()}).scalar() == 0
    shrink_thresholds(monkeypatch, hot=4)
    copy = _again(tmp_path)
    import_pgn_files(engine, [copy], index_plies=40, batch_size=SMALL_BATCH)
    doubled = read_games([EXPLORER_SAMPLE, copy])
    months = _by_month(client)
    report = compaction.compact(engine)
    assert report.hot_added > 0
    with engine.connect() as connection:
        assert connection.execute(text(count.format("hot_positions")), {"k": _start_key()}).scalar() == 1
    _assert_exact(client, doubled)
    assert _by_month(client) == months


def test_compaction_workers_share_the_ranges_and_report_each_in_the_calling_thread(
    client, engine, many_batches, monkeypatch
) -> None:
    """Every range is compacted once, whichever worker takes it, and progress is told in
    the caller's thread (a job's progress writes through the caller's own session), then
    again before each later step (a merge of runs of one-game rows, on PostgreSQL)."""
    # the sample's nine batches leave nine small runs: merged from two on, whatever runs
    # earlier tests left in the session's database
    monkeypatch.setattr(runs, "MAX_SMALL_RUNS", 2)
    before = _snapshot(engine)
    calls: list[tuple[int, int, str]] = []
    steps: list[str] = []
    report = compaction.compact(
        engine,
        progress=lambda done, ranges: calls.append((done, ranges, threading.current_thread().name)),
        steps=steps.append,
    )
    assert report.ranges == compaction.RANGES
    caller = threading.current_thread().name
    assert steps[0] == compaction.REFRESH_STEP  # before the ranges, with no progress told
    # PostgreSQL: the runs of one-game rows the batches left, merged before the ranges (no
    # batch lands during them: nothing to merge after), each merge told at no range yet
    early = len(steps) - 1
    assert (early > 0) == (engine.dialect.name == "postgresql")
    assert calls == [(0, compaction.RANGES, caller)] * early + [
        (done, compaction.RANGES, caller) for done in range(1, compaction.RANGES + 1)
    ]
    assert report.merged_rows and report.hot_added and report.monthly_added
    assert _snapshot(engine) == before
    _assert_exact(client, many_batches)


def test_two_compactions_at_once_count_every_game_once(client, engine, many_batches) -> None:
    """PostgreSQL: a compaction started while another runs (the scheduler's beside an
    import's) waits for it, then compacts what is left: no row is merged or summarized
    twice."""
    if engine.dialect.name != "postgresql":
        return  # SQLite's one writer
    before = _snapshot(engine)
    started = threading.Barrier(2, timeout=30)
    reports: list[compaction.CompactReport] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            started.wait()
            reports.append(compaction.compact(engine))
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sorted(report.ranges for report in reports) == [0, compaction.RANGES]
    assert _snapshot(engine) == before
    _assert_exact(client, many_batches)


def test_an_import_batch_lands_while_a_compaction_range_runs(client, engine, many_batches, tmp_path, monkeypatch) -> None:
    """PostgreSQL: a range holds the statistics lock shared, as a batch does, so an import
    goes on during a compaction (the batch's rows are of a later batch, which the range
    leaves alone), and the counts are exact after both."""
    if engine.dialect.name != "postgresql":
        return  # SQLite's one writer
    copy = _again(tmp_path)
    first_landed, range_open, later_landed = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    calls: list[int] = []

    def progress(_report) -> None:  # type: ignore[no-untyped-def]
        calls.append(len(calls))
        if len(calls) == 1:
            first_landed.set()
            range_open.wait(timeout=60)  # the import waits here for the range to begin
        elif len(calls) == 3:  # the batch after the one in flight meanwhile (two writers)
            later_landed.set()

    def importer() -> None:
        try:
            import_pgn_files(engine, [copy], index_plies=40, batch_size=SMALL_BATCH, progress=progress)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    real = compaction._compact_range
    seen: list[bool] = []

    def waits_for_a_batch(connection, low, high, since, upto, report, **kwargs):  # type: ignore[no-untyped-def]
        real(connection, low, high, since, upto, report, **kwargs)
        if not seen:  # still in this range's transaction
            range_open.set()
            seen.append(later_landed.wait(timeout=30))

    thread = threading.Thread(target=importer)
    thread.start()
    assert first_landed.wait(timeout=60)
    monkeypatch.setattr(compaction, "_compact_range", waits_for_a_batch)
    try:
        compaction.compact(engine, parts=1)
    finally:
        range_open.set()
        thread.join(timeout=60)
    assert not errors, errors
    assert seen == [True]
    monkeypatch.setattr(compaction, "_compact_range", real)
    doubled = read_games([EXPLORER_SAMPLE, copy])
    _assert_exact(client, doubled)
    compaction.compact(engine)
    _assert_exact(client, doubled)


def _record(engine, key: int):  # type: ignore[no-untyped-def]
    """The position's merged_positions row (seq, row_count), its rows now, the latest batch."""
    with engine.connect() as connection:
        record = connection.execute(
            text("SELECT seq, row_count FROM merged_positions WHERE position_key = :k"), {"k": key}
        ).one_or_none()
        rows = connection.execute(text("SELECT count(*) FROM move_stats_all WHERE position_key = :k"), {"k": key}).scalar()
        latest = connection.execute(text("SELECT max(id) FROM stat_batches")).scalar()
    return record, rows, latest


def _repeated_keys(engine, key: int) -> int:
    """The position's keys with more than one row."""
    with engine.connect() as connection:
        return connection.execute(
            text(
                f"SELECT count(*) FROM (SELECT 1 FROM move_stats_all WHERE position_key = :k "
                f"GROUP BY {compaction.MONTH_GROUP} HAVING count(*) > 1) AS repeated"
            ),
            {"k": key},
        ).scalar()


def test_a_merged_position_is_merged_again_once_an_eighth_more_rows_came(client, engine, many_batches, tmp_path) -> None:
    """Compaction records the rows a position was left with; a game or two reaching it later
    leave it unmerged (reading all its rows for them is what made compaction follow the
    store's size), the answers exact all along; once the rows appended since are a
    MERGE_SHARE-th of those, it is merged again."""
    start = _start_key()
    compaction.compact(engine)
    (merged_upto, kept), rows, latest = _record(engine, start)
    assert (merged_upto, kept) == (latest, rows)
    assert kept > compaction.MERGE_SHARE  # so that one more row is not enough
    assert _repeated_keys(engine, start) == 0

    sample = _again(tmp_path).read_text(encoding="utf-8")
    first, _, rest = sample.partition("\n\n[Event ")
    one = tmp_path / "one.pgn"
    one.write_text(first + "\n", encoding="utf-8")
    import_pgn_files(engine, [one], index_plies=40)
    compaction.compact(engine)
    record, rows, latest = _record(engine, start)
    assert record == (merged_upto, kept) and rows == kept + 1  # left as it was
    _assert_exact(client, read_games([EXPLORER_SAMPLE, one]))

    others = tmp_path / "others.pgn"
    others.write_text("[Event " + rest, encoding="utf-8")
    import_pgn_files(engine, [others], index_plies=40)
    compaction.compact(engine)
    (merged_upto, kept), rows, latest = _record(engine, start)
    assert (merged_upto, kept) == (latest, rows)  # merged again, the game before too
    assert _repeated_keys(engine, start) == 0
    _assert_exact(client, read_games([EXPLORER_SAMPLE, one, others]))


def test_a_merged_position_left_with_few_rows_is_not_recorded(client, engine, many_batches, monkeypatch, tmp_path) -> None:
    """Only positions left with RECORD_ROWS rows or more are recorded; a record from before
    goes when a merge leaves fewer."""
    compaction.compact(engine)
    record, rows, _latest = _record(engine, _start_key())
    assert record is not None and rows >= compaction.RECORD_ROWS
    monkeypatch.setattr(compaction, "RECORD_ROWS", 10**6)  # now every position has fewer
    copy = _again(tmp_path)  # every position reached again by as many games: all due
    import_pgn_files(engine, [copy], index_plies=40, batch_size=SMALL_BATCH)
    compaction.compact(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM merged_positions")).scalar() == 0
    _assert_exact(client, read_games([EXPLORER_SAMPLE, copy]))


def test_an_import_goes_on_while_its_own_compaction_runs(client, engine, many_batches, tmp_path, monkeypatch) -> None:
    """PostgreSQL: the compaction an import asks for every compact_every games runs in a
    thread beside it, so batches land while it runs; the import returns once it has ended,
    and the counts are exact."""
    if engine.dialect.name != "postgresql":
        return  # SQLite's one writer compacts between the batches
    landed: list[int] = []
    more_landed = threading.Event()
    during: list[bool] = []
    real = compaction.compact

    def progress(report) -> None:  # type: ignore[no-untyped-def]
        landed.append(report.imported)
        if compacting.is_set():
            more_landed.set()

    compacting = threading.Event()

    def slow(engine, **options):  # type: ignore[no-untyped-def]
        compacting.set()
        during.append(more_landed.wait(timeout=60))  # a batch lands before it goes on
        try:
            return real(engine, **options)
        finally:
            compacting.clear()
            more_landed.clear()

    monkeypatch.setattr(compaction, "compact", slow)
    report = import_pgn_files(
        engine, [_again(tmp_path)], index_plies=40, batch_size=SMALL_BATCH, progress=progress,
        compact_every=4 * SMALL_BATCH,
    )  # fmt: skip
    assert report.imported == 44
    assert during == [True, True]  # after the 20th and the 40th new game
    assert not [thread for thread in threading.enumerate() if thread.name == "import-compaction"]
    real(engine)
    _assert_exact(client, many_batches + many_batches)


@pytest.mark.parametrize(("max_small_runs", "first_report"), [(10**9, 1), (2, 0)])
def test_an_import_that_fails_stops_its_compaction_and_loses_nothing(
    client, engine, many_batches, tmp_path, monkeypatch, max_small_runs, first_report
) -> None:
    """PostgreSQL: an import that fails while its compaction runs stops that compaction at
    its next report (after its current range, or before merging the runs of one-game rows
    when the import's batches left enough of them) and raises its own error once it has
    ended; the next compaction takes up what is left and every count is exact. An error in
    the compaction is the import's."""
    if engine.dialect.name != "postgresql":
        return  # SQLite compacts between the batches, in the importing thread
    from webapp.indexer import load, runs

    monkeypatch.setattr(runs, "MAX_SMALL_RUNS", max_small_runs)  # whatever earlier tests left

    ranges_reported: list[int] = []
    real, real_stop = compaction.compact, load._BackgroundCompaction.stop
    compacting, stopping = threading.Event(), threading.Event()

    def watched(engine, *, progress, **options):  # type: ignore[no-untyped-def]
        def each(done: int, ranges: int) -> None:
            ranges_reported.append(done)
            compacting.set()
            stopping.wait(timeout=60)  # the import has failed meanwhile
            progress(done, ranges)

        return real(engine, progress=each, **options)

    def stop(self) -> None:  # type: ignore[no-untyped-def]
        self.stopping.set()
        stopping.set()
        real_stop(self)

    def fail_once_compacting(report) -> None:  # type: ignore[no-untyped-def]
        if report.imported >= 2 * SMALL_BATCH and compacting.wait(timeout=60):
            raise KeyboardInterrupt

    monkeypatch.setattr(compaction, "compact", watched)
    monkeypatch.setattr(load._BackgroundCompaction, "stop", stop)
    with pytest.raises(KeyboardInterrupt):
        import_pgn_files(
            engine, [_again(tmp_path)], index_plies=40, batch_size=SMALL_BATCH, progress=fail_once_compacting,
            compact_every=2 * SMALL_BATCH,
        )  # fmt: skip
    assert not [thread for thread in threading.enumerate() if thread.name == "import-compaction"]
    assert ranges_reported == [first_report]  # stopped at its first report
    monkeypatch.setattr(compaction, "compact", real)
    report = import_pgn_files(engine, [_again(tmp_path)], index_plies=40, batch_size=SMALL_BATCH)  # the rest
    assert report.already_present > 2 * SMALL_BATCH  # landed before the failure (one game is there twice)
    assert report.imported + report.already_present == 45
    real(engine)
    _assert_exact(client, many_batches + many_batches)

    def broken(engine, **options):  # type: ignore[no-untyped-def]
        raise RuntimeError("compaction failed")

    third = tmp_path / "third.pgn"
    third.write_text(EXPLORER_SAMPLE.read_text().replace("lichess.org/", "lichess.org/Y"), encoding="utf-8")
    monkeypatch.setattr(compaction, "compact", broken)
    with pytest.raises(RuntimeError, match="compaction failed"):
        import_pgn_files(engine, [third], index_plies=40, batch_size=SMALL_BATCH, compact_every=SMALL_BATCH)
