"""The since/until month filter, shared by every read of the statistics tables.

Months are yyyymm; 0 means the game's date is unknown, and yyyy00 that only its year is
known (a PGN `Date "1901.??.??"`). A range of months includes a year-only game when it
includes any month of that year: `since=1901-05&until=1901-07` counts the games of
1901 whose month is unknown, `until=1900-12` does not. An unknown date matches no range.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_

FIRST_MONTH = 1
LAST_MONTH = 999912


def month_condition(column, since, until, *, since_year=None) -> ColumnElement[bool]:  # type: ignore[no-untyped-def]
    """`column` (yyyymm) within [since, until], a year-only month yyyy00 counting as its year.

    `since` and `until` are months or bound parameters; with a parameter for `since`, give
    its year (yyyy00) as `since_year`, a parameter too."""
    high = LAST_MONTH if until is None else until
    if since is None:
        return column.between(FIRST_MONTH, high)  # until's own year-only games are <= until
    year_only = since // 100 * 100 if since_year is None else since_year
    return and_(column.between(year_only, high), or_(column >= since, column == year_only))
