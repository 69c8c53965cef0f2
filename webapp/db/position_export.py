"""The games the explorer counts for a position and filters, for export: exactly those.

The position's statistics rows name their games (webapp.model.game_refs): a row that
names as many games as it counts names them all, so those games are read by id at once.
Rows of many games name only their best and newest; for them the filtered games are
replayed (webapp.indexer.replay) and kept when they reach the position within the
indexed plies, as the import counted them. Either way a game is sent once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Connection, and_, func, or_, select

from webapp.db.explorer import stat_rows
from webapp.db.leaks import _common
from webapp.db.sqlite import stored_date
from webapp.db.tables import games
from webapp.indexer.replay import replay_keys
from webapp.model import game_refs
from webapp.model.deadline import Deadline
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
    """What an export sent, and why it stopped early: "limit", "time", or None (every game)."""

    sent: int = 0
    cut: str | None = None


def plan_export(
    connection: Connection, query: ExplorerQuery, key: int, player_ids: tuple[int, ...] | None
) -> ExportPlan:
    """The games counted at the position (summed per row group) and the ids named."""
    rows = stat_rows(query, key, player_ids, monthly=True, refs=True)
    groups = (rows.c.move, rows.c.collection, rows.c.speed, rows.c.rated, rows.c.rating_band, rows.c.month)
    found = connection.execute(
        select(func.sum(rows.c.white + rows.c.draws + rows.c.black), *groups).group_by(*groups)
    ).all()
    per_group = {tuple(row[1:]): int(row[0]) for row in found}
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


def _ordinal(value) -> int:  # type: ignore[no-untyped-def]
    """A played_on value as a day number (0 unknown)."""
    day = stored_date(value)
    return 0 if day is None else day.toordinal()


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


def exported_ids(
    connection: Connection,
    query: ExplorerQuery,
    key: int,
    player_ids: tuple[int, ...] | None,
    plan: ExportPlan,
    *,
    index_plies: int,
    limit: int,
    deadline: Deadline,
    progress: ExportProgress,
) -> Iterator[int]:
    """The ids of the games counted at the position: the named ones first (newest first),
    then, when rows name only some, the others found by replaying the filtered games in
    stored order. Stops at `limit` games or at the deadline, saying why in `progress.cut`."""
    conditions = _conditions(query, player_ids)
    sent: set[int] = set()

    def may_send() -> bool:
        if progress.sent >= limit:
            progress.cut = "limit"
        elif deadline.passed:
            progress.cut = "time"
        return progress.cut is None

    dated: list[tuple[int, int]] = []  # (-day ordinal, -id): newest first
    for start in range(0, len(plan.named), SCAN_CHUNK):
        part = plan.named[start : start + SCAN_CHUNK]
        rows = connection.execute(select(games.c.id, games.c.played_on).where(games.c.id.in_(part), *conditions))
        dated.extend((-(_ordinal(day)), -game_id) for game_id, day in rows)
    for _day, negative_id in sorted(dated):
        if not may_send():
            return
        sent.add(-negative_id)
        progress.sent += 1
        yield -negative_id
    if plan.complete:
        return
    last = 0
    while progress.sent < plan.total:
        chunk = connection.execute(
            select(games.c.id, games.c.moves)
            .where(games.c.id > last, *conditions)
            .order_by(games.c.id)
            .limit(SCAN_CHUNK)
        ).all()
        if not chunk:
            return
        last = chunk[-1][0]
        for game_id, moves in chunk:
            if game_id in sent:
                continue
            codes = decode_move_codes(moves).astype(np.int64).tolist()
            if key not in replay_keys(codes, min(index_plies, len(codes))):
                continue
            if not may_send():
                return
            progress.sent += 1
            yield game_id
        if deadline.passed and progress.sent < plan.total:
            progress.cut = "time"
            return
