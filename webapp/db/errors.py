"""What a database error means for the person waiting on it."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError


def timed_out(error: SQLAlchemyError) -> bool:
    """PostgreSQL cancelled the statement at statement_timeout (SQLSTATE 57014)."""
    return getattr(getattr(error, "orig", None), "sqlstate", None) == "57014"
