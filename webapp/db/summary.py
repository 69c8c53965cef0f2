"""What the database holds as a whole: whether it has any games, and which months they span."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from webapp.db.tables import games


def has_games(connection: Connection) -> bool:
    """Whether at least one game has been imported (cheap: stops at the first row)."""
    return connection.execute(select(games.c.id).limit(1)).first() is not None


def month_range(connection: Connection) -> tuple[int, int] | None:
    """The first and last month (yyyymm) of the games with a known year, or None when there
    are none; a year-only month (yyyy00) stands for January or December of its year."""
    low, high = connection.execute(
        select(func.min(games.c.month), func.max(games.c.month)).where(games.c.month > 0)
    ).one()
    if low is None:
        return None
    low, high = int(low), int(high)
    return (low + 1 if low % 100 == 0 else low), (high + 12 if high % 100 == 0 else high)
