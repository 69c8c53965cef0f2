"""How the counted games ended, as counts kept beside white/draws/black.

Every statistics row keeps, next to its white wins, draws and black wins, how many of
them ended each known way (ENDING_COLUMNS, NULL meaning zero). A game counts in at most
one of them: its termination (webapp.model.termination) where it agrees with the result;
a rules infraction, an unknown kind, or a kind the result contradicts is in none, the
remainder the explorer shows as "other".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from webapp.model.termination import Termination

#: (result side, termination) per column; "white": white won, "black": black won
ENDINGS: tuple[tuple[str, str, Termination], ...] = (
    ("white_mate", "white", Termination.CHECKMATE),
    ("white_resign", "white", Termination.RESIGNATION),
    ("white_time", "white", Termination.TIME),
    ("white_abandon", "white", Termination.ABANDONMENT),
    ("black_mate", "black", Termination.CHECKMATE),
    ("black_resign", "black", Termination.RESIGNATION),
    ("black_time", "black", Termination.TIME),
    ("black_abandon", "black", Termination.ABANDONMENT),
    ("draw_agreement", "draws", Termination.AGREEMENT),
    ("draw_repetition", "draws", Termination.REPETITION),
    ("draw_stalemate", "draws", Termination.STALEMATE),
    ("draw_insufficient", "draws", Termination.INSUFFICIENT_MATERIAL),
    ("draw_fifty", "draws", Termination.FIFTY_MOVES),
    ("draw_timeout", "draws", Termination.TIMEOUT_VS_INSUFFICIENT),
)
ENDING_COLUMNS: tuple[str, ...] = tuple(name for name, _, _ in ENDINGS)
#: ending codes: 0 none of the columns, i + 1 the column ENDING_COLUMNS[i]
CODES = len(ENDINGS) + 1
#: the columns of games lost on time (the "exclude games lost on time" filter)
TIME_LOSS = {"white": "white_time", "black": "black_time"}

_SIDES = ("white", "draws", "black")  # the row builder's outcome 0, 1, 2
#: API names of the kinds, per side
WIRE_NAMES = {
    Termination.CHECKMATE: "checkmate",
    Termination.RESIGNATION: "resignation",
    Termination.TIME: "time",
    Termination.ABANDONMENT: "abandonment",
    Termination.AGREEMENT: "agreement",
    Termination.REPETITION: "repetition",
    Termination.STALEMATE: "stalemate",
    Termination.INSUFFICIENT_MATERIAL: "insufficientMaterial",
    Termination.FIFTY_MOVES: "fiftyMoves",
    Termination.TIMEOUT_VS_INSUFFICIENT: "timeoutVsInsufficient",
}


def _code_table() -> np.ndarray:
    table = np.zeros((len(_SIDES), len(Termination)), np.int64)
    for index, (_, side, kind) in enumerate(ENDINGS):
        table[_SIDES.index(side), int(kind)] = index + 1
    return table


#: ending code by [outcome (0 white won, 1 draw, 2 black won), termination]
CODE_TABLE = _code_table()


def ending_codes(outcome: np.ndarray, termination: np.ndarray) -> np.ndarray:
    """Each game's ending code (0: none of the columns) from its outcome and termination."""
    kinds = np.where((termination >= 0) & (termination < len(Termination)), termination, 0)
    return CODE_TABLE[outcome, kinds]


def ending_code(result: str, termination: int) -> int:
    """One game's ending code from its PGN result ("1-0", "1/2-1/2", "0-1")."""
    outcome = {"1-0": 0, "1/2-1/2": 1, "0-1": 2}[result]
    return int(ending_codes(np.array([outcome]), np.array([termination]))[0])


@dataclass(frozen=True)
class Endings:
    """The counts of ENDING_COLUMNS for some games, in that order."""

    counts: tuple[int, ...] = (0,) * len(ENDINGS)

    def count(self, column: str) -> int:
        return self.counts[ENDING_COLUMNS.index(column)]

    def __add__(self, other: Endings) -> Endings:
        return Endings(tuple(a + b for a, b in zip(self.counts, other.counts, strict=True)))

    def without_time_losses(self) -> Endings:
        """The same with the games lost on time taken out."""
        return Endings(tuple(0 if name in TIME_LOSS.values() else n for name, n in zip(ENDING_COLUMNS, self.counts, strict=True)))

    def by_side(self, white: int, draws: int, black: int) -> dict[str, dict[str, int]]:
        """The API shape: per side (white won, draws, black won) a count per kind and the
        remainder as "other" (rules infractions, unknown endings)."""
        totals = {"white": white, "draws": draws, "black": black}
        shaped: dict[str, dict[str, int]] = {side: {} for side in totals}
        for (_, side, kind), n in zip(ENDINGS, self.counts, strict=True):
            shaped[side][WIRE_NAMES[kind]] = n
        for side, kinds in shaped.items():
            kinds["other"] = totals[side] - sum(kinds.values())
        return shaped
