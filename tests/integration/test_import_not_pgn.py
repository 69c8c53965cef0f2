"""Files that are not PGN are named as such, PGN in UTF-16 is read, and a compressed file cut
short says so after importing the games before the cut; the command exits 1 for both."""

from __future__ import annotations

import bz2
import gzip
import hashlib
import json
import zlib
from pathlib import Path

import chess.pgn
import pytest
import zstandard
from sqlalchemy import text
from test_import_cli import run

from webapp.indexer.pgn import import_pgn_files
from webapp.indexer.sniff import NotPgn
from webapp.indexer.streams import TruncatedFile

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "explorer_sample.pgn"


def _games(count: int) -> str:
    """`count` distinct finished games, each ending its moves with ` 1-0` on its own line
    (an Annotator of varied text, so that compressed files are several blocks long)."""
    return "".join(
        f'[Event "Casual game"]\n[Site "?"]\n[Round "{n}"]\n[White "Müller, Jürgen"]\n'
        f'[Black "b{n % 13}"]\n[Result "1-0"]\n'
        f'[Annotator "{hashlib.md5(str(n).encode()).hexdigest()}"]\n\n'
        "1. e4 e5 2. Nf3 Nc6 3. Bb5 a6 4. Ba4 Nf6 1-0\n\n"
        for n in range(count)
    )


def _count(engine, sql: str = "SELECT count(*) FROM games") -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return int(connection.execute(text(sql)).scalar_one())


def _one_line(count: int) -> str:
    return _games(count).replace("\n", " ")


NOT_PGN = {
    "json": (json.dumps([{"white": "a", "black": "b", "moves": "e4 e5"}] * 3, indent=2), "JSON"),
    "ndjson": ("".join(json.dumps({"id": n, "moves": "e4 e5"}) + "\n" for n in range(5)), "JSON"),
    "csv": ("id,white,black,moves\n1,a,b,e4 e5\n2,c,d,d4 d5\n", "CSV"),
    "one line": (_one_line(10_000), "several tags on one line"),
    "utf-16 json": (json.dumps({"games": []}), "JSON"),
    "text": ("Hello, this is a letter.\n", "does not begin with a PGN tag"),
}


@pytest.mark.parametrize("kind", list(NOT_PGN))
def test_a_file_that_is_not_pgn_is_named_and_nothing_imported(engine, tmp_path: Path, kind: str) -> None:
    content, words = NOT_PGN[kind]
    path = tmp_path / "games.pgn"
    path.write_bytes(content.encode("utf-16" if kind.startswith("utf-16") else "utf-8"))
    with pytest.raises(NotPgn) as raised:
        import_pgn_files(engine, [path], index_plies=40)
    assert "is not PGN" in str(raised.value) and words in str(raised.value)
    assert str(path) in str(raised.value)
    assert _count(engine) == 0


@pytest.mark.parametrize(
    "encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"],
    ids=["utf-16 with BOM", "utf-16-le no BOM", "utf-16-be no BOM", "utf-8 with BOM"],
)
def test_pgn_in_utf16_is_read_like_utf8(engine, tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "games.pgn"
    path.write_bytes(_games(3000).encode(encoding))  # more than one read block in UTF-16
    report = import_pgn_files(engine, [path], index_plies=40)
    assert (report.imported, report.skipped_total, dict(report.notes)) == (3000, 0, {})
    with engine.connect() as connection:
        names = connection.execute(text("SELECT display_name FROM players")).scalars().all()
    assert "Müller, Jürgen" in names and len(names) == 14


def _prefix(kind: str, data: bytes) -> tuple[bytes, bytes]:
    """(the compressed file cut in the middle, the bytes a decompressor gets from the cut)."""
    if kind == "zst":
        whole = zstandard.ZstdCompressor(level=3).compress(data)
        cut = whole[: len(whole) // 2]
        return cut, zstandard.ZstdDecompressor().decompressobj().decompress(cut)
    if kind == "gz":
        whole = gzip.compress(data)
        cut = whole[: len(whole) // 2]
        return cut, zlib.decompressobj(wbits=31).decompress(cut)
    whole = bz2.compress(data, compresslevel=1)  # 100 KB blocks
    cut = whole[: len(whole) // 2]
    return cut, bz2.BZ2Decompressor().decompress(cut)


@pytest.mark.parametrize("kind", ["zst", "gz", "bz2"])
def test_a_truncated_compressed_file_is_reported_and_its_complete_games_stay(
    engine, tmp_path: Path, kind: str
) -> None:
    data = _games(6000).encode()
    cut, available = _prefix(kind, data)
    path = tmp_path / f"cut.pgn.{kind}"
    path.write_bytes(cut)
    complete = available.count(b" 1-0\n")  # games whose moves end inside the readable part
    assert 0 < complete < 6000
    with pytest.raises(TruncatedFile) as raised:
        import_pgn_files(engine, [path], index_plies=40)
    assert "truncated" in str(raised.value) and str(path) in str(raised.value)
    report = raised.value.report  # type: ignore[attr-defined]
    assert report.imported == complete == _count(engine)
    assert dict(report.skipped) in ({"truncated last game": 1}, {})


def test_the_command_exits_1_naming_what_is_wrong(app, engine, settings, tmp_path: Path) -> None:
    csv = tmp_path / "games.pgn"
    csv.write_text(NOT_PGN["csv"][0])
    done = run(settings, tmp_path, str(csv))
    assert done.returncode == 1
    assert "is not PGN: it looks like a table (CSV or TSV)" in done.stderr
    assert "Traceback" not in done.stderr
    games = _games(5000).encode()
    whole = zstandard.ZstdCompressor().compress(games)
    cut = tmp_path / "cut.pgn.zst"
    cut.write_bytes(whole[: len(whole) * 3 // 4])
    done = run(settings, tmp_path, str(cut))
    assert done.returncode == 1, done.stderr
    assert "truncated" in done.stderr and "Traceback" not in done.stderr
    assert " imported" in done.stdout  # the summary of what landed
    assert _count(engine) > 0


def test_a_file_that_is_not_pgn_after_a_good_one_keeps_the_good_ones_games(app, engine, settings, tmp_path: Path) -> None:
    good = tmp_path / "good.pgn"
    good.write_text(_games(2500))  # more than one batch, the last one partly filled
    csv = tmp_path / "games.csv.pgn"
    csv.write_text(NOT_PGN["csv"][0])
    later = tmp_path / "later.pgn"
    later.write_text(_games(3).replace("Casual game", "Later game"))
    done = run(settings, tmp_path, str(good), str(csv), str(later))
    assert done.returncode == 1
    assert f"{csv} is not PGN: it looks like a table (CSV or TSV). The 2,500 games imported before it stay." in done.stderr
    assert _count(engine) == 2500  # and the file after it is not read


def test_python_chess_agrees_the_fixture_games_are_pgn() -> None:
    """The generator writes PGN python-chess reads (so a NotPgn above is the sniffer's)."""
    import io

    handle = io.StringIO(_games(3))
    assert [chess.pgn.read_game(handle).headers["Round"] for _ in range(3)] == ["0", "1", "2"]
