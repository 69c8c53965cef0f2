"""What the explorer panel shows for one ViewState: explorer calls only, no Dash.

The numbers come from `read_explorer`, the same memoized query the JSON API answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, has_app_context
from sqlalchemy import Connection, Engine

from webapp.caching import memoized
from webapp.dashboard.state import ViewState, explorer_query
from webapp.db.collections import list_collections
from webapp.db.explorer import read_explorer
from webapp.db.leaks import Peers, read_peer_result, read_peers
from webapp.db.players import PlayerIndexing, display_name, record_requested_player
from webapp.db.summary import has_games, month_range
from webapp.jobs.player_index import ensure_player_indexed
from webapp.model.query import ExplorerQuery
from webapp.model.stats import ExplorerResult

ConnectionFactory = Callable[[], Connection]


@dataclass(frozen=True)
class ExplorerView:
    """The answer for one state: the main result, the peers beside a player, and notices."""

    query: ExplorerQuery
    result: ExplorerResult
    peers: ExplorerResult | None = None  # the player's peers (webapp.db.leaks.Peers), when a player is chosen
    peer_group: Peers | None = None  # who the peers are (named on screen)
    unknown_player: str | None = None  # a chosen player with no games
    indexing: PlayerIndexing | None = None  # the chosen player's games are being counted
    problem: str | None = None  # a filter left out because the explorer rejects it
    empty_database: bool = False
    player_name: str | None = None  # the chosen player as the source spells the name


def explore(connection_factory: ConnectionFactory, state: ViewState) -> ExplorerView:
    """Ask the explorer about the shown position: the player's games and their peers', or all."""
    known = {name for name, _ in collections_with_games(connection_factory)} if state.filters.collections else None
    query, problem = explorer_query(state, known)
    if query.player is not None and has_app_context():
        ensure_player_indexed(current_app, query.player)
    try:
        result = read_explorer(connection_factory, query)
    except PlayerIndexing as indexing:
        peers = read_explorer(connection_factory, query.without_player(), with_games=False)
        return ExplorerView(
            query=query.without_player(), result=peers, problem=problem, indexing=indexing
        )
    if query.player is None:
        empty = result.totals.games == 0 and not _has_games(connection_factory)
        return ExplorerView(query=query, result=result, problem=problem, empty_database=empty)
    if not result.player_found:
        peers = read_explorer(connection_factory, query.without_player(), with_games=False)
        empty = peers.totals.games == 0 and not _has_games(connection_factory)
        return ExplorerView(
            query=query.without_player(),
            result=peers,
            unknown_player=query.player,
            problem=problem,
            empty_database=empty,
        )
    name = memoized(f"dashboard:display-name:{query.player}", lambda: _display_name(connection_factory, query.player))
    # the Player tab's peers: games around the player's own rating, not all games
    chosen = read_peers(connection_factory, query)
    peers = read_peer_result(connection_factory, query, chosen)
    return ExplorerView(
        query=query, result=result, peers=peers, peer_group=chosen, problem=problem, player_name=name
    )


def note_unknown_player(engine: Engine, player: str) -> None:
    """Remember a name asked for that has no games (the requested players table)."""
    with engine.begin() as connection:
        record_requested_player(connection, player)


def months(connection_factory: ConnectionFactory) -> list[str]:
    """Every month from the first game's to the last's, as YYYY-MM (cached per import)."""

    def compute() -> tuple[int, int] | None:
        with connection_factory() as connection:
            return month_range(connection)

    span = memoized("dashboard:month-range", compute)
    if span is None:
        return []
    first, last = span
    out: list[str] = []
    year, month = divmod(first, 100)
    while year * 100 + month <= last:
        out.append(f"{year:04d}-{month:02d}")
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return out


def collections_with_games(connection_factory: ConnectionFactory) -> list[tuple[str, int]]:
    """(name, games) of every collection that has games, by name (cached per import)."""

    def compute() -> list[tuple[str, int]]:
        with connection_factory() as connection:
            return [(name, count) for name, count in list_collections(connection) if count > 0]

    return memoized("dashboard:collections", compute)


def _display_name(connection_factory: ConnectionFactory, player: str | None) -> str | None:
    if not player:
        return None
    with connection_factory() as connection:
        return display_name(connection, player)


def _has_games(connection_factory: ConnectionFactory) -> bool:
    with connection_factory() as connection:
        return has_games(connection)
