"""PostgreSQL: the games' player references (white_id, black_id) are no longer checked by
foreign keys. Each check locked both players' rows (FOR KEY SHARE) for every game stored:
at a million games, 480 of the 1,170 ms the server spent on COPY of 58,000 games into
`games`. The writer stores a batch's players, in a transaction committed before the
batch's, and takes their ids from the database; no player is ever deleted. The other
fact tables (player_move_stats, move_singles) hold references without keys already.
SQLite keeps its keys: dropping one there rebuilds the table, and its imports are small.
Down, the keys come back, added NOT VALID and then validated over every stored game.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05
"""

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

KEYS = (("fk_games_white_id_players", "white_id"), ("fk_games_black_id_players", "black_id"))


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # a moment's ACCESS EXCLUSIVE lock on games: given up after 5 s behind a long read
    # rather than queueing every reader behind it (docs/DEPLOY.md); run it again then
    op.execute("SET LOCAL lock_timeout = '5s'")
    for name, _column in KEYS:
        op.execute(f"ALTER TABLE games DROP CONSTRAINT IF EXISTS {name}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    with op.get_context().autocommit_block():
        # each statement its own transaction: the keys added NOT VALID (a moment's lock),
        # then validated by a scan that does not block writes (docs/DEPLOY.md)
        op.execute("SET lock_timeout = '5s'")
        for name, column in KEYS:
            op.execute(
                f"ALTER TABLE games ADD CONSTRAINT {name} FOREIGN KEY ({column}) REFERENCES players (id) NOT VALID"
            )
        op.execute("RESET lock_timeout")
        op.execute("SET statement_timeout = 0")
        try:
            for name, _column in KEYS:
                op.execute(f"ALTER TABLE games VALIDATE CONSTRAINT {name}")
        finally:
            op.execute("RESET statement_timeout")
