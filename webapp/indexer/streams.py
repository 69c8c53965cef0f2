"""PGN bytes from files (plain, .gz, .bz2, .zst) cut into one text per game, in bounded memory.

A game starts at a tag line (`[Name ...`) that follows a line that is not one. That one
rule handles chess.com downloads with no blank line between games (the result token is
followed directly by `[Event`), header blocks separated from their moves by several blank
lines (pgnmentor), CRLF line endings, and any number of blank lines between games.
"""

from __future__ import annotations

import bz2
import gzip
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

import zstandard

READ_BYTES = 1 << 20
MAX_GAME_BYTES = 16 << 20
#: what game_texts() yields in place of a game longer than max_game_bytes
OVERSIZED = b""
_GAME_START = re.compile(rb"(?m)^(?!\[[A-Za-z])[^\n]*\n(?=\[[A-Za-z])")
_BOM = b"\xef\xbb\xbf"
SUFFIXES = (".pgn", ".pgn.gz", ".pgn.bz2", ".pgn.zst")


class UnreadableFile(OSError):
    """A file that cannot be opened or decompressed; the message says why."""


def open_pgn(path: str | Path) -> BinaryIO:
    """The decompressed bytes of a PGN file, chosen by its suffix (.gz, .bz2, .zst)."""
    path = Path(path)
    name = path.name.lower()
    try:
        if name.endswith(".gz"):
            return gzip.open(path, "rb")  # type: ignore[return-value]
        if name.endswith(".bz2"):
            return bz2.open(path, "rb")  # type: ignore[return-value]
        if name.endswith(".zst"):
            raw = path.open("rb")
            return zstandard.ZstdDecompressor().stream_reader(raw, closefd=True)  # type: ignore[return-value]
        return path.open("rb")
    except OSError as error:
        raise UnreadableFile(f"cannot open {path}: {error.strerror or error}") from error


def binary_blocks(stream: BinaryIO, *, read_bytes: int = READ_BYTES) -> Iterator[bytes]:
    """The stream's bytes in blocks; read errors (a corrupt archive) become UnreadableFile."""
    while True:
        try:
            block = stream.read(read_bytes)
        except (OSError, EOFError, zstandard.ZstdError) as error:
            raise UnreadableFile(f"cannot read: {error}") from error
        if not block:
            return
        yield block


def text_blocks(stream: TextIO | Iterable[str], *, read_chars: int = READ_BYTES) -> Iterator[bytes]:
    """A text stream (an upload, an API response) as UTF-8 blocks."""
    if hasattr(stream, "read"):
        while text := stream.read(read_chars):  # type: ignore[union-attr]
            yield text if isinstance(text, bytes) else text.encode("utf-8", "surrogateescape")
        return
    pending: list[str] = []
    size = 0
    for text in stream:
        pending.append(text)
        size += len(text)
        if size >= read_chars:
            yield "".join(pending).encode("utf-8", "surrogateescape")
            pending, size = [], 0
    if pending:
        yield "".join(pending).encode("utf-8", "surrogateescape")


def game_texts(
    blocks: Iterable[bytes], *, max_game_bytes: int = MAX_GAME_BYTES
) -> Iterator[tuple[bytes, bool]]:
    """(one game's bytes, is it the last of the stream) for every game in the blocks.

    A "game" longer than max_game_bytes (a file that is not PGN, or has no tag lines) is
    not held in memory: it comes out as OVERSIZED (empty bytes) and its text is dropped
    up to the next game.
    """
    pending = b""
    first = True
    dropping = False
    for block in blocks:
        if first:
            block = block.removeprefix(_BOM)
            first = False
        buffer = pending + block
        start = 0
        for match in _GAME_START.finditer(buffer):
            end = match.end()
            if dropping:
                dropping = False
            elif buffer[start:end].strip():
                yield buffer[start:end], False
            start = end
        pending = buffer[start:]
        if dropping:
            pending = _last_two_lines(pending)
        elif len(pending) > max_game_bytes:
            yield OVERSIZED, False
            dropping = True
            pending = _last_two_lines(pending)
    if pending.strip() and not dropping:
        yield pending, True


def _last_two_lines(data: bytes) -> bytes:
    """Enough of the end of `data` to find a game start that continues in the next block."""
    last = data.rfind(b"\n")
    cut = data.rfind(b"\n", 0, max(last, 0)) if last > 0 else -1
    tail = data[cut + 1 :] if cut >= 0 else data
    return tail[-4096:]
