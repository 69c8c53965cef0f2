"""A batch's one-game rows go narrow straight from its rows; what they and the wide rows
hold is what aggregating every row and then picking the rows of one game gives."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from webapp.db.singles import narrow_games, pack_codes
from webapp.indexer.bulk import MOVE_STATS_COLUMNS, _split_singles
from webapp.indexer.pgn import parse_game_texts
from webapp.indexer.rows import move_stats_rows, prepare_batch
from webapp.indexer.streams import binary_blocks, game_texts, open_pgn
from webapp.model.endings import ENDING_COLUMNS
from webapp.model.think_time import LOW_CLOCK, THINK_COLUMNS

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "explorer_sample.pgn"
SEQ = 12


def _batch():  # type: ignore[no-untyped-def]
    """The sample's games twice (the copies' rows share keys with the originals), a few
    of them with a rating the narrow rows cannot keep, in collections 1 and 2."""
    with open_pgn(SAMPLE) as stream:
        records = parse_game_texts(list(game_texts(binary_blocks(stream))), 40).records
    copies = [dataclasses.replace(r, uid=r.uid + "-copy") for r in records[::2]]
    odd = [dataclasses.replace(r, uid=r.uid + "-odd", white_rating=40000) for r in records[:3]]
    batch, bad = prepare_batch(records + copies + odd, 40)
    assert not bad
    batch.game_id = np.arange(len(batch), dtype=np.int64) * 3 + 5
    batch.collection = np.arange(len(batch), dtype=np.int64) % 2 + 1
    return batch


def _reference(batch, new):  # type: ignore[no-untyped-def]
    """Every row aggregated, then the rows of one eligible game taken out narrow."""
    stats, refs = move_stats_rows(batch, new)
    column = {name: stats[index] for index, name in enumerate(MOVE_STATS_COLUMNS)}
    one = (column["white"] + column["draws"] + column["black"]) == 1
    first = np.cumsum(refs.counts) - refs.counts
    game_ids = np.where(one, refs.entries["id"][np.minimum(first, len(refs.entries) - 1)], 0)
    one &= np.isin(game_ids, batch.game_id[narrow_games(batch.records, batch.collection, batch.game_id)])
    think = sum((column[name][one] != 0) * code for code, name in enumerate(THINK_COLUMNS, start=1))
    ending = sum((column[name][one] != 0) * code for code, name in enumerate(ENDING_COLUMNS, start=1))
    narrow = [
        column["position_key"][one], game_ids[one], np.full(int(one.sum()), SEQ),
        column["path"][one], column["move"][one],
        pack_codes(think, column[LOW_CLOCK][one] != 0, ending, column["collection"][one]),
    ]  # fmt: skip
    return [c[~one] for c in stats], refs.select(~one), narrow


def test_narrow_and_wide_rows_are_those_of_aggregating_first() -> None:
    batch = _batch()
    for new in (np.ones(len(batch), bool), np.arange(len(batch)) % 3 != 0):
        stats, refs, narrow = _split_singles(batch, new, SEQ)
        want_stats, want_refs, want_narrow = _reference(batch, new)
        assert len(narrow[0]) > 0 and len(stats[0]) > 0
        for got, want in zip(narrow, want_narrow, strict=True):
            assert np.array_equal(got, want)
        for got, want in zip(stats, want_stats, strict=True):
            assert np.array_equal(got, want)
        assert np.array_equal(refs.counts, want_refs.counts)
        assert np.array_equal(refs.entries, want_refs.entries)


def test_no_new_games_give_no_rows() -> None:
    batch = _batch()
    stats, refs, narrow = _split_singles(batch, np.zeros(len(batch), bool), SEQ)
    assert len(stats[0]) == len(refs.counts) == len(narrow[0]) == 0
