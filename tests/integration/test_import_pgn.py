"""Importing PGN files fills games, move_stats and player_move_stats exactly as python-chess says.

Every fixture in tests/fixtures/pgn (one per skip reason and per quirk of real files) is
imported through the app's importer on SQLite and PostgreSQL, and the tables are compared
row by row with import_reference.expected() over the same files.
"""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest
from import_reference import expected
from sqlalchemy import text
from stats_tables import (
    games_by_uid,
    month_less_view,
    move_stats_by_month,
    player_move_stats_by_month,
    track_every_player,
)

from webapp.indexer.pgn import import_pgn_files, import_pgn_stream

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pgn"
ALL = sorted(FIXTURES.glob("*.pgn"))
SKIPS = {
    "variant": 2,
    "non-standard start position": 2,
    "illegal move": 1,
    "unparsable move": 1,
    "unfinished (result *)": 2,
    "broken header": 1,
    "truncated last game": 1,
    "no moves": 1,
}


def tables(engine, index_plies: int = 40) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The tables as comparable values (players by source and name, not by id), every
    player's statistics counted first."""
    track_every_player(engine, index_plies)
    with engine.connect() as connection:
        return {
            "move_stats": move_stats_by_month(connection),
            "move_stats_rollup": month_less_view(connection),
            "player_move_stats": player_move_stats_by_month(connection),
            "games": games_by_uid(connection),
        }


def summed_over_months(move_stats: dict[tuple, list[int]]) -> dict[tuple, list[int]]:
    rollup: dict[tuple, list[int]] = {}
    for (key, move, speed, rated, band, _month), counts in move_stats.items():
        row = rollup.setdefault((key, move, speed, rated, band), [0, 0, 0, 0])
        for i, value in enumerate(counts):
            row[i] += value
    return rollup


def test_fixtures_fill_the_tables_exactly_as_python_chess_counts(engine) -> None:
    report = import_pgn_files(engine, ALL, index_plies=40)
    reference = expected(ALL, index_plies=40)
    got = tables(engine)
    assert got["move_stats"] == dict(reference.move_stats)
    assert got["player_move_stats"] == dict(reference.player_move_stats)
    assert got["move_stats_rollup"] == summed_over_months(reference.move_stats)
    assert len(got["games"]) == len(reference.games)
    assert sorted(result for result, _, _ in got["games"].values()) == sorted(
        g.result for g in reference.games.values()
    )
    assert sorted(moves for _, _, moves in got["games"].values()) == sorted(
        " ".join(m.uci() for m in g.moves) for g in reference.games.values()
    )
    assert report.imported == len(reference.games)
    assert report.already_present == 1  # transposition.pgn repeats one lichess game


def test_every_skip_reason_is_counted(engine) -> None:
    report = import_pgn_files(engine, ALL, index_plies=40)
    assert dict(report.skipped) == SKIPS
    assert dict(expected(ALL).skipped) == SKIPS  # the reference agrees
    assert report.notes == Counter({"not UTF-8, read as Latin-1": 2})
    assert report.games_read == report.imported + report.already_present + sum(SKIPS.values())


def test_reimport_changes_nothing(engine) -> None:
    first = import_pgn_files(engine, ALL, index_plies=40)
    before = tables(engine)
    second = import_pgn_files(engine, ALL, index_plies=40)
    assert tables(engine) == before
    assert second.imported == 0
    assert second.already_present == first.imported + first.already_present


def test_fewer_plies_index_fewer_positions(engine) -> None:
    import_pgn_files(engine, ALL, index_plies=6)
    reference = expected(ALL, index_plies=6)
    got = tables(engine, index_plies=6)
    assert got["move_stats"] == dict(reference.move_stats)
    assert got["player_move_stats"] == dict(reference.player_move_stats)


def test_transposition_and_repetition_count_once_per_game(engine) -> None:
    path = FIXTURES / "transposition.pgn"
    import_pgn_files(engine, [path], index_plies=40)
    # 1.d4 d5 2.Nf3 Nf6 and 1.Nf3 d5 2.d4 Nf6 meet; the knight shuffle game reaches the
    # start position three times and the position after 1.Nf3 twice, counted once each.
    import chess
    import chess.polyglot

    def key(line: str) -> int:
        board = chess.Board()
        for uci in line.split():
            board.push_uci(uci)
        value = chess.polyglot.zobrist_hash(board)
        return value - (1 << 64) if value >= 1 << 63 else value

    with engine.connect() as connection:

        def totals(line: str) -> tuple[int, int, int]:
            row = connection.execute(
                text("SELECT sum(white), sum(draws), sum(black) FROM move_stats_all WHERE position_key = :k"),
                {"k": key(line)},
            ).one()
            return tuple(int(v or 0) for v in row)  # type: ignore[return-value]

        assert totals("d2d4 d7d5 g1f3 g8f6") == (1, 0, 1)
        assert totals("") == (1, 1, 1)
        assert totals("g1f3") == (0, 1, 1)
        assert totals("g1f3 g8f6") == (0, 1, 0)


def test_uploaded_text_stream_imports_like_the_file(engine) -> None:
    """Text (an upload) imports like the files; a game cut mid-stream is skipped too."""
    texts = "".join(path.read_text("latin-1") + "\n" for path in ALL)
    report = import_pgn_stream(engine, io.StringIO(texts), index_plies=40)
    reference = expected(ALL)
    got = tables(engine)
    assert got["move_stats"] == dict(reference.move_stats)
    assert got["player_move_stats"] == dict(reference.player_move_stats)
    skips = dict(SKIPS)
    del skips["truncated last game"]  # no longer last: the next file's games follow it
    skips["no result at end of moves"] = 1
    assert dict(report.skipped) == skips
    assert report.imported == len(reference.games)


@pytest.mark.parametrize("suffix", [".pgn.gz", ".pgn.bz2", ".pgn.zst"])
def test_compressed_files_import_like_plain_ones(engine, tmp_path: Path, suffix: str) -> None:
    import bz2
    import gzip

    import zstandard

    source = FIXTURES / "chesscom_no_blank_line.pgn"
    data = source.read_bytes()
    compress = {
        ".pgn.gz": gzip.compress,
        ".pgn.bz2": bz2.compress,
        ".pgn.zst": zstandard.ZstdCompressor().compress,
    }[suffix]
    path = tmp_path / ("games" + suffix)
    path.write_bytes(compress(data))
    report = import_pgn_files(engine, [path], index_plies=40)
    assert report.imported == 3
    assert tables(engine)["move_stats"] == dict(expected([source]).move_stats)
