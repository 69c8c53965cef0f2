"""Parsing game texts into GameRecords: fields, skips by reason, the python-chess fallback."""

from __future__ import annotations

from pathlib import Path

from webapp.indexer.pgn import NOTE_LATIN1, parse_game_texts
from webapp.indexer.streams import binary_blocks, game_texts, open_pgn
from webapp.model.speed import Speed

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pgn"


def parse(name: str, plies: int = 40):  # type: ignore[no-untyped-def]
    with open_pgn(FIXTURES / name) as stream:
        return parse_game_texts(list(game_texts(binary_blocks(stream))), plies)


def test_chesscom_games_are_split_and_keyed_by_link() -> None:
    parsed = parse("chesscom_no_blank_line.pgn")
    assert [(r.uid, r.source, r.speed, r.result) for r in parsed.records] == [
        ("chesscom:live/1000000001", "chesscom", Speed.BLITZ, "1-0"),
        ("chesscom:live/1000000002", "chesscom", Speed.BULLET, "1/2-1/2"),
        ("chesscom:daily/28453746", "chesscom", Speed.CORRESPONDENCE, "0-1"),
    ]
    assert parsed.records[0].moves == ["e2e4", "e7e5", "g1f3", "b8c6", "f1b5"]


def test_pgnmentor_quirks() -> None:
    records = parse("pgnmentor_two_blank_lines.pgn").records
    assert [(r.white, len(r.moves), r.white_rating, r.month, r.speed) for r in records] == [
        ("Carlsen,M", 16, 2801, 200911, Speed.BLITZ),
        ("Fischer,R", 10, None, 196000, Speed.CLASSICAL),  # "1960.??.??": the year alone
        ("Leconte,M", 1, 2304, 200609, Speed.CLASSICAL),
        ("Smyslov,V", 8, None, 195500, Speed.CLASSICAL),  # "1955": the year alone
    ]


def test_skips_by_reason() -> None:
    assert dict(parse("variant.pgn").skipped) == {"variant": 2}
    assert dict(parse("setup_fen.pgn").skipped) == {"non-standard start position": 2}
    assert dict(parse("illegal_move.pgn").skipped) == {"illegal move": 1, "unparsable move": 1}
    assert dict(parse("unfinished.pgn").skipped) == {"unfinished (result *)": 2}
    assert dict(parse("broken_header.pgn").skipped) == {"broken header": 1}
    assert dict(parse("truncated_last.pgn").skipped) == {"truncated last game": 1}
    assert dict(parse("no_moves.pgn").skipped) == {"no moves": 1}
    assert parse("setup_fen.pgn").records[0].moves == ["d2d4", "d7d5", "c2c4"]  # FEN of the start


def test_latin1_bytes_keep_the_game() -> None:
    parsed = parse("non_utf8.pgn")
    assert [r.white for r in parsed.records] == ["Müller,K", "Schöne,F"]
    assert parsed.notes[NOTE_LATIN1] == 2


def test_promotion_without_equals_sign_falls_back_to_python_chess() -> None:
    records = {r.uid: r for r in parse("promotions.pgn").records}
    fallback = records["lichess:prmo0003"]  # `gxh8Q`, which the Rust parser rejects
    assert fallback.position_keys is None
    assert fallback.moves[-2:] == ["g7h8q", "e8f8"]
    assert records["lichess:prmo0002"].moves[8] == "g7h8n"


def test_comments_variations_and_nags_are_ignored() -> None:
    first, second = parse("annotations.pgn").records
    assert first.moves == "e2e4 e7e5 g1f3 b8c6 f1c4 f8c5 d2d3 g8f6 e1g1 e8g8 c2c3 d7d6".split()
    assert (first.rated, second.rated) == (False, True)
    assert second.moves == "d2d4 d7d5 c2c4 e7e6 b1c3 g8f6 c1g5 f8e7".split()


def test_only_the_indexed_plies_are_hashed() -> None:
    record = parse("en_passant.pgn", plies=10).records[0]
    assert len(record.moves) == 30 and len(record.position_keys) == 11


def test_parser_processes_give_the_same_records_and_skips() -> None:
    from webapp.indexer.pgn import parsed_records
    from webapp.indexer.report import ImportReport

    def run(workers: int) -> tuple[list[tuple], ImportReport]:
        report = ImportReport()
        texts = []
        for path in sorted(FIXTURES.glob("*.pgn")):
            with open_pgn(path) as stream:
                texts += list(game_texts(binary_blocks(stream)))
        records = parsed_records(texts, report, index_plies=40, workers=workers, chunk_size=3)
        keys = lambda r: None if r.position_keys is None else list(r.position_keys)  # noqa: E731
        return [(r.uid, list(r.moves), r.result, keys(r)) for r in records], report

    in_process, report = run(0)
    in_workers, worker_report = run(2)
    assert in_workers == in_process and len(in_process) > 30
    assert worker_report.skipped == report.skipped and worker_report.games_read == report.games_read


def test_an_oversized_text_is_counted_as_skipped() -> None:
    from webapp.indexer.streams import OVERSIZED

    assert dict(parse_game_texts([(OVERSIZED, False)], 40).skipped) == {"too large (not PGN?)": 1}
