"""Looking players up by name, suggesting names by prefix, and remembering names asked for.

Names are stored lower-case (`players.name`, which leads the players' unique key) and
shown as the source spells them (`players.display_name`). Names that differ only by the
spacing after a comma ("anand,v" / "anand, v", as PGN files from different sites write
them) are one player to the explorer and one suggestion.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, func, select, text, union_all, update
from sqlalchemy.dialects import postgresql, sqlite

from webapp.db.tables import (
    games,
    player_bandless_positions,
    players,
    requested_players,
    tracked_players,
)


class PlayerIndexing(Exception):  # noqa: N818 - a state, not a failure
    """The player's statistics are being counted from the stored games: no numbers yet."""

    def __init__(self, player: str, done: int, total: int) -> None:
        super().__init__(f"indexing {player}'s {total:,} games ({done:,} done)")
        self.player, self.done, self.total = player, done, total


def _all_ready(statuses: Iterable[str], player_ids: tuple[int, ...]) -> bool:
    """Whether the tracked statuses of the ids say every id's statistics are complete."""
    return sum(1 for status in statuses if status == "ready") == len(set(player_ids))


def ready_player_ids(connection: Connection, player_ids: tuple[int, ...]) -> bool:
    """Whether every id's statistics are complete (tracked and indexed)."""
    statuses = connection.execute(
        select(tracked_players.c.status).where(tracked_players.c.player_id.in_(player_ids))
    ).scalars()
    return _all_ready(statuses, player_ids)


def readiness(connection: Connection, player_ids: tuple[int, ...], key: int) -> tuple[bool, tuple[int, ...]]:
    """Whether every id's statistics are complete (ready_player_ids), and the ids whose
    rows at the position are kept summed over the rating bands too (a busy player's first
    plies: player_move_stats_bandless), in one statement: the explorer asks both."""
    summed = (
        select(player_bandless_positions.c.player_id)
        .where(
            player_bandless_positions.c.player_id == tracked_players.c.player_id,
            player_bandless_positions.c.position_key == key,
        )
        .exists()
    )
    rows = connection.execute(
        select(tracked_players.c.player_id, tracked_players.c.status, summed).where(
            tracked_players.c.player_id.in_(player_ids)
        )
    ).all()
    return _all_ready((row.status for row in rows), player_ids), tuple(row.player_id for row in rows if row[2])


def indexing_progress(connection: Connection, player_ids: tuple[int, ...]) -> tuple[int, int]:
    """(games counted, games to count) of the ids still being indexed."""
    done, total = connection.execute(
        select(func.coalesce(func.sum(tracked_players.c.done), 0),
               func.coalesce(func.sum(tracked_players.c.total), 0))
        .where(tracked_players.c.player_id.in_(player_ids), tracked_players.c.status != "ready")
    ).one()
    return int(done), int(total)


_COMMA = re.compile(r",\s*")
_STEM = re.compile(r"^[a-z0-9]*")
#: candidates read per spelling before counting games: enough to rank by games, few to count
CANDIDATES = 40


@dataclass(frozen=True)
class PlayerSuggestion:
    """One name offered for a prefix: as the source spells it, its games, its sources."""

    name: str  # display spelling of the most played variant
    games: int
    sources: tuple[str, ...]
    spellings: tuple[str, ...]  # every display spelling merged into this suggestion


def name_key(name: str) -> str:
    """The name as compared: lower-case, one space after each comma ('anand,v' → 'anand, v')."""
    return _COMMA.sub(", ", name.strip().lower())


def spelling_variants(name: str) -> tuple[str, ...]:
    """The lower-case spellings a name may have been stored under: as typed, commas
    followed by one space, commas followed by none."""
    lower = name.strip().lower()
    if "," not in lower:
        return (lower,)
    return tuple(dict.fromkeys((lower, _COMMA.sub(", ", lower), _COMMA.sub(",", lower))))


def find_player_ids(connection: Connection, player: str) -> tuple[int, ...]:
    """Ids of the accounts `player` names: 'name' in any source (or a person's accounts), or 'source:name'."""
    source, sep, name = player.partition(":")
    statement = select(players.c.id)
    if sep:
        statement = statement.where(players.c.source == source, players.c.name.in_(spelling_variants(name)))
    else:
        from webapp.db.people import person_player_ids_statement

        statement = statement.where(players.c.name.in_(spelling_variants(player))).union(
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


def display_name(connection: Connection, player: str) -> str | None:
    """How the source spells a player ('source:name' or a name in any source; else a
    person's name), or None when nobody has that name."""
    source, sep, name = player.partition(":")
    statement = select(players.c.display_name).where(players.c.name.in_(spelling_variants(name if sep else player)))
    if sep:
        statement = statement.where(players.c.source == source.lower())
    found = connection.execute(statement.order_by(players.c.id).limit(1)).scalar()
    if found is None and not sep:
        from webapp.db.tables import people

        found = connection.execute(
            select(people.c.display_name).where(people.c.name == player.strip().lower())
        ).scalar()
    return found


def suggest_players(connection: Connection, prefix: str, *, limit: int = 10) -> list[PlayerSuggestion]:
    """Players whose name starts with `prefix` (any case), most games first.

    Reads at most CANDIDATES names per spelling of the prefix, in name order, through
    the players' key, led by the name (a range condition on the lower-case name, which a
    plain btree serves), then counts the games of those few only, through
    ix_games_white_id and ix_games_black_id.
    """
    rows: dict[int, tuple[str, str, str]] = {}
    byte_order = names_in_byte_order(connection)
    for variant in spelling_variants(prefix):
        if not variant:
            continue
        statement = _prefix_statement(variant, byte_order=byte_order)
        for player_id, source, name, display in connection.execute(statement):
            rows[player_id] = (source, name, display)
    counts = count_games(connection, rows)
    groups: dict[str, list[tuple[int, str, str]]] = {}
    for player_id, (source, name, display) in rows.items():
        groups.setdefault(name_key(name), []).append((counts.get(player_id, 0), source, display))
    suggestions = []
    for members in groups.values():
        members.sort(key=lambda m: (-m[0], m[2]))
        suggestions.append(
            PlayerSuggestion(
                name=members[0][2],
                games=sum(m[0] for m in members),
                sources=tuple(sorted({m[1] for m in members})),
                spellings=tuple(dict.fromkeys(m[2] for m in members)),
            )
        )
    suggestions.sort(key=lambda s: (-s.games, name_key(s.name)))
    return suggestions[:limit]


def _prefix_statement(prefix: str, *, byte_order: bool = True):  # type: ignore[no-untyped-def]
    """Names starting with `prefix`, in name order, through the key (name, source).

    In byte order (SQLite, PostgreSQL's C collations) `prefix <= name < successor` is
    exactly the names starting with `prefix`, and PostgreSQL walks the index in order and
    stops at the LIMIT. A linguistic collation (en_US) skips punctuation and spaces at
    first, so there the range covers the prefix's leading letters and digits only and
    LIKE (escaped) keeps the exact matches.
    """
    name = players.c.name
    if byte_order:
        conditions = [name >= prefix]
        upper = _byte_successor(prefix)
        if upper is not None:
            conditions.append(name < upper)
    else:
        stem = _STEM.match(prefix).group(0)  # type: ignore[union-attr]
        conditions = [name.startswith(prefix, autoescape=True)]
        if stem:
            conditions.append(name >= stem)
            upper = _successor(stem)
            if upper:
                conditions.append(name < upper)
    return (
        select(players.c.id, players.c.source, name, players.c.display_name)
        .where(*conditions)
        .order_by(name)
        .limit(CANDIDATES)
    )


def _byte_successor(prefix: str) -> str | None:
    """The first string after every string starting with `prefix`, in code point order."""
    while prefix and ord(prefix[-1]) >= 0x10FFFF:
        prefix = prefix[:-1]
    return prefix[:-1] + chr(ord(prefix[-1]) + 1) if prefix else None


def _successor(stem: str) -> str | None:
    """The smallest letters-and-digits string after every string starting with `stem`
    ('fisch' → 'fisci', 'az' → 'b', '9' → 'a'), or None when there is none ('zz')."""
    while stem:
        last = stem[-1]
        if last not in "9z":
            return stem[:-1] + chr(ord(last) + 1)
        if last == "9":
            return stem[:-1] + "a"
        stem = stem[:-1]
    return None


def names_in_byte_order(connection: Connection) -> bool:
    """Whether players.name compares byte by byte (SQLite; PostgreSQL with a C collation)."""
    if connection.dialect.name != "postgresql":
        return True
    key = str(connection.engine.url)
    if key not in _BYTE_ORDER:
        collation = connection.execute(
            text(
                "SELECT coalesce(c.collname, d.datcollate) FROM pg_attribute a "
                "JOIN pg_database d ON d.datname = current_database() "
                "LEFT JOIN pg_collation c ON c.oid = a.attcollation AND c.collname <> 'default' "
                "WHERE a.attrelid = 'players'::regclass AND a.attname = 'name'"
            )
        ).scalar()
        _BYTE_ORDER[key] = str(collation) in ("C", "POSIX", "C.UTF-8", "C.utf8", "ucs_basic")
    return _BYTE_ORDER[key]


#: database URL → whether its players.name is in byte order (a fact of the schema, not user state)
_BYTE_ORDER: dict[str, bool] = {}


def count_games(connection: Connection, player_ids: Iterable[int]) -> dict[int, int]:
    """Games per player id, as white plus as black (two index scans, summed)."""
    ids = sorted(set(player_ids))
    if not ids:
        return {}
    white = select(games.c.white_id.label("player_id"), func.count().label("n")).where(
        games.c.white_id.in_(ids)).group_by(games.c.white_id)
    black = select(games.c.black_id.label("player_id"), func.count().label("n")).where(
        games.c.black_id.in_(ids)).group_by(games.c.black_id)
    both = union_all(white, black).subquery()
    rows = connection.execute(select(both.c.player_id, func.sum(both.c.n)).group_by(both.c.player_id))
    return {int(player_id): int(n) for player_id, n in rows}
