"""How a game ended, as one small integer stored with the game.

Read from what each source says: the PGN `Termination` tag (lichess: Normal, Time
forfeit, Abandoned, Rules infraction; chess.com: "X won by resignation", "Game drawn by
repetition", ...), chess.com's API result codes, lichess's API `status`; and, where the
tags are silent or only say "Normal", from the final position (mate, stalemate, dead).
"""

from __future__ import annotations

from enum import IntEnum


class Termination(IntEnum):
    UNKNOWN = 0
    CHECKMATE = 1
    RESIGNATION = 2
    TIME = 3  # lost on time
    ABANDONMENT = 4
    AGREEMENT = 5
    REPETITION = 6
    STALEMATE = 7
    INSUFFICIENT_MATERIAL = 8
    FIFTY_MOVES = 9
    TIMEOUT_VS_INSUFFICIENT = 10  # flagged, but the opponent could not mate: a draw
    RULES_INFRACTION = 11

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", " ")


DECISIVE = (
    Termination.CHECKMATE,
    Termination.RESIGNATION,
    Termination.TIME,
    Termination.ABANDONMENT,
    Termination.RULES_INFRACTION,
)
DRAWN = (
    Termination.AGREEMENT,
    Termination.REPETITION,
    Termination.STALEMATE,
    Termination.INSUFFICIENT_MATERIAL,
    Termination.FIFTY_MOVES,
    Termination.TIMEOUT_VS_INSUFFICIENT,
)

#: chess.com result codes (API `result` of the loser, or of both in a draw)
CHESSCOM_CODES = {
    "checkmated": Termination.CHECKMATE,
    "resigned": Termination.RESIGNATION,
    "timeout": Termination.TIME,
    "abandoned": Termination.ABANDONMENT,
    "agreed": Termination.AGREEMENT,
    "repetition": Termination.REPETITION,
    "stalemate": Termination.STALEMATE,
    "insufficient": Termination.INSUFFICIENT_MATERIAL,
    "50move": Termination.FIFTY_MOVES,
    "timevsinsufficient": Termination.TIMEOUT_VS_INSUFFICIENT,
    "kingofthehill": Termination.UNKNOWN,
    "threecheck": Termination.UNKNOWN,
    "bughousepartnerlose": Termination.UNKNOWN,
}

#: lichess API game `status`
LICHESS_STATUS = {
    "mate": Termination.CHECKMATE,
    "resign": Termination.RESIGNATION,
    "outoftime": Termination.TIME,
    "timeout": Termination.ABANDONMENT,  # left the game: lichess's "timeout" is a disconnection
    "stalemate": Termination.STALEMATE,
    "draw": Termination.AGREEMENT,
    "cheat": Termination.RULES_INFRACTION,
    "noStart": Termination.ABANDONMENT,
}

# words of the chess.com PGN tag ("Hikaru won by resignation"), checked in this order
_TAG_WORDS = (
    ("checkmate", Termination.CHECKMATE),
    ("resignation", Termination.RESIGNATION),
    ("abandon", Termination.ABANDONMENT),
    ("timeout vs insufficient", Termination.TIMEOUT_VS_INSUFFICIENT),
    ("time vs insufficient", Termination.TIMEOUT_VS_INSUFFICIENT),
    ("time forfeit", Termination.TIME),
    ("on time", Termination.TIME),
    ("by time", Termination.TIME),
    ("rules infraction", Termination.RULES_INFRACTION),
    ("agreement", Termination.AGREEMENT),
    ("repetition", Termination.REPETITION),
    ("stalemate", Termination.STALEMATE),
    ("insufficient", Termination.INSUFFICIENT_MATERIAL),
    ("50-move", Termination.FIFTY_MOVES),
    ("50 move", Termination.FIFTY_MOVES),
    ("fifty", Termination.FIFTY_MOVES),
)


def termination_of(
    tag: str | None,
    result: str,
    *,
    checkmate: bool = False,
    stalemate: bool = False,
    insufficient: bool = False,
    fifty_moves: bool = False,
) -> Termination:
    """The termination from a `Termination` tag, the result and the final position.

    A game ending in mate or stalemate says so whatever the tag; lichess's "Normal" means
    resignation for a decisive game and agreement for a draw, unless the final position
    shows insufficient material or a 50-move count. With no tag and nothing in the final
    position, the kind is unknown.
    """
    if checkmate and result in ("1-0", "0-1"):
        return Termination.CHECKMATE
    if stalemate and result == "1/2-1/2":
        return Termination.STALEMATE
    text = (tag or "").strip().lower()
    if text and text not in ("normal", "unterminated", "?"):
        for words, kind in _TAG_WORDS:
            if words in text:
                if kind is Termination.TIME and result == "1/2-1/2":
                    return Termination.TIMEOUT_VS_INSUFFICIENT
                return kind
    if result == "1/2-1/2":
        if insufficient:
            return Termination.INSUFFICIENT_MATERIAL
        if fifty_moves:
            return Termination.FIFTY_MOVES
        return Termination.AGREEMENT if text == "normal" else Termination.UNKNOWN
    if result in ("1-0", "0-1"):
        return Termination.RESIGNATION if text == "normal" else Termination.UNKNOWN
    return Termination.UNKNOWN
