"""The player view's read path: a player beside rating peers, leaks, results over time, exports.

"Peers" are all games whose mean rating falls in the bands around the player's average
rating (± `band_width`) with the same speeds, dates and rated filter. The player's own
rating filter (rating_min/max) selects the player's games by the player's own rating.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace

import chess
import chess.pgn
from sqlalchemy import Connection, and_, case, func, or_, select
from sqlalchemy.orm import aliased

from webapp.db.bound_filters import collection_ids_in
from webapp.db.explorer import read_explorer, stat_rows
from webapp.db.months import month_condition
from webapp.db.players import (
    PlayerIndexing,
    find_player_ids,
    indexing_progress,
    ready_player_ids,
)
from webapp.db.tables import games, player_move_stats, player_move_stats_rollup, players
from webapp.indexer.replay import replay_keys
from webapp.model.deadline import Deadline
from webapp.model.pgn_text import escape_tag_value, game_text
from webapp.model.position import NO_MOVE, decode_move, position_key
from webapp.model.query import ExplorerQuery, QueryError
from webapp.model.scores import Score, ScoreComparison, peer_bands, rank_leaks
from webapp.model.stats import ExplorerResult, Results
from webapp.model.stored_game import decode_move_codes

DEFAULT_BAND_WIDTH = 100
DEFAULT_LEAKS_ASKED = 30  # leaks the Player tab asks for (near-duplicates are dropped after)
REPLAY_LIMIT = 5000  # most recent games replayed to find a line the move tree did not give


class PlayerNotFound(LookupError):
    """No imported games for the player (or person) named."""


@dataclass(frozen=True)
class MoveComparison:
    uci: str
    san: str
    comparison: ScoreComparison


@dataclass(frozen=True)
class PlayerComparison:
    """Per next move: the player's score beside peers'; plus the position as a whole."""

    player: str
    color: str
    rating: int | None
    peer_rating_min: int | None
    peer_rating_max: int | None
    position: ScoreComparison
    moves: tuple[MoveComparison, ...]


@dataclass(frozen=True)
class Leak:
    """A position the player reaches often and scores worse in than peers."""

    play: tuple[str, ...]
    fen: str
    comparison: ScoreComparison


@dataclass(frozen=True)
class LeakSearch:
    """The player's rating, the leaks found, and `limited_to` when only the player's most
    frequent positions were weighed (MAX_LEAK_POSITIONS), None when every one was."""

    rating: int | None
    leaks: tuple[Leak, ...] = ()
    limited_to: int | None = None

    @property
    def note(self) -> str | None:
        """What the answer says when the search was limited."""
        if self.limited_to is None:
            return None
        return (f"limited to the {self.limited_to:,} positions the player reaches most often "
                "(raise min_games to weigh rarer ones)")


@dataclass(frozen=True)
class MonthResult:
    month: int
    score: Score


def _require_player(query: ExplorerQuery) -> tuple[str, str]:
    if not query.player:
        raise QueryError("player is required: whose games to compare")
    if not query.color:
        raise QueryError("color is required (white or black): the side the player had")
    return query.player, query.color


def _common(table, query: ExplorerQuery) -> list:  # type: ignore[no-untyped-def]
    conditions = []
    if query.speeds:
        conditions.append(table.c.speed.in_([int(s) for s in query.speeds]))
    if query.rated_only:
        conditions.append(table.c.rated.is_(True) if table is games else table.c.rated == 1)
    if query.since is not None or query.until is not None:
        conditions.append(month_condition(table.c.month, query.since, query.until))
    column = table.c.collection_id if table is games else table.c.collection
    if query.collections:
        conditions.append(column.in_(collection_ids_in(query.collections)))
    if query.exclude_collections:
        conditions.append(column.not_in(collection_ids_in(query.exclude_collections)))
    return conditions


def _player_table(query: ExplorerQuery):  # type: ignore[no-untyped-def]
    """The month-less player rollup unless months are asked."""
    if query.since is None and query.until is None:
        return player_move_stats_rollup
    return player_move_stats


def _player_conditions(query: ExplorerQuery, ids: tuple[int, ...], table=None) -> list:  # type: ignore[no-untyped-def]
    table = _player_table(query) if table is None else table
    conditions = [table.c.player_id.in_(ids), *_common(table, query)]
    if query.color is not None:
        conditions.append(table.c.color == (0 if query.color == "white" else 1))
    if query.rating_bands is not None:
        conditions.append(table.c.rating_band.between(*query.rating_bands))
    return conditions


def _player_ids(connection: Connection, player: str) -> tuple[int, ...]:
    ids = find_player_ids(connection, player)
    if not ids:
        raise PlayerNotFound(f"No games of {player!r} have been imported yet.")
    if not ready_player_ids(connection, ids):  # never partial numbers as complete
        raise PlayerIndexing(player, *indexing_progress(connection, ids))
    return ids


def _game_conditions(query: ExplorerQuery, ids: tuple[int, ...]) -> list:  # type: ignore[no-untyped-def]
    """The player's games in the games table, by the same filters as player_move_stats."""
    conditions = _common(games, query)
    white = and_(games.c.white_id.in_(ids))
    black = and_(games.c.black_id.in_(ids))
    rating_white, rating_black = games.c.white_rating, games.c.black_rating
    if query.rating_min is not None or query.rating_max is not None:
        low, high = query.rating_bands or (0, 40)
        white = and_(white, rating_white >= low * 100, rating_white <= high * 100 + 99)
        black = and_(black, rating_black >= low * 100, rating_black <= high * 100 + 99)
    if query.color == "white":
        conditions.append(white)
    elif query.color == "black":
        conditions.append(black)
    else:
        conditions.append(or_(white, black))
    return conditions


def player_rating(connection: Connection, query: ExplorerQuery, ids: tuple[int, ...]) -> int | None:
    """The player's average own rating over the filtered games (known ratings only); with
    no colour chosen, the rating of whichever side the player had in each game."""
    if query.color in ("white", "black"):
        own = games.c.white_rating if query.color == "white" else games.c.black_rating
        opponent = games.c.black_rating if query.color == "white" else games.c.white_rating
    else:
        as_white = games.c.white_id.in_(ids)
        own = case((as_white, games.c.white_rating), else_=games.c.black_rating)
        opponent = case((as_white, games.c.black_rating), else_=games.c.white_rating)
    value = connection.execute(
        select(func.avg(own)).where(
            and_(*_game_conditions(query, ids)), own.is_not(None), opponent.is_not(None)
        )
    ).scalar()
    return None if value is None else int(round(float(value)))


@dataclass(frozen=True)
class Peers:
    """Who a player is compared with: all games whose mean rating falls in the bands around
    the player's average rating (± band_width), with the player's speeds, months and rated
    filter. Without a known rating, all games under those filters."""

    rating: int | None
    rating_min: int | None
    rating_max: int | None
    band_width: int

    def query(self, query: ExplorerQuery) -> ExplorerQuery:
        """The explorer query that asks about the peers' games in `query`'s position."""
        return replace(query.without_player(), rating_min=self.rating_min, rating_max=self.rating_max)

    def label(self, player: str) -> str:
        """The peers named on screen."""
        if self.rating is None:
            return f"All games but {player}'s ({player} has no rated games here)"
        return (
            f"Peers rated {self.rating_min}–{self.rating_max} ({player}'s average {self.rating} "
            f"± {self.band_width}), {player}'s own games left out"
        )

    @property
    def bands(self) -> tuple[int, int] | None:
        """The rating bands the peers' games fall in (None: any)."""
        if self.rating_min is None or self.rating_max is None:
            return None
        return self.rating_min // 100, self.rating_max // 100


def find_peers(connection: Connection, query: ExplorerQuery, *, band_width: int = DEFAULT_BAND_WIDTH) -> Peers:
    """The peers of the query's player (PlayerNotFound when the player has no games)."""
    if not query.player:
        raise QueryError("player is required: whose peers to find")
    ids = _player_ids(connection, query.player)
    rating = player_rating(connection, query, ids)
    if rating is None:
        return Peers(None, None, None, band_width)
    low, high = peer_bands(rating, band_width)
    return Peers(rating, low * 100, high * 100 + 99, band_width)


def read_peers(
    connection_factory: Callable[[], Connection], query: ExplorerQuery, *, band_width: int = DEFAULT_BAND_WIDTH
) -> Peers:
    """find_peers through the cache (the player's rating does not depend on the position)."""
    from webapp.caching import memoized

    key = _filters_key("peers", query, str(band_width))

    def compute() -> Peers:
        with connection_factory() as connection:
            return find_peers(connection, query, band_width=band_width)

    return memoized(key, compute)


def read_peer_result(
    connection_factory: Callable[[], Connection], query: ExplorerQuery, peers: Peers
) -> ExplorerResult:
    """The explorer's answer for the peers in the query's position (Peers.query), less the
    player's own games: what the Explorer shows beside a player."""
    from webapp.caching import memoized

    every = read_explorer(connection_factory, peers.query(query), with_games=False)
    board = query.board()
    key = position_key(board)

    def compute() -> dict[tuple[int, int], tuple]:
        with connection_factory() as connection:
            ids = _player_ids(connection, query.player or "")
            return own_in_peers(connection, query, ids, [key], peers.bands)

    own = memoized(_filters_key("own-in-peers", query, f"{key}|{peers.bands}"), compute)
    own_moves = {decode_move(m).uci() if m != NO_MOVE else None: c for (_k, m), c in own.items()}

    def less(results: Results, taken: tuple | None) -> Results:
        if taken is None:
            return results
        w, d, b, rating_sum, rated = taken
        return Results(results.white - w, results.draws - d, results.black - b,
                       results.rating_sum - rating_sum, results.rated_games - rated)

    total = (0, 0, 0, 0, 0)
    for counts in own_moves.values():
        total = tuple(a + b for a, b in zip(total, counts, strict=True))  # type: ignore[assignment]
    moves = [replace(m, results=less(m.results, own_moves.get(m.uci))) for m in every.moves]
    moves = sorted((m for m in moves if m.results.games > 0), key=lambda m: (-m.results.games, m.uci))
    return replace(every, totals=less(every.totals, total), moves=tuple(moves))


def _filters_key(kind: str, query: ExplorerQuery, extra: str) -> str:
    """A cache key for an answer that depends on the player and filters, not the position."""
    return "|".join(
        [
            kind,
            query.player or "",
            query.color or "",
            ",".join(str(int(s)) for s in query.speeds),
            f"{query.rating_min}-{query.rating_max}",
            f"{query.since}-{query.until}",
            "rated" if query.rated_only else "all",
            ",".join(query.collections) + "-" + ",".join(query.exclude_collections),
            extra,
        ]
    )


def own_in_peers(connection: Connection, query: ExplorerQuery, ids: tuple[int, ...], keys: list[int], bands):  # type: ignore[no-untyped-def]
    """(position_key, move) → (white, draws, black, mean rating sum, games with a band) over
    the player's own games among the peers' (the games' mean band within `bands`, or any
    band when None), under the query's filters but not its colour or own rating."""
    table = _player_table(query)
    conditions = [table.c.player_id.in_(ids), table.c.position_key.in_(keys), *_common(table, query)]
    if bands is not None:
        conditions.append(table.c.game_band.between(*bands))
    rated = func.sum(case((table.c.game_band >= 0, table.c.white + table.c.draws + table.c.black), else_=0))
    rows = connection.execute(
        select(
            table.c.position_key, table.c.move, func.sum(table.c.white), func.sum(table.c.draws),
            func.sum(table.c.black), func.sum(table.c.game_rating_sum), rated,
        )
        .where(*conditions)
        .group_by(table.c.position_key, table.c.move)
    )
    return {(int(k), int(m)): tuple(int(v) for v in values) for k, m, *values in rows}


def _peer_counts(connection: Connection, query: ExplorerQuery, keys: list[int], bands, ids: tuple[int, ...]):  # type: ignore[no-untyped-def]
    """(position_key, move) → (white, draws, black) over peers' games (all games' rows as
    the explorer reads them, within the peers' rating bands), the player's own left out."""
    rows_of = stat_rows(query, keys)
    rows = connection.execute(
        select(
            rows_of.c.position_key,
            rows_of.c.move,
            func.sum(rows_of.c.white),
            func.sum(rows_of.c.draws),
            func.sum(rows_of.c.black),
        )
        .where(rows_of.c.rating_band.between(*bands))
        .group_by(rows_of.c.position_key, rows_of.c.move)
    )
    counts = {(int(k), int(m)): (int(w), int(d), int(b)) for k, m, w, d, b in rows}
    for found, own in own_in_peers(connection, query, ids, keys, bands).items():
        counts[found] = tuple(a - b for a, b in zip(counts.get(found, (0, 0, 0)), own[:3], strict=True))  # type: ignore[assignment]
    return {found: c for found, c in counts.items() if sum(c) > 0}


def compare_player(
    connection: Connection, query: ExplorerQuery, *, band_width: int = DEFAULT_BAND_WIDTH
) -> PlayerComparison:
    """Each next move in the query's position: the player's score, the peers', the gap."""
    player, color = _require_player(query)
    ids = _player_ids(connection, player)
    board = query.board()
    key = position_key(board)
    table = _player_table(query)
    rows = connection.execute(
        select(table.c.move, func.sum(table.c.white), func.sum(table.c.draws), func.sum(table.c.black))
        .where(table.c.position_key == key, *_player_conditions(query, ids))
        .group_by(table.c.move)
    ).all()
    own = {int(m): (int(w), int(d), int(b)) for m, w, d, b in rows}
    found = find_peers(connection, query, band_width=band_width)  # the Explorer's peers too
    rating = found.rating
    peers: dict[tuple[int, int], tuple[int, int, int]] = {}
    bands = None
    if found.rating_min is not None and found.rating_max is not None:
        bands = (found.rating_min // 100, found.rating_max // 100)
        peers = _peer_counts(connection, query, [key], bands, ids)
    peer_moves = {m: c for (k, m), c in peers.items()}
    moves: list[MoveComparison] = []
    for code in sorted(set(own) | set(peer_moves)):
        if code == NO_MOVE:
            continue
        move = decode_move(code)
        if move not in board.legal_moves:
            continue
        comparison = ScoreComparison(
            Score.for_color(*own.get(code, (0, 0, 0)), color),
            Score.for_color(*peer_moves.get(code, (0, 0, 0)), color),
        )
        moves.append(MoveComparison(move.uci(), board.san(move), comparison))
    moves.sort(key=lambda m: (-m.comparison.player.games, -m.comparison.peers.games, m.uci))
    position = ScoreComparison(
        Score.for_color(*_sum(own.values()), color), Score.for_color(*_sum(peer_moves.values()), color)
    )
    return PlayerComparison(
        player=player,
        color=color,
        rating=rating,
        peer_rating_min=None if bands is None else bands[0] * 100,
        peer_rating_max=None if bands is None else bands[1] * 100 + 99,
        position=position,
        moves=tuple(moves),
    )


def _sum(counts) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    total = [0, 0, 0]
    for w, d, b in counts:
        total[0] += w
        total[1] += d
        total[2] += b
    return total[0], total[1], total[2]


def find_leaks(
    connection: Connection,
    query: ExplorerQuery,
    *,
    band_width: int = DEFAULT_BAND_WIDTH,
    min_games: int = 3,
    limit: int = 20,
    index_plies: int = 40,
    deadline: Deadline | None = None,
) -> LeakSearch:
    """The player's rating and the positions (player to move, past the first) where the
    player's score falls furthest below peers', weighted by how often they get there.

    Only the MAX_LEAK_POSITIONS positions the player reaches most often are weighed (the
    rest are reached too rarely to lose many points); WorkTooLong once `deadline` passes.
    """
    deadline = deadline or Deadline.never()
    player, color = _require_player(query)
    ids = _player_ids(connection, player)
    rating = player_rating(connection, query, ids)
    if rating is None:
        return LeakSearch(None)
    bands = peer_bands(rating, band_width)
    own, tree = _own_positions(connection, query, ids, min_games)
    limited_to = MAX_LEAK_POSITIONS if len(own) > MAX_LEAK_POSITIONS else None
    if limited_to is not None:  # the most frequent first, then by key: the same on every database
        kept = sorted(own, key=lambda k: (-sum(own[k]), k))[:MAX_LEAK_POSITIONS]
        own = {k: own[k] for k in kept}
    deadline.check("finding leaks")
    lines = _lines_by_tree(tree, set(own), index_plies, deadline)
    # a leak is a position with the player to move, past the first: drop the others before
    # asking about peers (a key's side to move is the parity of any line to it)
    parity = 0 if color == "white" else 1
    keys = [k for k in own if k not in lines or (len(lines[k]) % 2 == parity and lines[k])]
    # peers are asked about the positions where the player could lose most first (at most
    # their losses and half their draws: peers scoring 100%), until no position left could
    # outrank the leaks found: the same leaks as weighing every position, with fewer asked
    win = 0 if color == "white" else 2
    bound = {k: sum(own[k]) - own[k][win] - own[k][1] / 2 for k in keys}
    keys.sort(key=lambda k: (-bound[k], k))
    turn = chess.WHITE if color == "white" else chess.BLACK
    pool: list[tuple[int, ScoreComparison]] = []
    tried: set[int] = set()
    leaks: list[Leak] = []
    for start in range(0, len(keys), PEER_BATCH):
        deadline.check("finding leaks")
        batch = keys[start:start + PEER_BATCH]
        peers = _peer_totals(connection, query, batch, bands, ids)
        pool += [
            (k, ScoreComparison(Score.for_color(*own[k], color), Score.for_color(*peers[k], color)))
            for k in batch if k in peers and _below(own[k], peers[k], color)  # rank_leaks keeps no other
        ]
        rest = start + PEER_BATCH
        ceiling = bound[keys[rest]] + 1e-9 if rest < len(keys) else float("-inf")
        ranked = rank_leaks(pool, min_games=min_games, limit=len(pool))  # type: ignore[arg-type]
        safe = [item for item in ranked if item[1].points_lost > ceiling]
        leaks = _leaks_in(safe, lines, tried, limit, turn,  # type: ignore[arg-type]
                          lambda missing: _lines_to(connection, query, ids, missing, index_plies, deadline))
        if len(leaks) == limit:
            break
    return LeakSearch(rating, tuple(leaks), limited_to)


def _leaks_in(
    ranked: list[tuple[int, ScoreComparison]],
    lines: dict[int, tuple[int, ...]],
    tried: set[int],
    limit: int,
    turn: chess.Color,
    replay: Callable[[set[int]], dict[int, tuple[int, ...]]],
) -> list[Leak]:
    """The first `limit` ranked positions with a line to them and the player to move; lines
    the tree walk did not give are looked for once (`tried`) in the player's recent games."""
    leaks: list[Leak] = []
    window = max(3 * limit, 30)
    for start in range(0, len(ranked), window):
        batch = ranked[start:start + window]
        missing = {k for k, _ in batch} - set(lines) - tried
        if missing:  # reached only through transpositions of rarer lines: replay recent games
            tried |= missing
            lines.update(replay(missing))
        for k, comparison in batch:
            found = _board_line(lines.get(k), k)
            if found is None or not found[0] or found[1].turn != turn:
                continue
            leaks.append(Leak(play=found[0], fen=found[1].fen(), comparison=comparison))
            if len(leaks) == limit:
                return leaks
    return leaks


def _below(own: tuple[int, int, int], peers: tuple[int, int, int], color: str) -> bool:
    """Whether the player scores below peers, from counts (as Score.score computes it), so
    only such positions become ScoreComparisons."""
    own_n, peer_n = sum(own), sum(peers)
    if not own_n or not peer_n:
        return False
    win = 0 if color == "white" else 2
    return (own[win] + own[1] / 2) / own_n < (peers[win] + peers[1] / 2) / peer_n


#: positions weighed for leaks at most (the player's most frequent), and peer keys per query
MAX_LEAK_POSITIONS = 20_000
PEER_BATCH = 500


def _peer_totals(connection: Connection, query: ExplorerQuery, keys: list[int], bands, ids: tuple[int, ...]):  # type: ignore[no-untyped-def]
    """position_key → (white, draws, black) over peers' games, every move summed, the
    player's own games left out."""
    rows_of = stat_rows(query, keys)
    rows = connection.execute(
        select(rows_of.c.position_key, func.sum(rows_of.c.white), func.sum(rows_of.c.draws),
               func.sum(rows_of.c.black))
        .where(rows_of.c.rating_band.between(*bands))
        .group_by(rows_of.c.position_key)
    ).all()
    totals = {int(k): [int(w), int(d), int(b)] for k, w, d, b in rows}
    for (key, _move), own in own_in_peers(connection, query, ids, keys, bands).items():
        for index in range(3):
            totals.setdefault(key, [0, 0, 0])[index] -= own[index]
    return {k: (w, d, b) for k, (w, d, b) in totals.items() if w + d + b > 0}


def _own_positions(
    connection: Connection, query: ExplorerQuery, ids: tuple[int, ...], min_games: int
) -> tuple[dict[int, tuple[int, int, int]], dict[int, list[int]]]:
    """The player's results in each position reached at least `min_games` times, and the
    player's move tree: position key → the moves taken there at least `min_games` times,
    most played first.

    On PostgreSQL one pass over the player's rows (ROLLUP: per key and move, and per key);
    SQLite has no ROLLUP and asks twice.
    """
    table = _player_table(query)
    games_n = func.sum(table.c.white + table.c.draws + table.c.black)
    conditions = _player_conditions(query, ids)
    own: dict[int, tuple[int, int, int]] = {}
    edges: list[tuple[int, int, int]] = []  # (games, key, move)
    if connection.dialect.name == "postgresql":
        rows = connection.execute(
            select(table.c.position_key, table.c.move, func.sum(table.c.white), func.sum(table.c.draws),
                   func.sum(table.c.black), func.grouping(table.c.move))
            .where(*conditions)
            .group_by(func.rollup(table.c.position_key, table.c.move))
            .having(games_n >= min_games)
        ).all()
        for key, move, w, d, b, per_key in rows:
            if key is None:
                continue  # the grand total
            if per_key:
                own[int(key)] = (int(w), int(d), int(b))
            elif move != NO_MOVE:
                edges.append((int(w) + int(d) + int(b), int(key), int(move)))
    else:
        for key, w, d, b in connection.execute(
            select(table.c.position_key, func.sum(table.c.white), func.sum(table.c.draws), func.sum(table.c.black))
            .where(*conditions).group_by(table.c.position_key).having(games_n >= min_games)
        ).all():
            own[int(key)] = (int(w), int(d), int(b))
        for key, move, n in connection.execute(
            select(table.c.position_key, table.c.move, games_n)
            .where(*conditions, table.c.move != NO_MOVE)
            .group_by(table.c.position_key, table.c.move).having(games_n >= min_games)
        ).all():
            edges.append((int(n), int(key), int(move)))
    edges.sort(key=lambda e: (-e[0], e[2]))
    tree: dict[int, list[int]] = {}
    for _n, key, move in edges:
        tree.setdefault(key, []).append(move)
    return own, tree


def _lines_by_tree(
    children: dict[int, list[int]], keys: set[int], plies: int, deadline: Deadline
) -> dict[int, tuple[int, ...]]:
    """The move codes of a line to each wanted key, walking the player's own move tree
    breadth first.

    Only moves the player's games took at least `min_games` times are in the tree, so the
    walk stays small, and it stops once every key is found; a position with that many
    games is reached this way unless it was only ever reached through several rarer
    transpositions. Keys come from the stored games' replay (no move generation); a line
    is checked with python-chess only when shown (_board_line).
    """
    from collections import deque

    found: dict[int, tuple[int, ...]] = {}
    seen: set[int] = set()
    queue: deque[tuple[int, ...]] = deque([()])
    while queue and len(found) < len(keys):
        if len(seen) % 1000 == 999:
            deadline.check("finding leaks")
        codes = queue.popleft()
        key = replay_keys(codes, len(codes))[-1]
        if key in seen:
            continue
        seen.add(key)
        if key in keys:
            found[key] = codes
        if len(codes) >= plies:
            continue
        for code in children.get(key, ()):
            queue.append((*codes, code))
    return found


def _board_line(codes: tuple[int, ...] | None, key: int) -> tuple[tuple[str, ...], chess.Board] | None:
    """The line as UCI moves and the board it reaches, or None when a move is illegal or the
    board is not the key's (a key collision with another position)."""
    if codes is None:
        return None
    board = chess.Board()
    for code in codes:
        move = decode_move(code)
        if not board.is_legal(move):
            return None
        board.push(move)
    if position_key(board) != key:
        return None
    return tuple(m.uci() for m in board.move_stack), board


def _lines_to(
    connection: Connection, query: ExplorerQuery, ids: tuple[int, ...], keys: set[int], plies: int,
    deadline: Deadline,
) -> dict[int, tuple[int, ...]]:
    """For each wanted key, the first line (from the player's most recent games) that reaches it."""
    found: dict[int, tuple[int, ...]] = {}
    statement = (
        select(games.c.moves).where(*_game_conditions(query, ids)).order_by(games.c.id.desc())
        .execution_options(yield_per=1000)
    )
    for i, (moves,) in enumerate(connection.execute(statement.limit(REPLAY_LIMIT))):
        if i % 500 == 499:
            deadline.check("finding leaks")
        codes = decode_move_codes(moves).tolist()
        for ply, key in enumerate(replay_keys(codes, plies)):
            if key in keys and key not in found:
                found[key] = tuple(codes[:ply])
        if len(found) == len(keys):
            break
    return found


def player_history(connection: Connection, query: ExplorerQuery) -> list[MonthResult]:
    """Month by month: the player's games and score in the query's position."""
    player, _color = _require_player_name(query)
    ids = _player_ids(connection, player)
    table = player_move_stats
    key = position_key(query.board())
    own_wins = func.sum(_by_color(table.c.white, table.c.black))
    own_losses = func.sum(_by_color(table.c.black, table.c.white))
    rows = connection.execute(
        select(table.c.month, own_wins, func.sum(table.c.draws), own_losses)
        .where(table.c.position_key == key, *_player_conditions(query, ids, table))
        .group_by(table.c.month)
        .order_by(table.c.month)
    )
    return [MonthResult(int(m), Score(int(w), int(d), int(lost))) for m, w, d, lost in rows]


def _require_player_name(query: ExplorerQuery) -> tuple[str, str | None]:
    if not query.player:
        raise QueryError("player is required: whose games to chart")
    return query.player, query.color


def _by_color(if_white, if_black):  # type: ignore[no-untyped-def]
    from sqlalchemy import case

    return case((player_move_stats.c.color == 0, if_white), else_=if_black)


@dataclass(frozen=True)
class GameExport:
    """The games behind a position (PGN text each), as many as the limit and the time budget allowed.

    `total` is how many games the explorer counts there (a player's view; None when not
    counted); `cut` says why the export stopped short, or None when it holds them all.
    """

    games: tuple[str, ...]
    limit: int
    total: int | None = None
    cut: str | None = None

    @property
    def note(self) -> str | None:
        """What the answer says when it is cut (a PGN `%` line and a response header)."""
        if self.cut is None:
            return None
        of = "" if self.total is None else f" of {self.total:,}"
        if self.cut == "limit":
            return f"limited to {self.limit:,} games{of}: narrow the filters for the rest"
        return f"stopped after {len(self.games):,} games{of}: {self.cut}"


def stream_position_games(
    connection: Connection,
    query: ExplorerQuery,
    *,
    index_plies: int = 40,
    limit: int = 1000,
    deadline: Deadline | None = None,
):  # type: ignore[no-untyped-def]
    """Exactly the games the explorer counts in the query's position under its filters
    (transpositions included; a player's view: the player's games): (the plan, with the
    count; the games as PGN texts, generated as they are read; the progress, which says
    after the last game whether the limit or the deadline cut it). The games the
    position's statistics rows name come first, newest first, then the rest found by
    replaying the filtered games (webapp.db.position_export)."""
    from webapp.db.position_export import ExportProgress, exported_ids, plan_export

    deadline = deadline or Deadline.never()
    key = position_key(query.board())
    ids = _player_ids(connection, query.player) if query.player else None
    plan = plan_export(connection, query, key, ids)
    progress = ExportProgress()
    white_player, black_player = aliased(players), aliased(players)
    statement = (
        select(games.c.id, games.c.moves, games.c.result, games.c.white_rating, games.c.black_rating,
               games.c.played_on, games.c.time_control, games.c.event, games.c.site,
               white_player.c.display_name, black_player.c.display_name)
        .join(white_player, white_player.c.id == games.c.white_id)
        .join(black_player, black_player.c.id == games.c.black_id)
    )

    def texts() -> Iterator[str]:
        if plan.total == 0:
            return
        chosen = exported_ids(
            connection, query, key, ids, plan, index_plies=index_plies, limit=limit, deadline=deadline,
            progress=progress,
        )
        while part := list(itertools.islice(chosen, 200)):
            rows = {row[0]: row[1:] for row in connection.execute(statement.where(games.c.id.in_(part)))}
            for game_id in part:
                yield _pgn_text(rows[game_id], decode_move_codes(rows[game_id][0]).tolist())

    return plan, texts(), progress


def export_position_games(
    connection: Connection,
    query: ExplorerQuery,
    *,
    index_plies: int = 40,
    limit: int = 1000,
    deadline: Deadline | None = None,
) -> GameExport:
    """stream_position_games() gathered: at most `limit` games; when `deadline` passes,
    what was found so far, with a note."""
    deadline = deadline or Deadline.never()
    plan, texts, progress = stream_position_games(
        connection, query, index_plies=index_plies, limit=limit, deadline=deadline
    )
    found = tuple(texts)
    return GameExport(found, limit, plan.total, export_cut(progress.cut, deadline))


def export_cut(cut: str | None, deadline: Deadline) -> str | None:
    """GameExport.cut for an ExportProgress.cut."""
    if cut == "time":
        return f"the server's time budget ({deadline.seconds:g} s) ran out"
    return cut


def games_behind(
    connection: Connection, query: ExplorerQuery, *, index_plies: int = 40, limit: int = 1000
) -> Iterator[chess.pgn.Game]:
    """The games of export_position_games (no time budget), one by one, read back as games."""
    for text in export_position_games(connection, query, index_plies=index_plies, limit=limit).games:
        game = chess.pgn.read_game(io.StringIO(text))
        assert game is not None
        yield game


def _games_at(connection: Connection, query: ExplorerQuery, ids: tuple[int, ...], key: int) -> int:
    """The player's games in the position under the query's filters, as the explorer counts them."""
    rows = stat_rows(query, key, ids)
    value = connection.execute(select(func.sum(rows.c.white + rows.c.draws + rows.c.black))).scalar()
    return int(value or 0)


def _pgn_text(row, codes: list[int]) -> str:  # type: ignore[no-untyped-def]
    """A stored game as PGN text, its tags in the Seven Tag Roster's order, then ratings and clock."""
    (_m, result, white_rating, black_rating, played_on, time_control, event, site,
     white, black) = row
    tag = escape_tag_value  # values are written as they are
    tags = [
        ("Event", tag(event or "?")),
        ("Site", tag(site or "?")),
        ("Date", played_on.strftime("%Y.%m.%d") if played_on else "????.??.??"),
        ("Round", "?"),
        ("White", tag(white)),
        ("Black", tag(black)),
        ("Result", result),
    ]
    if white_rating is not None:
        tags.append(("WhiteElo", str(white_rating)))
    if black_rating is not None:
        tags.append(("BlackElo", str(black_rating)))
    if time_control:
        tags.append(("TimeControl", tag(time_control)))
    return game_text(tags, [decode_move(code) for code in codes], result)


def read_leaks(
    connection_factory: Callable[[], Connection],
    query: ExplorerQuery,
    *,
    band_width: int = DEFAULT_BAND_WIDTH,
    min_games: int = 3,
    limit: int = 20,
    index_plies: int = 40,
    deadline: Deadline | None = None,
    slot: AbstractContextManager | None = None,
) -> LeakSearch:
    """find_leaks through the cache: leaks do not depend on the position shown, so moving
    about the board reuses them until the next import (which bumps the cache generation).
    A search not in the cache runs inside `slot` (webapp.api.heavy's, from a request)."""
    from webapp.caching import memoized

    key = _filters_key("leaks", query, f"{band_width}-{min_games}-{limit}-{index_plies}")

    def compute() -> LeakSearch:
        with slot or nullcontext(), connection_factory() as connection:
            return find_leaks(connection, query, band_width=band_width, min_games=min_games,
                              limit=limit, index_plies=index_plies, deadline=deadline)

    return memoized(key, compute)
