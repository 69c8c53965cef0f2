"""The board: python-chess's SVG picture under 64 transparent buttons, and the move line.

No JavaScript build: the picture is redrawn on the server (a few milliseconds) and the
squares are plain HTML buttons whose clicks assets/clicks.js hands to the navigation
callback. Flipping the board turns the button grid by 180°, so each button stays on its
square.
"""

from __future__ import annotations

import base64

import chess
import chess.svg
import dash_bootstrap_components as dbc
from dash import html

from webapp.dashboard import ids
from webapp.dashboard.state import PROMOTION_PIECES, Selection, ViewState, castling_rooks, targets

#: the SVG's coordinate margin as a share of its width (15 of 390 units)
MARGIN_PERCENT = 100 * 15 / 390
SELECTED_FILL = "#f6f66980"
TARGET_COLOR = "#2e8b57"  # legal targets: dots (empty squares) and rings (captures, castling rooks)
SQUARE_SIZE, BOARD_MARGIN = 45, 15  # chess.svg's units with coordinates on
PIECE_NAMES = {"q": "Queen", "r": "Rook", "b": "Bishop", "n": "Knight"}


def board_svg(state: ViewState, selection: Selection | None = None) -> str:
    """The shown position as SVG: last move and check marked, the picked piece and its targets.

    The last move keeps chess.svg's square colours; legal targets are drawn on top as dots
    (or rings around a capture), as on lichess, so the two never look alike.
    """
    selection = selection or Selection()
    board = state.board()
    fill: dict[int, str] = {}
    if selection.square is not None:
        fill[chess.parse_square(selection.square)] = SELECTED_FILL
    check = board.king(board.turn) if board.is_check() else None
    svg = chess.svg.board(
        board,
        orientation=state.orientation == "white",
        lastmove=board.peek() if board.move_stack else None,
        check=check,
        fill=fill,
        coordinates=True,
    )
    marks = target_marks(board, targets(state, selection) + castling_rooks(state, selection),
                         white_below=state.orientation == "white")
    return svg[: -len("</svg>")] + marks + "</svg>" if marks else svg


def target_marks(board: chess.Board, squares: list[int], *, white_below: bool = True) -> str:
    """SVG dots on empty target squares and rings on occupied ones (captures, castling rooks)."""
    marks = []
    for square in squares:
        file, rank = chess.square_file(square), chess.square_rank(square)
        col, row = (file, 7 - rank) if white_below else (7 - file, rank)
        cx = BOARD_MARGIN + SQUARE_SIZE * col + SQUARE_SIZE / 2
        cy = BOARD_MARGIN + SQUARE_SIZE * row + SQUARE_SIZE / 2
        name = chess.square_name(square)
        if board.piece_at(square) is None:
            marks.append(f'<circle class="target {name}" cx="{cx}" cy="{cy}" r="7.5" '
                         f'fill="{TARGET_COLOR}" fill-opacity="0.55" />')
        else:
            marks.append(f'<circle class="target capture {name}" cx="{cx}" cy="{cy}" r="19.5" fill="none" '
                         f'stroke="{TARGET_COLOR}" stroke-opacity="0.6" stroke-width="4" />')
    return "".join(marks)


def board_src(state: ViewState, selection: Selection | None = None) -> str:
    """board_svg as a data: URI for an <img>."""
    data = base64.b64encode(board_svg(state, selection).encode()).decode()
    return f"data:image/svg+xml;base64,{data}"


def build_squares() -> html.Div:
    """64 transparent buttons over the picture, a8 first (white's view); flipped by CSS.

    They carry data-square and no Dash id: assets/clicks.js reports a click on a square
    to the navigation callback, so a request carries one value instead of 64.
    """
    buttons = [
        html.Button(
            className="square",
            title=name,
            type="button",
            **{"data-square": name, "aria-label": name},
        )
        for name in (
            chess.square_name(chess.square(file, rank)) for rank in range(7, -1, -1) for file in range(8)
        )
    ]
    return html.Div(
        html.Div(buttons, className="squares"),
        id=ids.BOARD_OVERLAY,
        className="board-overlay",
        style={"inset": f"{MARGIN_PERCENT:.4f}%"},
    )



def button_row(buttons: list[tuple[str, str, str]], class_name: str) -> dbc.ButtonGroup:
    """A small row of outlined buttons under a board: (label, id, title) each."""
    return dbc.ButtonGroup(
        [dbc.Button(label, id=button_id, title=title, color="secondary", outline=True) for label, button_id, title in buttons],
        size="sm",
        className=class_name,
    )

def build_board(state: ViewState | None = None) -> html.Div:
    """The board with its buttons (back, forward, reset, flip) and the move line below."""
    state = state or ViewState()
    controls = button_row(
        [
            ("⟲", ids.RESET, "Reset to the start position"),
            ("◀", ids.BACK, "Back one move (←)"),
            ("▶", ids.FORWARD, "Forward one move (→)"),
            ("⇅", ids.FLIP, "Flip the board"),
        ],
        "board-controls",
    )
    return html.Div(
        [
            html.Div(
                [
                    html.Img(id=ids.BOARD_IMAGE, src=board_src(state), alt="chess board", draggable="false"),
                    build_squares(),
                ],
                className="board",
            ),
            html.Div(controls, className="d-flex justify-content-center my-2"),
            html.Div(build_move_line(state), id=ids.MOVE_LINE, className="move-line"),
            build_promotion_modal(),
        ],
        className="board-panel",
    )


def build_move_line(state: ViewState) -> list:
    """The whole line in SAN with move numbers; each ply a button that jumps there.

    The buttons carry data-ply, not Dash ids: assets/clicks.js reports their clicks.
    """
    board = state.start_board()
    start = "start" if state.fen is None else "FEN"
    items: list = [
        html.Button(start, className="ply" + (" current" if state.ply == 0 else ""), **{"data-ply": "0"},
                    title=state.fen or "the starting position")
    ]
    for index, uci in enumerate(state.line, start=1):
        move = chess.Move.from_uci(uci)
        if board.turn == chess.WHITE:
            items.append(html.Span(f"{board.fullmove_number}.", className="move-number"))
        elif index == 1:
            items.append(html.Span(f"{board.fullmove_number}…", className="move-number"))
        san = board.san(move)
        board.push(move)
        classes = ["ply"]
        if index == state.ply:
            classes.append("current")
        elif index > state.ply:
            classes.append("ahead")
        items.append(html.Button(san, className=" ".join(classes), **{"data-ply": str(index)}))
    return items


def build_promotion_modal() -> dbc.Modal:
    """Asks which piece a pawn reaching the last rank becomes."""
    return dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle("Promote to"), close_button=True),
            dbc.ModalBody(
                html.Div(
                    [
                        dbc.Button(
                            PIECE_NAMES[piece],
                            id={"type": ids.PROMOTION, "index": piece},
                            color="primary",
                            outline=True,
                            className="me-2 mb-2",
                            n_clicks=0,
                        )
                        for piece in PROMOTION_PIECES
                    ]
                )
            ),
        ],
        id=ids.PROMOTION_MODAL,
        is_open=False,
        centered=True,
        size="sm",
    )
