"""Move flags under the moves table: rising, falling, surprise and trap badges per move.

The numbers come from `read_move_flags` (what `GET /api/explorer/flags` answers, over the
charts' memoized breakdown). Each badge's hover title gives its evidence, and the same
evidence is written small under the move, so a phone (no hover) reads it too. The section
opens by a switch (remembered for the browser tab); the browser asks for flags only while
it is open and the Explorer tab shows, so a click with it closed still costs one round
trip, and the moves table never waits for the flags.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dash
from dash import html
from sqlalchemy import Connection

from webapp.dashboard.state import ViewState, explorer_query
from webapp.dashboard.switch_panel import build_switch_panel, read_for_panel, register_switch_panel
from webapp.db.move_flags import PositionFlags, read_move_flags
from webapp.model import move_flags as rules
from webapp.model.move_flags import MoveFlags
from webapp.model.query import format_month

# component ids of this panel
FLAGS = "move-flags"
FLAGS_REQUEST = "move-flags-request"  # {view, version}, set in the browser while the Explorer shows
FLAGS_LOADING = "move-flags-loading"
FLAGS_SWITCH = "move-flags-switch"  # shown or not, remembered for this browser tab
FLAGS_BODY = "move-flags-body"

BADGES = {  # flag → (label, css class)
    "rising": ("▲ rising", "flag-rising"),
    "falling": ("▼ falling", "flag-falling"),
    "surprise": ("⚡ surprise", "flag-surprise"),
    "trap": ("⚠ trap", "flag-trap"),
}


def build_flags_panel() -> html.Div:
    """The section under the moves table (filled by register_flags_callbacks)."""
    return build_switch_panel(
        switch=FLAGS_SWITCH, body=FLAGS_BODY, request=FLAGS_REQUEST, output=FLAGS, loading=FLAGS_LOADING,
        label="Move flags: trends, surprise weapons, traps", output_class="move-flags",
        panel_class="move-flags-panel", legend=html.Div(thresholds_note(), className="text-muted small mb-1"),
    )


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _month_span(window: tuple[int, int]) -> str:
    return f"{format_month(window[0])}–{format_month(window[1])}"


def evidence(move: MoveFlags, flag: str, position: PositionFlags) -> str:
    """The numbers behind one flag, as a sentence."""
    if flag in ("rising", "falling") and move.trend is not None and position.windows is not None:
        t, (recent, previous) = move.trend, position.windows
        return (f"{_pct(t.recent_share)} of games in {_month_span(recent)} ({t.recent_games}/{t.recent_total}) "
                f"vs {_pct(t.previous_share)} in {_month_span(previous)} ({t.previous_games}/{t.previous_total}); "
                f"z = {t.z:+.2f}")
    if flag == "surprise":
        s = move.surprise
        low, high = s.score.interval or (0.0, 0.0)
        return (f"played in {_pct(s.share)} of games ({s.games}); {position.turn} scores "
                f"{_pct(s.score.score)} (95% {_pct(low)}–{_pct(high)}) vs {_pct(position.score.score)} on average here")
    trap = move.trap
    below, above = trap.below, trap.above
    return (f"{position.turn} scores {_pct(below.score)} below {trap.split} ({below.games} games) vs "
            f"{_pct(above.score)} at {trap.split}+ ({above.games} games); 95% intervals apart")


def build_flags(position: PositionFlags) -> list[Any]:
    """One row per flagged move: its SAN (a click plays it), badges, the evidence."""
    flagged = [m for m in position.moves if m.flags]
    if not position.moves:
        return [html.Div("No moves to flag here.", className="text-muted")]
    if not flagged:
        return [html.Div(f"No flags among the {len(position.moves)} moves here (thresholds in the README).",
                         className="text-muted", id="move-flags-none")]
    rows = []
    for move in flagged:
        badges = []
        notes = []
        for flag in move.flags:
            label, css = BADGES[flag]
            text = evidence(move, flag, position)
            badges.append(html.Span(label, className=f"badge flag-badge {css} me-1", title=text,
                                    **{"data-flag": flag}))
            notes.append(html.Div(text, className="text-muted flag-evidence"))
        rows.append(
            html.Div(
                [html.Span(move.san, className="move-san me-2 fw-semibold", title=f"Play {move.san}",
                           **{"data-play": move.uci}),
                 *badges, *notes],
                className="flag-row py-1",
                id={"type": "move-flag-row", "index": move.uci},
            )
        )
    return rows


def flags_content(connection_factory: Callable[[], Connection], state: ViewState) -> list[Any]:
    """The panel for the shown position and filters; all games while a player is unknown or counted."""
    query, _problem = explorer_query(state)
    return build_flags(read_for_panel(lambda asked: read_move_flags(connection_factory, asked), query))


def thresholds_note() -> str:
    return (f"rising/falling: share in the last {rules.TREND_MONTHS} months vs the {rules.TREND_MONTHS} "
            f"before, z-test at 95%; surprise: under {rules.SURPRISE_MAX_SHARE:.0%} of games, "
            f"≥ {rules.SURPRISE_MIN_GAMES} games, score interval above average; trap: "
            f"≥ {rules.TRAP_MIN_DIFFERENCE:.0%} better below the median rating than above")


def register_flags_callbacks(app: dash.Dash) -> None:
    """Register the flags panel's callbacks on `app`."""
    register_switch_panel(app, switch=FLAGS_SWITCH, body=FLAGS_BODY, request=FLAGS_REQUEST, output=FLAGS,
                          content=flags_content, name="flags")
