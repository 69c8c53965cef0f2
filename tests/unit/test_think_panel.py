"""The "Think time" panel: per move the lower median's bucket (exact for a whole second, a
range above), the low-clock share, the games without clocks, a bar per bucket; and the
ThinkTime value's median and API shape."""

from __future__ import annotations

from component_text import texts

from webapp.dashboard.think_panel import build_row, build_think, median_text
from webapp.model.stats import ExplorerResult, MoveStats, Results
from webapp.model.think_time import EDGES, ThinkTime, base_and_increment, seconds_text


def think(played: int, low: int = 0, **per_edge: int) -> ThinkTime:
    """Bucket counts by lower edge, e.g. think(10, s3=2, s10=5)."""
    return ThinkTime(tuple(per_edge.get(f"s{edge}", 0) for edge in EDGES), low, played)


def test_the_lower_median_bucket() -> None:
    assert think(4, s3=2, s10=2).median == (3, 4)  # the 2nd of 4: lower median
    assert think(5, s3=2, s10=3).median == (10, 15)
    assert think(1, s3600=1).median == (3600, None)
    assert think(3).median is None  # no clocks
    assert median_text(think(4, s3=2, s10=2)) == "3 s"
    assert median_text(think(5, s3=2, s10=3)) == "10–15 s"  # a range, never an exact number
    assert seconds_text(3600, None) == "≥ 3600 s"


def test_the_api_shape_counts_games_without_clocks() -> None:
    shaped = think(9, 1, s0=1, s5=3, s7=1).wire()
    assert shaped == {
        "games": 5, "noClock": 4, "median": {"from": 5, "to": 7}, "lowClock": 1,
        "histogram": [[0, 1, 1], [5, 7, 3], [7, 10, 1]],
    }  # fmt: skip


def test_time_controls() -> None:
    assert base_and_increment("180+2") == (180, 2)
    assert base_and_increment("600") == (600, 0)
    assert base_and_increment("-") == (0, 0)
    assert base_and_increment("1/86400") == (0, 0)
    assert base_and_increment(None) == (0, 0)


def test_a_row_shows_median_share_and_without_clocks() -> None:
    row = build_row("e4", think(10, 2, s3=3, s4=5), "e2e4")
    words = " ".join(texts(row))
    assert "median  4 s" in words  # the 4th of 8: 3 games at 3 s, 5 at 4 s and "25.0%" in words and "2 without clocks" in words
    assert "lower median of 8 games with clocks" in row.title and "4 s: 5" in row.title
    bars = [c for c in row.children[1].children]
    assert len(bars) == len(EDGES) and [b.title for b in bars][3] == "3 s: 3 games"


def test_the_panel_lists_the_position_then_moves() -> None:
    e4 = Results(white=5, draws=3, black=2, think_time=think(10, 0, s1=10))
    d4 = Results(white=1, think_time=think(1))
    result = ExplorerResult(
        fen="", totals=Results(white=6, draws=3, black=2, think_time=e4.think_time + d4.think_time),
        moves=(MoveStats("e2e4", "e4", e4), MoveStats("d2d4", "d4", d4)),
    )
    rows = build_think(result)
    assert [r.id["index"] for r in rows] == ["position", "e2e4", "d2d4"]
    assert rows[2].__dict__["data-median"] == "" and "–" in texts(rows[2])
    assert rows[0].__dict__["data-median"] == "1-2" and rows[0].__dict__["data-no-clock"] == "1"
