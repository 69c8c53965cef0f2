"""What the database holds as a whole: whether it has any games, and which months they span."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from webapp.db.tables import games


def has_games(connection: Connection) -> bool:
    """Whether at least one game has been imported (cheap: stops at the first row)."""
    return connection.execute(select(games.c.id).limit(1)).first() is not None


def month_range(connection: Connection) -> tuple[int, int] | None:
    """The first and last known month (yyyymm) of the games, or None when there are none."""
    low, high = connection.execute(
        select(func.min(games.c.month), func.max(games.c.month)).where(games.c.month > 0)
    ).one()
    return (int(low), int(high)) if low is not None else None
