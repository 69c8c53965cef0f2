"""Each monthly summary row's best rating, step 2 of 2 (step 1: migration 0022): every
writer now sets it, so it becomes NOT NULL, and what the previous release read and its
compaction wrote goes: the column best_band and its index, and on PostgreSQL the triggers
that gave that compaction's rows their best rating.

Safe on a live store (docs/DEPLOY.md, rule 3): the triggers go first, then the rows left
without a rating (none, unless an older compaction slipped one in) are filled a few
hundred positions at a time; on PostgreSQL a CHECK constraint added NOT VALID and then
validated proves the column full without blocking writes, so SET NOT NULL needs no scan;
best_band's index is dropped concurrently and the column by a catalog change. Each step
commits on its own and waits at most 5 s for its lock; a run stopped anywhere can be run
again. SQLite rebuilds the table (its NOT NULL needs it; an embedded store is small).

Down, best_band comes back, the band of each row's best rating (the highest band of the
month-level rows it sums, as migration 0010 made it), with its index, best_rating nullable
again, and on PostgreSQL the triggers.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

#: positions whose rows one backfill statement reads (a million games: about 880 rows each)
BATCH_POSITIONS = 200
CHECK = "ck_move_stats_monthly_best_rating"
BEST_BAND_INDEX = "ix_move_stats_monthly_best"

#: the highest band of a summary row's games (webapp.indexer.rows: a game's band is its mean
#: rating // 100, at most 39, -1 when a rating is unknown) from its best rating: a known
#: rating is positive (webapp.indexer.headers.rating_of), an unknown one referenced as 0
BAND_OF_BEST_RATING = "CASE WHEN best_rating > 0 THEN {least}(best_rating / 100, 39) ELSE -1 END"
#: migration 0022's triggers, as the downgrade puts them back
TRIGGERS = """
CREATE OR REPLACE FUNCTION monthly_best_rating() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.best_rating := refs_best(NEW.refs);
  RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER monthly_best_rating_inserted BEFORE INSERT ON move_stats_monthly
FOR EACH ROW WHEN (NEW.best_rating IS NULL) EXECUTE FUNCTION monthly_best_rating();
CREATE OR REPLACE TRIGGER monthly_best_rating_added BEFORE UPDATE ON move_stats_monthly
FOR EACH ROW WHEN (
  current_setting('webapp.writes_best_rating', true) IS DISTINCT FROM 'on'
  AND NEW.refs IS DISTINCT FROM OLD.refs AND NEW.best_rating IS NOT DISTINCT FROM OLD.best_rating
) EXECUTE FUNCTION monthly_best_rating();
"""


def _position_batches(bind) -> list[tuple[int | None, int]]:  # type: ignore[no-untyped-def]
    """(after, upto] ranges of position keys of the monthly summary, BATCH_POSITIONS each."""
    batches: list[tuple[int | None, int]] = []
    last = None
    while True:
        upper = bind.execute(
            sa.text(
                "SELECT max(position_key) FROM (SELECT position_key FROM monthly_positions"
                + ("" if last is None else " WHERE position_key > :last")
                + " ORDER BY position_key LIMIT :positions) AS batch"
            ),
            {"last": last, "positions": BATCH_POSITIONS},
        ).scalar()
        if upper is None:
            return batches
        batches.append((last, upper))
        last = upper


def _in_batch(last: int | None, column: str = "position_key") -> str:
    return f"{column} <= :upper" if last is None else f"{column} > :last AND {column} <= :upper"


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    with op.get_context().autocommit_block():
        if postgres:  # every statement its own transaction, none waiting long behind a reader
            op.execute("SET lock_timeout = '5s'")
            op.execute("SET statement_timeout = 0")  # the backfill's batches and the check's scan
            op.execute("DROP TRIGGER IF EXISTS monthly_best_rating_inserted ON move_stats_monthly")
            op.execute("DROP TRIGGER IF EXISTS monthly_best_rating_added ON move_stats_monthly")
            op.execute("DROP FUNCTION IF EXISTS monthly_best_rating()")
        for last, upper in _position_batches(bind):
            bind.execute(
                sa.text(
                    "UPDATE move_stats_monthly SET best_rating = refs_best(refs) "
                    f"WHERE best_rating IS NULL AND {_in_batch(last)}"
                ),
                {"last": last, "upper": upper},
            )
        if postgres:
            if bind.execute(sa.text("SELECT 1 FROM pg_constraint WHERE conname = :name"), {"name": CHECK}).scalar() is None:
                op.execute(f"ALTER TABLE move_stats_monthly ADD CONSTRAINT {CHECK} CHECK (best_rating IS NOT NULL) NOT VALID")
            op.execute(f"ALTER TABLE move_stats_monthly VALIDATE CONSTRAINT {CHECK}")
            op.execute("ALTER TABLE move_stats_monthly ALTER COLUMN best_rating SET NOT NULL")  # proved by the check
            op.execute(f"ALTER TABLE move_stats_monthly DROP CONSTRAINT {CHECK}")
            op.drop_index(BEST_BAND_INDEX, table_name="move_stats_monthly", postgresql_concurrently=True, if_exists=True)
            op.execute("ALTER TABLE move_stats_monthly DROP COLUMN IF EXISTS best_band")
            op.execute("RESET lock_timeout")
            op.execute("RESET statement_timeout")
    if not postgres:
        op.drop_index(BEST_BAND_INDEX, table_name="move_stats_monthly", if_exists=True)
        with op.batch_alter_table("move_stats_monthly", recreate="always", table_kwargs={"sqlite_with_rowid": False}) as table:
            table.drop_column("best_band")
            table.alter_column("best_rating", existing_type=sa.Integer, nullable=False)


def downgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    if postgres:
        op.execute("SET LOCAL lock_timeout = '5s'")
        op.execute("ALTER TABLE move_stats_monthly ADD COLUMN IF NOT EXISTS best_band smallint")
    else:
        with op.batch_alter_table("move_stats_monthly", recreate="always", table_kwargs={"sqlite_with_rowid": False}) as table:
            table.add_column(sa.Column("best_band", sa.SmallInteger, nullable=True))
            table.alter_column("best_rating", existing_type=sa.Integer, nullable=True)
    least = "least" if postgres else "min"
    with op.get_context().autocommit_block():
        if postgres:  # each batch commits on its own
            op.execute("SET statement_timeout = 0")
        for last, upper in _position_batches(bind):
            bind.execute(
                sa.text(
                    f"UPDATE move_stats_monthly SET best_band = {BAND_OF_BEST_RATING.format(least=least)} "
                    f"WHERE best_band IS NULL AND {_in_batch(last)}"
                ),
                {"last": last, "upper": upper},
            )
        op.create_index(
            BEST_BAND_INDEX, "move_stats_monthly", ["position_key", "best_band"],
            postgresql_concurrently=True, if_not_exists=True,
        )  # fmt: skip
        if postgres:
            op.execute("RESET statement_timeout")
    if postgres:
        op.execute("SET LOCAL lock_timeout = '5s'")
        op.execute("ALTER TABLE move_stats_monthly ALTER COLUMN best_band SET NOT NULL")
        op.execute("ALTER TABLE move_stats_monthly ALTER COLUMN best_rating DROP NOT NULL")
        op.execute(TRIGGERS)
    else:
        with op.batch_alter_table("move_stats_monthly", recreate="always", table_kwargs={"sqlite_with_rowid": False}) as table:
            table.alter_column("best_band", existing_type=sa.SmallInteger, nullable=False)
