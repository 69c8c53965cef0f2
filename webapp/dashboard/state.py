"""One browser's view: the line on the board, where in it we are, the orientation and filters.

The state lives in the browser (a session-storage dcc.Store and the URL), never on the
server. Every UI event is a pure function from one ViewState (and Selection) to the next.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import chess

from webapp.model.collections import CollectionNameError, check_collection_name
from webapp.model.query import ExplorerQuery, QueryError
from webapp.model.speed import SPEED_NAMES

#: the speeds as the dashboard and the URL name them (lichess's words)
SPEEDS: tuple[str, ...] = tuple(SPEED_NAMES.values())
ORIENTATIONS = ("white", "black")
PROMOTION_PIECES = ("q", "r", "b", "n")
MAX_COLLECTIONS = 32  # chosen at once; more is no selection a person makes


@dataclass(frozen=True)
class Filters:
    """The filters on the games, in the API's words; None / empty means no filter."""

    speeds: tuple[str, ...] = ()
    rating_min: int | None = None
    rating_max: int | None = None
    since: str | None = None  # YYYY-MM
    until: str | None = None
    player: str | None = None
    color: str | None = None  # white | black | None (both)
    rated: bool = False
    collections: tuple[str, ...] = ()  # collection names; empty means all
    no_time_losses: bool = False  # leave out the games lost on time

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["speeds"] = list(self.speeds)
        data["collections"] = list(self.collections)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Filters:
        data = data if isinstance(data, dict) else {}  # a store may hold anything
        return cls(
            speeds=normalise_speeds(data.get("speeds") or ()),
            rating_min=_int_or_none(data.get("rating_min")),
            rating_max=_int_or_none(data.get("rating_max")),
            since=data.get("since") or None,
            until=data.get("until") or None,
            player=(data.get("player") or "").strip() or None,
            color=data.get("color") if data.get("color") in ORIENTATIONS else None,
            rated=bool(data.get("rated")),
            collections=normalise_collections(data.get("collections") or ()),
            no_time_losses=bool(data.get("no_time_losses")),
        )


@dataclass(frozen=True)
class ViewState:
    """The whole line played (so forward works after back), the ply shown, orientation, filters.

    The line starts from `fen` (a position jumped to), or from the standard start when None.
    """

    line: tuple[str, ...] = ()
    ply: int = 0
    orientation: str = "white"
    filters: Filters = field(default_factory=Filters)
    fen: str | None = None

    @property
    def play(self) -> tuple[str, ...]:
        """The moves up to the position shown."""
        return self.line[: self.ply]

    def start_board(self) -> chess.Board:
        """The position the line starts from."""
        return chess.Board(self.fen) if self.fen else chess.Board()

    def board(self) -> chess.Board:
        """The position shown, with its move stack (for the last move and opening names)."""
        board = self.start_board()
        for uci in self.play:
            board.push_uci(uci)
        return board

    def to_dict(self) -> dict[str, Any]:
        return {
            "fen": self.fen,
            "line": list(self.line),
            "ply": self.ply,
            "orientation": self.orientation,
            "filters": self.filters.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ViewState:
        """A state from the store, tolerating anything: illegal moves cut the line short."""
        data = data if isinstance(data, dict) else {}  # a store may hold anything
        fen = checked_fen(data.get("fen"))
        line = legal_prefix(data.get("line") or (), fen)
        ply = _int_or_none(data.get("ply"))
        ply = len(line) if ply is None else max(0, min(ply, len(line)))
        orientation = data.get("orientation")
        return cls(
            line=line,
            ply=ply,
            orientation=orientation if orientation in ORIENTATIONS else "white",
            filters=Filters.from_dict(data.get("filters")),
            fen=fen,
        )


@dataclass(frozen=True)
class Selection:
    """The square whose piece is picked up, or a pawn move waiting for its promotion piece."""

    square: str | None = None
    promotion: str | None = None  # from+to, e.g. "e7e8"

    def to_dict(self) -> dict[str, Any]:
        return {"square": self.square, "promotion": self.promotion}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Selection:
        data = data if isinstance(data, dict) else {}  # a store may hold anything
        return cls(square=data.get("square"), promotion=data.get("promotion"))


def _int_or_none(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def normalise_speeds(values: Any) -> tuple[str, ...]:
    """Known speed names in lichess order ('daily' is correspondence); all of them means none."""
    wanted = set()
    for value in values:
        name = str(value).strip()
        if name.lower() == "daily":
            name = "correspondence"
        for speed in SPEEDS:
            if speed.lower() == name.lower():
                wanted.add(speed)
    chosen = tuple(s for s in SPEEDS if s in wanted)
    return () if len(chosen) == len(SPEEDS) else chosen


def normalise_collections(values: Any) -> tuple[str, ...]:
    """Well-formed collection names, lower-cased, sorted and once each (as the explorer
    orders them); malformed ones are left out."""
    if isinstance(values, str):
        values = [values]
    names = set()
    for value in values:
        try:
            names.add(check_collection_name(str(value)))
        except CollectionNameError:
            continue
    return tuple(sorted(names)[:MAX_COLLECTIONS])


def checked_fen(fen: Any) -> str | None:
    """A FEN of a possible position, normalised; None for the standard start or anything else."""
    if not fen or not isinstance(fen, str):
        return None
    try:
        board = chess.Board(fen.strip())
    except ValueError:
        return None
    if board.status() != chess.STATUS_VALID or board.fen() == chess.STARTING_FEN:
        return None
    return board.fen()


def legal_prefix(moves: Any, fen: str | None = None) -> tuple[str, ...]:
    """The longest legal prefix of a list of UCI moves from `fen` (default: the start position)."""
    board = chess.Board(fen) if fen else chess.Board()
    kept: list[str] = []
    for uci in moves:
        try:
            move = chess.Move.from_uci(str(uci).strip())
        except ValueError:
            break
        if move not in board.legal_moves:
            break
        board.push(move)
        kept.append(move.uci())
    return tuple(kept)


# --- events: pure transitions --------------------------------------------------------


def play_move(state: ViewState, uci: str) -> ViewState:
    """Play `uci` from the shown position; replaying the next move of the line keeps the rest."""
    if chess.Move.from_uci(uci) not in state.board().legal_moves:
        return state
    if state.ply < len(state.line) and state.line[state.ply] == uci:
        return replace(state, ply=state.ply + 1)
    return replace(state, line=state.play + (uci,), ply=state.ply + 1)


def go_to(state: ViewState, ply: int) -> ViewState:
    return replace(state, ply=max(0, min(ply, len(state.line))))


def back(state: ViewState) -> ViewState:
    return go_to(state, state.ply - 1)


def forward(state: ViewState) -> ViewState:
    return go_to(state, state.ply + 1)


def reset(state: ViewState) -> ViewState:
    """Back to the standard start position with an empty line; filters and orientation stay."""
    return replace(state, line=(), ply=0, fen=None)


def jump_to(state: ViewState, fen: str | None, moves: tuple[str, ...]) -> ViewState:
    """Show the position after `moves` from `fen` (None: the standard start); filters stay."""
    return replace(state, fen=fen, line=tuple(moves), ply=len(moves))


def flip(state: ViewState) -> ViewState:
    return replace(state, orientation="black" if state.orientation == "white" else "white")


def with_filters(state: ViewState, filters: Filters) -> ViewState:
    """The same position under other filters."""
    return replace(state, filters=filters)


def click_square(
    state: ViewState, selection: Selection, square: str
) -> tuple[ViewState, Selection]:
    """A click on `square`: pick up a piece, put it down on a legal target, or let it go.

    A pawn reaching the last rank leaves a pending promotion in the Selection; the move is
    played by `choose_promotion`.
    """
    board = state.board()
    target = chess.parse_square(square)
    if selection.square is not None and selection.square != square:
        origin = chess.parse_square(selection.square)
        moves = [m for m in board.legal_moves if m.from_square == origin and m.to_square == target]
        castling = _castling_onto_rook(board, origin, target)
        if castling is not None:
            moves = [castling]
        if any(m.promotion for m in moves):
            return state, Selection(square=selection.square, promotion=selection.square + square)
        if moves:
            return play_move(state, moves[0].uci()), Selection()
    if selection.square == square:
        return state, Selection()
    piece = board.piece_at(target)
    if piece is not None and piece.color == board.turn and _has_moves_from(board, target):
        return state, Selection(square=square)
    return state, Selection()


def drop_piece(state: ViewState, origin: str, target: str) -> tuple[ViewState, Selection]:
    """A piece dragged from `origin` and dropped on `target`: the move if legal, else nothing."""
    if origin == target:
        return state, Selection()
    new_state, selection = click_square(state, Selection(square=origin), target)
    if new_state == state and selection.promotion is None:
        return state, Selection()
    return new_state, selection


def _castling_onto_rook(board: chess.Board, origin: int, target: int) -> chess.Move | None:
    """The castling move when the king at `origin` is put onto its own rook at `target`
    (as lichess allows); None otherwise."""
    piece, rook = board.piece_at(origin), board.piece_at(target)
    if piece is None or rook is None or piece.piece_type != chess.KING or rook.piece_type != chess.ROOK:
        return None
    if piece.color != board.turn or rook.color != board.turn:
        return None
    move = _parse_uci(board, chess.square_name(origin) + chess.square_name(target))
    return move if move is not None and board.is_castling(move) else None


def _parse_uci(board: chess.Board, uci: str) -> chess.Move | None:
    try:
        return board.parse_uci(uci)
    except ValueError:
        return None


def choose_promotion(
    state: ViewState, selection: Selection, piece: str | None
) -> tuple[ViewState, Selection]:
    """Play the pending promotion with `piece` (q, r, b, n); None cancels it."""
    if selection.promotion is None or piece not in PROMOTION_PIECES:
        return state, Selection()
    return play_move(state, selection.promotion + piece), Selection()


def targets(state: ViewState, selection: Selection) -> list[int]:
    """Squares the selected piece can move to."""
    if selection.square is None:
        return []
    origin = chess.parse_square(selection.square)
    return sorted({m.to_square for m in state.board().legal_moves if m.from_square == origin})


def castling_rooks(state: ViewState, selection: Selection) -> list[int]:
    """Rook squares the selected king may also be put onto to castle."""
    if selection.square is None:
        return []
    board = state.board()
    origin = chess.parse_square(selection.square)
    return sorted(
        square
        for square in board.pieces(chess.ROOK, board.turn)
        if _castling_onto_rook(board, origin, square) is not None
    )


def _has_moves_from(board: chess.Board, square: int) -> bool:
    return any(m.from_square == square for m in board.legal_moves)


# --- the explorer question -------------------------------------------------------------


def explorer_query(
    state: ViewState, known_collections: Collection[str] | None = None
) -> tuple[ExplorerQuery, str | None]:
    """The explorer query for the shown position and filters, and the problem dropped, if any.

    A filter the explorer rejects (an impossible username, since after until) is left out
    and named, so the board keeps working; so are chosen collections not among
    `known_collections` (when given), which would otherwise show no games.
    """
    f = state.filters
    chosen, unknown = f.collections, ()
    if known_collections is not None:
        chosen = tuple(c for c in f.collections if c in known_collections)
        unknown = tuple(c for c in f.collections if c not in known_collections)
    query, problem = _query_with_problem(state, chosen)
    if unknown:
        missing = f"no collection named {', '.join(unknown)} (ignored)"
        problem = f"{missing}; {problem}" if problem else missing
    return query, problem


def _query_with_problem(state: ViewState, collections: tuple[str, ...]) -> tuple[ExplorerQuery, str | None]:
    f = state.filters
    params: dict[str, Any] = {
        "fen": state.fen,
        "play": state.play,
        "speeds": f.speeds,
        "rating_min": f.rating_min,
        "rating_max": f.rating_max,
        "since": f.since,
        "until": f.until,
        "player": f.player,
        "color": f.color if f.player else None,
        "rated_only": f.rated,
        "collections": collections,
        "no_time_losses": f.no_time_losses,
    }
    problem: str | None = None
    for drop in ((), ("player", "color"), ("since", "until"), ("rating_min", "rating_max")):
        for name in drop:
            params[name] = None
        try:
            return ExplorerQuery.build(**params), problem
        except QueryError as error:
            problem = problem or str(error)
    return ExplorerQuery.build(
        fen=state.fen, play=state.play, collections=collections, no_time_losses=f.no_time_losses
    ), problem
