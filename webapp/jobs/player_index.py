"""Players indexed on first request: at once when they have few games, else in the background.

Statistics are kept only for the players someone asks about. The first question about
another player counts their stored games into player_move_stats: within the request for
a player with at most INLINE_INDEX_GAMES games, otherwise as a background job (a thread
here, a Celery task in compose) whose progress tracked_players holds, while the explorer
answers "indexing" (HTTP 202) instead of partial numbers.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import select

from webapp.db.players import find_player_ids
from webapp.db.tables import tracked_players
from webapp.indexer.reindex import count_games, index_players, mark_indexing

log = logging.getLogger(__name__)
#: an "indexing" row not updated for this long belongs to a job that died: start again
STALE_AFTER = timedelta(minutes=2)


def ensure_player_indexed(app: Flask, player: str) -> bool:
    """Make sure the player's statistics exist or are being counted; True when ready now.

    A name with no games is "ready" (there is nothing to count; the explorer says so).
    """
    from webapp.extensions import db

    settings = app.extensions["settings"]
    engine = db.engine
    with engine.connect() as connection:
        ids = find_player_ids(connection, player)
        if not ids:
            return True
        rows = connection.execute(
            select(tracked_players.c.status, tracked_players.c.updated_at).where(
                tracked_players.c.player_id.in_(ids)
            )
        ).all()
        if len(rows) == len(ids) and all(row.status == "ready" for row in rows):
            return True
        now = datetime.now(UTC).replace(tzinfo=None)
        running = any(
            row.status == "indexing" and row.updated_at and now - row.updated_at < STALE_AFTER
            for row in rows
        )
        total = count_games(connection, ids)
    if total <= settings.inline_index_games:
        index_players(engine, ids, index_plies=settings.index_plies)
        return True
    if not running:
        mark_indexing(engine, ids)
        start_indexing(app, ids)
    return False


def start_indexing(app: Flask, player_ids: tuple[int, ...]) -> None:
    """Index the players in the background: a Celery task in compose, else a thread."""
    settings = app.extensions["settings"]
    if settings.job_queue == "celery":
        from webapp.jobs.worker import index_players_task

        index_players_task.delay(list(player_ids))
        return
    real_app = app._get_current_object() if hasattr(app, "_get_current_object") else app
    threading.Thread(
        target=run_indexing, args=(real_app, tuple(player_ids)), name="index-players", daemon=True
    ).start()


def run_indexing(app: Flask, player_ids: tuple[int, ...]) -> int:
    """Index the players inside the app's context (a worker's entry point)."""
    from webapp.caching import bump_generation
    from webapp.extensions import db

    with app.app_context():
        settings = app.extensions["settings"]
        try:
            counted = index_players(db.engine, player_ids, index_plies=settings.index_plies)
        except Exception:
            log.exception("indexing players %s failed", player_ids)
            raise
        bump_generation()
        warm_leaks(player_ids)
        return counted


def warm_leaks(player_ids: tuple[int, ...]) -> None:
    """Search each indexed player's leaks as the Player tab first asks (both colours, no
    filters) into the cache, so the tab's first answer after a long indexing is at hand.
    A search that fails is logged; the job's work is done either way."""
    from webapp.db.leaks import DEFAULT_LEAKS_ASKED, read_leaks
    from webapp.db.tables import players
    from webapp.extensions import db
    from webapp.model.query import ExplorerQuery

    settings = current_app.extensions["settings"]
    with db.engine.connect() as connection:
        names = connection.execute(select(players.c.name).where(players.c.id.in_(player_ids))).scalars().all()
    for name in sorted(set(names)):
        for color in ("white", "black"):
            try:
                read_leaks(db.engine.connect, ExplorerQuery.build(player=name, color=color),
                           limit=DEFAULT_LEAKS_ASKED, index_plies=settings.index_plies)
            except Exception:  # noqa: BLE001 - a cache warm-up, never the job's failure
                log.exception("warming the leaks of %s as %s failed", name, color)
