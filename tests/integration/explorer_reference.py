"""An independent reference explorer: counts straight from a PGN with python-chess.

The explorer tests compare the API's numbers with these. Nothing here uses the webapp
package: the speed rule, the rated flag, the month, the position keys and the rating
rules are written out again from the design, so a mistake in the app cannot hide in a
shared helper.

Rules (DESIGN.md): each game's first `index_plies` plies are walked; a game counts once
per position, with the move it played there the first time (a position reached when no
further indexed move follows counts towards the position's total only). Ratings: in the
all-games view a game's rating is the mean of both players' ratings (whole points,
rounded down), unknown when either is unknown; in a player's view it is the player's own
rating, and the average shown is the opponents' (again only for games where both ratings
are known: a game with an unknown rating has no rating in either view, so a rating range
leaves it out). Rating ranges and months are inclusive.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import chess
import chess.pgn
import chess.polyglot
from read_once import read_once

SPEED_LIMITS = ((30, "ultraBullet"), (180, "bullet"), (480, "blitz"), (1500, "rapid"), (21600, "classical"))


def speed_of(time_control: str) -> str:
    """Lichess's rule: base + 40 × increment seconds; '-' is correspondence."""
    if time_control.strip() == "-":
        return "correspondence"
    base, _, increment = time_control.partition("+")
    seconds = int(base) + 40 * int(increment or 0)
    for limit, name in SPEED_LIMITS:
        if seconds < limit:
            return name
    return "correspondence"


def _rating(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


@dataclass(frozen=True)
class RefGame:
    """One game as the reference explorer sees it."""

    site: str
    white: str
    black: str
    white_rating: int | None
    black_rating: int | None
    result: str
    speed: str
    rated: bool
    month: int
    moves: tuple[chess.Move, ...]
    visits: dict[int, str | None] = field(default_factory=dict, compare=False)
    day: int = 0  # yyyymmdd, unknown parts 0


def _visits(moves: Sequence[chess.Move], index_plies: int) -> dict[int, str | None]:
    """Position hash → the move played there first (None: no further indexed move)."""
    board = chess.Board()
    visits: dict[int, str | None] = {}
    for move in moves[:index_plies]:
        visits.setdefault(chess.polyglot.zobrist_hash(board), move.uci())
        board.push(move)
    visits.setdefault(chess.polyglot.zobrist_hash(board), None)
    return visits


@read_once
def read_games(paths: Iterable[Path], *, index_plies: int = 40) -> list[RefGame]:
    """The standard games of the PGN files, once per Site URL, in file order."""
    games: list[RefGame] = []
    seen: set[str] = set()
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            while (game := chess.pgn.read_game(handle)) is not None:
                headers = game.headers
                variant = headers.get("Variant", "Standard")
                if variant.lower() not in ("standard", "") or "FEN" in headers:
                    continue
                if headers.get("Result") not in ("1-0", "0-1", "1/2-1/2") or game.errors:
                    continue
                if game.next() is None:  # no moves (an abandoned game): nothing to index
                    continue
                site = headers.get("Site", "")
                if site in seen:
                    continue
                seen.add(site)
                moves = tuple(game.mainline_moves())
                date = headers.get("UTCDate") or headers.get("Date", "")
                year, month = date[:4], date[5:7]
                games.append(
                    RefGame(
                        site=site,
                        white=headers["White"].lower(),
                        black=headers["Black"].lower(),
                        white_rating=_rating(headers.get("WhiteElo")),
                        black_rating=_rating(headers.get("BlackElo")),
                        result=headers["Result"],
                        speed=speed_of(headers.get("TimeControl", "-")),
                        rated=headers.get("Event", "").lower().startswith("rated"),
                        month=_game_month(year, month),
                        moves=moves,
                        visits=_visits(moves, index_plies),
                        day=_day(date),
                    )
                )
    return games


def _day(date: str) -> int:
    parts = [int(p) if p.isdigit() else 0 for p in (date[:4], date[5:7], date[8:10])]
    return parts[0] * 10000 + parts[1] * 100 + parts[2] if parts[0] else 0


def _game_month(year: str, month: str) -> int:
    """yyyymm; yyyy00 when only the year is known (`1901.??.??`); 0 with no year."""
    if not year.isdigit() or int(year) == 0:
        return 0
    return int(year) * 100 + (int(month) if month.isdigit() and 1 <= int(month) <= 12 else 0)


def _in_months(month: int, low: int | None, high: int | None) -> bool:
    """A year-only game counts when the range holds any month of its year (README)."""
    if month == 0:
        return low is None and high is None
    year = month // 100
    if month % 100 == 0:
        return (low is None or year >= low // 100) and (high is None or year <= high // 100)
    return (low is None or month >= low) and (high is None or month <= high)


def _month(text: str | None) -> int | None:
    return None if not text else int(text[:4]) * 100 + int(text[5:7])


def board_after(play: Sequence[str]) -> chess.Board:
    board = chess.Board()
    for uci in play:
        board.push_uci(uci)
    return board


def reference(
    games: Sequence[RefGame],
    *,
    play: Sequence[str] = (),
    speeds: Sequence[str] = (),
    rating_min: int | None = None,
    rating_max: int | None = None,
    since: str | None = None,
    until: str | None = None,
    player: str | None = None,
    color: str | None = None,
    rated_only: bool = False,
    included: list[tuple[RefGame, int, str | None]] | None = None,
) -> dict[str, Any]:
    """The explorer's answer for the position after `play`, as the API's JSON numbers;
    `included` (when given) receives each counted game with its rating and move."""
    key = chess.polyglot.zobrist_hash(board_after(play))
    low, high = _month(since), _month(until)
    player = player.lower() if player else None
    rating_key = "averageOpponentRating" if player else "averageRating"
    totals = _Tally()
    per_move: dict[str, _Tally] = {}
    for game in games:
        if key not in game.visits:
            continue
        if speeds and game.speed not in speeds:
            continue
        if rated_only and not game.rated:
            continue
        if not _in_months(game.month, low, high):
            continue
        if player is None:
            known = game.white_rating is not None and game.black_rating is not None
            rating = (game.white_rating + game.black_rating) // 2 if known else None  # type: ignore[operator]
            shown = rating
        else:
            sides = []
            if game.white == player and color in (None, "white"):
                sides.append((game.white_rating, game.black_rating))
            if game.black == player and color in (None, "black"):
                sides.append((game.black_rating, game.white_rating))
            if not sides:
                continue
            own, opponent = sides[0]
            known = own is not None and opponent is not None
            rating, shown = (own, opponent) if known else (None, None)
        if rating_min is not None or rating_max is not None:
            if rating is None:
                continue
            if rating_min is not None and rating < rating_min:
                continue
            if rating_max is not None and rating > rating_max:
                continue
        move = game.visits[key]
        if included is not None:
            included.append((game, rating or 0, move))
        totals.add(game.result, shown)
        if move is not None:
            per_move.setdefault(move, _Tally()).add(game.result, shown)
    moves = [
        {"uci": uci, **tally.json(rating_key)}
        for uci, tally in sorted(per_move.items(), key=lambda item: (-item[1].games, item[0]))
    ]
    return {**totals.json(rating_key), "moves": moves}


@dataclass
class _Tally:
    white: int = 0
    draws: int = 0
    black: int = 0
    rating_sum: int = 0
    rated: int = 0

    @property
    def games(self) -> int:
        return self.white + self.draws + self.black

    def add(self, result: str, rating: int | None) -> None:
        if result == "1-0":
            self.white += 1
        elif result == "0-1":
            self.black += 1
        else:
            self.draws += 1
        if rating is not None:
            self.rating_sum += rating
            self.rated += 1

    def json(self, rating_key: str) -> dict[str, Any]:
        return {
            "white": self.white,
            "draws": self.draws,
            "black": self.black,
            "games": self.games,
            rating_key: round(self.rating_sum / self.rated) if self.rated else None,
        }


def api_numbers(body: dict[str, Any]) -> dict[str, Any]:
    """The API answer's numbers in the reference's shape (without fen, san, opening)."""
    rating_key = "averageOpponentRating" if "averageOpponentRating" in body else "averageRating"
    keys = ("white", "draws", "black", "games", rating_key)
    return {
        **{k: body[k] for k in keys},
        "moves": [{"uci": m["uci"], **{k: m[k] for k in keys}} for m in body["moves"]],
    }


def reference_games(
    included: list[tuple[RefGame, int, str | None]], db_ids: dict[str, int], limit: int
) -> tuple[list[tuple[str, str | None]], list[tuple[str, str | None]]]:
    """(top, recent) as (site, move) lists: best first — highest rating (the mean, or the
    player's own), newest date, lowest stored id — and newest first — newest date, highest
    rating, lowest stored id."""
    top = sorted(included, key=lambda g: (-g[1], -g[0].day, db_ids[g[0].site]))
    recent = sorted(included, key=lambda g: (-g[0].day, -g[1], db_ids[g[0].site]))
    return [(g.site, m) for g, _, m in top[:limit]], [(g.site, m) for g, _, m in recent[:limit]]


def expected_game_ids(
    games: Sequence[RefGame], db_ids: dict[str, int], top: int, recent: int, **filters: Any
) -> tuple[list[str], list[str]]:
    """The lichess ids of the first `top` best and `recent` newest games (reference_games)."""
    included: list[tuple[RefGame, int, str | None]] = []
    reference(games, included=included, **filters)
    best, newest = reference_games(included, db_ids, max(top, recent))
    return [site.rsplit("/", 1)[-1] for site, _ in best[:top]], [site.rsplit("/", 1)[-1] for site, _ in newest[:recent]]
