"""SQL text that merges statistics rows' game references (webapp.model.game_refs), and
the rollups' newest months that tell which rows hold a position's newest games.

On PostgreSQL the bytes are concatenated by the built-in string_agg / || and trimmed by
refs_trim() (migration 0007) only where they pass REFS_TRIMMED_PAST entries, so the many
small rows never call a SQL function, and a full row only once every few merges; refs_best()
(migration 0022) reads their best rating. SQLite runs the Python functions webapp.db.sqlite
registers.
"""

from __future__ import annotations

from webapp.model.game_refs import ENTRY, REFS_TRIMMED_PAST

_LIMIT = REFS_TRIMMED_PAST * ENTRY.itemsize


def refs_agg(column: str, dialect: str) -> str:
    """An aggregate expression: the group's references, merged (game_refs.merge)."""
    if dialect != "postgresql":
        return f"refs_agg({column})"
    joined = f"string_agg({column}, ''::bytea)"
    return f"CASE WHEN length({joined}) <= {_LIMIT} THEN {joined} ELSE refs_trim({joined}) END"


def refs_merge(first: str, second: str, dialect: str) -> str:
    """An expression: two rows' references merged (game_refs.merge; NULL when neither has any)."""
    if dialect != "postgresql":
        return f"refs_merge({first}, {second})"
    return (
        f"CASE WHEN {first} IS NULL THEN {second} WHEN {second} IS NULL THEN {first} "
        f"WHEN length({first}) + length({second}) <= {_LIMIT} THEN {first} || {second} "
        f"ELSE refs_trim({first} || {second}) END"
    )


def refs_best(column: str, dialect: str) -> str:
    """An aggregate expression: the highest rating among the group's references (0 when
    none): the best of every entry, as a trim keeps the best (refs_best(), migration 0022;
    one call a group, over the references joined by the same aggregate refs_agg shares)."""
    if dialect != "postgresql":
        return f"refs_best({refs_agg(column, dialect)})"
    return f"refs_best(string_agg({column}, ''::bytea))"


def later_month(first: str, second: str) -> str:
    """An expression: the later of two rollup rows' last_month (NULL, unknown, only when
    both are: SQLite's max() of a NULL is NULL, PostgreSQL's greatest() skips it)."""
    return f"CASE WHEN coalesce({second}, 0) > coalesce({first}, 0) THEN {second} ELSE {first} END"


def one_ref(column: str, dialect: str) -> str:
    """An aggregate expression: the first entry of one of the group's rows' references, as
    hex text (bytes have no min() on PostgreSQL), NULL when no row has any."""
    if dialect != "postgresql":
        return f"min(hex(substr({column}, 1, {ENTRY.itemsize})))"
    return f"min(encode(substring({column} from 1 for {ENTRY.itemsize}), 'hex'))"
