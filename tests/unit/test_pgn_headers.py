"""Tag rules: speed, rated, date, ratings and game ids from the headers real files carry."""

from __future__ import annotations

from datetime import date

import pytest

from webapp.indexer.games import chesscom_uid, uid_from_url
from webapp.indexer.headers import (
    BrokenHeader,
    date_of,
    header_lines,
    identity_of,
    parse_tags,
    rated_of,
    rating_of,
    speed_of,
    split_header,
)
from webapp.model.speed import Speed


@pytest.mark.parametrize(
    ("tags", "speed"),
    [
        ({"TimeControl": "300+3"}, Speed.BLITZ),  # 300 + 120 = 420 s
        ({"TimeControl": "600+5"}, Speed.RAPID),  # 800 s
        ({"TimeControl": "15+0"}, Speed.ULTRABULLET),
        ({"TimeControl": "0+1"}, Speed.BULLET),  # very early lichess games: 40 s
        ({"TimeControl": "-"}, Speed.CORRESPONDENCE),
        ({"TimeControl": "180"}, Speed.BLITZ),  # chess.com: no increment part
        ({"TimeControl": "1/259200"}, Speed.CORRESPONDENCE),  # chess.com daily
        ({"TimeControl": "1500+10"}, Speed.CLASSICAL),  # chess.com calls it rapid
        # a lichess broadcast writes minutes: 90 min + 30 s is classical, not rapid
        ({"TimeControl": "90+30", "Site": "https://lichess.org/study/gfXgh34J/4icmuXBU"}, Speed.CLASSICAL),
        ({"TimeControl": "90+30"}, Speed.RAPID),  # elsewhere, seconds
        # pgnmentor: no TimeControl, the Event decides, else classical
        ({"Event": "World Blitz Ch"}, Speed.BLITZ),
        ({"Event": "Amber Rapid"}, Speed.RAPID),
        ({"Event": "Amber Blindfold"}, Speed.RAPID),
        ({"Event": "chess.com SpeedChess 2023"}, Speed.RAPID),
        ({"Event": "Titled Bullet Arena"}, Speed.BULLET),
        ({"Event": "ICCF corr"}, Speed.CORRESPONDENCE),
        ({"Event": "Olympiad"}, Speed.CLASSICAL),
        ({"Event": "Olympiad", "TimeControl": "?"}, Speed.CLASSICAL),
        ({}, Speed.CLASSICAL),
    ],
)
def test_speed(tags: dict[str, str], speed: Speed) -> None:
    assert speed_of(tags) == speed


@pytest.mark.parametrize(
    ("event", "white", "black", "rated"),
    [
        ("Rated Blitz game", 1500, 1500, True),
        ("rated blitz game", 1500, 1500, True),  # 2025 exports
        ("Casual Bullet game", 1500, 1500, False),
        ("Rated Blitz tournament https://lichess.org/tournament/abc", 1500, 1500, True),
        ("Hourly Bullet Arena", 1500, 1500, True),
        ("Unrated game", 1500, 1500, False),
        ("Let's Play!", None, None, False),
        ("Olympiad", 2700, None, True),
    ],
)
def test_rated(event: str, white: int | None, black: int | None, rated: bool) -> None:
    assert rated_of({"Event": event}, white, black) is rated


@pytest.mark.parametrize(
    ("tags", "played_on", "month"),
    [
        ({"UTCDate": "2021.10.01", "Date": "2021.09.30"}, date(2021, 10, 1), 202110),
        ({"Date": "2013.01.02"}, date(2013, 1, 2), 201301),
        ({"Date": "1955.03.??"}, None, 195503),
        ({"Date": "1955.??.??"}, None, 195500),  # the year alone: month 00
        ({"Date": "1955"}, None, 195500),
        ({"Date": "1955.13.01"}, None, 195500),
        ({"Date": "0000.??.??"}, None, 0),
        ({"UTCDate": "????.??.??", "Date": "1901.??.??"}, None, 190100),
        ({"Date": "????.??.??"}, None, 0),
        ({"UTCDate": "????.??.??", "Date": "2000.02.29"}, date(2000, 2, 29), 200002),
        ({"Date": "2001.02.30"}, None, 200102),
        ({}, None, 0),
    ],
)
def test_date(tags: dict[str, str], played_on: date | None, month: int) -> None:
    assert date_of(tags) == (played_on, month)


@pytest.mark.parametrize(("value", "rating"), [("1500", 1500), ("?", None), ("", None), (None, None), ("0", None), ("-", None), (" 2100 ", 2100)])
def test_rating(value: str | None, rating: int | None) -> None:
    assert rating_of(value) == rating


def test_tags_with_escapes_and_broken_lines() -> None:
    assert parse_tags(['[White "A \\"B\\" C"]', '[Black "D"]', '[White "again"]']) == {
        "White": 'A "B" C',
        "Black": "D",
    }
    with pytest.raises(BrokenHeader):
        parse_tags(['[White "Broken]'])


def test_game_ids_from_urls() -> None:
    assert uid_from_url("https://lichess.org/NRafdioG") == ("lichess:NRafdioG", "lichess")
    assert uid_from_url("https://lichess.org/NRafdioGabcd") == ("lichess:NRafdioG", "lichess")
    assert uid_from_url("https://lichess.org/study/gfXgh34J/4icmuXBU") == (
        "lichess-study:gfXgh34J/4icmuXBU",
        "pgn",
    )
    assert chesscom_uid("https://www.chess.com/game/live/1234") == "chesscom:live/1234"
    assert chesscom_uid("https://www.chess.com/live/game/1234") == "chesscom:live/1234"
    assert chesscom_uid("https://www.chess.com/daily/game/28453746") == "chesscom:daily/28453746"
    assert chesscom_uid("https://www.chess.com/game/daily/28453746") == "chesscom:daily/28453746"
    assert uid_from_url("Chess.com") is None
    assert uid_from_url("Moscow RUS") is None


def test_content_hash_ignores_annotations_but_not_identity() -> None:
    tags = {"Event": "Olympiad", "White": "Tal,M", "Black": "Fischer,R", "Date": "1960.??.??", "Result": "1/2-1/2"}
    uid, source = identity_of(tags, ["e2e4", "e7e6"])
    assert source == "pgn" and uid.startswith("pgn:")
    assert identity_of({**tags, "Annotator": "x", "ECO": "C00"}, ["e2e4", "e7e6"])[0] == uid
    assert identity_of({**tags, "Round": "5"}, ["e2e4", "e7e6"])[0] != uid
    assert identity_of(tags, ["e2e4", "e7e5"])[0] != uid
    chesscom = {**tags, "Site": "Chess.com", "Link": "https://www.chess.com/game/live/99"}
    assert identity_of(chesscom, []) == ("chesscom:live/99", "chesscom")


def _line_by_line(text: str) -> tuple[dict[str, str], str]:
    """What split_header must give: the header read a line at a time."""
    tag_lines, movetext = header_lines(text)
    return parse_tags(tag_lines), movetext


@pytest.mark.parametrize(
    "text",
    [
        '[Event "A"]\n[Site "B"]\n\n1. e4 e5 1-0\n',
        '[Event "A"]\r\n[Site "B"]\r\n\r\n1. e4 e5 1-0\r\n',  # Windows line ends
        '[Event "A"]\r[Site "B"]\r\r1. e4 1-0\r',  # old Mac line ends
        '  [Event "A"]  \n\t[White "x \\"y\\" z"]\n[White "again"]\n1. e4 1-0',  # spaces, escapes, repeat
        '[Event "A"]\n[Site "B"]',  # no moves, no last line break
        '1. e4 e5 1-0\n',  # no tags
        '[Event "A"]\n[1 "digit"]\n1. e4 1-0\n',  # "[" then a digit ends the header
        '[Event "A"]\n\n1. e4\x0ce5 1-0\n',  # a form feed in the moves
    ],
)
def test_split_header_reads_the_header_as_line_by_line_reading_does(text: str) -> None:
    tags, movetext = split_header(text)
    expected_tags, expected_moves = _line_by_line(text)
    assert tags == expected_tags
    assert list(tags) or not expected_tags
    assert movetext.split() == expected_moves.split()


@pytest.mark.parametrize(
    "text",
    [
        '[Event "A"]\n[Site "B\n\n1. e4 1-0\n',
        '[Event "A"]\r\n[Site B]\r\n1. e4 1-0',
        '[Event "A"]\n[Site "B"]x\n',
        '[Event "A"]\n[Date "2021.01.01"] extra]\n\n1. e4 1-0\n',
        '[Event "A \x85 B"]\n[Site "C"]\n1. e4 1-0\n',  # a Latin-1 ellipsis: a line break to splitlines
    ],
)
def test_split_header_rejects_a_broken_tag_line(text: str) -> None:
    with pytest.raises(BrokenHeader):
        _line_by_line(text)
    with pytest.raises(BrokenHeader):
        split_header(text)
