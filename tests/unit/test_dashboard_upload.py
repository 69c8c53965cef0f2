"""Reading an upload: dcc.Upload's data URL spooled to a file (plain or compressed), within
the upload limit; clear words for bad files."""

from __future__ import annotations

import base64
import bz2
import gzip

import pytest
import zstandard

from webapp.dashboard.upload import report_lines, upload_collection
from webapp.indexer.report import ImportReport
from webapp.indexer.streams import open_pgn
from webapp.jobs.uploads import UploadError, UploadTooLarge, check_pgn_start, spool_upload

PGN = '[Event "Rated Blitz game"]\n[Result "1-0"]\n\n1. e4 e5 2. Qh5 Nc6 3. Bc4 Nf6 4. Qxf7# 1-0\n'


def data_url(raw: bytes) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(raw).decode()


@pytest.mark.parametrize(
    ("name", "pack", "suffix"),
    [
        ("games.pgn", lambda b: b, ".pgn"),
        ("games.pgn.gz", gzip.compress, ".pgn.gz"),
        ("games.pgn.bz2", bz2.compress, ".pgn.bz2"),
        ("games.pgn.zst", lambda b: zstandard.ZstdCompressor().compress(b), ".pgn.zst"),
        ("no-extension", gzip.compress, ".pgn.gz"),  # recognised by its magic bytes
        (None, bz2.compress, ".pgn.bz2"),
    ],
)
def test_spooled_upload_reads_back_through_the_clis_reader(name, pack, suffix, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = spool_upload(data_url(pack(PGN.encode())), name, max_bytes=10_000, directory=str(tmp_path))
    assert path.name.endswith(suffix)
    with open_pgn(path) as stream:
        assert stream.read() == PGN.encode()


def test_upload_over_the_size_limit_is_refused_and_leaves_no_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    raw = PGN.encode() * 100
    with pytest.raises(UploadTooLarge, match=r"games.pgn is 8 KB; uploads are limited to 1 KB"):
        spool_upload(data_url(raw), "games.pgn", max_bytes=1024, directory=str(tmp_path))
    assert list(tmp_path.iterdir()) == []
    exact = spool_upload(data_url(raw), "games.pgn", max_bytes=len(raw), directory=str(tmp_path))
    assert exact.read_bytes() == raw


@pytest.mark.parametrize("contents", ["", "no comma here", None, "data:;base64,@@@@"])
def test_unreadable_contents_say_so(contents, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UploadError):
        path = spool_upload(contents, "x.pgn", max_bytes=1000, directory=str(tmp_path))
        check_pgn_start(path, "x.pgn")


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not a text file"),
        (b"hello world, no games here", "holds no PGN games"),
        (b"\x1f\x8b\x08broken", "could not be unpacked"),
        (b"\x28\xb5\x2f\xfdbroken", "could not be unpacked"),
    ],
)
def test_files_that_are_not_pgn_say_why(raw: bytes, words: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = spool_upload(data_url(raw), "upload.pgn", max_bytes=1000, directory=str(tmp_path))
    with pytest.raises(UploadError, match=words):
        check_pgn_start(path, "upload.pgn")


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
