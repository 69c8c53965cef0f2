"""How an import cuts its games into batches (webapp.indexer.load._batches)."""

from __future__ import annotations

from webapp.indexer.load import DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE, _batches


def test_batches_double_from_the_first_size_up_to_the_largest() -> None:
    assert (DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE) == (2000, 8000)
    records = range(25_001)
    batches = list(_batches(records, None))
    assert [len(batch) for batch in batches] == [2000, 4000, 8000, 8000, 3001]
    assert [record for batch in batches for record in batch] == list(records)  # in order, each once


def test_a_batch_size_given_is_kept_for_every_batch() -> None:
    assert [len(batch) for batch in _batches(range(12), 5)] == [5, 5, 2]
    assert list(_batches([], None)) == []


def test_an_import_smaller_than_the_first_batch_is_one_batch() -> None:
    assert [len(batch) for batch in _batches(range(1999), None)] == [1999]
