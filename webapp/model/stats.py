"""The explorer's answer: results per next move and for the position as a whole."""

from __future__ import annotations

from dataclasses import dataclass, field

from webapp.model.endings import Endings
from webapp.model.think_time import ThinkTime


@dataclass(frozen=True)
class Results:
    """White wins, draws and black wins, with the sum of the ratings behind them."""

    white: int = 0
    draws: int = 0
    black: int = 0
    rating_sum: int = 0
    rated_games: int = 0
    #: how the games ended, when asked for (webapp.model.endings)
    endings: Endings | None = None
    #: the movers' think times, when asked for (webapp.model.think_time)
    think_time: ThinkTime | None = None

    @property
    def games(self) -> int:
        return self.white + self.draws + self.black

    @property
    def average_rating(self) -> int | None:
        return round(self.rating_sum / self.rated_games) if self.rated_games else None

    @property
    def score(self) -> float | None:
        """White's score (wins + half the draws) as a fraction of games."""
        return (self.white + self.draws / 2) / self.games if self.games else None


@dataclass(frozen=True)
class MoveStats:
    """One candidate next move and how the games that played it ended."""

    uci: str
    san: str
    results: Results
    #: the one game that played it, when only one did (the API's game entry shape)
    game: dict | None = None


@dataclass(frozen=True)
class Opening:
    eco: str
    name: str


@dataclass(frozen=True)
class ExplorerResult:
    """Totals for the position (games that reached it) and its next moves, most played first."""

    fen: str
    totals: Results
    moves: tuple[MoveStats, ...] = ()
    opening: Opening | None = None
    player_found: bool = True
    top_games: tuple[dict, ...] = ()
    recent_games: tuple[dict, ...] = ()
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)
