"""Each monthly summary row keeps its best rating (best_rating: the highest rating among its
game references), step 1 of 2: add it nullable, backfill, index.

The games lists under a months filter read the rows that can hold the position's best
games from the top of an index: by best_band, hundreds of rows tie there (a million games,
the start position, 2019-2021: 663 of the 786 rows read), by best rating about as many as
the list is long. On PostgreSQL refs_best(r) reads the rating from the references (SQLite
gets a Python function from webapp.db.sqlite on every connection).

Safe on a live store (docs/DEPLOY.md): the column comes nullable, its backfill commits a
few hundred positions at a time and resumes where a run stopped, its index is built
concurrently, and best_band stays (the previous release reads it; this one still writes
it). On PostgreSQL the previous release's compaction may keep writing while this runs and
until its worker stops: triggers give the rows it inserts or adds games to their best
rating from their references (this release's compaction writes the rating itself and says
so for its transaction: WRITES_BEST_RATING). The lists read a row without one, should any
be left, as if it held the best games. The next step, in a later release, drops the
triggers, fills what is left, makes the column NOT NULL and drops best_band.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

#: positions whose rows one backfill statement fills (a million games: about 880 rows each)
BATCH_POSITIONS = 200

#: the setting a transaction that writes best_rating itself sets on (webapp.indexer.compact),
#: so the triggers leave its rows alone
WRITES_BEST_RATING = "webapp.writes_best_rating"

POSTGRES_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION refs_best(r bytea) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(max(get_byte(r, i * 10 + 4) + (get_byte(r, i * 10 + 5) << 8)), 0)
  FROM generate_series(0, length(r) / 10 - 1) AS i
$$;
CREATE OR REPLACE FUNCTION monthly_best_rating() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.best_rating := refs_best(NEW.refs);
  RETURN NEW;
END
$$;
CREATE TRIGGER monthly_best_rating_inserted BEFORE INSERT ON move_stats_monthly
FOR EACH ROW WHEN (NEW.best_rating IS NULL) EXECUTE FUNCTION monthly_best_rating();
CREATE TRIGGER monthly_best_rating_added BEFORE UPDATE ON move_stats_monthly
FOR EACH ROW WHEN (
  current_setting('{WRITES_BEST_RATING}', true) IS DISTINCT FROM 'on'
  AND NEW.refs IS DISTINCT FROM OLD.refs AND NEW.best_rating IS NOT DISTINCT FROM OLD.best_rating
) EXECUTE FUNCTION monthly_best_rating();
"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # give up after 5 s behind a long read rather than queue every reader behind us
        op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column("move_stats_monthly", sa.Column("best_rating", sa.Integer, nullable=True))
    if bind.dialect.name == "postgresql":  # in the same moment: every row written from now on gets one
        op.execute(POSTGRES_FUNCTIONS)

    with op.get_context().autocommit_block():
        last = None
        while True:  # one committed UPDATE per range of summarized positions
            bounds = sa.text(
                "SELECT max(position_key) FROM (SELECT position_key FROM monthly_positions"
                + ("" if last is None else " WHERE position_key > :last")
                + " ORDER BY position_key LIMIT :positions) AS batch"
            )
            upper = bind.execute(bounds, {"last": last, "positions": BATCH_POSITIONS}).scalar()
            if upper is None:
                break
            bind.execute(
                sa.text(
                    "UPDATE move_stats_monthly SET best_rating = refs_best(refs) WHERE best_rating IS NULL "
                    + ("AND position_key <= :upper" if last is None else "AND position_key > :last AND position_key <= :upper")
                ),
                {"last": last, "upper": upper},
            )
            last = upper
        op.create_index(
            "ix_move_stats_monthly_best_rating",
            "move_stats_monthly",
            ["position_key", "best_rating"],
            postgresql_concurrently=True,
            if_not_exists=True,
        )


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.drop_index(
            "ix_move_stats_monthly_best_rating",
            table_name="move_stats_monthly",
            postgresql_concurrently=True,
            if_exists=True,
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS monthly_best_rating_inserted ON move_stats_monthly")
        op.execute("DROP TRIGGER IF EXISTS monthly_best_rating_added ON move_stats_monthly")
        op.execute("DROP FUNCTION IF EXISTS monthly_best_rating()")
    op.drop_column("move_stats_monthly", "best_rating")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS refs_best(bytea)")
