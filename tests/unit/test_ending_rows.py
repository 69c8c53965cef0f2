"""The row builder's ending counts: each game in the column of its result and kind, summed
per aggregated row (all games and players), none for a kind the result contradicts."""

from __future__ import annotations

from datetime import date

import numpy as np

from webapp.indexer.games import GameRecord
from webapp.indexer.rows import month_less, move_stats_rows, player_move_stats_rows, prepare_batch
from webapp.model.endings import ENDING_COLUMNS, Endings, ending_code
from webapp.model.termination import Termination
from webapp.model.think_time import THINK_TIME_COLUMNS


def record(uid: str, result: str, kind: Termination, moves: str = "e2e4 e7e5") -> GameRecord:
    return GameRecord(
        uid=uid, source="pgn", white="W", black="B", white_rating=1500, black_rating=1700,
        result=result, speed=3, rated=True, played_on=date(2020, 3, 4), moves=moves.split(),
        termination=int(kind),
    )  # fmt: skip


GAMES = [
    record("a", "1-0", Termination.CHECKMATE),
    record("b", "1-0", Termination.TIME),
    record("c", "1-0", Termination.TIME),
    record("d", "0-1", Termination.RESIGNATION),
    record("e", "0-1", Termination.RULES_INFRACTION),  # in no column: "other"
    record("f", "1/2-1/2", Termination.REPETITION),
    record("g", "1/2-1/2", Termination.TIMEOUT_VS_INSUFFICIENT),
    record("h", "1/2-1/2", Termination.CHECKMATE),  # contradicts the result: "other"
    record("i", "0-1", Termination.UNKNOWN),
]


def endings_of(columns: list[np.ndarray], row: int) -> dict[str, int]:
    end = len(columns) - len(THINK_TIME_COLUMNS)  # the think-time counts come last
    counted = columns[end - len(ENDING_COLUMNS) : end]
    return {name: int(c[row]) for name, c in zip(ENDING_COLUMNS, counted, strict=True) if c[row]}


def test_one_code_a_game_from_result_and_kind() -> None:
    assert ENDING_COLUMNS[ending_code("1-0", Termination.CHECKMATE) - 1] == "white_mate"
    assert ENDING_COLUMNS[ending_code("0-1", Termination.ABANDONMENT) - 1] == "black_abandon"
    assert ENDING_COLUMNS[ending_code("1/2-1/2", Termination.FIFTY_MOVES) - 1] == "draw_fifty"
    assert ending_code("1/2-1/2", Termination.RESIGNATION) == 0
    assert ending_code("1-0", Termination.RULES_INFRACTION) == 0


def test_move_rows_sum_the_endings_of_their_games() -> None:
    batch, bad = prepare_batch(GAMES, index_plies=40)
    assert bad == []
    columns, _ = move_stats_rows(batch, np.ones(len(GAMES), bool))
    first = int(np.flatnonzero((columns[1] == columns[1][0]) & (columns[0] == columns[0][0]))[0])
    # every game plays 1.e4 e5 from the start: one row holds all nine
    assert (int(columns[8][first]), int(columns[9][first]), int(columns[10][first])) == (3, 3, 3)
    assert endings_of(columns, first) == {
        "white_mate": 1, "white_time": 2, "black_resign": 1, "draw_repetition": 1, "draw_timeout": 1,
    }  # fmt: skip
    summed, _ = month_less(columns, 7)  # after the move-order column
    assert endings_of(summed, 0) == endings_of(columns, first)


def test_player_rows_count_the_endings_for_both_players() -> None:
    batch, _ = prepare_batch(GAMES[:3], index_plies=40)
    white_ids = np.full(3, 7, np.int64)
    black_ids = np.array([8, 8, 9], np.int64)
    columns, _ = player_move_stats_rows(batch, np.ones(3, bool), white_ids, black_ids)
    start = columns[1] == columns[1][0]
    found = {
        (int(columns[0][i]), int(columns[2][i])): endings_of(columns, i)
        for i in np.flatnonzero(start & (columns[3] != 0))
    }
    assert found == {
        (7, 0): {"white_mate": 1, "white_time": 2},
        (8, 1): {"white_mate": 1, "white_time": 1},
        (9, 1): {"white_time": 1},
    }


def test_the_api_shape_keeps_the_rest_as_other() -> None:
    counts = [0] * len(ENDING_COLUMNS)
    counts[ENDING_COLUMNS.index("white_time")] = 2
    counts[ENDING_COLUMNS.index("draw_stalemate")] = 1
    shaped = Endings(tuple(counts)).by_side(white=3, draws=1, black=1)
    assert shaped["white"] == {"checkmate": 0, "resignation": 0, "time": 2, "abandonment": 0, "other": 1}
    assert shaped["draws"]["stalemate"] == 1 and shaped["draws"]["other"] == 0
    assert shaped["black"]["other"] == 1
    assert Endings(tuple(counts)).without_time_losses().count("white_time") == 0
