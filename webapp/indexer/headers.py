"""PGN tag pairs → the game's fields: speed, rated, date, ratings, uid and source.

The rules, for files from lichess, chess.com, pgnmentor and lichess broadcasts:
- speed: lichess's rule on TimeControl (`300+3`, chess.com `180` and daily `1/259200`,
  `-` = correspondence). A lichess broadcast (Site a lichess study) writes minutes:
  `90+30` is 90 min + 30 s. With no usable TimeControl, words in Event decide
  (bullet, blitz, rapid/quick/active/speed, correspondence/ICCF), else classical.
- rated: Event saying casual/unrated → casual, saying rated → rated, otherwise rated
  when at least one player has a rating.
- date: UTCDate, else Date; `2021.10.01` gives the day and month, `1955.03.??` the
  month only, a year alone (`1955.??.??`, `1955`, or a month out of range) the year
  only: month yyyy00. Month 0 means no year either.
- ratings: WhiteElo/BlackElo as positive integers; `?`, empty, missing → None.
- uid: lichess `Site`/`GameId`, chess.com `Link` (or a chess.com `Site` URL); else a
  hash of the identifying tags and the moves (UCI), so annotations do not matter.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import date
from functools import lru_cache

from webapp.indexer.games import lichess_uid, uid_from_url
from webapp.model.speed import Speed, speed_from_seconds, speed_from_time_control

_TAG = re.compile(r'^\[([A-Za-z0-9_]+)\s+"(.*)"\s*\]\s*$')
#: the leading lines of a game's text that open a tag: "[" and a letter, after any spaces
_HEADER_BLOCK = re.compile(r"(?:[^\S\n]*\[[^\W\d_][^\n]*(?:\n|\Z))*")
#: _TAG over a block of lines at once
_TAG_LINES = re.compile(r'^[^\S\n]*\[([A-Za-z0-9_]+)[^\S\n]+"(.*)"[^\S\n]*\][^\S\n]*$', re.MULTILINE)
#: line breaks other than \n and \r\n (str.splitlines breaks at them too)
_ODD_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_TIME_CONTROL_PLUS = re.compile(r"^\s*(\d+)\+(\d+)\s*$")
_DATE = re.compile(r"^\s*(\d{4}|\?{4})(?:[.\-/](\d{2}|\?\?)[.\-/](\d{2}|\?\?))?\s*$")
_BROADCAST_SITE = re.compile(r"lichess\.org/(?:study|broadcast)/")
_EVENT_SPEEDS = (
    (re.compile(r"ultra\s*bullet", re.IGNORECASE), Speed.ULTRABULLET),
    (re.compile(r"bullet", re.IGNORECASE), Speed.BULLET),
    (re.compile(r"blitz|banter|bughouse", re.IGNORECASE), Speed.BLITZ),
    (re.compile(r"rapid|quick|active|speed|blindfold|armageddon", re.IGNORECASE), Speed.RAPID),
    (re.compile(r"corr|iccf|e-?mail|daily", re.IGNORECASE), Speed.CORRESPONDENCE),
)
_CASUAL = re.compile(r"\b(casual|unrated)\b", re.IGNORECASE)
_RATED = re.compile(r"\brated\b", re.IGNORECASE)
IDENTIFYING_TAGS = ("Event", "Site", "Date", "UTCDate", "UTCTime", "Round", "White", "Black", "Result")


class BrokenHeader(ValueError):
    """A tag line that is not `[Name "value"]`."""


def parse_tags(lines: Sequence[str]) -> dict[str, str]:
    """Tag pairs of a header block's lines; the first of a repeated tag wins."""
    pairs = []
    for line in lines:
        match = _TAG.match(line)
        if not match:
            raise BrokenHeader(line)
        pairs.append((match.group(1), match.group(2)))
    return _tags(pairs)


def header_lines(text: str) -> tuple[list[str], str]:
    """(tag lines, movetext) of one game's text, read a line at a time (str.splitlines):
    the leading lines that open a tag ("[" and a letter), stripped, and the rest."""
    lines = text.splitlines()
    count = 0
    for line in lines:
        stripped = line.strip()
        if not (stripped[:1] == "[" and stripped[1:2].isalpha()):
            break
        count += 1
    return [line.strip() for line in lines[:count]], "\n".join(lines[count:])


def split_header(text: str) -> tuple[dict[str, str], str]:
    """(tags, movetext) of one game's text: the tags of its leading lines that open a tag
    ("[" and a letter), the rest its moves. BrokenHeader for such a line that is not a tag
    pair. The common case is read by two regular expressions over the whole block, not
    line by line; text with unusual line breaks goes line by line (str.splitlines)."""
    if not _odd_breaks(text):
        end = _HEADER_BLOCK.match(text).end()  # type: ignore[union-attr]  # matches the empty string
        block, movetext = text[:end], text[end:]
        pairs = _TAG_LINES.findall(block)
        if len(pairs) == block.count("\n") + (not block.endswith("\n") and bool(block)):
            return _tags(pairs, escaped="\\" in block), movetext.replace("\r\n", "\n") if "\r" in movetext else movetext
    # a line that is no tag pair (BrokenHeader names it), or unusual line breaks
    tag_lines, movetext = header_lines(text)
    return parse_tags(tag_lines), movetext


def _odd_breaks(text: str) -> bool:
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return True
    return any(mark in text for mark in _ODD_BREAKS)


def _tags(pairs: list[tuple[str, str]], *, escaped: bool = True) -> dict[str, str]:
    """The (name, value) pairs as tags, `\\"` and `\\\\` in values read as `"` and `\\`, the
    first of a repeated tag winning; `escaped` False: no value holds a backslash."""
    if not escaped:
        return dict(reversed(pairs))
    tags: dict[str, str] = {}
    for name, value in pairs:
        tags.setdefault(name, value.replace('\\"', '"').replace("\\\\", "\\") if "\\" in value else value)
    return tags


def rating_of(value: str | None) -> int | None:
    """A positive integer rating, or None for `?`, empty, missing and anything else."""
    if value is None:
        return None
    value = value.strip()
    if not value.isdigit():
        return None
    rating = int(value)
    return rating if 0 < rating < 10_000 else None


def is_broadcast(tags: dict[str, str]) -> bool:
    return bool(_BROADCAST_SITE.search(tags.get("Site", ""))) or "/broadcast/" in tags.get(
        "Annotator", ""
    )


def speed_of(tags: dict[str, str]) -> Speed:
    time_control = tags.get("TimeControl")
    if time_control is not None and is_broadcast(tags):
        match = _TIME_CONTROL_PLUS.match(time_control)
        if match:  # broadcasts write minutes + seconds
            return speed_from_seconds(int(match.group(1)) * 60, int(match.group(2)))
    speed = speed_from_time_control(time_control)
    if speed is not None:
        return speed
    event = tags.get("Event", "")
    for pattern, event_speed in _EVENT_SPEEDS:
        if pattern.search(event):
            return event_speed
    return Speed.CLASSICAL


def rated_of(tags: dict[str, str], white_rating: int | None, black_rating: int | None) -> bool:
    said = _event_rated(tags.get("Event", ""))
    return said if said is not None else white_rating is not None or black_rating is not None


@lru_cache(maxsize=4096)
def _event_rated(event: str) -> bool | None:
    """What the Event says: casual/unrated False, rated True, else None; cached (a dump's
    games share a few events)."""
    if _CASUAL.search(event):
        return False
    if _RATED.search(event):
        return True
    return None


def date_of(tags: dict[str, str]) -> tuple[date | None, int]:
    """(the day if fully known, yyyymm: yyyy00 for a year alone, 0 for no year) from
    UTCDate, else Date."""
    for name in ("UTCDate", "Date"):
        found = _date_value(tags.get(name, ""))
        if found is not None:
            return found
    return None, 0


@lru_cache(maxsize=4096)
def _date_value(value: str) -> tuple[date | None, int] | None:
    """date_of for one tag's value, None when it names no year; cached: a dump's games
    share a few thousand dates."""
    match = _DATE.match(value)
    if not match or match.group(1).startswith("?") or int(match.group(1)) == 0:
        return None
    year = int(match.group(1))
    if match.group(2) is None or match.group(2).startswith("?"):
        return None, year * 100
    month = int(match.group(2))
    if not 1 <= month <= 12:
        return None, year * 100
    if match.group(3).startswith("?"):
        return None, year * 100 + month
    try:
        return date(year, month, int(match.group(3))), year * 100 + month
    except ValueError:
        return None, year * 100 + month


def identity_of(tags: dict[str, str], moves: Sequence[str]) -> tuple[str, str]:
    """(uid, source) for the game: its lichess or chess.com id, else a content hash."""
    for name in ("Link", "Site"):
        found = uid_from_url(tags.get(name))
        if found:
            return found
    game_id = tags.get("GameId", "")
    if len(game_id) == 8 and game_id.isalnum() and "lichess" in tags.get("Site", "").lower():
        return lichess_uid(game_id), "lichess"
    digest = hashlib.sha1()
    for name in IDENTIFYING_TAGS:
        digest.update(f"{name}={tags.get(name, '').strip()}\n".encode())
    digest.update(" ".join(moves).encode())
    return f"pgn:{digest.hexdigest()[:32]}", "pgn"
