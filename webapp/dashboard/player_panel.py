"""The player panel: account import with progress, player beside peers, leaks, exports.

Its layout goes in the dashboard's "Player" tab; its callbacks are registered here.
"""

from __future__ import annotations

import dash
from dash import html


def build_player_panel() -> html.Div:
    """The content of the Player tab."""
    return html.Div(id="player-panel")


def register_player_callbacks(app: dash.Dash) -> None:
    """Register the player panel's callbacks on `app`."""
