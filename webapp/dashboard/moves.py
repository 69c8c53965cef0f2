"""The explorer panel's builders: opening name, position totals, the moves table.

Each move is a row (SAN, games, share of the position's games, a white / draws / black
bar, average rating) that plays the move when clicked. With a player chosen, each row
holds two bars: the player's games and all games in the rating range (the peers).
Exact counts ride along as data-* attributes and tooltips. Rows carry data-play rather
than Dash ids (assets/clicks.js reports their clicks), so redrawing the table stays cheap.
"""

from __future__ import annotations

import chess
import dash_bootstrap_components as dbc
from dash import html

from webapp.dashboard import ids
from webapp.dashboard.explore import ExplorerView
from webapp.model.query import ExplorerQuery
from webapp.model.stats import ExplorerResult, MoveStats, Results

BAR_TEXT_MIN_PERCENT = 12  # narrower segments keep their number in the tooltip only


def percent(part: int, whole: int, digits: int = 0) -> str:
    """`part` as a percentage of `whole`, rounded (half to even, as Python formats)."""
    return f"{100 * part / whole:.{digits}f}%" if whole else "–"


def games_text(count: int) -> str:
    return f"{count:,}"


def rating_text(rating: int | None) -> str:
    return str(rating) if rating is not None else "–"


def build_opening(view: ExplorerView) -> list:
    """ECO code and opening name of the shown position (the start position has none)."""
    opening = view.result.opening
    if opening is None:
        start = not view.query.play and view.query.fen == chess.STARTING_FEN
        text = "Starting position" if start else "Unnamed position"
        return [html.Span(text, className="opening-name")]
    return [
        html.Span(opening.eco, className="opening-eco badge text-bg-light me-1"),
        " ",
        html.Span(opening.name, className="opening-name"),
    ]


def build_bar(results: Results, *, kind: str = "all") -> html.Div:
    """A stacked horizontal bar: white wins, draws, black wins, each with its percentage."""
    games = results.games
    segments = []
    for name, count in (("white", results.white), ("draws", results.draws), ("black", results.black)):
        share = 100 * count / games if games else 0
        segments.append(
            html.Div(
                percent(count, games) if share >= BAR_TEXT_MIN_PERCENT else "",
                className=f"wdl-{name}",
                style={"width": f"{share:.3f}%"},
            )
        )
    title = (
        f"White wins {results.white:,} ({percent(results.white, games, 1)}) · "
        f"draws {results.draws:,} ({percent(results.draws, games, 1)}) · "
        f"Black wins {results.black:,} ({percent(results.black, games, 1)})"
        if games
        else "no games"
    )
    return html.Div(
        segments,
        className=f"wdl-bar {kind}" + ("" if games else " empty"),
        title=title,
        **{
            "data-white": str(results.white),
            "data-draws": str(results.draws),
            "data-black": str(results.black),
            "data-games": str(games),
        },
    )


def build_totals(view: ExplorerView) -> list:
    """The position's games (every game that reached it), average rating and results."""
    totals = view.result.totals
    label = f"{view.player_name or view.query.player}'s games" if view.peers is not None else "Games"
    rating_label = "avg opponent" if view.peers is not None else "avg rating"
    children = [
        html.Div(
            [
                html.Span(label + ": ", className="text-muted"),
                html.Strong(games_text(totals.games), className="totals-games"),
                html.Span(f" · {rating_label} ", className="text-muted ms-1"),
                html.Span(rating_text(totals.average_rating), className="totals-rating"),
            ],
            className="totals-line",
        ),
        build_bar(totals, kind="bar-totals"),
    ]
    if view.peers is not None:
        peers = view.peers.totals
        children += [
            html.Div(
                [
                    html.Span(peers_title(view) + ": ", className="text-muted peers-label"),
                    html.Strong(games_text(peers.games), className="peers-games"),
                    html.Span(" · avg rating ", className="text-muted ms-1"),
                    html.Span(rating_text(peers.average_rating)),
                ],
                className="totals-line mt-1",
            ),
            build_bar(peers, kind="bar-peers-totals"),
        ]
    return children


def peers_title(view: ExplorerView) -> str:
    """Who the peers are, in full: the Player tab's definition (webapp.db.leaks.Peers)."""
    if view.peer_group is None:
        return peer_label(view.query)
    return view.peer_group.label(view.player_name or view.query.player or "the player")


def legend_label(view: ExplorerView) -> str:
    """The peers in the table's legend, short: "peers 1400–1699"."""
    group = view.peer_group
    if group is None:
        return peer_label(view.query)
    return "all games" if group.rating is None else f"peers {group.rating_min}–{group.rating_max}"


def peer_label(query: ExplorerQuery) -> str:
    """What the peers are: all games in the rating range (or all games)."""
    if query.rating_min is None and query.rating_max is None:
        return "All games"
    if query.rating_max is None:
        return f"All games rated {query.rating_min}+"
    if query.rating_min is None:
        return f"All games rated up to {query.rating_max}"
    return f"All games rated {query.rating_min}–{query.rating_max}"


def _row(move: MoveStats, total: int, cells: list) -> html.Tr:
    return html.Tr(
        [html.Td(move.san, className="move-san"), *cells],
        className="move-row",
        title=f"Play {move.san}",
        **{"data-uci": move.uci, "data-play": move.uci},
    )


def build_move_table(result: ExplorerResult) -> html.Table:
    """All candidate moves with games, share, results bar and average rating."""
    total = result.totals.games
    header = html.Thead(
        html.Tr(
            [
                html.Th("Move"),
                html.Th("Games", className="text-end"),
                html.Th("%", className="text-end"),
                html.Th("White / Draw / Black", className="w-100"),
                html.Th("Avg", className="text-end", title="Average rating"),
            ]
        )
    )
    rows = [
        _row(
            move,
            total,
            [
                html.Td(games_text(move.results.games), className="move-games text-end"),
                html.Td(percent(move.results.games, total, 1), className="move-share text-end"),
                html.Td(build_bar(move.results)),
                html.Td(rating_text(move.results.average_rating), className="move-rating text-end"),
            ],
        )
        for move in result.moves
    ]
    totals = result.totals
    footer = html.Tfoot(
        html.Tr(
            [
                html.Td("Σ", title="Every game that reached this position"),
                html.Td(games_text(totals.games), className="totals-row-games text-end"),
                html.Td(percent(totals.games, totals.games, 0), className="text-end"),
                html.Td(build_bar(totals, kind="all")),
                html.Td(rating_text(totals.average_rating), className="totals-row-rating text-end"),
            ],
            className="totals-row",
        )
    )
    return html.Table(
        [header, html.Tbody(rows), footer],
        className="table table-sm table-hover moves-table mb-0",
    )


def player_score(results: Results, color: str | None) -> float | None:
    """The score from the player's side (white's when the player had both colours)."""
    if not results.games:
        return None
    if color == "black":
        return (results.black + results.draws / 2) / results.games
    return (results.white + results.draws / 2) / results.games


def score_delta(own: float | None, peers: float | None) -> str:
    """The player's score minus the peers', in whole percentage points ("+8", "-3", "0")."""
    if own is None or peers is None:
        return "–"
    points = round(100 * (own - peers))
    return f"{points:+d}" if points else "0"


def build_comparison_table(view: ExplorerView) -> html.Table:
    """Per move, the player's bar above their peers' bar, and the score difference."""
    assert view.peers is not None
    mine = {m.uci: m for m in view.result.moves}
    theirs = {m.uci: m for m in view.peers.moves}
    order = [m.uci for m in view.result.moves] + [m.uci for m in view.peers.moves if m.uci not in mine]
    color = view.query.color
    side = f"{color}'s" if color else "White's"
    player_total, peers_total = view.result.totals.games, view.peers.totals.games
    rows = []
    for uci in order:
        move = mine.get(uci) or theirs[uci]
        own = mine[uci].results if uci in mine else Results()
        peer = theirs[uci].results if uci in theirs else Results()
        own_score, peer_score = player_score(own, color), player_score(peer, color)
        delta = score_delta(own_score, peer_score)
        rows.append(
            _row(
                move,
                player_total,
                [
                    html.Td(
                        [
                            html.Div(games_text(own.games), className="player-games"),
                            html.Div(games_text(peer.games), className="peers-games text-muted"),
                        ],
                        className="text-end",
                    ),
                    html.Td(
                        [
                            html.Div(percent(own.games, player_total, 1), className="player-share"),
                            html.Div(percent(peer.games, peers_total, 1), className="peers-share text-muted"),
                        ],
                        className="text-end",
                    ),
                    html.Td([build_bar(own, kind="player"), build_bar(peer, kind="peers")]),
                    html.Td(delta, className="score-delta text-end", title=f"{side} score: player − peers, points"),
                ],
            )
        )
    header = html.Thead(
        html.Tr(
            [
                html.Th("Move"),
                html.Th("Games", className="text-end"),
                html.Th("%", className="text-end"),
                html.Th(
                    [
                        html.Span(view.player_name or view.query.player or "", className="legend player"),
                        html.Span(legend_label(view), className="legend peers"),
                    ],
                    className="w-100",
                ),
                html.Th("Δ", className="text-end", title=f"{side} score: player − peers, points"),
            ]
        )
    )
    own, peer = view.result.totals, view.peers.totals
    footer = html.Tfoot(
        html.Tr(
            [
                html.Td("Σ", title="Every game that reached this position"),
                html.Td(
                    [
                        html.Div(games_text(own.games), className="totals-row-games"),
                        html.Div(games_text(peer.games), className="totals-row-peers text-muted"),
                    ],
                    className="text-end",
                ),
                html.Td(
                    [html.Div(percent(own.games, own.games)), html.Div(percent(peer.games, peer.games),
                                                                      className="text-muted")],
                    className="text-end",
                ),
                html.Td([build_bar(own, kind="player"), build_bar(peer, kind="peers")]),
                html.Td(score_delta(player_score(own, color), player_score(peer, color)),
                        className="score-delta text-end"),
            ],
            className="totals-row",
        )
    )
    return html.Table(
        [header, html.Tbody(rows), footer],
        className="table table-sm table-hover moves-table compare mb-0",
    )


def build_moves(view: ExplorerView) -> list:
    """The moves area: the table, or a plain note when no game reached the position."""
    if view.empty_database:
        return [build_empty_database_notice()]
    if view.peers is not None:
        if not view.result.moves and not view.peers.moves:
            return [html.P("No game in the filtered games reached this position.", className="text-muted my-3")]
        return [build_comparison_table(view)]
    if not view.result.moves:
        return [html.P("No game in the filtered games reached this position.", className="text-muted my-3")]
    return [build_move_table(view.result)]


def build_empty_database_notice() -> dbc.Alert:
    """A first start: how to get games in, instead of an empty chart."""
    return dbc.Alert(
        [
            html.H5("No games yet", className="alert-heading"),
            html.P(
                "Upload a PGN file above (lichess and chess.com downloads work, also "
                ".pgn.gz / .pgn.zst), and the explorer fills in as soon as it is imported."
            ),
            html.P(
                [
                    "Large files import faster from the command line: ",
                    html.Code("python -m webapp import games.pgn"),
                ],
                className="mb-0 small",
            ),
        ],
        color="info",
        id=ids.EMPTY_NOTICE,
    )


def build_message(view: ExplorerView) -> list:
    """Notices above the table: an unknown player, a filter left out."""
    out: list = []
    if view.unknown_player:
        out.append(
            dbc.Alert(
                [
                    html.Strong(f"No games of “{view.unknown_player}” have been imported yet. "),
                    "The name has been noted for a later import; below are all games.",
                ],
                color="warning",
                className="unknown-player py-2",
            )
        )
    if view.indexing is not None:
        progress = view.indexing
        out.append(
            dbc.Alert(
                [
                    html.Strong(f"Counting the {progress.total:,} games of “{progress.player}”… "),
                    f"{progress.done:,} done. Their numbers appear when every game is counted "
                    "(play a move or reload to look again); below are all games.",
                ],
                color="info",
                className="player-indexing py-2",
            )
        )
    if view.problem:
        out.append(dbc.Alert(f"Filter left out: {view.problem}", color="secondary", className="py-2"))
    return out


def build_unavailable() -> dbc.Alert:
    """The database did not answer: say so plainly; the board keeps working."""
    return dbc.Alert(
        "The games database is not answering right now, so these numbers are not up to date. "
        "Try the move again in a moment.",
        color="danger",
        className="py-2 unavailable",
    )


def build_panel(view: ExplorerView) -> list:
    """The whole explorer panel for one answer: opening, notices, totals, moves."""
    return [
        html.Div(build_opening(view), id=ids.OPENING, className="opening"),
        html.Div(build_message(view), id=ids.MESSAGE),
        html.Div([] if view.empty_database else build_totals(view), id=ids.TOTALS, className="totals"),
        html.Div(
            html.Div(build_moves(view), **{"data-fen": view.result.fen}), id=ids.MOVES, className="moves"
        ),
    ]
