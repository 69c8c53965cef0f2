"""People: a named set of accounts (lichess:USER, chesscom:USER, ...) that filters as one player.

Accounts are kept by (source, name), so a person can be linked before their games are
imported; `webapp.db.players.find_player_ids` resolves a person's name to the accounts'
player ids.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, delete, select

from webapp.db.tables import people, person_accounts, players

ACCOUNT_SOURCES = ("lichess", "chesscom", "pgn")


class AccountSpecError(ValueError):
    """An account not written source:name."""


def parse_account(text: str) -> tuple[str, str]:
    """'lichess:DrNykterstein' as ('lichess', 'drnykterstein')."""
    source, sep, name = text.strip().partition(":")
    source = source.lower()
    if not sep or source not in ACCOUNT_SOURCES or not name.strip():
        raise AccountSpecError(
            f"{text!r} is not an account: write it source:username, with source one of "
            + ", ".join(ACCOUNT_SOURCES)
        )
    return source, name.strip().lower()


def link_accounts(connection: Connection, person: str, accounts: Iterable[str]) -> list[str]:
    """Create `person` if new and add the accounts; returns all of its accounts after."""
    parsed = [parse_account(a) for a in accounts]
    key = person.strip().lower()
    if not key or ":" in key:
        raise AccountSpecError(f"{person!r} is not a person's name (no ':' and not empty)")
    person_id = connection.execute(select(people.c.id).where(people.c.name == key)).scalar()
    if person_id is None:
        person_id = connection.execute(
            people.insert().values(name=key, display_name=person.strip()).returning(people.c.id)
        ).scalar_one()
    existing = set(person_account_names(connection, key))
    for source, name in parsed:
        if f"{source}:{name}" not in existing:
            connection.execute(
                person_accounts.insert().values(person_id=person_id, source=source, name=name)
            )
            existing.add(f"{source}:{name}")
    return sorted(existing)


def unlink_accounts(connection: Connection, person: str, accounts: Iterable[str]) -> list[str]:
    """Remove accounts from a person; the person stays (with what is left)."""
    key = person.strip().lower()
    person_id = connection.execute(select(people.c.id).where(people.c.name == key)).scalar()
    if person_id is None:
        return []
    for source, name in (parse_account(a) for a in accounts):
        connection.execute(
            delete(person_accounts).where(
                person_accounts.c.person_id == person_id,
                person_accounts.c.source == source,
                person_accounts.c.name == name,
            )
        )
    return person_account_names(connection, key)


def person_account_names(connection: Connection, person: str) -> list[str]:
    """'source:name' for each account of the person, sorted."""
    rows = connection.execute(
        select(person_accounts.c.source, person_accounts.c.name)
        .join(people, people.c.id == person_accounts.c.person_id)
        .where(people.c.name == person.strip().lower())
    )
    return sorted(f"{source}:{name}" for source, name in rows)


def list_people(connection: Connection) -> dict[str, list[str]]:
    """Every person's display name → their accounts."""
    rows = connection.execute(
        select(people.c.name, people.c.display_name, person_accounts.c.source, person_accounts.c.name)
        .select_from(people.outerjoin(person_accounts, person_accounts.c.person_id == people.c.id))
        .order_by(people.c.name, person_accounts.c.source, person_accounts.c.name)
    )
    out: dict[str, list[str]] = {}
    for _key, display, source, name in rows:
        accounts = out.setdefault(display, [])
        if source is not None:
            accounts.append(f"{source}:{name}")
    return out


def person_player_ids_statement(person: str):  # type: ignore[no-untyped-def]
    """SELECT of the player ids of a person's imported accounts."""
    return (
        select(players.c.id)
        .join(
            person_accounts,
            (person_accounts.c.source == players.c.source)
            & (person_accounts.c.name == players.c.name),
        )
        .join(people, people.c.id == person_accounts.c.person_id)
        .where(people.c.name == person)
    )
