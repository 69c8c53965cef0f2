"""A parsed chunk crosses from the parser process to the loading one as columns: every
record comes back equal, field by field, its arrays (move codes, position keys, clocks)
included, and moves the parser kept as codes read as the same UCI strings."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from webapp.indexer.coded_moves import CodedMoves
from webapp.indexer.games import GameRecord
from webapp.indexer.parsed_chunk import ParsedChunk
from webapp.indexer.pgn import parse_game_texts
from webapp.indexer.streams import binary_blocks, game_texts, open_pgn

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = sorted((ROOT / "fixtures" / "pgn").glob("*.pgn")) + [ROOT / "fixtures" / "explorer_sample.pgn"]
CLOCKED = ROOT.parents[1] / "shared" / "data" / "lichess" / "lichess_db_standard_rated_2021-10_first999.pgn"


def _parsed(paths: list[Path]) -> ParsedChunk:
    texts = []
    for path in paths:
        with open_pgn(path) as stream:
            texts += list(game_texts(binary_blocks(stream)))
    return parse_game_texts(texts, 40)


def _same_array(first, second) -> bool:  # type: ignore[no-untyped-def]
    if first is None or second is None:
        return first is None and second is None
    return np.array_equal(np.asarray(first, np.float64), np.asarray(second, np.float64), equal_nan=True)


def _assert_round_trip(chunk: ParsedChunk) -> None:
    back = pickle.loads(pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL))
    assert back.skipped == chunk.skipped and back.notes == chunk.notes
    assert len(back.records) == len(chunk.records)
    for before, after in zip(chunk.records, back.records, strict=True):
        assert after == before  # every compared field, the moves as UCI strings among them
        assert list(after.moves) == list(before.moves)
        assert [after.moves[i] for i in range(len(after.moves))] == list(before.moves)
        assert type(after.moves) is type(before.moves)
        for name in ("move_codes", "position_keys", "clocks"):
            assert _same_array(getattr(after, name), getattr(before, name)), name


def test_fixture_games_come_back_whole() -> None:
    chunk = _parsed(FIXTURES)
    assert any(isinstance(r.moves, CodedMoves) for r in chunk.records)
    assert any(isinstance(r.moves, list) for r in chunk.records)  # the python-chess fallback's
    assert chunk.skipped  # skip counts travel too
    _assert_round_trip(chunk)


@pytest.mark.skipif(not CLOCKED.exists(), reason="shared lichess data not present")
def test_games_with_clocks_come_back_whole() -> None:
    chunk = _parsed([CLOCKED])
    assert sum(r.clocks is not None for r in chunk.records) > 900
    _assert_round_trip(chunk)


def test_records_from_other_readers_come_back_whole() -> None:
    """Accounts' records carry UCI lists, clocks as lists, no keys or codes."""
    record = GameRecord(
        uid="pgn:1", source="pgn", white="Ann", black="Bob", white_rating=None, black_rating=1500,
        result="1/2-1/2", speed=3, rated=False, played_on=None, moves=["e2e4", "e7e5"],
        clocks=[180.0, float("nan")], collection="club",
    )  # fmt: skip
    _assert_round_trip(ParsedChunk([record]))


def test_coded_moves_read_as_uci() -> None:
    moves = CodedMoves(np.array([12 | (28 << 6), 52 | (36 << 6)], np.int16))
    assert moves == ["e2e4", "e7e5"] and moves[1] == "e7e5" and moves[:1] == ["e2e4"]
    assert len(moves) == 2 and "e7e5" in moves and moves != ["e2e4"]
