"""The games the explorer counts for a position and filters, for export: exactly those.

The position's statistics rows name their games (webapp.model.game_refs): a row that
names as many games as it counts names them all, so those games are read by id at once.
Rows of many games name only their best and newest; for them the filtered games are
replayed (webapp.indexer.replay) and kept when they reach the position within the
indexed plies, as the import counted them. Either way a game is sent once.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Connection, and_, func, or_, select

from webapp.db.explorer import stat_rows
from webapp.db.leaks import _common
from webapp.db.tables import games
from webapp.indexer.replay import replay_keys
from webapp.model import game_refs
from webapp.model.query import ExplorerQuery
from webapp.model.stored_game import decode_move_codes

SCAN_CHUNK = 2000


@dataclass
class ExportPlan:
    """How many games the position counts, and which of them its rows name."""

    total: int = 0
    named: list[int] = field(default_factory=list)
    complete: bool = True  # every counted game is named


@dataclass
class ExportProgress:
    """What an export sent, and why it stopped early (None: it sent every game)."""

    sent: int = 0
    cut: str | None = None


def plan_export(
    connection: Connection, query: ExplorerQuery, key: int, player_ids: tuple[int, ...] | None
) -> ExportPlan:
    """The games counted at the position (summed per row group) and the ids named."""
    rows = stat_rows(query, key, player_ids, monthly=True, refs=True)
    groups = (rows.c.move, rows.c.collection, rows.c.speed, rows.c.rated, rows.c.rating_band, rows.c.month)
    found = connection.execute(
        select(
            func.sum(rows.c.white + rows.c.draws + rows.c.black), func.count(), *groups
        ).group_by(*groups)
    ).all()
    per_group = {tuple(row[2:]): int(row[0]) for row in found}
    named: dict[tuple, set[int]] = {}
    refs = connection.execute(select(*groups, rows.c.refs).where(rows.c.refs.is_not(None))).all()
    for row in refs:
        named.setdefault(tuple(row[:-1]), set()).update(game_refs.decode(row[-1])["id"].tolist())
    plan = ExportPlan(total=sum(per_group.values()))
    ids: set[int] = set()
    for group, count in per_group.items():
        names = named.get(group, set())
        if count and len(names) != count:
            plan.complete = False
        ids |= names
    plan.named = sorted(ids)
    return plan


def _conditions(query: ExplorerQuery, player_ids: tuple[int, ...] | None) -> list:  # type: ignore[no-untyped-def]
    """The games table's rows the statistics would count under the query's filters."""
    conditions = _common(games, query)
    white, black = games.c.white_rating, games.c.black_rating
    known = and_(white.is_not(None), black.is_not(None))
    bands = query.rating_bands
    if player_ids is None:
        if bands is not None:
            mean = (white + black) / 2
            conditions += [known, mean >= bands[0] * 100, mean < (bands[1] + 1) * 100]
        return conditions
    sides = []
    for color, own_id, own in (("white", games.c.white_id, white), ("black", games.c.black_id, black)):
        if query.color not in (None, color):
            continue
        side = [own_id.in_(player_ids)]
        if bands is not None:
            side += [known, own >= bands[0] * 100, own < (bands[1] + 1) * 100]
        sides.append(and_(*side))
    return [*conditions, or_(*sides)]


def exported_games(
    connection: Connection,
    query: ExplorerQuery,
    key: int,
    player_ids: tuple[int, ...] | None,
    plan: ExportPlan,
    *,
    index_plies: int,
    limit: int,
    seconds: float,
    progress: ExportProgress,
    columns: tuple = (),
) -> Iterator:  # type: ignore[type-arg]
    """The rows (`columns` of games) of the games counted at the position: the named ones
    first, then, when rows name only some, the others found by replaying the filtered
    games. Stops at `limit` games or after `seconds`, saying why in `progress.cut`."""
    deadline = time.monotonic() + seconds
    conditions = _conditions(query, player_ids)
    sent: set[int] = set()
    wanted = (games.c.id, *columns)

    def stop() -> bool:
        """Whether the next game must not be sent (and why, in progress.cut)."""
        if progress.sent >= limit:
            progress.cut = f"limit of {limit:,} games"
        elif time.monotonic() > deadline:
            progress.cut = f"time limit of {seconds:g} s"
        return progress.cut is not None

    for start in range(0, len(plan.named), SCAN_CHUNK):
        part = plan.named[start : start + SCAN_CHUNK]
        for row in connection.execute(select(*wanted).where(games.c.id.in_(part), *conditions).order_by(games.c.id)):
            if stop():
                return
            sent.add(row[0])
            progress.sent += 1
            yield row[1:]
    if plan.complete or progress.sent >= plan.total:
        return
    last = 0
    while True:
        chunk = connection.execute(
            select(*wanted, games.c.moves).where(games.c.id > last, *conditions).order_by(games.c.id).limit(SCAN_CHUNK)
        ).all()
        if not chunk:
            return
        last = chunk[-1][0]
        if progress.sent >= plan.total:
            return
        for row in chunk:
            if row[0] in sent:
                continue
            codes = decode_move_codes(row[-1]).astype(np.int64).tolist()
            if key not in replay_keys(codes, min(index_plies, len(codes))):
                continue
            if stop():
                return
            progress.sent += 1
            yield row[1:-1]
        if progress.sent < plan.total and time.monotonic() > deadline:
            progress.cut = f"time limit of {seconds:g} s"
            return
