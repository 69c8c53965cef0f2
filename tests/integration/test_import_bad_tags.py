"""One bad game among good ones: it is skipped (or its over-long name cut) and counted, and
its 999 neighbours in the same batch land, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from pathlib import Path

import chess
import pytest
from sqlalchemy import text

from webapp.indexer.pgn import import_pgn_files
from webapp.model.position import position_key

NAME_LENGTH = 64  # players.name and players.display_name


def _game(number: int, white: str = "", event: str = "Casual game") -> str:
    white = white or f"white{number}"
    return (
        f'[Event "{event}"]\n[Site "?"]\n[Date "2021.05.01"]\n[Round "{number}"]\n'
        f'[White "{white}"]\n[Black "black{number % 7}"]\n[Result "1-0"]\n\n'
        "1. e4 e5 2. Nf3 Nc6 3. Bb5 a6 1-0\n\n"
    )


def _file(tmp_path: Path, bad: str) -> Path:
    """999 good games with the bad one (game 500) among them: one batch of 1,000."""
    games = [bad if number == 500 else _game(number) for number in range(1000)]
    path = tmp_path / "one_bad.pgn"
    path.write_text("".join(games), encoding="utf-8")
    return path


def _count(engine, sql: str) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return int(connection.execute(text(sql)).scalar_one())


@pytest.mark.parametrize(
    "bad",
    [
        _game(500, white="nul\x00byte"),
        _game(500, event="Casual\x00game"),
        _game(500).replace('[Result "1-0"]', '[Result "1-0"]\n[Annotator "a\x00b"]'),
    ],
    ids=["white", "event", "annotator"],
)
def test_a_nul_byte_in_a_tag_skips_that_game_alone(engine, tmp_path: Path, bad: str) -> None:
    report = import_pgn_files(engine, [_file(tmp_path, bad)], index_plies=40)
    assert report.imported == 999
    assert dict(report.skipped) == {"NUL byte in a tag": 1}
    assert report.games_read == 1000
    assert _count(engine, "SELECT count(*) FROM games") == 999
    # the 999 games' statistics landed: each counts once in the start position
    start = position_key(chess.Board())
    assert _count(
        engine,
        f"SELECT sum(white + draws + black) FROM move_stats_all WHERE position_key = {start}",
    ) == 999


@pytest.mark.parametrize(
    "name",
    ["İ" * 64, "İ" * 40 + "x" * 30, "y" * 100],
    ids=["64-dotted-I", "mixed", "100-ascii"],
)
def test_an_over_long_name_is_cut_to_the_column_and_counted(engine, tmp_path: Path, name: str) -> None:
    report = import_pgn_files(engine, [_file(tmp_path, _game(500, white=name))], index_plies=40)
    assert report.imported == 1000
    assert report.skipped_total == 0
    assert dict(report.notes) == {f"player name cut to {NAME_LENGTH} characters": 1}
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT name, display_name FROM players WHERE name NOT LIKE 'white%'"
                 " AND name NOT LIKE 'black%'")
        ).one()
    lookup, display = stored
    assert len(lookup) <= NAME_LENGTH and len(display) <= NAME_LENGTH
    assert lookup == display.lower()
    assert name.startswith(display) and len(display) >= NAME_LENGTH // 2
