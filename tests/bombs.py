"""Compressed files that unpack to far more than they weigh (generated, for upload limits)."""

from __future__ import annotations

from pathlib import Path

import zstandard

GAME = (
    b'[Event "Bomb"]\n[Site "?"]\n[White "Ann"]\n[Black "Ben"]\n[Result "1-0"]\n\n'
    b"1. e4 e5 2. Qh5 Nc6 3. Bc4 Nf6 4. Qxf7# 1-0\n\n"
)


def write_zstd_bomb(path: Path, unpacked_bytes: int = 256 << 20, *, games: bool = True) -> Path:
    """A .pgn.zst of `unpacked_bytes`: one game repeated (about 22 KB per 256 MiB), or
    with games=False blank lines after one game (runs of one byte: about 8 KB per 256 MiB)."""
    unit = GAME if games else b"\n"
    block = unit * ((1 << 20) // len(unit))
    count = -(-unpacked_bytes // len(block))
    size = len(block) * count + (0 if games else len(GAME))
    compressor = zstandard.ZstdCompressor(level=19)
    with path.open("wb") as raw, compressor.stream_writer(raw, size=size) as out:
        if not games:
            out.write(GAME)
        for _ in range(count):
            out.write(block)
    return path
