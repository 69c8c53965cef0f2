"""Think time per move, straight from PGN files with python-chess: the reference the
think-time tests compare the API with. Nothing here uses the webapp package; the rules
are written out again from the issue:

- a ply's seconds are the mover's own previous clock (`node.clock()` two plies back, the
  TimeControl's base before their first move) minus the clock after the ply, plus the
  TimeControl's increment; clocks are counted in whole tenths, as the store keeps them;
- a mover's first move with the clock still exactly at the base is untimed: no clock
  (lichess starts the clocks after each side's first move, with no increment for it);
- no base time ("-", "1/86400", none), an unknown clock, or a negative result: no clock;
- the buckets' lower edges are EDGES seconds (the last open above); the lower median is
  the ceil(n/2)-th smallest; "low clock": the clock after the move under 10% of the base.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import chess
import chess.pgn
import chess.polyglot
from read_once import read_once

EDGES = (0, 1, 2, 3, 4, 5, 7, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1800, 3600)


@dataclass(frozen=True)
class TimedGame:
    """A game's players, result, and per position of its first plies the move played
    there (None: none) with its bucket index (None: no clock) and low-clock flag."""

    white: str
    black: str
    result: str
    speed: str
    visits: dict[int, tuple[str | None, int | None, bool]] = field(default_factory=dict, compare=False)
    moves: tuple[str, ...] = field(default=(), compare=False)

    def low_clock_line(self) -> tuple[str, ...] | None:
        """The moves before the first indexed position whose move left its mover under
        10% of the base, None when there is none."""
        board = chess.Board()
        for ply, uci in enumerate(self.moves):
            visit = self.visits.get(chess.polyglot.zobrist_hash(board))
            if visit is not None and visit[2] and visit[0] == uci:
                return self.moves[:ply]
            board.push_uci(uci)
        return None


def _timing(tag: str | None) -> tuple[int, int]:
    found = re.fullmatch(r"(\d+)(?:\+(\d+))?", (tag or "").strip())
    return (int(found[1]), int(found[2] or 0)) if found else (0, 0)


def speed_name(tag: str | None) -> str:
    """lichess's rule: base + 40 × increment seconds; no base time is correspondence."""
    base, increment = _timing(tag)
    if base <= 0 and increment <= 0:
        return "correspondence"
    seconds = base + 40 * increment
    for limit, name in ((30, "ultraBullet"), (180, "bullet"), (480, "blitz"), (1500, "rapid"), (21600, "classical")):
        if seconds < limit:
            return name
    return "correspondence"


def _bucket(tenths: int) -> int:
    index = 0
    while index + 1 < len(EDGES) and tenths >= EDGES[index + 1] * 10:
        index += 1
    return index


def ply_think(clocks: Sequence[float | None], ply: int, base: int, increment: int) -> tuple[int | None, bool]:
    """(bucket index or None, under 10% of the base) of the move at `ply`."""
    now = clocks[ply] if ply < len(clocks) else None
    if base <= 0 or now is None:
        return None, False
    now_tenths = round(now * 10)
    if ply < 2:
        before: int | None = base * 10
    else:
        earlier = clocks[ply - 2]
        before = None if earlier is None else round(earlier * 10)
    if before is None:
        return None, False
    spent = before - now_tenths + increment * 10
    if ply < 2 and now_tenths == base * 10:
        return None, False
    if spent < 0:
        return None, False
    return _bucket(spent), now_tenths / 10 < base * 0.1  # under 10% of the base


@read_once
def read_timed_games(paths: Iterable[Path], *, index_plies: int = 40) -> list[TimedGame]:
    """The standard games with moves and a result, once per game link, with their visits."""
    games: list[TimedGame] = []
    seen: set[str] = set()
    for path in paths:
        text = re.sub(r"\n(?=\[Event )", "\n\n", Path(path).read_text(encoding="utf-8"))
        with io.StringIO(text) as handle:
            while (game := chess.pgn.read_game(handle)) is not None:
                headers = game.headers
                if headers.get("Variant", "Standard").lower() not in ("standard", "") or "FEN" in headers:
                    continue
                if headers.get("Result") not in ("1-0", "0-1", "1/2-1/2") or game.errors or game.next() is None:
                    continue
                link = headers.get("Link") or headers.get("Site", "")
                if link in seen:
                    continue
                seen.add(link)
                base, increment = _timing(headers.get("TimeControl"))
                nodes = list(game.mainline())
                clocks = [node.clock() for node in nodes]
                board = chess.Board()
                visits: dict[int, tuple[str | None, int | None, bool]] = {}
                for ply, node in enumerate(nodes):
                    if ply < index_plies:
                        key = chess.polyglot.zobrist_hash(board)
                        if key not in visits:
                            visits[key] = (node.move.uci(), *ply_think(clocks, ply, base, increment))
                    board.push(node.move)
                    if ply + 1 == index_plies:
                        visits.setdefault(chess.polyglot.zobrist_hash(board), (None, None, False))
                if len(nodes) < index_plies:
                    visits.setdefault(chess.polyglot.zobrist_hash(board), (None, None, False))
                games.append(
                    TimedGame(
                        headers["White"].lower(),
                        headers["Black"].lower(),
                        headers["Result"],
                        speed_name(headers.get("TimeControl")),
                        visits,
                        tuple(node.move.uci() for node in nodes),
                    )
                )
    return games


def _shape(buckets: list[int], low: int, played: int) -> dict:
    games = sum(buckets)
    median = None
    if games:
        wanted, seen = (games + 1) // 2, 0
        for index, count in enumerate(buckets):
            seen += count
            if seen >= wanted:
                high = EDGES[index + 1] if index + 1 < len(EDGES) else None
                median = {"from": EDGES[index], "to": high}
                break
    histogram = [
        [EDGES[i], EDGES[i + 1] if i + 1 < len(EDGES) else None, n] for i, n in enumerate(buckets) if n
    ]
    return {"games": games, "noClock": played - games, "median": median, "lowClock": low, "histogram": histogram}


def think_time_reference(
    games: Sequence[TimedGame],
    play: Sequence[str] = (),
    *,
    player: str | None = None,
    color: str | None = None,
    speeds: set[str] | None = None,
) -> dict[str, dict]:
    """For the position after `play`: "position" and each next move's UCI → the API's
    thinkTime object (the position's: over the moves played from it)."""
    board = chess.Board()
    for uci in play:
        board.push_uci(uci)
    key = chess.polyglot.zobrist_hash(board)
    counted: dict[str, tuple[list[int], list[int]]] = {}  # name → (buckets, [low, played])
    for game in games:
        if key not in game.visits or (speeds is not None and game.speed not in speeds):
            continue
        if player is not None:
            if not [c for c in ("white", "black") if getattr(game, c) == player and color in (None, c)]:
                continue
        move, bucket, low = game.visits[key]
        if move is None:
            continue
        for name in ("position", move):
            buckets, extra = counted.setdefault(name, ([0] * len(EDGES), [0, 0]))
            if bucket is not None:
                buckets[bucket] += 1
                extra[0] += int(low)
            extra[1] += 1
    return {name: _shape(buckets, low, played) for name, (buckets, (low, played)) in counted.items()}
