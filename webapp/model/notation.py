"""Reading a position someone pastes: a FEN, or a move list in SAN or UCI (PGN-ish).

`read_position("1. e4 c5 2. Nf3")`, `read_position("e2e4 c7c5 g1f3")` and
`read_position("rnbqkbnr/pp1ppppp/8/2p5/4P3/5N2/PPPP1PPP/RNBQKB1R b KQkq - 1 2")` each
give a `PastedPosition`: the start FEN (None for the standard start) and the moves played
from it as UCI. Move numbers, results, comments ({...}, ; to the end of the line),
variations ((...)), NAGs ($1) and !? marks are skipped; a [FEN "..."] tag sets the start.
Castling may be written as the king moving onto its own rook (e1h1), as lichess accepts.
Anything else raises NotationError naming the first move that cannot be played.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import chess

#: as many plies as the explorer accepts (webapp.model.query.MAX_PLAY)
MAX_PLIES = 300

_UCI = re.compile(r"^[a-h][1-8][a-h][1-8][qrbn]?$")
_MOVE_NUMBER = re.compile(r"^(\d+)\.+")  # "1." "1..." "12." glued to a move or alone
_RESULTS = {"1-0", "0-1", "1/2-1/2", "½-½", "*"}
_TAG = re.compile(r'^\s*\[\s*(\w+)\s+"((?:[^"\\]|\\.)*)"\s*\]\s*$', re.MULTILINE)
_COMMENT = re.compile(r"\{[^}]*\}|;[^\n]*")
_NAG = re.compile(r"\$\d+")
_MARKS = re.compile(r"[!?]+$")
_SEPARATORS = re.compile(r"[\s,]+")


class NotationError(ValueError):
    """The text is neither a valid FEN nor a legal move list; the message says where."""


@dataclass(frozen=True)
class PastedPosition:
    """Where a paste leads: the start position (None = standard start) and the moves from it."""

    fen: str | None = None
    moves: tuple[str, ...] = ()

    def board(self) -> chess.Board:
        """The position reached (with its move stack)."""
        board = chess.Board(self.fen) if self.fen else chess.Board()
        for uci in self.moves:
            board.push_uci(uci)
        return board


def read_position(text: str) -> PastedPosition:
    """A FEN or a move list (SAN or UCI, numbers and comments allowed) → PastedPosition."""
    text = (text or "").strip()
    if not text:
        raise NotationError("Paste a FEN or a list of moves, e.g. 1. e4 c5 2. Nf3 or e2e4 c7c5.")
    first = text.split(None, 1)[0]
    if "/" in first and not text.startswith("["):
        if first.count("/") != 7:
            raise NotationError(
                f"Not a valid FEN: its board has {first.count('/') + 1} ranks, "
                "a FEN has 8 separated by / (e.g. rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1)."
            )
        return PastedPosition(fen=read_fen(text))
    start: str | None = None
    tags = dict(_TAG.findall(text))
    if tags.get("FEN"):
        start = read_fen(tags["FEN"])
    body = _TAG.sub(" ", text)
    return PastedPosition(fen=start, moves=read_moves(body, start))


def read_fen(fen: str) -> str | None:
    """A FEN checked for a possible position; None for the standard start position."""
    try:
        board = chess.Board(" ".join(fen.split()))
    except ValueError as error:
        raise NotationError(f"Not a valid FEN: {error}.") from None
    status = board.status()
    if status != chess.STATUS_VALID:
        raise NotationError(f"This FEN is not a possible position: {_status_text(status)}.")
    normal = board.fen()
    return None if normal == chess.STARTING_FEN else normal


def read_moves(text: str, fen: str | None = None) -> tuple[str, ...]:
    """The moves of a move list as UCI, each checked against the position it is played in."""
    board = chess.Board(fen) if fen else chess.Board()
    moves: list[str] = []
    for token in _tokens(text):
        if len(moves) >= MAX_PLIES:
            raise NotationError(f"At most {MAX_PLIES} half-moves can be explored; this list is longer.")
        move = _read_move(board, token)
        moves.append(move.uci())
        board.push(move)
    if not moves:
        raise NotationError("No moves found: paste a FEN or a list of moves, e.g. 1. e4 c5 2. Nf3.")
    return tuple(moves)


def _tokens(text: str) -> list[str]:
    """The move tokens of PGN-ish text: comments, variations, numbers and results left out."""
    text = _NAG.sub(" ", _COMMENT.sub(" ", text))
    text = _strip_variations(text)
    tokens: list[str] = []
    for raw in _SEPARATORS.split(text):
        token = raw.strip()
        while token:
            number = _MOVE_NUMBER.match(token)
            if not number:
                break
            token = token[number.end():]
        token = _MARKS.sub("", token)
        if not token or token in _RESULTS or token.isdigit():
            continue
        tokens.append(token)
    return tokens


def _strip_variations(text: str) -> str:
    """The text with (...) variations removed, nested ones too."""
    out: list[str] = []
    depth = 0
    for char in text:
        if char == "(":
            depth += 1
            out.append(" ")
        elif char == ")":
            depth = max(0, depth - 1)
            out.append(" ")
        elif depth == 0:
            out.append(char)
    return "".join(out)


def _read_move(board: chess.Board, token: str) -> chess.Move:
    """One token as a legal move in `board` (UCI first, then SAN), or a NotationError."""
    if _UCI.match(token.lower()):
        try:
            return board.parse_uci(token.lower())  # e1h1 becomes e1g1 when castling is legal
        except ValueError:
            raise NotationError(f"{_label(board, token)} is not a legal move {_where(board)}.") from None
    san = token.replace("0-0-0", "O-O-O").replace("0-0", "O-O")
    try:
        return board.parse_san(san)
    except chess.AmbiguousMoveError:
        raise NotationError(
            f"{_label(board, token)} is ambiguous {_where(board)}: say which piece (e.g. Nbd2)."
        ) from None
    except chess.IllegalMoveError:
        raise NotationError(f"{_label(board, token)} is not a legal move {_where(board)}.") from None
    except ValueError:
        raise NotationError(
            f"{_label(board, token)} is not a move: write moves in SAN (Nf3, O-O) or UCI (g1f3)."
        ) from None


def _label(board: chess.Board, token: str) -> str:
    """The token as it would be numbered in a score sheet: “2. Nf6”, “2... Nc6”."""
    dots = "." if board.turn == chess.WHITE else "..."
    return f"“{board.fullmove_number}{dots} {token}”"


def _where(board: chess.Board) -> str:
    """Which position the move was tried in, in words."""
    side = "White" if board.turn == chess.WHITE else "Black"
    if not board.move_stack:
        return f"for {side} in the starting position" if board.fen() == chess.STARTING_FEN else f"for {side} here"
    played = board.root().variation_san(board.move_stack)
    return f"for {side} after {played}"


def _status_text(status: chess.Status) -> str:
    """python-chess's status flags as words."""
    words = {
        chess.STATUS_NO_WHITE_KING: "no white king",
        chess.STATUS_NO_BLACK_KING: "no black king",
        chess.STATUS_TOO_MANY_KINGS: "too many kings",
        chess.STATUS_TOO_MANY_WHITE_PAWNS: "too many white pawns",
        chess.STATUS_TOO_MANY_BLACK_PAWNS: "too many black pawns",
        chess.STATUS_PAWNS_ON_BACKRANK: "pawns on the first or last rank",
        chess.STATUS_TOO_MANY_WHITE_PIECES: "too many white pieces",
        chess.STATUS_TOO_MANY_BLACK_PIECES: "too many black pieces",
        chess.STATUS_BAD_CASTLING_RIGHTS: "castling rights without king and rook at home",
        chess.STATUS_INVALID_EP_SQUARE: "an impossible en passant square",
        chess.STATUS_OPPOSITE_CHECK: "the side not to move is in check",
        chess.STATUS_TOO_MANY_CHECKERS: "too many pieces give check",
        chess.STATUS_IMPOSSIBLE_CHECK: "an impossible check",
        chess.STATUS_EMPTY: "an empty board",
    }
    found = [text for flag, text in words.items() if status & flag]
    return ", ".join(found) or "invalid"
