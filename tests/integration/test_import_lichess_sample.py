"""999 real lichess games (2021-10 dump): imported counts equal python-chess's, position by position.

Skips when /work/shared/data is absent.
"""

from __future__ import annotations

import functools
import random
from pathlib import Path

import pytest
from import_reference import expected
from sqlalchemy import bindparam, text
from test_import_pgn import tables

from webapp.indexer.pgn import import_pgn_files

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
SAMPLE = SHARED_DATA / "lichess" / "lichess_db_standard_rated_2021-10_first999.pgn"
pytestmark = pytest.mark.skipif(not SAMPLE.exists(), reason="shared lichess sample not available")


@functools.cache
def reference_counts():  # type: ignore[no-untyped-def]
    """python-chess's counts, computed once for both databases."""
    return expected([SAMPLE], index_plies=40)


def test_real_games_position_totals_equal_python_chess(engine) -> None:
    report = import_pgn_files(engine, [SAMPLE], index_plies=40)
    reference = reference_counts()
    assert report.imported == len(reference.games) == 986
    assert dict(report.skipped) == {"no moves": 13}

    totals: dict[int, list[int]] = {}
    for (key, *_), counts in reference.move_stats.items():
        row = totals.setdefault(key, [0, 0, 0])
        for i in range(3):
            row[i] += counts[i]
    sample = random.Random(2021).sample(sorted(totals), 300)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT position_key, sum(white), sum(draws), sum(black) FROM move_stats_all "
                "WHERE position_key IN :keys GROUP BY position_key"
            ).bindparams(bindparam("keys", expanding=True)),
            {"keys": sample},
        ).all()
    assert {key: [int(w), int(d), int(b)] for key, w, d, b in rows} == {k: totals[k] for k in sample}

    got = tables(engine)  # and every row of both statistics tables
    assert got["move_stats"] == dict(reference.move_stats)
    assert got["player_move_stats"] == dict(reference.player_move_stats)
