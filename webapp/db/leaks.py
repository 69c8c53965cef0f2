"""The player view's read path: a player beside rating peers, leaks, results over time, exports.

"Peers" are all games whose mean rating falls in the bands around the player's average
rating (± `band_width`) with the same speeds, dates and rated filter. The player's own
rating filter (rating_min/max) selects the player's games by the player's own rating.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import chess
import chess.pgn
from sqlalchemy import Connection, and_, case, func, or_, select
from sqlalchemy.orm import aliased

from webapp.db.explorer import collection_ids_in, read_explorer, stat_rows
from webapp.db.months import month_condition
from webapp.db.players import (
    PlayerIndexing,
    find_player_ids,
    indexing_progress,
    ready_player_ids,
)
from webapp.db.tables import games, player_move_stats, player_move_stats_rollup, players
from webapp.model.pgn_text import escape_tag_value
from webapp.model.position import NO_MOVE, decode_move, position_key
from webapp.model.query import ExplorerQuery, QueryError
from webapp.model.scores import Score, ScoreComparison, peer_bands, rank_leaks
from webapp.model.stats import ExplorerResult, Results
from webapp.model.stored_game import decode_moves, encode_moves

DEFAULT_BAND_WIDTH = 100
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
) -> tuple[int | None, list[Leak]]:
    """The player's rating and the positions (player to move, past the first) where the
    player's score falls furthest below peers', weighted by how often they get there."""
    player, color = _require_player(query)
    ids = _player_ids(connection, player)
    rating = player_rating(connection, query, ids)
    if rating is None:
        return None, []
    bands = peer_bands(rating, band_width)
    table = _player_table(query)
    n = func.sum(table.c.white + table.c.draws + table.c.black)
    rows = connection.execute(
        select(table.c.position_key, func.sum(table.c.white), func.sum(table.c.draws),
               func.sum(table.c.black))
        .where(*_player_conditions(query, ids))
        .group_by(table.c.position_key)
        .having(n >= min_games)
    ).all()
    own = {int(k): (int(w), int(d), int(b)) for k, w, d, b in rows}
    keys = list(own)
    peers: dict[int, tuple[int, int, int]] = {}
    for start in range(0, len(keys), 500):
        counts = _peer_counts(connection, query, keys[start:start + 500], bands, ids)
        for (k, _m), c in counts.items():
            peers[k] = _sum([peers.get(k, (0, 0, 0)), c])
    candidates = [
        (k, ScoreComparison(Score.for_color(*own[k], color),
                            Score.for_color(*peers.get(k, (0, 0, 0)), color)))
        for k in keys
    ]
    ranked = rank_leaks(candidates, min_games=min_games, limit=len(candidates))  # type: ignore[arg-type]
    turn = chess.WHITE if color == "white" else chess.BLACK
    tree = _player_tree(connection, query, ids, min_games)
    leaks: list[Leak] = []
    window = max(3 * limit, 30)
    for start in range(0, len(ranked), window):
        batch = ranked[start:start + window]
        wanted = {k for k, _ in batch}  # type: ignore[misc]
        lines = _lines_by_tree(tree, wanted, index_plies)
        missing = wanted - set(lines)
        if missing:  # reached only through transpositions of rarer lines: replay recent games
            lines.update(_lines_to(connection, query, ids, missing, index_plies))
        for k, comparison in batch:
            found = lines.get(k)  # type: ignore[call-overload]
            if found is None or not found[0] or found[1].turn != turn:
                continue
            leaks.append(Leak(play=found[0], fen=found[1].fen(), comparison=comparison))
            if len(leaks) == limit:
                return rating, leaks
    return rating, leaks


def _player_tree(
    connection: Connection, query: ExplorerQuery, ids: tuple[int, ...], min_games: int
) -> dict[int, list[int]]:
    """position key → the moves the player's games took there at least `min_games` times,
    most played first."""
    table = _player_table(query)
    games_n = func.sum(table.c.white + table.c.draws + table.c.black)
    rows = connection.execute(
        select(table.c.position_key, table.c.move, games_n)
        .where(*_player_conditions(query, ids), table.c.move != NO_MOVE)
        .group_by(table.c.position_key, table.c.move)
        .having(games_n >= min_games)
        .order_by(games_n.desc())
    )
    children: dict[int, list[int]] = {}
    for key, move, _n in rows:
        children.setdefault(int(key), []).append(int(move))
    return children


def _lines_by_tree(
    children: dict[int, list[int]], keys: set[int], plies: int
) -> dict[int, tuple[tuple[str, ...], chess.Board]]:
    """A line to each wanted key, walking the player's own move tree breadth first.

    Only moves the player's games took at least `min_games` times are in the tree, so the
    walk stays small, and it stops once every key is found; a position with that many
    games is reached this way unless it was only ever reached through several rarer
    transpositions.
    """
    from collections import deque

    found: dict[int, tuple[tuple[str, ...], chess.Board]] = {}
    seen: set[int] = set()
    queue: deque[tuple[chess.Board, tuple[str, ...]]] = deque([(chess.Board(), ())])
    while queue and len(found) < len(keys):
        board, line = queue.popleft()
        key = position_key(board)
        if key in seen:
            continue
        seen.add(key)
        if key in keys:
            found[key] = (line, board)
        if len(line) >= plies:
            continue
        for code in children.get(key, ()):
            move = decode_move(code)
            if not board.is_legal(move):  # a key collision with another position
                continue
            child = board.copy(stack=False)
            child.push(move)
            queue.append((child, (*line, move.uci())))
    return found


def _lines_to(
    connection: Connection, query: ExplorerQuery, ids: tuple[int, ...], keys: set[int], plies: int
) -> dict[int, tuple[tuple[str, ...], chess.Board]]:
    """For each wanted key, the first line (from the player's games) that reaches it."""
    found: dict[int, tuple[tuple[str, ...], chess.Board]] = {}
    statement = (
        select(games.c.moves).where(*_game_conditions(query, ids)).order_by(games.c.id.desc())
        .execution_options(yield_per=1000)
    )
    for (moves,) in connection.execute(statement.limit(REPLAY_LIMIT)):
        board = chess.Board()
        line: list[str] = []
        for uci in [None, *decode_moves(moves)[:plies]]:
            if uci is not None:
                board.push(chess.Move.from_uci(uci))  # stored games were checked on import
                line.append(uci)
            key = position_key(board)
            if key in keys and key not in found:
                found[key] = (tuple(line), board.copy(stack=False))
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


def games_behind(
    connection: Connection, query: ExplorerQuery, *, index_plies: int = 40, limit: int = 1000
) -> Iterator[chess.pgn.Game]:
    """The games (chosen filters) that reached the query's position, as PGN games.

    With a player: every filtered game of theirs is replayed, so transpositions count.
    Without one: games that began with exactly the query's line (a prefix match).
    """
    target = position_key(query.board())
    white_player, black_player = aliased(players), aliased(players)
    statement = (
        select(games.c.moves, games.c.result, games.c.white_rating, games.c.black_rating,
               games.c.played_on, games.c.time_control, games.c.event, games.c.site,
               white_player.c.display_name, black_player.c.display_name)
        .join(white_player, white_player.c.id == games.c.white_id)
        .join(black_player, black_player.c.id == games.c.black_id)
        .order_by(games.c.played_on.desc(), games.c.id.desc())
        .execution_options(yield_per=1000)
    )
    if query.player:
        ids = _player_ids(connection, query.player)
        statement = statement.where(*_game_conditions(query, ids))
    else:
        statement = statement.where(*_common(games, query))
        if query.play:
            prefix = encode_moves(query.play)
            statement = statement.where(func.substr(games.c.moves, 1, len(prefix)) == prefix)
        if query.rating_bands is not None:
            low, high = query.rating_bands
            mean = (games.c.white_rating + games.c.black_rating) / 2
            statement = statement.where(mean >= low * 100, mean < (high + 1) * 100)
    sent = 0
    for row in connection.execute(statement):
        moves = decode_moves(row[0])
        if query.player and not _reaches(moves, target, index_plies):
            continue
        yield _pgn_game(row, moves)
        sent += 1
        if sent >= limit:
            return


def _reaches(moves: list[str], target: int, plies: int) -> bool:
    board = chess.Board()
    if position_key(board) == target:
        return True
    for uci in moves[:plies]:
        board.push_uci(uci)
        if position_key(board) == target:
            return True
    return False


def _pgn_game(row, moves: list[str]) -> chess.pgn.Game:  # type: ignore[no-untyped-def]
    (_m, result, white_rating, black_rating, played_on, time_control, event, site,
     white, black) = row
    game = chess.pgn.Game()
    tag = escape_tag_value  # python-chess writes tag values as they are
    game.headers["Event"] = tag(event or "?")
    game.headers["Site"] = tag(site or "?")
    game.headers["Date"] = played_on.strftime("%Y.%m.%d") if played_on else "????.??.??"
    game.headers["White"] = tag(white)
    game.headers["Black"] = tag(black)
    game.headers["Result"] = result
    if white_rating is not None:
        game.headers["WhiteElo"] = str(white_rating)
    if black_rating is not None:
        game.headers["BlackElo"] = str(black_rating)
    if time_control:
        game.headers["TimeControl"] = tag(time_control)
    node = game
    for uci in moves:
        node = node.add_variation(chess.Move.from_uci(uci))
    return game


def read_leaks(
    connection_factory: Callable[[], Connection],
    query: ExplorerQuery,
    *,
    band_width: int = DEFAULT_BAND_WIDTH,
    min_games: int = 3,
    limit: int = 20,
    index_plies: int = 40,
) -> tuple[int | None, list[Leak]]:
    """find_leaks through the cache: leaks do not depend on the position shown, so moving
    about the board reuses them until the next import (which bumps the cache generation)."""
    from webapp.caching import memoized

    key = _filters_key("leaks", query, f"{band_width}-{min_games}-{limit}-{index_plies}")

    def compute() -> tuple[int | None, list[Leak]]:
        with connection_factory() as connection:
            return find_leaks(connection, query, band_width=band_width, min_games=min_games,
                              limit=limit, index_plies=index_plies)

    return memoized(key, compute)
