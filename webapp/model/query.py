"""The explorer's question: a position and filters, validated into a frozen, hashable value.

The same words as the Lichess explorer API: fen, play, speeds, ratings, since, until,
plus player and color. Every problem is a QueryError whose message says what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import chess

from webapp.model.speed import Speed

RATING_BAND = 100
MAX_RATING = 4000
MAX_PLAY = 300
SOURCES = ("lichess", "chesscom", "pgn")
COLORS = ("white", "black")
#: lichess's rating groups: a group named by its lower bound runs to the next one
LICHESS_RATING_GROUPS = (0, 1000, 1200, 1400, 1600, 1800, 2000, 2200, 2500)

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
#: a name as PGN files and sites spell them: 1 to 64 printable characters (letters of any
#: script, digits, spaces, punctuation such as the `/` of "Sillars,K/Manter,L"), no controls
MAX_PLAYER_CHARS = 64
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]")
#: never in a real name; refused so a name is never markup or an SQL comment anywhere
_PLAYER_FORBIDDEN = ("--", "/*", "*/", "<", ">")


class QueryError(ValueError):
    """A question the explorer cannot answer as asked; the message names the parameter."""


def parse_month(value: str, name: str) -> int:
    """'2013-01' as 201301."""
    match = _MONTH.match(value.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise QueryError(f"{name} must be a month written YYYY-MM, like 2013-01; got {value!r}")
    return int(match.group(1)) * 100 + int(match.group(2))


def format_month(month: int) -> str:
    """201301 as '2013-01'; a year-only month (190100) as '1901'."""
    if month % 100 == 0:
        return f"{month // 100:04d}"
    return f"{month // 100:04d}-{month % 100:02d}"


def normalise_player(value: str) -> str:
    """A player as the explorer looks it up: trimmed, lower-case, optionally 'source:name'."""
    text = value.strip()
    source, sep, name = text.partition(":")
    if sep and source.lower() in SOURCES:
        return f"{source.lower()}:{check_name(name)}"
    return check_name(text)


def check_name(name: str) -> str:
    """A player's name as looked up (trimmed, lower-case); QueryError when it cannot be one."""
    name = name.strip()
    if not 1 <= len(name) <= MAX_PLAYER_CHARS or _CONTROL.search(name) or any(
        bad in name for bad in _PLAYER_FORBIDDEN
    ):
        raise QueryError(
            f"player must be a username or name of 1 to {MAX_PLAYER_CHARS} characters, without control "
            "characters, < > or -- (optionally prefixed lichess:, chesscom: or pgn:)"
        )
    return name.lower()



@dataclass(frozen=True)
class ExplorerQuery:
    """A position (start FEN plus moves played from it) and the filters on the games."""

    fen: str = chess.STARTING_FEN
    play: tuple[str, ...] = ()
    speeds: tuple[Speed, ...] = ()
    rating_min: int | None = None
    rating_max: int | None = None
    since: int | None = None
    until: int | None = None
    player: str | None = None
    color: str | None = None
    rated_only: bool = False
    #: only games of these collections (empty: all), and none of `exclude_collections`
    collections: tuple[str, ...] = ()
    exclude_collections: tuple[str, ...] = ()
    #: leave out the games lost on time (white's and black's wins on time)
    no_time_losses: bool = False
    _board: chess.Board | None = field(default=None, compare=False, hash=False, repr=False)

    @classmethod
    def build(
        cls,
        *,
        fen: str | None = None,
        play: Iterable[str] = (),
        speeds: Iterable[str | Speed] = (),
        rating_min: int | None = None,
        rating_max: int | None = None,
        since: str | int | None = None,
        until: str | int | None = None,
        player: str | None = None,
        color: str | None = None,
        rated_only: bool = False,
        collections: Iterable[str] = (),
        exclude_collections: Iterable[str] = (),
        no_time_losses: bool = False,
    ) -> ExplorerQuery:
        """Validate every parameter and return the query; raise QueryError on the first problem."""
        board = _board_from_fen(fen)
        start_fen = board.fen()
        moves = tuple(m.strip() for m in play if m.strip())
        if len(moves) > MAX_PLAY:
            raise QueryError(f"play has {len(moves)} moves; at most {MAX_PLAY} are accepted")
        for ply, uci in enumerate(moves, start=1):
            try:
                move = chess.Move.from_uci(uci)
            except ValueError:
                raise QueryError(f"play: move {ply} {uci!r} is not a UCI move like e2e4") from None
            if move not in board.legal_moves:
                raise QueryError(f"play: move {ply} {uci!r} is illegal in {board.fen()}")
            board.push(move)
        parsed_speeds = tuple(sorted({_speed(s) for s in speeds}))
        if parsed_speeds == tuple(Speed):
            parsed_speeds = ()
        rating_min, rating_max = _check_ratings(rating_min, rating_max)
        since_m = _month(since, "since")
        until_m = _month(until, "until")
        if since_m is not None and until_m is not None and since_m > until_m:
            raise QueryError(
                f"since ({format_month(since_m)}) is after until ({format_month(until_m)})"
            )
        player_name = normalise_player(player) if player and player.strip() else None
        color_name = _color(color)
        if color_name and not player_name:
            raise QueryError("color needs a player: it is the colour that player had")
        query = cls(
            fen=start_fen,
            play=moves,
            speeds=parsed_speeds,
            rating_min=rating_min,
            rating_max=rating_max,
            since=since_m,
            until=until_m,
            player=player_name,
            color=color_name,
            rated_only=bool(rated_only),
            collections=_collections(collections, "collections"),
            exclude_collections=_collections(exclude_collections, "exclude_collections"),
            no_time_losses=bool(no_time_losses),
        )
        object.__setattr__(query, "_board", board)
        return query

    def board(self) -> chess.Board:
        """The position the query asks about (a fresh copy)."""
        if self._board is None:
            board = chess.Board(self.fen)
            for uci in self.play:
                board.push_uci(uci)
            object.__setattr__(self, "_board", board)
        assert self._board is not None
        return self._board.copy()

    @property
    def rating_bands(self) -> tuple[int, int] | None:
        """First and last 100-point band the rating filter allows, or None for no filter."""
        if self.rating_min is None and self.rating_max is None:
            return None
        low = (self.rating_min or 0) // RATING_BAND
        high = (MAX_RATING if self.rating_max is None else self.rating_max) // RATING_BAND
        return low, high

    def with_position(self, fen: str | None = None, play: Iterable[str] = ()) -> ExplorerQuery:
        """The same filters on another position."""
        return ExplorerQuery.build(
            fen=fen,
            play=play,
            speeds=self.speeds,
            rating_min=self.rating_min,
            rating_max=self.rating_max,
            since=self.since,
            until=self.until,
            player=self.player,
            color=self.color,
            rated_only=self.rated_only,
            collections=self.collections,
            exclude_collections=self.exclude_collections,
            no_time_losses=self.no_time_losses,
        )

    def without_player(self) -> ExplorerQuery:
        """The same question asked of all games (the peers beside a player)."""
        return ExplorerQuery(
            fen=self.fen,
            play=self.play,
            speeds=self.speeds,
            rating_min=self.rating_min,
            rating_max=self.rating_max,
            since=self.since,
            until=self.until,
            rated_only=self.rated_only,
            collections=self.collections,
            exclude_collections=self.exclude_collections,
            no_time_losses=self.no_time_losses,
        )


def _collections(names: Iterable[str], parameter: str) -> tuple[str, ...]:
    from webapp.model.collections import CollectionNameError, check_collection_name

    try:
        return tuple(sorted({check_collection_name(name) for name in names if name.strip()}))
    except CollectionNameError as error:
        raise QueryError(f"{parameter}: {error}") from None


def _board_from_fen(fen: str | None) -> chess.Board:
    if fen is None or not fen.strip():
        return chess.Board()
    try:
        board = chess.Board(fen.strip())
    except ValueError as error:
        raise QueryError(f"fen is not a valid FEN: {error}") from None
    status = board.status()
    if status != chess.STATUS_VALID:
        raise QueryError(f"fen describes an impossible position ({status!r})")
    return board


def _speed(value: str | Speed) -> Speed:
    if isinstance(value, Speed):
        return value
    try:
        return Speed.parse(value)
    except ValueError as error:
        raise QueryError(f"speeds: {error}") from None


def _month(value: str | int | None, name: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int):
        if not 1 <= value % 100 <= 12:
            raise QueryError(f"{name}: {value} is not a month")
        return value
    return parse_month(value, name)


def _color(value: str | None) -> str | None:
    if value is None or value.strip().lower() in ("", "both"):
        return None
    color = value.strip().lower()
    if color not in COLORS:
        raise QueryError(f"color must be white, black or both; got {value!r}")
    return color


def _check_ratings(low: int | None, high: int | None) -> tuple[int | None, int | None]:
    for name, value in (("rating_min", low), ("rating_max", high)):
        if value is not None and not 0 <= value <= MAX_RATING:
            raise QueryError(f"{name} must be between 0 and {MAX_RATING}; got {value}")
    if low is not None and low % RATING_BAND:
        raise QueryError(
            f"rating_min must be a multiple of {RATING_BAND} (ratings are kept in bands of "
            f"{RATING_BAND}); got {low}"
        )
    if high is not None and (high + 1) % RATING_BAND:
        raise QueryError(
            f"rating_max must end in 99, the top of a band of {RATING_BAND} (like 1999); "
            f"got {high}"
        )
    if low is not None and high is not None and low > high:
        raise QueryError(f"rating_min ({low}) is above rating_max ({high})")
    return low, high


def ratings_from_groups(groups: Iterable[int]) -> tuple[int, int]:
    """Lichess-style `ratings=1600,1800` (group lower bounds) as an inclusive min and max."""
    chosen = sorted(set(groups))
    for group in chosen:
        if group not in LICHESS_RATING_GROUPS:
            raise QueryError(
                f"ratings: {group} is not a rating group; use "
                + ",".join(map(str, LICHESS_RATING_GROUPS))
            )
    indexes = [LICHESS_RATING_GROUPS.index(g) for g in chosen]
    if indexes != list(range(indexes[0], indexes[-1] + 1)):
        raise QueryError("ratings: choose adjacent groups, or use rating_min and rating_max")
    last = indexes[-1]
    high = (
        LICHESS_RATING_GROUPS[last + 1] - 1 if last + 1 < len(LICHESS_RATING_GROUPS) else MAX_RATING - 1
    )
    return chosen[0], high
