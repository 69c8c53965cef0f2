"""Expected table contents after importing PGN files, computed independently with python-chess.

Nothing here uses the webapp package: splitting, skipping, speed, rated, month, ratings,
position keys and the row rules are written out again from the design and SOURCES.md, so
a mistake in the importer cannot hide in a shared helper.
"""

from __future__ import annotations

import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import chess
import chess.pgn
import chess.polyglot

TAG_LINE = re.compile(r'^\[(\w+)\s+"(.*)"\]$')
RESULT_TOKENS = ("1-0", "0-1", "1/2-1/2", "*")


def signed(key: int) -> int:
    return key - (1 << 64) if key >= 1 << 63 else key


def speed(tags: dict[str, str]) -> int:
    """0 ultraBullet … 5 correspondence, by lichess's rule (see DESIGN.md and SOURCES.md)."""
    tc = tags.get("TimeControl", "").strip()
    event = tags.get("Event", "").lower()
    if tc == "-" or re.fullmatch(r"\d+/\d+", tc):
        return 5
    match = re.fullmatch(r"(\d+)(?:\+(\d+))?", tc)
    if match:
        base, inc = int(match.group(1)), int(match.group(2) or 0)
        if "lichess.org/study/" in tags.get("Site", "") and match.group(2) is not None:
            base *= 60  # broadcasts write minutes
        seconds = base + 40 * inc
        for index, limit in enumerate((30, 180, 480, 1500, 21600)):
            if seconds < limit:
                return index
        return 5
    for words, value in (("bullet", 1), ("blitz", 2), ("rapid", 3)):
        if words in event:
            return value
    return 4


def rating(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() and int(value) > 0 else None


@dataclass
class RefGame:
    uid: str
    source: str
    white: str
    black: str
    white_rating: int | None
    black_rating: int | None
    result: str
    speed: int
    rated: int
    month: int
    moves: list[chess.Move]


@dataclass
class Expected:
    games: dict[str, RefGame] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)
    move_stats: dict[tuple, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0, 0]))
    player_move_stats: dict[tuple, list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0, 0, 0])
    )


def game_texts(data: bytes) -> list[tuple[str, bool]]:
    """Games of a file: a game starts at a tag line following a line that is not one."""
    texts: list[list[str]] = []
    previous_is_tag = False
    for line in data.split(b"\n"):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            text = line.decode("latin-1")
        text = text.rstrip("\r")
        is_tag = text.startswith("[") and text[1:2].isalpha()
        if is_tag and not previous_is_tag:
            texts.append([])
        if not texts:
            texts.append([])
        texts[-1].append(text)
        previous_is_tag = is_tag
    games = ["\n".join(lines) for lines in texts if "\n".join(lines).strip()]
    return [(text, index == len(games) - 1) for index, text in enumerate(games)]


def read_game(text: str, last: bool, skipped: Counter[str]) -> RefGame | None:
    lines = text.split("\n")
    tag_lines = [line for line in lines if line.startswith("[") and line[1:2].isalpha()]
    movetext = "\n".join(line for line in lines if line not in tag_lines).strip()
    tags = {}
    for line in tag_lines:
        match = TAG_LINE.match(line.strip())
        if not match:
            skipped["broken header"] += 1
            return None
        tags.setdefault(match.group(1), match.group(2))
    variant = tags.get("Variant", "Standard").lower()
    if variant not in ("standard", "chess", "from position"):
        skipped["variant"] += 1
        return None
    if variant == "from position" or ("FEN" in tags and tags["FEN"] != chess.STARTING_FEN):
        skipped["non-standard start position"] += 1
        return None
    game = chess.pgn.read_game(io.StringIO(movetext))
    if game.errors:
        skipped["illegal move"] += 1
        return None
    moves = list(game.mainline_moves())
    if not all(moves):
        skipped["unparsable move"] += 1
        return None
    ending = movetext.split()[-1] if movetext else ""
    if tags.get("Result") == "*" or ending == "*":
        skipped["unfinished (result *)"] += 1
        return None
    if ending not in RESULT_TOKENS:
        skipped["truncated last game" if last else "no result at end of moves"] += 1
        return None
    if not moves:
        skipped["no moves"] += 1
        return None
    result = tags["Result"] if tags.get("Result") in RESULT_TOKENS else ending
    site, link = tags.get("Site", ""), tags.get("Link", "")
    lichess = re.search(r"lichess\.org/([A-Za-z0-9]{8})$", site)
    chesscom = re.search(r"chess\.com/(?:game/)?(live|daily)/(?:game/)?(\d+)", link)
    if lichess:
        uid, source = "lichess:" + lichess.group(1), "lichess"
    elif chesscom:
        uid, source = f"chesscom:{chesscom.group(1)}/{chesscom.group(2)}", "chesscom"
    else:
        uid = repr((sorted(tags.items()), [m.uci() for m in moves]))
        source = "pgn"
    white_rating, black_rating = rating(tags.get("WhiteElo")), rating(tags.get("BlackElo"))
    event = tags.get("Event", "").lower()
    if re.search(r"\b(casual|unrated)\b", event):
        rated = 0
    elif re.search(r"\brated\b", event):
        rated = 1
    else:
        rated = int(white_rating is not None or black_rating is not None)
    month = 0
    for name in ("UTCDate", "Date"):
        match = re.fullmatch(r"(\d{4})\.(\d\d)\.(\d\d|\?\?)", tags.get(name, ""))
        if match:
            month = int(match.group(1)) * 100 + int(match.group(2))
            break
        if re.fullmatch(r"(\d{4})(\.\?\?\.\?\?)?", tags.get(name, "")):
            month = int(tags[name][:4]) * 100  # the year alone (1955.??.?? or 1955): month 00
            break
    return RefGame(
        uid, source, tags.get("White", "?") or "?", tags.get("Black", "?") or "?",
        white_rating, black_rating, result, speed(tags), rated, month, moves,
    )  # fmt: skip


def move_code(move: chess.Move | None) -> int:
    if move is None:
        return 0
    return move.from_square | move.to_square << 6 | (move.promotion or 0) << 12


def expected(paths: Iterable[Path], index_plies: int = 40) -> Expected:
    """What the tables must hold after importing `paths` (a game id seen twice counts once)."""
    out = Expected()
    for path in paths:
        for text, last in game_texts(Path(path).read_bytes()):
            game = read_game(text, last, out.skipped)
            if game is None or game.uid in out.games:
                continue
            out.games[game.uid] = game
            add_rows(out, game, index_plies)
    return out


def add_rows(out: Expected, game: RefGame, index_plies: int) -> None:
    counts = [int(game.result == "1-0"), int(game.result == "1/2-1/2"), int(game.result == "0-1")]
    both = game.white_rating is not None and game.black_rating is not None
    mean = (game.white_rating + game.black_rating) // 2 if both else None
    band = min(mean // 100, 39) if mean is not None else -1
    board = chess.Board()
    seen: set[int] = set()
    for ply in range(min(index_plies, len(game.moves)) + 1):
        key = signed(chess.polyglot.zobrist_hash(board))
        move = game.moves[ply] if ply < min(index_plies, len(game.moves)) else None
        if key not in seen:
            seen.add(key)
            row = out.move_stats[(key, move_code(move), game.speed, game.rated, band, game.month)]
            for i, value in enumerate([*counts, mean or 0]):
                row[i] += value
            for color, (name, own, other) in enumerate(
                [(game.white, game.white_rating, game.black_rating),
                 (game.black, game.black_rating, game.white_rating)]
            ):  # fmt: skip
                own_band = min(own // 100, 39) if both else -1
                player = (game.source, name.lower())
                prow = out.player_move_stats[
                    (player, key, color, move_code(move), game.speed, game.rated, own_band, game.month)
                ]
                for i, value in enumerate([*counts, other if both else 0]):
                    prow[i] += value
        if move is not None:
            board.push(move)
