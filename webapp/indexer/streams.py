"""PGN bytes from files (plain, .gz, .bz2, .zst) cut into one text per game, in bounded memory.

A game starts at a tag line (`[Name ...`) that follows a line that is not one. That one
rule handles chess.com downloads with no blank line between games (the result token is
followed directly by `[Event`), header blocks separated from their moves by several blank
lines (pgnmentor), CRLF line endings, and any number of blank lines between games.
"""

from __future__ import annotations

import bz2
import gzip
import itertools
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

import zstandard

READ_BYTES = 1 << 20
MAX_GAME_BYTES = 16 << 20
#: what game_texts() yields in place of a game longer than max_game_bytes
OVERSIZED = b""
#: the line a game's first tag line follows (a line that is no tag line), found after the
#: line break before it: a search for a line break skips ahead where `^` tried every byte
_GAME_START = re.compile(rb"\n(?!\[[A-Za-z])[^\n]*\n(?=\[[A-Za-z])")
#: the same line at the very start of the text
_GAME_START_FIRST = re.compile(rb"(?!\[[A-Za-z])[^\n]*\n(?=\[[A-Za-z])")
_BOM = b"\xef\xbb\xbf"
SUFFIXES = (".pgn", ".pgn.gz", ".pgn.bz2", ".pgn.zst")


class UnreadableFile(OSError):
    """A file that cannot be opened or decompressed; the message says why."""


class TruncatedFile(UnreadableFile):
    """A compressed file that ends before its compressed data does (a cut download)."""


_ZSTD_MAGIC = 0xFD2FB528
_TRUNCATED = "the file is truncated: its compressed data ends before the end of the stream"


class _ZstdFrames:
    """Follows the zstd frame format (frame and block headers) over the compressed bytes,
    so that a file cut in the middle of a frame is told from a whole one: the decompressor
    itself stops silently at a cut."""

    def __init__(self) -> None:
        self.skip = 0  # bytes to pass over before the next header
        self.header = bytearray()
        self.state, self.need = "magic", 4
        self.checksum = False
        self.unknown = False  # not zstd framing: the decompressor reports that itself

    def feed(self, data: bytes) -> None:
        position, size = 0, len(data)
        while position < size and not self.unknown:
            if self.skip:
                step = min(self.skip, size - position)
                self.skip -= step
                position += step
                continue
            take = min(self.need - len(self.header), size - position)
            self.header += data[position : position + take]
            position += take
            if len(self.header) == self.need:
                self._advance(bytes(self.header))
                self.header.clear()

    def _advance(self, header: bytes) -> None:
        value = int.from_bytes(header, "little")
        if self.state == "magic":
            if value == _ZSTD_MAGIC:
                self.state, self.need = "descriptor", 1
            elif value & 0xFFFFFFF0 == 0x184D2A50:  # a skippable frame
                self.state, self.need = "skippable", 4
            else:
                self.unknown = True
        elif self.state == "skippable":
            self.skip, self.state, self.need = value, "magic", 4
        elif self.state == "descriptor":
            single_segment = (value >> 5) & 1
            self.checksum = bool(value & 4)
            content_size = (single_segment, 2, 4, 8)[value >> 6]
            self.skip = (1 - single_segment) + (0, 1, 2, 4)[value & 3] + content_size
            self.state, self.need = "block", 3
        else:  # a block header: last-block flag, type, size
            self.skip = 1 if (value >> 1) & 3 == 1 else value >> 3  # an RLE block holds 1 byte
            if value & 1:
                self.skip += 4 if self.checksum else 0
                self.state, self.need = "magic", 4

    @property
    def complete(self) -> bool:
        """Whether the bytes fed so far end on a frame boundary."""
        return self.unknown or (self.state == "magic" and not self.header and not self.skip)


class _TrackedFile:
    """A raw file whose bytes pass through a _ZstdFrames as the decompressor reads them."""

    def __init__(self, raw: BinaryIO, frames: _ZstdFrames) -> None:
        self.raw, self.frames = raw, frames

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.frames.feed(data)
        return data

    def close(self) -> None:
        self.raw.close()


class _ZstdReader:
    """Decompressed bytes of a .zst file (all its frames); EOFError at its end if it was cut."""

    def __init__(self, raw: BinaryIO) -> None:
        self.frames = _ZstdFrames()
        self.reader = zstandard.ZstdDecompressor().stream_reader(
            _TrackedFile(raw, self.frames), read_across_frames=True, closefd=True
        )

    def read(self, size: int = -1) -> bytes:
        data = self.reader.read(size)
        if not data and not self.frames.complete:
            raise EOFError(_TRUNCATED)
        return data

    def close(self) -> None:
        self.reader.close()

    def __enter__(self) -> _ZstdReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


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
            return _ZstdReader(path.open("rb"))  # type: ignore[return-value]
        return path.open("rb")
    except OSError as error:
        raise UnreadableFile(f"cannot open {path}: {error.strerror or error}") from error


def binary_blocks(stream: BinaryIO, *, read_bytes: int = READ_BYTES) -> Iterator[bytes]:
    """The stream's bytes in blocks; read errors (a corrupt archive) become UnreadableFile,
    and a compressed file cut short TruncatedFile once every byte before the cut is given.

    Reads with read1 where the stream has it: gzip and bz2 raise at a cut, and a plain
    read() would lose what it had decompressed of its last call.
    """
    read = getattr(stream, "read1", None) or stream.read
    parts: list[bytes] = []
    size = 0
    while True:
        try:
            chunk = read(read_bytes - size)
        except EOFError as error:  # gzip, bz2 and _ZstdReader at a cut
            if parts:
                yield b"".join(parts)
            raise TruncatedFile(_TRUNCATED) from error
        except (OSError, zstandard.ZstdError) as error:
            raise UnreadableFile(f"cannot read: {error}") from error
        if not chunk:
            if parts:
                yield b"".join(parts)
            return
        parts.append(chunk)
        size += len(chunk)
        if size >= read_bytes:
            yield b"".join(parts)
            parts, size = [], 0


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
        first_line = _GAME_START_FIRST.match(buffer)
        for end in itertools.chain(
            [first_line.end()] if first_line else [], (match.end() for match in _GAME_START.finditer(buffer))
        ):
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
