"""Looking players up by name, and remembering names asked for that have no games."""

from __future__ import annotations

from sqlalchemy import Connection, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from webapp.db.tables import players, requested_players, tracked_players


class PlayerIndexing(Exception):  # noqa: N818 - a state, not a failure
    """The player's statistics are being counted from the stored games: no numbers yet."""

    def __init__(self, player: str, done: int, total: int) -> None:
        super().__init__(f"indexing {player}'s {total:,} games ({done:,} done)")
        self.player, self.done, self.total = player, done, total


def ready_player_ids(connection: Connection, player_ids: tuple[int, ...]) -> bool:
    """Whether every id's statistics are complete (tracked and indexed)."""
    ready = connection.execute(
        select(func.count())
        .select_from(tracked_players)
        .where(tracked_players.c.player_id.in_(player_ids), tracked_players.c.status == "ready")
    ).scalar()
    return int(ready or 0) == len(set(player_ids))


def indexing_progress(connection: Connection, player_ids: tuple[int, ...]) -> tuple[int, int]:
    """(games counted, games to count) of the ids still being indexed."""
    done, total = connection.execute(
        select(func.coalesce(func.sum(tracked_players.c.done), 0),
               func.coalesce(func.sum(tracked_players.c.total), 0))
        .where(tracked_players.c.player_id.in_(player_ids), tracked_players.c.status != "ready")
    ).one()
    return int(done), int(total)


def find_player_ids(connection: Connection, player: str) -> tuple[int, ...]:
    """Ids of the accounts `player` names: 'name' in any source (or a person's accounts), or 'source:name'."""
    source, sep, name = player.partition(":")
    statement = select(players.c.id)
    if sep:
        statement = statement.where(players.c.source == source, players.c.name == name)
    else:
        from webapp.db.people import person_player_ids_statement

        statement = statement.where(players.c.name == player).union(
            person_player_ids_statement(player)
        )
    return tuple(sorted(set(connection.execute(statement).scalars())))


def record_requested_player(connection: Connection, player: str) -> None:
    """Note a name that was asked for and has no games, so it can be imported later."""
    source, sep, name = player.partition(":")
    if not sep:
        source, name = "any", player
    insert = (
        postgresql.insert(requested_players)
        if connection.dialect.name == "postgresql"
        else sqlite.insert(requested_players)
    )
    statement = insert.values(source=source, name=name).on_conflict_do_update(
        index_elements=["source", "name"],
        set_={"times": requested_players.c.times + 1, "last_requested_at": func.now()},
    )
    connection.execute(statement)


def requested_player_names(connection: Connection) -> list[tuple[str, str, int]]:
    """(source, name, times asked) for every requested player, most asked first."""
    rows = connection.execute(
        select(requested_players.c.source, requested_players.c.name, requested_players.c.times)
        .order_by(requested_players.c.times.desc(), requested_players.c.name)
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


def forget_requested_player(connection: Connection, source: str, name: str) -> None:
    """Drop a requested name once its games have been imported."""
    connection.execute(
        update(requested_players)
        .where(requested_players.c.name == name, requested_players.c.source.in_([source, "any"]))
        .values(times=0)
    )
