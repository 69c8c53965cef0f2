"""Collections: named sets of games (lichess, chesscom, otb, or any name an import gives)."""

from __future__ import annotations

import re

#: the collection a game goes to when its import names none, by the game's source
DEFAULT_BY_SOURCE = {"lichess": "lichess", "chesscom": "chesscom", "pgn": "otb"}
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


class CollectionNameError(ValueError):
    """A collection name that is not 1-64 lower-case letters, digits, _ . -."""


def default_collection(source: str) -> str:
    return DEFAULT_BY_SOURCE.get(source, "otb")


def check_collection_name(name: str) -> str:
    """The name lower-cased, or CollectionNameError saying what a name may be."""
    cleaned = name.strip().lower()
    if not _NAME.match(cleaned):
        raise CollectionNameError(
            f"collection {name!r}: use 1 to 64 lower-case letters, digits, _ . or -, "
            "starting with a letter or digit"
        )
    return cleaned
