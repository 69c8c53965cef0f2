"""Checks on tables a migration made: as the code declares them, and what they hold."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table, inspect, text
from sqlalchemy.engine import Engine


def assert_declared_and_empty(engine: Engine, tables: Sequence[Table]) -> None:
    """Each table has the declared columns, in order, and primary key, and no row."""
    for table in tables:
        columns = [c["name"] for c in inspect(engine).get_columns(table.name)]
        assert columns == [c.name for c in table.columns]
        assert inspect(engine).get_pk_constraint(table.name)["constrained_columns"] == [
            c.name for c in table.primary_key.columns
        ]
        with engine.connect() as connection:
            assert connection.execute(text(f"SELECT count(*) FROM {table.name}")).scalar_one() == 0


def assert_summed_over_the_bands(
    engine: Engine, rollup: str, summed: str, listed: str, keys: Sequence[str], on: Sequence[str]
) -> None:
    """Every band-less row of table `summed` is the `rollup` rows of its keys summed over
    the rating bands, to the count (endings and think times too), at the positions listed
    in `listed` (joined on the columns `on`); rows summed to nothing (games moved away)
    left out on both sides."""
    counted = ("white", "draws", "black", "rating_sum", "white_time", "draw_repetition", "think_10", "low_clock")
    grouped = ", ".join(f"r.{k}" for k in keys)
    joined = " AND ".join(f"p.{c} = r.{c}" for c in on)
    with engine.connect() as connection:
        expected = connection.execute(
            text(
                f"SELECT {grouped}, "
                + ", ".join(f"sum(coalesce(r.{c}, 0))" for c in counted)
                + ", sum(CASE WHEN r.rating_band >= 0 THEN r.white + r.draws + r.black ELSE 0 END) "
                f"FROM {rollup} r JOIN {listed} p ON {joined} GROUP BY {grouped} ORDER BY {grouped}"
            )
        ).all()
        stored = connection.execute(
            text(
                f"SELECT {grouped}, "
                + ", ".join(f"coalesce(r.{c}, 0)" for c in counted)
                + f", r.banded FROM {summed} r ORDER BY {grouped}"
            )
        ).all()
    stored = [tuple(row) for row in stored if any(row[len(keys) :])]
    expected = [tuple(row) for row in expected if any(row[len(keys) :])]
    assert stored == expected
    assert stored
