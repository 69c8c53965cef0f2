"""GameRecord: one finished game, independent of where it came from, ready to be loaded.

Every importer (PGN files, the lichess and chess.com accounts) turns its input into
GameRecords and hands them to `webapp.indexer.load.import_games`. The uid helpers here
make the same game get the same uid whichever way it arrives, so imports stay idempotent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from webapp.model.speed import Speed

RESULTS = ("1-0", "0-1", "1/2-1/2")
SOURCES = ("lichess", "chesscom", "pgn")
#: players.name (lower-case, as looked up) and players.display_name hold this many characters
NAME_LENGTH = 64
#: the skip reason of a game whose text holds a NUL byte, which no database text can store
SKIP_NUL = "NUL byte in a tag"

_LICHESS_GAME = re.compile(r"lichess\.org/([A-Za-z0-9]{8})(?:[A-Za-z0-9]{4})?(?:[/?#]|$)")
_LICHESS_STUDY = re.compile(r"lichess\.org/(?:study|broadcast/[^/]+/[^/]+)/([A-Za-z0-9]{8}(?:/[A-Za-z0-9]{8})?)")
_CHESSCOM_GAME = re.compile(
    r"chess\.com/(?:game/(live|daily)/|(live|daily)/game/|(live)#g=)(\d+)", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class GameRecord:
    """A finished standard game from the initial position.

    `source` is where the players' accounts live (lichess | chesscom | pgn); `moves` are
    UCI strings for the whole game. `position_keys`, when given, are the position keys
    (webapp.model.position.position_key) before each move from the start: at least
    min(index_plies, len(moves)) + 1 of them; when None the loader computes them.
    `month` is yyyymm (yyyy00 when only the year is known, 0 when not even that); it
    defaults to played_on's month. `clocks` are the mover's remaining seconds after each
    ply (NaN where unknown), `termination` a webapp.model.termination.Termination,
    `collection` the named set the game goes to (None: its source's default,
    webapp.model.collections.default_collection).
    Player names are cut to fit the players table (fit_name), whatever the writer.
    """

    uid: str
    source: str
    white: str
    black: str
    white_rating: int | None
    black_rating: int | None
    result: str
    speed: Speed
    rated: bool
    played_on: date | None
    moves: Sequence[str]
    time_control: str | None = None
    event: str | None = None
    site: str | None = None
    eco: str | None = None
    month: int = 0
    termination: int = 0
    clocks: Sequence[float] | None = field(default=None, compare=False, repr=False)
    collection: str | None = None
    #: the moves as 16-bit codes, when the reader has them already (saves a lookup a move)
    move_codes: Sequence[int] | None = field(default=None, compare=False, repr=False)
    position_keys: Sequence[int] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        for side in ("white", "black"):
            name = getattr(self, side)
            if len(name) > NAME_LENGTH // 2 and fit_name(name) != name:
                object.__setattr__(self, side, fit_name(name))
        if self.month == 0 and self.played_on is not None:
            object.__setattr__(self, "month", self.played_on.year * 100 + self.played_on.month)

    @property
    def plies(self) -> int:
        return len(self.moves)


def has_nul(record: GameRecord) -> bool:
    """Whether any of the record's stored texts holds a NUL byte (the game is then skipped)."""
    texts = (record.uid, record.white, record.black, record.time_control, record.event,
             record.site, record.eco)  # fmt: skip
    return any(text is not None and "\x00" in text for text in texts)


def fit_name(name: str) -> str:
    """The name cut so that it and its lower-case form both fit NAME_LENGTH characters.

    Lower-casing can lengthen a name (`İ` becomes `i̇`, two characters), so 64 × `İ` is
    cut to 32.
    """
    if len(name) <= NAME_LENGTH and (name.isascii() or len(name.lower()) <= NAME_LENGTH):
        return name
    cut = name[:NAME_LENGTH]
    while len(cut.lower()) > NAME_LENGTH:
        cut = cut[:-1]
    return cut


def lichess_uid(game_id: str) -> str:
    """uid of a lichess game from its 8-character id (a 12-character player id is cut)."""
    return f"lichess:{game_id[:8]}"


def chesscom_uid(url: str) -> str | None:
    """uid of a chess.com game from its URL (`/game/live/123`, `/live/game/123`, ...)."""
    match = _CHESSCOM_GAME.search(url)
    if not match:
        return None
    kind = (match.group(1) or match.group(2) or match.group(3)).lower()
    return f"chesscom:{kind}/{match.group(4)}"


def uid_from_url(url: str | None) -> tuple[str, str] | None:
    """(uid, source) for a lichess or chess.com game URL, None for anything else.

    A lichess study or broadcast chapter gets a stable uid too, but its players are not
    lichess accounts, so its source is "pgn".
    """
    if not url:
        return None
    match = _LICHESS_STUDY.search(url)
    if match:
        return f"lichess-study:{match.group(1)}", "pgn"
    match = _LICHESS_GAME.search(url)
    if match:
        return lichess_uid(match.group(1)), "lichess"
    uid = chesscom_uid(url)
    if uid:
        return uid, "chesscom"
    return None
