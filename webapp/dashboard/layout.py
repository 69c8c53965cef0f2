"""The page: navbar, the Explorer tab (board, moves, filters) and the Player tab."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from webapp.dashboard import ids
from webapp.dashboard.board import build_board
from webapp.dashboard.charts_panel import MOVES_VIEW, build_charts_panel, build_view_toggle
from webapp.dashboard.endings_panel import build_endings_panel
from webapp.dashboard.filters import build_filters
from webapp.dashboard.flags_panel import build_flags_panel
from webapp.dashboard.game_viewer import build_game_viewer
from webapp.dashboard.games_panel import build_games_panel
from webapp.dashboard.jump import build_jump
from webapp.dashboard.opponent_panel import build_opponent_panel
from webapp.dashboard.orders_panel import build_orders_panel
from webapp.dashboard.player_panel import build_player_panel
from webapp.dashboard.think_panel import build_think_panel
from webapp.dashboard.upload import build_upload_card


def build_navbar() -> dbc.Navbar:
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand("♞ Opening Explorer", href="/", external_link=True, className="fw-semibold"),
                dbc.Button("Add games", id=ids.UPLOAD_TOGGLE, color="light", outline=True, size="sm"),
            ],
            fluid=True,
        ),
        color="dark",
        dark=True,
        className="mb-2 py-1",
    )


def build_explorer_panel() -> html.Div:
    """Opening name, notices, position totals and the moves table, under a loading overlay,
    and the position's top and recent games (games_panel); or, by the toggle above them,
    the charts of the same position (charts_panel).

    The panel's content is drawn by `moves.build_panel` in one piece.
    """
    return html.Div(
        [
            build_view_toggle(),
            html.Div(
                [
                    # the games lists come with the same answer: dimmed with the table, never stale beside it
                    dcc.Loading(
                        [html.Div(id=ids.EXPLORER_PANEL), build_games_panel()],
                        id=ids.LOADING,
                        type="circle",
                        delay_show=150,
                        overlay_style={"visibility": "visible", "opacity": 0.55},
                        parent_className="moves-loading",
                    ),
                ],
                id=MOVES_VIEW,
            ),
            build_charts_panel(),
        ],
        className="explorer-panel",
    )


def build_explorer_tab() -> html.Div:
    return html.Div(
        [
            dbc.Collapse(build_upload_card(), id=ids.UPLOAD_COLLAPSE, is_open=False),
            build_game_viewer(),  # shown instead of the row below while the URL names a game
            html.Div(id=ids.URL_NOTICE),
            dbc.Row(
                [
                    dbc.Col([build_board(), build_jump()], xs=12, md=6, xl=4, className="mb-3"),
                    dbc.Col(
                        [build_explorer_panel(), build_flags_panel(), build_orders_panel(), build_endings_panel(),
                         build_think_panel()],
                        xs=12, md=6, xl=5, className="mb-3",
                    ),
                    dbc.Col(build_filters(), xs=12, md=12, xl=3, className="mb-3"),
                ],
                className="g-3",
                id=ids.EXPLORER_ROW,
            ),
        ],
        className="pt-2",
    )


def build_url_notice(ignored: tuple[str, ...]) -> dbc.Alert | None:
    """What an opened link asked for that the page left out, one line each (None: nothing)."""
    if not ignored:
        return None
    return dbc.Alert(
        [html.Span("Left out of the link you opened: ", className="fw-semibold"),
         html.Ul([html.Li(phrase) for phrase in ignored], className="mb-0")],
        id="url-notice-alert", color="warning", dismissable=True, className="py-2 small mb-2",
    )


def build_layout() -> html.Div:
    """The whole page; per-browser state lives in the stores and the URL."""
    return html.Div(
        [
            dcc.Location(id=ids.LOCATION, refresh=False),
            dcc.Store(id=ids.VIEW_STATE, storage_type="session"),
            dcc.Store(id=ids.SELECTION, storage_type="memory"),
            dcc.Store(id=ids.RECORDED_PLAYER, storage_type="session"),
            dcc.Store(id=ids.DATA_VERSION, storage_type="memory", data=0),
            dcc.Interval(id=ids.INDEXING_POLL, interval=2000, disabled=True),
            dcc.Store(id=ids.CLICK, storage_type="memory"),
            dcc.Store(id=ids.EMPTY_DATABASE, storage_type="memory"),
            build_navbar(),
            dbc.Container(
                dbc.Tabs(
                    [
                        dbc.Tab(build_explorer_tab(), label="Explorer", tab_id="explorer"),
                        dbc.Tab(build_player_panel(), label="Player", tab_id="player"),
                        dbc.Tab(build_opponent_panel(), label="Opponent", tab_id="opponent"),
                    ],
                    id=ids.TABS,
                    active_tab="explorer",
                ),
                fluid=True,
            ),
        ]
    )
