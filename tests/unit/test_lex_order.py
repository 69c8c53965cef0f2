"""lex_order: numpy's lexsort order from one argsort of packed ranks."""

from __future__ import annotations

import numpy as np
import pytest

from webapp.indexer.rows import _first_occurrences, lex_order

WIDE = (np.iinfo(np.int64).min, np.iinfo(np.int64).max)


def word(rng: np.random.Generator, kind: str, n: int) -> np.ndarray:
    if kind == "wide":  # position keys: any int64
        return rng.integers(*WIDE, n, dtype=np.int64)
    if kind == "few wide":  # a few distinct wide values, many ties
        return rng.choice(rng.integers(*WIDE, 4, dtype=np.int64), n)
    if kind == "narrow":  # flags and small codes, already dense
        return rng.integers(-2, 3, n)
    return rng.integers(-5, 2**40, n)  # packed small columns


KINDS = ("wide", "few wide", "narrow", "packed")


@pytest.mark.parametrize("words", [1, 2, 3, 4])
def test_the_order_is_lexsorts_for_every_mix_of_words(words: int) -> None:
    rng = np.random.default_rng(words)
    for _ in range(60):
        n = int(rng.integers(1, 2000))
        columns = [word(rng, str(rng.choice(KINDS)), n) for _ in range(words)]
        assert np.array_equal(lex_order(columns), np.lexsort(columns[::-1]))


def test_equal_rows_keep_their_original_order() -> None:
    same = np.full(500, 7, np.int64)
    assert np.array_equal(lex_order([same, np.zeros(500, np.int64)]), np.arange(500))


def test_no_rows_and_one_row() -> None:
    assert len(lex_order([np.zeros(0, np.int64)])) == 0
    assert np.array_equal(lex_order([np.array([5]), np.array([-3])]), [0])


def test_more_rows_than_ranks_can_pack_still_sort_right() -> None:
    rng = np.random.default_rng(3)
    n = 2**21 + 5  # 22-bit ranks and index: three do not fit in 63 bits
    columns = [rng.integers(0, 1000, n), rng.integers(*WIDE, n, dtype=np.int64)]
    assert np.array_equal(lex_order(columns), np.lexsort(columns[::-1]))


@pytest.mark.parametrize("kind", ["wide", "few wide", "narrow"])
def test_an_order_given_for_the_first_word_gives_the_same_order(kind: str) -> None:
    rng = np.random.default_rng(4)
    for _ in range(40):
        n = int(rng.integers(1, 2000))
        columns = [word(rng, kind, n), word(rng, str(rng.choice(KINDS)), n)]
        # any order by the first word: ties reversed, to show the order within them is not trusted
        by_first = np.lexsort((-np.arange(n), columns[0]))
        assert np.array_equal(lex_order(columns, by_first), np.lexsort(columns[::-1]))


def test_first_occurrences_keep_each_games_first_row_of_a_key_and_give_their_key_order() -> None:
    rng = np.random.default_rng(5)
    for _ in range(40):
        games = int(rng.integers(1, 60))
        lengths = rng.integers(1, 30, games)
        game = np.repeat(np.arange(games), lengths)
        pool = rng.integers(*WIDE, int(rng.integers(1, 80)), dtype=np.int64)  # repeats within and across games
        key = rng.choice(pool, len(game))
        first, key_order = _first_occurrences(game, key)
        seen: set[tuple[int, int]] = set()
        expected = []
        for row, pair in enumerate(zip(game.tolist(), key.tolist(), strict=True)):
            if pair not in seen:
                seen.add(pair)
                expected.append(row)
        assert first.tolist() == expected
        assert np.array_equal(key_order, np.argsort(key[first], kind="stable"))
