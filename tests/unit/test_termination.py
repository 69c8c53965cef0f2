"""How a game ended: from the Termination tag, the result and the final position."""

from __future__ import annotations

import pytest

from webapp.model.termination import CHESSCOM_CODES, Termination, termination_of


@pytest.mark.parametrize(
    ("tag", "result", "expected"),
    [
        ("Normal", "1-0", Termination.RESIGNATION),  # lichess: not mate, so resigned
        ("Normal", "1/2-1/2", Termination.AGREEMENT),
        ("Time forfeit", "0-1", Termination.TIME),
        ("Time forfeit", "1/2-1/2", Termination.TIMEOUT_VS_INSUFFICIENT),
        ("Abandoned", "1-0", Termination.ABANDONMENT),
        ("Rules infraction", "0-1", Termination.RULES_INFRACTION),
        ("Hikaru won by resignation", "1-0", Termination.RESIGNATION),
        ("MagnusCarlsen won on time", "0-1", Termination.TIME),
        ("Hikaru won by checkmate", "1-0", Termination.CHECKMATE),
        ("Hikaru won - game abandoned", "1-0", Termination.ABANDONMENT),
        ("Game drawn by repetition", "1/2-1/2", Termination.REPETITION),
        ("Game drawn by agreement", "1/2-1/2", Termination.AGREEMENT),
        ("Game drawn by stalemate", "1/2-1/2", Termination.STALEMATE),
        ("Game drawn by insufficient material", "1/2-1/2", Termination.INSUFFICIENT_MATERIAL),
        ("Game drawn by 50-move rule", "1/2-1/2", Termination.FIFTY_MOVES),
        ("Game drawn by timeout vs insufficient material", "1/2-1/2", Termination.TIMEOUT_VS_INSUFFICIENT),
        (None, "1-0", Termination.UNKNOWN),  # an OTB game with no tag: nothing to go by
        (None, "1/2-1/2", Termination.UNKNOWN),
    ],
)
def test_tags(tag: str | None, result: str, expected: Termination) -> None:
    assert termination_of(tag, result) == expected


def test_the_final_position_speaks_when_tags_are_silent() -> None:
    assert termination_of(None, "1-0", checkmate=True) == Termination.CHECKMATE
    assert termination_of("Normal", "0-1", checkmate=True) == Termination.CHECKMATE
    assert termination_of(None, "1/2-1/2", stalemate=True) == Termination.STALEMATE
    assert termination_of("Normal", "1/2-1/2", insufficient=True) == Termination.INSUFFICIENT_MATERIAL
    assert termination_of(None, "1/2-1/2", fifty_moves=True) == Termination.FIFTY_MOVES
    # a decisive result is never called stalemate, whatever the position
    assert termination_of("Normal", "1-0", stalemate=True) == Termination.RESIGNATION


def test_every_chesscom_code_is_known() -> None:
    for code in ("checkmated", "resigned", "timeout", "repetition", "agreed", "stalemate",
                 "insufficient", "50move", "timevsinsufficient", "abandoned"):
        assert CHESSCOM_CODES[code] != Termination.UNKNOWN
