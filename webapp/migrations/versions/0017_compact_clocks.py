"""Clocks kept compactly: a stored game's clocks go from four bytes a ply (uint32 tenths)
to about one (webapp.model.stored_game.encode_clocks: each mover's change from their
previous clock, as a varint, in whole seconds when every clock is one). Every stored
game's clocks are rewritten, the same tenths in the new form; down, back again.

PostgreSQL keeps the old rows' space until `VACUUM FULL games` gives it back.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

import logging
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from webapp.model.stored_game import (
    clock_seconds_many,
    encode_clocks_many,
    four_byte_clock_seconds_many,
    four_byte_clocks,
)

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

CHUNK = 20_000
log = logging.getLogger("alembic.runtime.migration")


def _rewrite(convert: Callable[[list[bytes]], list[bytes | None]]) -> None:
    """Every stored game's clocks through `convert`, a chunk of games at a time."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("SET LOCAL statement_timeout = 0")
    total = bind.execute(sa.text("SELECT count(*) FROM games WHERE clocks IS NOT NULL")).scalar_one()
    after, done = 0, 0
    while True:
        rows = bind.execute(
            sa.text("SELECT id, clocks FROM games WHERE clocks IS NOT NULL AND id > :after ORDER BY id LIMIT :n"),
            {"after": after, "n": CHUNK},
        ).all()
        if not rows:
            break
        stored = convert([bytes(row.clocks) for row in rows])
        bind.execute(
            sa.text("UPDATE games SET clocks = :clocks WHERE id = :id"),
            [{"id": row.id, "clocks": data} for row, data in zip(rows, stored, strict=True)],
        )
        after, done = rows[-1].id, done + len(rows)
        log.info("clocks of %d of %d games rewritten", done, total)


def upgrade() -> None:
    _rewrite(lambda parts: encode_clocks_many(four_byte_clock_seconds_many(parts)))


def downgrade() -> None:
    def four_bytes(parts: list[bytes]) -> list[bytes | None]:
        return [None if seconds is None else four_byte_clocks(seconds) for seconds in clock_seconds_many(parts)]

    _rewrite(four_bytes)
