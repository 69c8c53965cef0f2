"""The "How games ended" panel: a bar per move whose segments are the API's counts, the
remainder as other, words under the bar for phones; the time-loss filter in the URL."""

from __future__ import annotations

from component_text import texts

from webapp.dashboard.endings_panel import build_bar, build_endings
from webapp.dashboard.state import Filters, ViewState, explorer_query
from webapp.dashboard.url import search_from_state, state_from_search
from webapp.model.endings import ENDING_COLUMNS, Endings
from webapp.model.stats import ExplorerResult, MoveStats, Results


def endings(**counts: int) -> Endings:
    return Endings(tuple(counts.get(name, 0) for name in ENDING_COLUMNS))


E4 = Results(white=6, draws=2, black=2, endings=endings(white_mate=1, white_time=4, draw_repetition=2, black_resign=1))


def segments(component) -> dict[tuple[str, str], int]:  # type: ignore[no-untyped-def]
    found = {}
    stack = [component]
    while stack:
        node = stack.pop()
        props = getattr(node, "__dict__", {})
        if "data-kind" in props:
            found[(props["data-side"], props["data-kind"])] = int(props["data-count"])
        children = getattr(node, "children", None)
        stack.extend(children if isinstance(children, list) else [children] if children is not None else [])
    return found


def test_a_bar_has_a_segment_per_kind_with_games() -> None:
    bar = build_bar("e4", E4, "e2e4")
    assert segments(bar) == {
        ("white", "checkmate"): 1, ("white", "time"): 4, ("white", "other"): 1,
        ("draws", "repetition"): 2, ("black", "resignation"): 1, ("black", "other"): 1,
    }  # fmt: skip
    shown = " ".join(texts(bar))
    assert "10 games" in shown and "1-0 time 40.0%" in shown  # the largest kind, written out


def test_the_position_comes_first_then_the_moves() -> None:
    result = ExplorerResult(fen="", totals=E4, moves=(MoveStats("e2e4", "e4", E4),))
    rows = build_endings(result)
    assert [texts(row)[0] for row in rows] == ["All games here", "e4"]
    assert texts(build_endings(ExplorerResult(fen="", totals=Results(endings=Endings())))) == ["No games here."]


def test_the_time_loss_filter_travels_in_the_url_and_the_query() -> None:
    state = ViewState(filters=Filters(no_time_losses=True))
    search = search_from_state(state)
    assert search == "?noTimeLosses=1"
    assert state_from_search(search).filters.no_time_losses
    assert explorer_query(state)[0].no_time_losses
    assert not explorer_query(ViewState())[0].no_time_losses
