"""The Dash dashboard, mounted on the Flask server at `/`.

The layout is built by `layout.build_layout`, every callback is registered by
`callbacks.register_callbacks`; the Player tab's own callbacks come from `player_panel`.
Per-browser state lives in dcc.Store and the URL, never on the server.
"""

from __future__ import annotations

import dash
from flask import Flask

from webapp.jobs.manager import background_manager


def init_dashboard(server: Flask) -> dash.Dash:
    """Create the Dash app on `server` with its layout and callbacks."""
    from webapp.dashboard.callbacks import register_callbacks
    from webapp.dashboard.jump import register_jump_callbacks
    from webapp.dashboard.layout import build_layout
    from webapp.dashboard.player_panel import register_player_callbacks

    settings = server.extensions["settings"]
    app = dash.Dash(
        __name__,
        server=server,
        url_base_pathname="/",
        title="Opening Explorer",
        update_title=None,
        background_callback_manager=background_manager(settings),
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    app.layout = build_layout
    register_callbacks(app)
    register_player_callbacks(app)
    register_jump_callbacks(app)
    server.extensions["dash_app"] = app
    return app
