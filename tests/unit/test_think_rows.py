"""The row builder's think times: the mover's own previous clock minus the clock after the
move plus the increment, in whole tenths, bucketed; lichess's untimed first moves, unknown
clocks, negative results and games without a base time count in no bucket."""

from __future__ import annotations

from datetime import date

import numpy as np

from webapp.indexer.games import GameRecord
from webapp.indexer.rows import move_stats_rows, prepare_batch
from webapp.model.think_time import EDGES, THINK_TIME_COLUMNS

MOVES = "e2e4 e7e5 g1f3 b8c6 f1b5 a7a6".split()


def record(uid: str, time_control: str, clocks: list[float]) -> GameRecord:
    return GameRecord(
        uid=uid, source="pgn", white="W", black="B", white_rating=1500, black_rating=1700, result="1-0",
        speed=3, rated=True, played_on=date(2020, 3, 4), moves=MOVES, time_control=time_control, clocks=clocks,
    )  # fmt: skip


def buckets(time_control: str, clocks: list[float]) -> list[tuple[int | None, int]]:
    """Per ply of the game: (the bucket's lower edge or None for no clock, low clock)."""
    batch, _ = prepare_batch([record("a", time_control, clocks)], index_plies=40)
    moved = batch.move != 0
    return [(None if c == 0 else EDGES[c - 1], int(low)) for c, low in zip(batch.think[moved], batch.low_clock[moved], strict=True)]


def test_lichess_first_moves_are_untimed_and_the_rest_counted() -> None:
    # 300+3: lichess shows the base after both first moves, then adds the increment
    clocks = [300, 300, 303, 301.5, 290, 28.4]
    assert buckets("300+3", clocks) == [(None, 0), (None, 0), (0, 0), (1, 0), (15, 0), (180, 1)]  # 301.5 - 28.4 + 3 s; under 30 s


def test_chesscom_first_moves_count() -> None:
    # "180+2": chess.com adds the increment to the first move too
    assert buckets("180+2", [182, 179.9, 181.4, 178.0, 170.0, 17.9])[:4] == [(0, 0), (2, 0), (2, 0), (3, 0)]
    assert buckets("180", [179.9, 175.5])[:2] == [(0, 0), (4, 0)]


def test_no_base_time_unknown_clocks_and_negative_results() -> None:
    assert {b for b, _ in buckets("-", [10.0] * 6)} == {None}
    assert {b for b, _ in buckets("1/86400", [10.0] * 6)} == {None}
    unknown = buckets("60+0", [59, 58, float("nan"), 50, 40, 30])
    assert unknown[2] == (None, 0) and unknown[4] == (None, 0)  # its own clock unknown, then its previous
    assert unknown[3] == (7, 0)  # 58 - 50 s: the 7-10 s bucket
    assert buckets("60+0", [59, 58, 59.5, 57, 50, 50])[2] == (None, 0)  # more time than before: not counted


def test_rows_sum_the_buckets_and_low_clocks() -> None:
    games = [record(str(i), "60+0", [59, 58, 57, 56, 5, 4.0 + i]) for i in range(3)]
    batch, _ = prepare_batch(games, index_plies=40)
    columns, _ = move_stats_rows(batch, np.ones(3, bool))
    think = columns[len(columns) - len(THINK_TIME_COLUMNS) :]
    last = int(np.flatnonzero(columns[1] == batch.move[5])[0])  # the row of a7a6: 57 - (4 + i) s, low clock
    assert {EDGES[i]: int(c[last]) for i, c in enumerate(think[:-1]) if c[last]} == {45: 3}
    assert int(think[-1][last]) == 2  # 4 s and 5 s left are under 6 s (10% of 60), 6 s is not
