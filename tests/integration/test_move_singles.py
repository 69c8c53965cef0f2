"""One-game statistics rows kept narrow (webapp.db.singles): the view move_stats_all gives
back, key by key, the counts, endings, think times and game references the same games
give when every row is written wide; a game the view cannot read back exactly stays wide.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from compaction_thresholds import shrink_thresholds
from explorer_reference import api_numbers, read_games, reference
from sample_games import EXPLORER_SAMPLE
from sqlalchemy import text

from webapp.db.collections import ensure_collections
from webapp.db.singles import MAX_COLLECTION
from webapp.indexer import bulk
from webapp.indexer.bulk import NULLABLE_COUNTS
from webapp.indexer.compact import MONTH_GROUP, compact
from webapp.indexer.pgn import import_pgn_files
from webapp.indexer.reindex import rebuild_statistics
from webapp.model import game_refs

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
#: real games with clocks and terminations: every think-time bucket and ending kind in use
SAMPLE = SHARED_DATA / "lichess" / "lichess_db_standard_rated_2021-10_first999.pgn"
COUNTS = ("white", "draws", "black", "rating_sum", *NULLABLE_COUNTS)
KEY_COLUMNS = MONTH_GROUP.split(", ")


def _by_key(engine) -> dict[tuple, tuple]:  # type: ignore[no-untyped-def]
    """Per key of move_stats_all: its counts summed (NULL as 0), and its game references
    as a sorted list where its games are few enough that no row trimmed them."""
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(COUNTS))
    entries: dict[tuple, list[tuple[int, int, int]]] = defaultdict(list)
    with engine.connect() as connection:
        rows = connection.execute(
            text(f"SELECT {', '.join(KEY_COLUMNS)}, {', '.join(COUNTS)}, refs FROM move_stats_all")
        ).all()
    for row in rows:
        key = tuple(row[: len(KEY_COLUMNS)])
        for index, value in enumerate(row[len(KEY_COLUMNS) : -1]):
            sums[key][index] += value or 0
        entries[key] += [tuple(int(v) for v in entry) for entry in game_refs.decode(row[-1]).tolist()]
    return {
        key: (tuple(counts), sorted(entries[key]) if sum(counts[:3]) <= game_refs.REFS_KEPT_ALL else None)
        for key, counts in sums.items()
    }


def _rows(engine) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return connection.execute(
            text("SELECT (SELECT count(*) FROM move_stats), (SELECT count(*) FROM move_singles)")
        ).one()


@pytest.mark.skipif(not SAMPLE.exists(), reason="shared lichess sample not available")
def test_narrow_rows_read_back_as_the_wide_rows_they_replace(engine, monkeypatch) -> None:
    with monkeypatch.context() as patch:  # every row wide, as before move_singles
        patch.setattr(bulk, "narrow_games", lambda records, collection, ids: np.zeros(len(ids), bool))
        import_pgn_files(engine, [SAMPLE], index_plies=40)
    wide_rows, narrow_rows = _rows(engine)
    assert narrow_rows == 0
    written_wide = _by_key(engine)
    with engine.begin() as connection:  # the same games counted again, one-game rows narrow
        rebuild_statistics(connection, index_plies=40)
    wide_left, narrow_rows = _rows(engine)
    assert narrow_rows > 10 * wide_left  # most rows count one game
    assert _by_key(engine) == written_wide
    think = [c for c in NULLABLE_COUNTS if c.startswith("think_")]
    totals = np.array([counts for counts, _ in written_wide.values()]).sum(axis=0)
    assert all(totals[COUNTS.index(c)] > 0 for c in ("white_mate", "white_resign", "black_time", "low_clock"))
    assert sum(totals[COUNTS.index(c)] > 0 for c in think) >= 15  # the sample's clocks fill most buckets
    compact(engine)  # merging narrow rows with wide ones keeps every count
    assert _by_key(engine) == written_wide


def test_games_of_a_collection_past_the_narrow_rows_reach_stay_wide(client, engine) -> None:
    with engine.begin() as connection:
        ids = ensure_collections(connection, [f"set-{index}" for index in range(MAX_COLLECTION + 1)])
    assert max(ids.values()) > MAX_COLLECTION
    import_pgn_files(engine, [EXPLORER_SAMPLE], index_plies=40, collection=f"set-{MAX_COLLECTION}")
    assert _rows(engine)[1] == 0
    import_pgn_files(engine, [EXPLORER_SAMPLE], index_plies=40, collection="set-1")  # the games move there
    assert _rows(engine)[1] > 0
    games = read_games([EXPLORER_SAMPLE])
    for play in ([], ["e2e4"], ["d2d4", "g8f6"]):
        numbers = client.get("/api/explorer", query_string={"play": ",".join(play)}).get_json()
        assert api_numbers(numbers) == reference(games, play=play)
        moved = client.get(
            "/api/explorer", query_string={"play": ",".join(play), "collections": f"set-{MAX_COLLECTION}"}
        ).get_json()
        assert api_numbers(moved)["games"] == 0
        kept = client.get("/api/explorer", query_string={"play": ",".join(play), "collections": "set-1"}).get_json()
        assert api_numbers(kept) == reference(games, play=play)


@pytest.mark.skipif(not SAMPLE.exists(), reason="shared lichess sample not available")
def test_one_game_rows_at_the_busiest_positions_stay_wide(client, engine, monkeypatch, tmp_path) -> None:
    """Every read at a position with a monthly summary sums the rows appended since, and a
    narrow row looks its game up: at the busiest of them (BUSIEST_ROWS) an import writes
    its one-game rows wide, narrow elsewhere, and the numbers stay those of python-chess
    before and after compaction."""
    shrink_thresholds(monkeypatch, hot=4, monthly=8)
    monkeypatch.setattr(bulk, "BUSIEST_ROWS", 16)
    text_games = SAMPLE.read_text(encoding="utf-8").strip().split("\n\n[Event ")
    half = len(text_games) // 2
    first, second = tmp_path / "first.pgn", tmp_path / "second.pgn"
    first.write_text("\n\n[Event ".join(text_games[:half]) + "\n", encoding="utf-8")
    second.write_text("[Event " + "\n\n[Event ".join(text_games[half:]) + "\n", encoding="utf-8")
    import_pgn_files(engine, [first], index_plies=40)
    compact(engine)
    with engine.connect() as connection:
        compacted_up_to = connection.execute(text("SELECT max(id) FROM stat_batches")).scalar()
        connection.execute(
            text(
                "CREATE TABLE busiest AS SELECT m.position_key FROM monthly_positions m "
                "JOIN merged_positions p ON p.position_key = m.position_key WHERE p.row_count >= 16"
            )
        )
        connection.commit()
        busiest, monthly = connection.execute(
            text("SELECT (SELECT count(*) FROM busiest), (SELECT count(*) FROM monthly_positions)")
        ).one()
    assert 0 < busiest < monthly
    import_pgn_files(engine, [second], index_plies=40, batch_size=100)
    with engine.connect() as connection:
        narrow_there, wide_there, narrow_elsewhere = connection.execute(
            text(
                "SELECT (SELECT count(*) FROM move_singles WHERE seq > :seq AND position_key IN "
                "(SELECT position_key FROM busiest)), "
                "(SELECT count(*) FROM move_stats WHERE seq > :seq AND white + draws + black = 1 AND "
                "position_key IN (SELECT position_key FROM busiest)), "
                "(SELECT count(*) FROM move_singles WHERE seq > :seq AND position_key IN "
                "(SELECT position_key FROM monthly_positions))"
            ),
            {"seq": compacted_up_to},
        ).one()
    # narrow elsewhere: at the monthly positions with fewer rows too
    assert (narrow_there, wide_there > 0, narrow_elsewhere > 0) == (0, True, True)
    games = read_games([first, second])
    for step in ("appended", "compacted"):
        for play in ([], ["e2e4"], ["d2d4"], ["e2e4", "c7c5"]):
            body = client.get("/api/explorer", query_string={"play": ",".join(play)}).get_json()
            assert api_numbers(body) == reference(games, play=play), (step, play)
            dated = client.get("/api/explorer", query_string={"play": ",".join(play), "since": "2021-10"}).get_json()
            assert api_numbers(dated) == reference(games, play=play, since="2021-10"), (step, play)
        compact(engine)
