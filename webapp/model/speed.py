"""Game speed from a TimeControl header, by lichess's rule (base + 40 × increment)."""

from __future__ import annotations

import re
from enum import IntEnum
from functools import lru_cache


class Speed(IntEnum):
    """Speeds in the order lichess lists them; the value is what the database stores."""

    ULTRABULLET = 0
    BULLET = 1
    BLITZ = 2
    RAPID = 3
    CLASSICAL = 4
    CORRESPONDENCE = 5

    @property
    def label(self) -> str:
        return SPEED_NAMES[self]

    @classmethod
    def parse(cls, name: str) -> Speed:
        """The speed named `name` (lichess words; 'daily' means correspondence)."""
        key = name.strip().lower()
        if key == "daily":
            return cls.CORRESPONDENCE
        for speed, label in SPEED_NAMES.items():
            if label.lower() == key:
                return speed
        raise ValueError(
            f"unknown speed {name!r}; expected one of "
            + ", ".join(SPEED_NAMES.values())
            + " (or daily)"
        )


SPEED_NAMES: dict[Speed, str] = {
    Speed.ULTRABULLET: "ultraBullet",
    Speed.BULLET: "bullet",
    Speed.BLITZ: "blitz",
    Speed.RAPID: "rapid",
    Speed.CLASSICAL: "classical",
    Speed.CORRESPONDENCE: "correspondence",
}

_LIVE = re.compile(r"^\s*(\d+)(?:\+(\d+))?\s*$")
_DAILY = re.compile(r"^\s*\d+/(\d+)\s*$")


def speed_from_seconds(base: int, increment: int) -> Speed:
    """Lichess's rule: estimated seconds = base + 40 × increment."""
    total = base + 40 * increment
    if total < 30:
        return Speed.ULTRABULLET
    if total < 180:
        return Speed.BULLET
    if total < 480:
        return Speed.BLITZ
    if total < 1500:
        return Speed.RAPID
    if total < 21600:
        return Speed.CLASSICAL
    return Speed.CORRESPONDENCE


@lru_cache(maxsize=1024)
def speed_from_time_control(time_control: str | None) -> Speed | None:
    """Speed of a PGN TimeControl value, or None when the header is missing or unreadable.

    >>> speed_from_time_control("300+3"), speed_from_time_control("1/259200")
    (<Speed.BLITZ: 2>, <Speed.CORRESPONDENCE: 5>)
    """
    if time_control is None:
        return None
    value = time_control.strip()
    if value == "-":
        return Speed.CORRESPONDENCE
    if _DAILY.match(value):
        return Speed.CORRESPONDENCE
    match = _LIVE.match(value)
    if not match:
        return None
    return speed_from_seconds(int(match.group(1)), int(match.group(2) or 0))
