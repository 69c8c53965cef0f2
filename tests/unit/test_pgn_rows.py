"""Rows of a batch: once per position per game, NO_MOVE where the indexed part ends, sums."""

from __future__ import annotations

from datetime import date

import chess
import numpy as np

from webapp.indexer.games import GameRecord
from webapp.indexer.rows import move_stats_rows, player_move_stats_rows, prepare_batch
from webapp.model import game_refs
from webapp.model.endings import ENDING_COLUMNS
from webapp.model.position import NO_MOVE, position_key, uci_to_code
from webapp.model.speed import Speed
from webapp.model.think_time import THINK_TIME_COLUMNS


def record(uid: str, moves: str, result: str = "1-0", white: int | None = 1500, black: int | None = 1700) -> GameRecord:
    return GameRecord(
        uid=uid, source="pgn", white="W", black="B", white_rating=white, black_rating=black,
        result=result, speed=Speed.BLITZ, rated=True, played_on=date(2020, 3, 4), moves=moves.split(),
    )  # fmt: skip


def key(moves: str) -> int:
    board = chess.Board()
    for uci in moves.split():
        board.push_uci(uci)
    return position_key(board)


PATH = 6  # move_stats_rows' move-order column


def rows_by_key(
    columns: list[np.ndarray], collection_column: int = 2, values: int = 4, path_column: int | None = PATH
) -> dict[tuple, tuple]:
    """key columns (without the collection and the move order) → counts, the ending counts
    left out (their own tests are in test_ending_rows); every row's collection must be 0."""
    columns = columns[: len(columns) - len(ENDING_COLUMNS) - len(THINK_TIME_COLUMNS)]
    assert not columns[collection_column].any()
    if path_column is not None:
        columns = columns[:path_column] + columns[path_column + 1 :]
    columns = columns[:collection_column] + columns[collection_column + 1 :]
    return {
        tuple(int(c[i]) for c in columns[:-values]): tuple(int(c[i]) for c in columns[-values:])
        for i in range(len(columns[0]))
    }


def test_a_repeated_position_counts_once_with_its_first_move() -> None:
    shuffle = "g1f3 g8f6 f3g1 f6g8 g1f3"
    batch, bad = prepare_batch([record("a", shuffle, "1/2-1/2")], index_plies=40)
    assert bad == []
    rows = rows_by_key(move_stats_rows(batch, np.ones(1, dtype=bool))[0])
    mean_band, month = 16, 202003  # (1500 + 1700) // 2 = 1600
    assert rows == {
        (key(""), uci_to_code("g1f3"), 2, 1, mean_band, month): (0, 1, 0, 1600),
        (key("g1f3"), uci_to_code("g8f6"), 2, 1, mean_band, month): (0, 1, 0, 1600),
        (key("g1f3 g8f6"), uci_to_code("f3g1"), 2, 1, mean_band, month): (0, 1, 0, 1600),
        (key("g1f3 g8f6 f3g1"), uci_to_code("f6g8"), 2, 1, mean_band, month): (0, 1, 0, 1600),
        # after 3.Ng1 Ng8 the start position is back: not counted again
    }


def test_the_indexed_part_ends_with_no_move() -> None:
    batch, _ = prepare_batch([record("a", "e2e4 e7e5 g1f3 b8c6")], index_plies=2)
    rows = rows_by_key(move_stats_rows(batch, np.ones(1, dtype=bool))[0])
    assert sorted((k[0], k[1]) for k in rows) == sorted(
        [(key(""), uci_to_code("e2e4")), (key("e2e4"), uci_to_code("e7e5")), (key("e2e4 e7e5"), NO_MOVE)]
    )


def test_games_sum_and_unknown_ratings_have_no_band() -> None:
    records = [
        record("a", "e2e4", "1-0"),
        record("b", "e2e4", "0-1"),
        record("c", "e2e4", "1/2-1/2", white=None),
    ]
    batch, _ = prepare_batch(records, index_plies=40)
    rows = rows_by_key(move_stats_rows(batch, np.array([True, True, True]))[0])
    assert rows[(key(""), uci_to_code("e2e4"), 2, 1, 16, 202003)] == (1, 0, 1, 3200)
    assert rows[(key(""), uci_to_code("e2e4"), 2, 1, -1, 202003)] == (0, 1, 0, 0)
    only_new = rows_by_key(move_stats_rows(batch, np.array([False, True, False]))[0])
    assert only_new[(key(""), uci_to_code("e2e4"), 2, 1, 16, 202003)] == (0, 0, 1, 1600)


def test_player_rows_carry_own_band_and_opponent_rating() -> None:
    batch, _ = prepare_batch([record("a", "d2d4", "0-1")], index_plies=40)
    rows = rows_by_key(
        player_move_stats_rows(batch, np.ones(1, dtype=bool), np.array([7]), np.array([9]))[0],
        collection_column=4,
        values=5,
        path_column=None,
    )
    # own band, then the game's mean band (1600 // 100); the opponent's rating, then the mean
    assert rows[(7, key(""), 0, uci_to_code("d2d4"), 2, 1, 15, 16, 202003)] == (0, 0, 1, 1700, 1600)
    assert rows[(9, key(""), 1, uci_to_code("d2d4"), 2, 1, 17, 16, 202003)] == (0, 0, 1, 1500, 1600)


def test_player_rows_only_for_tracked_players() -> None:
    batch, _ = prepare_batch([record("a", "d2d4", "0-1")], index_plies=40)
    rows, _refs = player_move_stats_rows(
        batch, np.ones(1, dtype=bool), np.array([7]), np.array([9]), np.array([9, 11])
    )
    assert set(rows[0].tolist()) == {9}
    assert len(rows[0]) == 2  # the start position and the one after 1.d4, as black


def test_rows_carry_each_games_collection() -> None:
    batch, _ = prepare_batch([record("a", "e2e4", "1-0"), record("b", "e2e4", "1-0")], index_plies=40)
    batch.collection = np.array([3, 5])
    rows, _refs = move_stats_rows(batch, np.ones(2, dtype=bool))
    by_collection = {int(c): int(w) for c, w, k in zip(rows[2], rows[8], rows[0], strict=True) if k == key("")}
    assert by_collection == {3: 1, 5: 1}


def test_bad_records_are_returned_with_their_reason() -> None:
    records = [record("a", ""), record("b", "e2e4 e2e4"), record("c", "e2e4", "*"), record("d", "e2e9")]
    batch, bad = prepare_batch(records, index_plies=40)
    assert len(batch) == 0
    assert [reason for _, reason in bad] == ["no moves", "illegal move", "no result", "unparsable move"]


def test_each_row_names_its_games_with_rating_and_date() -> None:
    records = [record("a", "e2e4", "1-0"), record("b", "e2e4", "0-1", white=2000)]
    batch, _ = prepare_batch(records, index_plies=40)
    batch.game_id = np.array([41, 42])
    rows, refs = move_stats_rows(batch, np.ones(2, dtype=bool))
    by_row = {
        (int(rows[0][i]), int(rows[5][i])): game_refs.decode(data).tolist()
        for i, data in enumerate(refs.as_bytes())
    }
    # the start position: band 16 (game a, mean 1600) and band 18 (game b, mean 1850)
    assert by_row[(key(""), 16)] == [(41, 1600, 20200304)]
    assert by_row[(key(""), 18)] == [(42, 1850, 20200304)]


def test_player_rows_rate_games_by_the_players_own_rating() -> None:
    batch, _ = prepare_batch([record("a", "d2d4", "0-1")], index_plies=40)
    batch.game_id = np.array([5])
    rows, refs = player_move_stats_rows(batch, np.ones(1, dtype=bool), np.array([7]), np.array([9]))
    ratings = {
        (int(rows[0][i]), int(rows[1][i])): game_refs.decode(data)["rating"].tolist()
        for i, data in enumerate(refs.as_bytes())
    }
    assert ratings[(7, key(""))] == [1500]
    assert ratings[(9, key(""))] == [1700]


def test_a_row_of_many_games_keeps_its_best_and_newest() -> None:
    rng = np.random.default_rng(7)
    n = 200
    ratings = rng.integers(1000, 1040, n)  # many ties, so the date and id decide
    days = rng.integers(1, 5, n)
    records = [
        GameRecord(
            uid=f"g{i}", source="pgn", white="W", black="B", white_rating=int(ratings[i]),
            black_rating=int(ratings[i]), result="1-0", speed=Speed.BLITZ, rated=True,
            played_on=date(2021, 1, int(days[i])), moves=["e2e4"],
        )  # fmt: skip
        for i in range(n)
    ]
    batch, _ = prepare_batch(records, index_plies=40)
    batch.game_id = np.arange(1000, 1000 + n)
    rows, refs = move_stats_rows(batch, np.ones(n, dtype=bool))
    start = [i for i in range(len(rows[0])) if rows[0][i] == key("")]
    kept = game_refs.decode(refs.as_bytes()[start[0]])
    games = [(int(batch.game_id[i]), int(ratings[i]), 20210100 + int(days[i])) for i in range(n)]
    best = sorted(games, key=lambda g: (-g[1], -g[2], g[0]))[: game_refs.TOP_KEPT]
    newest = sorted(games, key=lambda g: (-g[2], -g[1], g[0]))[: game_refs.TOP_KEPT]
    assert sorted(kept.tolist()) == sorted(set(best) | set(newest))
    # the same as the bytes-level trim the databases run
    assert sorted(game_refs.trim(game_refs.encode(*map(np.array, zip(*games, strict=True)))).tolist()) == sorted(
        kept.tolist()
    )


def test_trimming_keeps_each_groups_best_and_newest_whatever_the_other_groups() -> None:
    """Groups of 1 to 80 entries side by side, trimmed at once: each group keeps what
    game_refs.trim() keeps of it alone (a small group all of it)."""
    from webapp.indexer.rows import _trimmed

    rng = np.random.default_rng(11)
    sizes = rng.integers(1, 81, 60)
    group = np.repeat(np.arange(len(sizes)), sizes)
    entries = game_refs.encode(
        rng.permutation(len(group)) + 1, rng.integers(1000, 1010, len(group)), 20210100 + rng.integers(1, 4, len(group))
    )
    refs = _trimmed(group, entries, len(sizes))
    ends = np.cumsum(refs.counts)
    for index, size in enumerate(sizes.tolist()):
        alone = entries[group == index]
        kept = refs.entries[ends[index] - refs.counts[index] : ends[index]]
        assert sorted(kept.tolist()) == sorted(game_refs.trim(alone).tolist())
        assert len(kept) == size if size <= game_refs.REFS_KEPT_ALL else len(kept) < size
