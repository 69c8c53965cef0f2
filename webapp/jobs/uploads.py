"""A dashboard upload as a background job: spooled to a file, imported like the CLI imports.

dcc.Upload hands the job a `data:...;base64,...` string. `spool_upload` decodes it in
slices into a temporary file (named .pgn, .pgn.gz, .pgn.bz2 or .pgn.zst after its magic
bytes), refusing more than the upload limit; `import_upload_file` opens that file with the
CLI's reader (webapp.indexer.streams.open_pgn), which unpacks it as it goes, and stops at
the unpacked-bytes limit. So memory stays bounded whatever the file unpacks to, and text
is decoded in one place for both paths (UTF-8, else Latin-1, per game).
"""

from __future__ import annotations

import base64
import binascii
import itertools
import os
import struct
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from flask import Flask

from webapp.indexer.report import ImportReport
from webapp.indexer.streams import READ_BYTES, UnreadableFile, binary_blocks, open_pgn

PROGRESS_EVERY_S = 0.25
#: base64 characters decoded at a time (a multiple of 4)
SLICE_CHARS = 4 << 20
PEEK_BYTES = 64 << 10
#: unpacked/packed size assumed for progress when a compressed file does not say
ASSUMED_RATIO = 8
_MAGIC = ((b"\x1f\x8b", ".pgn.gz"), (b"BZh", ".pgn.bz2"), (b"\x28\xb5\x2f\xfd", ".pgn.zst"))


class UploadError(ValueError):
    """An upload that cannot be imported; the message says why, in words for the page.

    `report` holds what was imported before the problem showed (None: nothing was read).
    """

    def __init__(self, message: str, report: ImportReport | None = None) -> None:
        super().__init__(message)
        self.report = report


class UploadTooLarge(UploadError):
    """An upload over a limit (as sent, or unpacked)."""


def megabytes(size: int) -> str:
    return f"{size / 2**20:,.0f} MB" if size >= 2**20 else f"{size / 2**10:,.0f} KB"


def suffix_for(head: bytes, filename: str | None) -> str:
    """The suffix open_pgn needs: from the magic bytes, else from the name, else .pgn."""
    for magic, suffix in _MAGIC:
        if head.startswith(magic):
            return suffix
    name = (filename or "").lower()
    for _magic, suffix in _MAGIC:
        if name.endswith(suffix.removeprefix(".pgn")):
            return suffix
    return ".pgn"


def _decoded_slices(encoded: str) -> Iterator[bytes]:
    for start in range(0, len(encoded), SLICE_CHARS):
        piece = encoded[start : start + SLICE_CHARS]
        try:
            yield base64.b64decode(piece, validate=False)
        except (binascii.Error, ValueError):
            raise UploadError("the upload could not be read; please try again") from None


def spool_upload(
    contents: str, filename: str | None, *, max_bytes: int, directory: str | None = None
) -> Path:
    """Write the upload's bytes to a temporary file (the caller deletes it); UploadTooLarge
    when they pass max_bytes."""
    if not isinstance(contents, str) or "," not in contents[:512]:
        raise UploadError("the upload could not be read; please try again")
    encoded = contents[contents.index(",") + 1 :]
    name = filename or "the upload"
    if len(encoded) // 4 * 3 > max_bytes + 2:
        raise UploadTooLarge(too_large(name, len(encoded) // 4 * 3, max_bytes))
    slices = _decoded_slices(encoded)
    first = next(slices, b"")
    descriptor, path = tempfile.mkstemp(prefix="upload-", suffix=suffix_for(first, filename),
                                        dir=directory)
    written = 0
    try:
        with os.fdopen(descriptor, "wb") as handle:
            for piece in itertools.chain([first], slices):
                written += len(piece)
                if written > max_bytes:
                    raise UploadTooLarge(too_large(name, written, max_bytes))
                handle.write(piece)
    except BaseException:
        os.unlink(path)
        raise
    return Path(path)


def too_large(name: str, size: int, limit: int) -> str:
    return (
        f"{name} is {megabytes(size)}; uploads are limited to {megabytes(limit)}. "
        "Import bigger files on the server: python -m webapp import FILE"
    )


class LimitedReader:
    """A binary stream that ends after `limit` bytes and says whether there was more."""

    def __init__(self, stream: BinaryIO, limit: int) -> None:
        self.stream, self.limit = stream, limit
        self.count = 0
        self.exceeded = False

    def read(self, size: int = -1) -> bytes:
        room = self.limit - self.count
        if room <= 0:
            self.exceeded = self.exceeded or bool(self.stream.read(1))
            return b""
        block = self.stream.read(room if size is None or size < 0 else min(size, room))
        self.count += len(block)
        return block


def unpacked_too_large(name: str, limit: int) -> str:
    return (
        f"{name} unpacks to more than {megabytes(limit)}, the limit for uploads; the games "
        "before that point were imported. Import bigger files on the server: "
        "python -m webapp import FILE"
    )


def unpacked_size(path: Path) -> int | None:
    """What the file unpacks to, when it says so cheaply (plain size, gzip trailer, zstd frame)."""
    name = path.name
    size = path.stat().st_size
    if name.endswith(".pgn"):
        return size
    try:
        with path.open("rb") as handle:
            if name.endswith(".gz") and size >= 18:
                handle.seek(-4, os.SEEK_END)
                return int(struct.unpack("<I", handle.read(4))[0]) or None  # mod 2**32
            if name.endswith(".zst"):
                import zstandard

                content = zstandard.frame_content_size(handle.read(18))
                return content if content > 0 else None
    except (OSError, ValueError, struct.error):
        return None
    return None


def check_pgn_start(path: Path, name: str) -> None:
    """UploadError for a file whose first unpacked bytes are binary, or hold no PGN at all."""
    try:
        with open_pgn(path) as stream:
            head = stream.read(PEEK_BYTES)
    except Exception as error:  # noqa: BLE001 - OSError, EOFError, zstandard.ZstdError and kin
        raise UploadError(f"{name} looks compressed but could not be unpacked: {error}") from None
    if b"\x00" in head:
        raise UploadError(f"{name} is not a text file; upload a .pgn file")
    if b"[" not in head and b"1." not in head:
        raise UploadError(f"{name} holds no PGN games (no [Event …] headers or moves)")


def import_upload_file(
    server: Flask,
    path: Path,
    name: str,
    progress: Callable[[int, str], None],
    *,
    collection: str | None = None,
) -> ImportReport:
    """Import a spooled upload with the CLI's streaming reader, within the unpacked limit.

    Runs in a background job (its own process), so it takes a fresh connection pool, and
    bumps the cache generation once the games have landed (also when a limit stopped it:
    what was read before stays imported, and UploadTooLarge carries its report).
    """
    from webapp.caching import bump_generation
    from webapp.extensions import db
    from webapp.indexer.compact import compact
    from webapp.indexer.pgn import import_pgn_blocks

    settings = server.extensions["settings"]
    check_pgn_start(path, name)
    total = unpacked_size(path) or path.stat().st_size * ASSUMED_RATIO
    report = ImportReport()
    last = [0.0]
    with server.app_context():
        db.engine.dispose(close=False)  # never share the parent's connections
        with open_pgn(path) as stream:
            limited = LimitedReader(stream, settings.upload_max_unpacked_bytes)

            def report_progress(current: ImportReport) -> None:
                now = time.monotonic()
                if now - last[0] < PROGRESS_EVERY_S and not current.stage:
                    return
                last[0] = now
                done = min(99, round(100 * limited.count / max(total, 1)))
                stage = f"; {current.stage}" if current.stage else ""
                progress(done, f"{current.games_read:,} games read{stage}")

            try:
                import_pgn_blocks(
                    db.engine,
                    binary_blocks(limited, read_bytes=READ_BYTES),  # type: ignore[arg-type]
                    index_plies=settings.index_plies,
                    progress=report_progress,
                    report=report,
                    workers=0,  # one process: the job holds what it reads, not a pool's copies
                    compact_every=settings.compact_every_games,
                    summarize_every=settings.summarize_every_games,
                    collection=collection,
                )
            except UnreadableFile as error:  # a damaged archive: what was read stays imported
                bump_generation()
                raise UploadError(f"{name} could not be read to the end: {error}",
                                  report.finish()) from None
        if report.imported or report.moved:
            progress(99, f"{report.games_read:,} games read; compacting the statistics")
            compact(db.engine)
        bump_generation()
    report.finish()
    if limited.exceeded:
        raise UploadTooLarge(unpacked_too_large(name, settings.upload_max_unpacked_bytes), report)
    progress(100, f"{report.games_read:,} games read")
    return report


def run_upload(
    server: Flask,
    contents: str,
    filename: str | None,
    progress: Callable[[int, str], None],
    *,
    collection: str | None = None,
) -> ImportReport:
    """Spool, check and import one upload (into `collection`, None: each game's site's);
    the temporary file is gone when this returns."""
    settings = server.extensions["settings"]
    name = filename or "the upload"
    path = spool_upload(contents, filename, max_bytes=settings.upload_max_bytes)
    try:
        return import_upload_file(server, path, name, progress, collection=collection)
    finally:
        path.unlink(missing_ok=True)
