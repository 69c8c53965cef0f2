"""The explorer's filters as bound parameters, so a statement is built once per shape.

A statement whose SQL text depends only on which filters a query has (not on their
values) is built once and cached by its `FilterShape`, then run with `filter_values`:
building and compiling a statement costs more Python time than PostgreSQL spends answering
it at most positions, and psycopg prepares a text it has run a few times on a connection
(kept past each read's end: webapp.db.prepared).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Table, bindparam, select

from webapp.db.months import month_condition
from webapp.db.tables import collections
from webapp.model.query import ExplorerQuery


@dataclass(frozen=True)
class FilterShape:
    """Which filters a query has: what the SQL text of its statements depends on."""

    dialect: str
    player: bool
    dated: bool
    since: bool
    until: bool
    speeds: bool
    rated_only: bool
    bands: bool
    collections: bool
    exclude_collections: bool
    color: bool


def filter_shape(dialect: str, query: ExplorerQuery, player: bool) -> FilterShape:
    """The shape of the query's filters, `player` when a player's statistics are read."""
    return FilterShape(
        dialect=dialect, player=player, dated=query.since is not None or query.until is not None,
        since=query.since is not None, until=query.until is not None, speeds=bool(query.speeds),
        rated_only=query.rated_only, bands=query.rating_bands is not None, collections=bool(query.collections),
        exclude_collections=bool(query.exclude_collections), color=player and query.color is not None,
    )  # fmt: skip


def filter_values(query: ExplorerQuery, key: int, player_ids: tuple[int, ...] | None) -> dict:  # type: ignore[type-arg]
    """The parameters `bound_filters` names, for this query at the position `key`."""
    values: dict = {"key": key}  # type: ignore[type-arg]
    if player_ids is not None:
        values["player_ids"] = list(player_ids)
        if query.color is not None:
            values["color"] = 0 if query.color == "white" else 1
    if query.speeds:
        values["speeds"] = [int(s) for s in query.speeds]
    if query.rating_bands is not None:
        values["band_low"], values["band_high"] = query.rating_bands
    if query.since is not None:
        values["since"], values["since_year"] = query.since, query.since // 100 * 100
    if query.until is not None:
        values["until"] = query.until
    if query.collections:
        values["collections"] = list(query.collections)
    if query.exclude_collections:
        values["exclude_collections"] = list(query.exclude_collections)
    return values


def collection_ids_in(names):  # type: ignore[no-untyped-def]
    """The ids of the collections named (a tuple of names or an expanding parameter)."""
    return select(collections.c.id).where(collections.c.name.in_(names)).scalar_subquery()


def _collection_ids_named(parameter: str):  # type: ignore[no-untyped-def]
    return collection_ids_in(bindparam(parameter, expanding=True))


def bound_filters(table: Table, shape: FilterShape) -> list:  # type: ignore[type-arg]
    """The explorer's conditions on a statistics table at the position `key` (a player's
    ids and color too in a player's view), with bound parameters in place of the values."""
    conditions = [table.c.position_key == bindparam("key")]
    if shape.player:
        conditions.append(table.c.player_id.in_(bindparam("player_ids", expanding=True)))
    if shape.speeds:
        conditions.append(table.c.speed.in_(bindparam("speeds", expanding=True)))
    if shape.rated_only:
        conditions.append(table.c.rated == 1)
    if shape.bands:
        conditions.append(table.c.rating_band.between(bindparam("band_low"), bindparam("band_high")))
    if shape.dated:
        since = bindparam("since") if shape.since else None
        until = bindparam("until") if shape.until else None
        conditions.append(month_condition(table.c.month, since, until, since_year=bindparam("since_year")))
    if shape.collections:
        conditions.append(table.c.collection.in_(_collection_ids_named("collections")))
    if shape.exclude_collections:
        conditions.append(table.c.collection.not_in(_collection_ids_named("exclude_collections")))
    if shape.color:
        conditions.append(table.c.color == bindparam("color"))
    return conditions
