"""The Dash dashboard, mounted on the Flask server at `/`."""

from __future__ import annotations

import dash
from dash import html
from flask import Flask


def init_dashboard(server: Flask) -> dash.Dash:
    """Create the Dash app on `server` with its layout and callbacks."""
    app = dash.Dash(__name__, server=server, url_base_pathname="/", title="Opening Explorer")
    app.layout = html.Div("Opening Explorer", id="app-root")
    server.extensions["dash_app"] = app
    return app
