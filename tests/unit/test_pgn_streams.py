"""Cutting PGN bytes into games: quirks of real files, any block boundaries, compressed files."""

from __future__ import annotations

import bz2
import gzip
from pathlib import Path

import pytest
import zstandard

from webapp.indexer.streams import UnreadableFile, game_texts, open_pgn, text_blocks

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pgn"


def cut(data: bytes, size: int) -> list[tuple[bytes, bool]]:
    return list(game_texts(data[i : i + size] for i in range(0, len(data), size)))


def test_chesscom_games_without_blank_lines_are_three_games() -> None:
    games = cut((FIXTURES / "chesscom_no_blank_line.pgn").read_bytes(), 1 << 20)
    assert len(games) == 3
    assert [g.startswith(b'[Event "') for g, _ in games] == [True, True, True]
    assert [last for _, last in games] == [False, False, True]
    assert b"3...Qxd5" in games[0][0] and games[0][0].rstrip().endswith(b"1-0")


def test_two_blank_lines_between_tags_and_moves_stay_one_game() -> None:
    games = cut((FIXTURES / "pgnmentor_two_blank_lines.pgn").read_bytes(), 1 << 20)
    assert len(games) == 4
    assert b"1.d4  0-1" in games[2][0] and b'[White "Leconte,M"]' in games[2][0]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 1000])
def test_any_block_boundaries_give_the_same_games(size: int) -> None:
    data = b"\n".join(path.read_bytes() for path in sorted(FIXTURES.glob("*.pgn")))
    assert cut(data, size) == cut(data, len(data))


def test_byte_order_mark_and_leading_blank_lines_are_dropped() -> None:
    data = b"\xef\xbb\xbf\n\n" + (FIXTURES / "no_moves.pgn").read_bytes()
    games = cut(data, 5)
    assert len(games) == 2 and games[0][0].startswith(b"[Event")


def test_text_blocks_from_a_stream_and_from_lines() -> None:
    import io

    text = (FIXTURES / "transposition.pgn").read_text()
    from_stream = list(game_texts(text_blocks(io.StringIO(text), read_chars=10)))
    from_lines = list(game_texts(text_blocks(text.splitlines(keepends=True), read_chars=10)))
    assert from_stream == from_lines and len(from_stream) == 4


@pytest.mark.parametrize(
    ("suffix", "compress"),
    [(".pgn", bytes), (".pgn.gz", gzip.compress), (".pgn.bz2", bz2.compress),
     (".pgn.zst", zstandard.ZstdCompressor().compress)],  # fmt: skip
)
def test_files_are_decompressed_by_suffix(tmp_path: Path, suffix: str, compress) -> None:  # type: ignore[no-untyped-def]
    data = (FIXTURES / "transposition.pgn").read_bytes()
    path = tmp_path / f"games{suffix}"
    path.write_bytes(compress(data))
    with open_pgn(path) as stream:
        assert stream.read() == data


def test_missing_and_corrupt_files_raise_unreadable(tmp_path: Path) -> None:
    from webapp.indexer.streams import binary_blocks

    with pytest.raises(UnreadableFile):
        open_pgn(tmp_path / "missing.pgn")
    corrupt = tmp_path / "bad.pgn.zst"
    corrupt.write_bytes(b"not zstd at all")
    with pytest.raises(UnreadableFile), open_pgn(corrupt) as stream:
        list(binary_blocks(stream))
    truncated = tmp_path / "cut.pgn.gz"
    truncated.write_bytes(gzip.compress((FIXTURES / "transposition.pgn").read_bytes())[:-20])
    with pytest.raises(UnreadableFile), open_pgn(truncated) as stream:
        list(binary_blocks(stream))


@pytest.mark.parametrize("size", [7, 100, 4096])
def test_an_oversized_game_is_dropped_without_holding_it(size: int) -> None:
    from webapp.indexer.streams import OVERSIZED

    good = (FIXTURES / "transposition.pgn").read_bytes()
    garbage = b"[Event \"x\"]\n\n" + b"e4 " * 3000 + b"\n" + b"zz" * 2000  # 13 kB, no game start
    data = good + garbage + b"\n" + good
    games = list(game_texts((data[i : i + size] for i in range(0, len(data), size)), max_game_bytes=5000))
    texts = [text for text, _ in games]
    assert texts.count(OVERSIZED) == 1
    alone = [text for text, _ in cut(good, len(good))]
    assert [t for t in texts if t != OVERSIZED] == alone + alone


def _games_line_by_line(data: bytes) -> list[bytes]:
    """The games as a reader walking line by line cuts them: a game starts at a tag line
    ("[" and a letter) that follows a line that is no tag line."""
    lines = data.removeprefix(b"\xef\xbb\xbf").split(b"\n")
    games: list[list[bytes]] = [[]]
    for index, line in enumerate(lines):
        tag = line[:1] == b"[" and line[1:2].isalpha()
        if tag and index and not (lines[index - 1][:1] == b"[" and lines[index - 1][1:2].isalpha()):
            games.append([])
        games[-1].append(line)
    texts = [b"\n".join(game) + b"\n" for game in games]
    texts[-1] = texts[-1][:-1]  # the last line has no break after it
    return [text for text in texts if text.strip()]


@pytest.mark.parametrize("size", [7, 64, 1000, 1 << 20])
def test_games_are_cut_where_a_line_by_line_reader_cuts_them(size: int) -> None:
    data = b"junk line\n" + b"\n".join(path.read_bytes() for path in sorted(FIXTURES.glob("*.pgn")))
    data += b'\n[Event "x"]\n1. e4 1-0\n[Event "y"]\n[Site "z"]\n1. d4 0-1\nafter\n[Event "w"]\n1. c4 1-0'
    assert [text for text, _ in cut(data, size)] == _games_line_by_line(data)
