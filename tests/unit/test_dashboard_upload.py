"""Reading an upload: dcc.Upload's data URL, plain or compressed; clear words for bad files."""

from __future__ import annotations

import base64
import bz2
import gzip

import pytest
import zstandard

from webapp.dashboard.upload import (
    UploadError,
    decode_upload,
    estimate_games,
    report_lines,
    upload_collection,
)
from webapp.indexer.report import ImportReport

PGN = '[Event "Rated Blitz game"]\n[Result "1-0"]\n\n1. e4 e5 2. Qh5 Nc6 3. Bc4 Nf6 4. Qxf7# 1-0\n'


def _data_url(raw: bytes) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(raw).decode()


@pytest.mark.parametrize(
    ("name", "pack"),
    [
        ("games.pgn", lambda b: b),
        ("games.pgn", lambda b: b"\xef\xbb\xbf" + b),  # a byte order mark
        ("games.pgn.gz", gzip.compress),
        ("games.pgn.bz2", bz2.compress),
        ("games.pgn.zst", lambda b: zstandard.ZstdCompressor().compress(b)),
        ("no-extension", gzip.compress),  # recognised by its magic bytes
    ],
)
def test_plain_and_compressed_uploads_give_the_pgn_text(name, pack) -> None:  # type: ignore[no-untyped-def]
    assert decode_upload(_data_url(pack(PGN.encode())), name) == PGN


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not a text file"),
        (b"hello world, no games here", "holds no PGN games"),
        (b"\x1f\x8b\x08broken", "could not be unpacked"),
    ],
)
def test_files_that_are_not_pgn_say_why(raw: bytes, words: str) -> None:
    with pytest.raises(UploadError, match=words):
        decode_upload(_data_url(raw), "upload.pgn")


def test_estimate_counts_games_by_their_headers() -> None:
    assert estimate_games(PGN * 3) == 3
    assert estimate_games("1. e4 e5") == 1


def test_report_lines_name_imported_present_and_skips_by_reason() -> None:
    report = ImportReport(games_read=10, imported=6, already_present=1)
    report.skip("variant", 2)
    report.skip("illegal move", 1)
    assert report_lines(report) == [
        "Imported 6 of 10 games (1 already present, 3 skipped).",
        "Skipped 2: variant",
        "Skipped 1: illegal move",
    ]


def test_the_upload_collection_box_is_checked_and_empty_means_each_games_site() -> None:
    assert upload_collection(" Masters ") == "masters"
    assert upload_collection("") is None and upload_collection(None) is None and upload_collection("  ") is None
    with pytest.raises(UploadError, match="Collection 'my games!': use 1 to 64 lower-case letters"):
        upload_collection("my games!")
