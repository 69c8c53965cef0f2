"""A column among the values of one bound list parameter, in SQL text that does not
depend on how many values there are."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY


def in_list(column: Any, name: str, dialect: str) -> ColumnElement[bool]:
    """`column` among the values of the list parameter `name`: on PostgreSQL `= ANY` of one
    array, so the SQL text is the same for any number of values and psycopg prepares it
    once it has run a few times on a connection (its prepare_threshold); an expanding IN
    elsewhere."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(column.type)))
    return column.in_(bindparam(name, expanding=True))
