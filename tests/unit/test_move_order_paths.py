"""Each statistics row's move order (path): a hash of the moves that reached its position
in its game, the same in any batch, different when the order differs, 0 at the start."""

from __future__ import annotations

from datetime import date

import chess
import numpy as np

from webapp.indexer.games import GameRecord
from webapp.indexer.rows import move_stats_rows, path_of, prepare_batch
from webapp.model.position import position_key, uci_to_code
from webapp.model.speed import Speed


def record(uid: str, moves: str) -> GameRecord:
    return GameRecord(
        uid=uid, source="pgn", white="W", black="B", white_rating=1500, black_rating=1700,
        result="1-0", speed=Speed.BLITZ, rated=True, played_on=date(2020, 3, 4), moves=moves.split(),
    )  # fmt: skip


def key(moves: str) -> int:
    board = chess.Board()
    for uci in moves.split():
        board.push_uci(uci)
    return position_key(board)


def paths(records: list[GameRecord]) -> dict[tuple[int, int], int]:
    """(game index, position key) → the row's path, for every row of the batch."""
    batch, bad = prepare_batch(records, index_plies=40)
    assert bad == []
    found: dict[tuple[int, int], int] = {}
    for g, k, p in zip(batch.game.tolist(), batch.key.tolist(), batch.path.tolist(), strict=True):
        assert (g, k) not in found  # a game's first visit only
        found[(g, k)] = p
    return found


QGD = "d2d4 g8f6 c2c4 e7e6"
ENGLISH = "c2c4 e7e6 d2d4 g8f6"


def test_the_same_moves_hash_the_same_in_any_batch_and_position() -> None:
    alone = paths([record("a", QGD + " b1c3")])
    among = paths([record("x", "e2e4 e7e5 g1f3"), record("y", "g1f3"), record("a", QGD + " b1c3")])
    for moves in ("", "d2d4", "d2d4 g8f6", QGD, QGD + " b1c3"):
        assert alone[(0, key(moves))] == among[(2, key(moves))]
    assert alone[(0, key(""))] == 0


def test_the_order_of_the_moves_matters() -> None:
    found = paths([record("a", QGD), record("b", ENGLISH)])
    transposed = key(QGD)
    assert transposed == key(ENGLISH)
    assert found[(0, transposed)] != found[(1, transposed)]
    distinct = {p for (g, k), p in found.items() if k != key("")}
    assert len(distinct) == len(found) - 2  # every prefix but the start hashes apart


def test_a_position_reached_again_keeps_the_path_of_its_first_visit() -> None:
    found = paths([record("a", "g1f3 g8f6 f3g1 f6g8 g1f3")])
    assert found[(0, key(""))] == 0
    assert found[(0, key("g1f3"))] == paths([record("b", "g1f3")])[(0, key("g1f3"))]


def test_paths_are_signed_32_bit_and_part_of_the_rows_key() -> None:
    batch, _ = prepare_batch([record("a", QGD), record("b", ENGLISH)], index_plies=40)
    assert batch.path.min() >= -(1 << 31) and batch.path.max() < (1 << 31)
    rows, _ = move_stats_rows(batch, np.ones(2, dtype=bool))
    at = rows[0] == key(QGD)
    assert sorted(rows[6][at].tolist()) == sorted(
        {batch.path[i] for i in np.flatnonzero(batch.key == key(QGD))}
    )
    assert rows[8][at].tolist() == [1, 1]  # white won both, one row each


def test_path_of_a_move_sequence_is_the_rows_path() -> None:
    found = paths([record("a", QGD + " b1c3")])
    assert path_of([uci_to_code(u) for u in QGD.split()]) == found[(0, key(QGD))]
    assert path_of([]) == 0
