"""Collections by name: created on first use by an import, listed with their game counts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, func, select
from sqlalchemy.exc import IntegrityError

from webapp.db.tables import collections, games


def ensure_collections(connection: Connection, names: Sequence[str]) -> dict[str, int]:
    """name → id for each name, creating the missing ones (ids are small integers)."""
    found: dict[str, int] = {}
    for name in names:
        for _attempt in range(5):
            existing = connection.execute(
                select(collections.c.id).where(collections.c.name == name)
            ).scalar()
            if existing is not None:
                found[name] = int(existing)
                break
            next_id = connection.execute(select(func.coalesce(func.max(collections.c.id), 0) + 1)).scalar()
            try:
                with connection.begin_nested():
                    connection.execute(collections.insert().values(id=next_id, name=name))
            except IntegrityError:
                continue  # another import created it (or took the id) meanwhile
            found[name] = int(next_id)
            break
        else:
            raise RuntimeError(f"could not create collection {name!r}")
    return found


def collection_ids(connection: Connection, names: Sequence[str]) -> dict[str, int]:
    """name → id for the names that exist."""
    rows = connection.execute(
        select(collections.c.name, collections.c.id).where(collections.c.name.in_(list(names)))
    )
    return {name: int(cid) for name, cid in rows}


def list_collections(connection: Connection) -> list[tuple[str, int]]:
    """(name, games) for every collection, by name."""
    counts = (
        select(games.c.collection_id, func.count().label("games"))
        .group_by(games.c.collection_id)
        .subquery()
    )
    rows = connection.execute(
        select(collections.c.name, func.coalesce(counts.c.games, 0))
        .select_from(collections.outerjoin(counts, counts.c.collection_id == collections.c.id))
        .order_by(collections.c.name)
    )
    return [(name, int(count)) for name, count in rows]
