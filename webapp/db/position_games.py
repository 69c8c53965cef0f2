"""The games behind a position's numbers: its best and newest games under the filters.

The statistics rows of a position (the same rows its counts are summed from, so the
same filters and transpositions) each keep references to their games
(webapp.model.game_refs); the position's top and recent games are the best and newest of
those. A game moved to another collection is still named by its old rows, so under a
collection filter the candidates are checked against the games table.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

import chess
import numpy as np
from sqlalchemy import (
    Connection,
    Select,
    Table,
    bindparam,
    case,
    func,
    literal_column,
    or_,
    select,
    union_all,
)

from webapp.db.bound_filters import FilterShape, bound_filters, filter_shape, filter_values
from webapp.db.leaks import _common
from webapp.db.list_parameters import in_list
from webapp.db.prepared import PLANNED_FOR_ITS_VALUES
from webapp.db.singles import move_stats_all
from webapp.db.tables import (
    UNKNOWN_MONTH,
    games,
    hot_positions,
    monthly_positions,
    move_stats,
    move_stats_monthly,
    move_stats_rollup,
    newest_month,
    player_move_stats,
    player_move_stats_rollup,
)
from webapp.indexer.rows import MAX_BAND
from webapp.model import game_refs
from webapp.model.position import NO_MOVE, decode_move, uci_to_code
from webapp.model.query import RATING_BAND, ExplorerQuery

#: rows appended since a position's summary read all at once; past this many, only those
#: that can hold the lists (a compacted position has a few, an import not yet compacted
#: thousands at the first plies: the start position's lists 123 ms instead of 502 at p95
#: with 100,000 of 400,000 games not compacted). A position with no monthly summary (up to
#: MONTHLY_ROWS rows) is read whole under a months filter: in one scan its narrow rows look
#: their games up once (webapp.db.singles), where the bounded statements did it in each
#: (200,000 games, months filter: the lists' p95 6.5 ms instead of 22 with 256 here)
APPENDED_READ_ALL = 2048
#: a months question's lists at a position of at least this many games are planned for its
#: own values (webapp.db.prepared): its monthly summary holds thousands of rows in the
#: months asked, which the one plan prepared for any position, made for a position of a
#: few, reads through the wrong index (a million games, the start position, 2019-2021:
#: 5.6 ms against 4.2 planned for it; positions of fewer games gain by the prepared plan).
#: Since the rows are bounded by best rating (migration 0022), 30,000 rather than 100,000:
#: the months query's p95 5.58 ms against 5.87, its lists' part 3.29 against 3.67 (five
#: rounds alternating); 0 (always planned) 6.55-7.17 against 5.49-6.44
PLANNED_FOR_ITS_GAMES = 30_000
#: the candidate statements' third column: whether the row was appended since the summary
_APPENDED = literal_column("1").label("appended")
_SUMMARIZED = literal_column("0").label("appended")
#: what the bounded statement reads of each row appended since a summary
_APPENDED_COLUMNS = ("move", "refs", "rating_band", "month", "white", "draws", "black")


@dataclass(frozen=True)
class PositionGames:
    """Game ids with the move each played here (None: the game's indexed part ended here)."""

    top: tuple[tuple[int, str | None], ...] = ()
    recent: tuple[tuple[int, str | None], ...] = ()
    #: uci → the one game that played it, for the moves asked about that one game played
    single: dict[str, int] = field(default_factory=dict)


def _uci(board: chess.Board, code: int) -> str | None | bool:
    """The move's UCI, None for NO_MOVE, False when it is not legal here (a key collision)."""
    if code == NO_MOVE:
        return None
    move = decode_move(code)
    return move.uci() if move in board.legal_moves else False


def _collection_check(connection: Connection, query: ExplorerQuery, ids: list[int]) -> set[int]:
    """The ids among `ids` whose game is in the query's collections today (and, as it
    always was, in its speeds, months and rated filter)."""
    statement = select(games.c.id).where(games.c.id.in_(ids), *_common(games, query))
    return set(connection.execute(statement).scalars())


@dataclass(frozen=True)
class _Shape:
    """What a candidate statement's SQL text depends on (its values go in as parameters):
    the filters present, the view it reads (_candidate_rows) and the list's length."""

    filters: FilterShape
    view: str  # "player rollup", "rows" or "summary"
    limit: int
    #: the rows appended since a summary read only where they can hold the lists
    #: (_best_and_newest), when they were more than APPENDED_READ_ALL
    bounded: bool = False
    #: the rows appended since a summary read at all: not when the explorer's numbers,
    #: read just before, found none (a compacted position), so the statement is the
    #: summary's alone: planning the appended rows' part (move_stats and each run of
    #: one-game rows) took most of the lists' time at the busiest positions under a
    #: months filter, which are planned for their values (PLANNED_FOR_ITS_GAMES)
    appended: bool = True
    #: the rows appended since a summary read with the one-game rows (the view
    #: move_stats_all): not when the explorer's numbers found none among them, as at the
    #: busiest positions, where an import writes every row wide
    #: (webapp.indexer.bulk.BUSIEST_ROWS); then from move_stats alone, planning and
    #: looking in none of the one-game rows' runs (the million-game store right after an
    #: import: the start position's lists' statement 1.9 ms instead of 4.0 under a months
    #: filter, after 1.e4 1.4 instead of 3.8)
    narrow: bool = True


def _shape(dialect: str, query: ExplorerQuery, player: bool, limit: int) -> _Shape:
    filters = filter_shape(dialect, query, player)
    if player and not filters.dated:
        view = "player rollup"
    elif player or (filters.dated and filters.bands):
        view = "rows"
    else:
        view = "summary"
    return _Shape(filters=filters, view=view, limit=limit)


@lru_cache(maxsize=256)
def _candidate_statement(shape: _Shape):  # type: ignore[no-untyped-def]
    """(move, refs) of the rows that can hold the position's `limit` best and newest games
    or the game of a move in the parameter `singles` (move codes), in one statement; built
    once per shape.

    A summary's rows are many where it exists, so only those that can hold those games are
    read (_best_and_newest): a player's month-less rollup without dates; for all games a
    hot position's month-less rollup without dates, or with dates and no rating asked the
    band-less monthly summary of the positions with the most rows, each with the rows
    appended since it was brought up to date (all of a position's rows when it has none;
    with `bounded`, those of them that can hold the games: only those at or above one of
    the summary's own bounds, _bounds and _monthly_bounds; without `appended`, none).
    Elsewhere all the rows: a player's with dates, all games' by month and band. The third
    column says which rows were appended since a summary.
    """
    if shape.view == "player rollup":
        table = player_move_stats_rollup
        return union_all(*_best_and_newest(table, bound_filters(table, shape.filters), shape))
    if shape.view == "rows":
        table = player_move_stats if shape.filters.player else move_stats_all
        return select(table.c.move, table.c.refs, _SUMMARIZED).where(
            *bound_filters(table, shape.filters), table.c.refs.is_not(None)
        )
    positions, summary = (monthly_positions, move_stats_monthly) if shape.filters.dated else (hot_positions, move_stats_rollup)
    conditions = bound_filters(summary, shape.filters)
    if shape.filters.dated:  # a row's games are of its month, rated at most its best_rating
        parts = _best_and_newest(summary, conditions, shape, summary.c.best_rating, summary.c.month)
    else:
        parts = _best_and_newest(summary, conditions, shape)
    if not shape.appended:
        return union_all(*parts)
    summed_up_to = select(positions.c.seq).where(positions.c.position_key == bindparam("key")).scalar_subquery()
    appended_rows = move_stats_all if shape.narrow else move_stats
    since_summary = [*bound_filters(appended_rows, shape.filters), appended_rows.c.seq > func.coalesce(summed_up_to, 0)]
    if shape.bounded:  # a row's games are all of its band and month
        # read once (each one-game row looking its game up), then bounded and picked from
        # five times: thousands of rows at the first plies before compaction
        if shape.filters.dated:
            best, newest = _monthly_bounds(summary, conditions, shape)
            better = _band_top(appended_rows.c.rating_band) >= best
        else:
            band, newest = _bounds(summary, conditions, shape)
            better = appended_rows.c.rating_band >= band
        since_summary.append(  # none below both of the summary's own bounds
            or_(
                better,
                appended_rows.c.month >= newest,
                in_list(appended_rows.c.move, "singles", shape.filters.dialect),
            )
        )
        rows = (
            select(*(appended_rows.c[name] for name in _APPENDED_COLUMNS))
            .where(*since_summary, appended_rows.c.refs.is_not(None))
            .cte("appended")
            .prefix_with("MATERIALIZED", dialect="postgresql")
        )
        appended = _best_and_newest(rows, [], shape, rows.c.rating_band, rows.c.month, marker=_APPENDED)
    else:  # all of them, up to one more than APPENDED_READ_ALL (read_position_games)
        first = (
            select(appended_rows.c.move, appended_rows.c.refs, _APPENDED)
            .where(*since_summary, appended_rows.c.refs.is_not(None))
            .limit(APPENDED_READ_ALL + 1)
            .subquery()
        )
        appended = [select(first.c.move, first.c.refs, first.c.appended)]
    return union_all(*appended, *parts)


def _best_and_newest(  # type: ignore[no-untyped-def]
    table: Table, conditions: list, shape: _Shape, band=None, newest=None, marker=None
) -> list[Select]:  # type: ignore[type-arg]
    """Statements (read as their UNION ALL) of (move, refs, appended) of the summary rows under
    `conditions` that can hold their `limit` best and newest games: those among the
    `limit` highest values of `band` or the `limit` latest newest months, and the rows of
    the moves in `singles`. A row below both has `limit` rows above it, each with a game
    better (a higher band: all of a row's games are of its band; or a higher best rating:
    none of a row's games is rated above it) or newer (a later month) than all of its
    own. `band` and `newest` default to a month-less rollup's rating_band and last_month.

    The bounds come from a few entries of the summary's indexes by band and by newest
    month (webapp.db.tables.ROLLUP_INDEXES; the monthly summary's key and best-rating index),
    each part is a range of one of them; a row in two parts is read twice
    (read_position_games counts a game once).
    """
    kept = _kept(table, conditions)
    band = table.c.rating_band if band is None else band
    newest = newest_month(table) if newest is None else newest
    rows = select(table.c.move, table.c.refs, _SUMMARIZED if marker is None else marker)
    return [
        rows.where(*kept, band >= _bound(band, kept, shape)),
        rows.where(*kept, newest >= _bound(newest, kept, shape)),
        rows.where(*kept, in_list(table.c.move, "singles", shape.filters.dialect)),
    ]


def _kept(table: Table, conditions: list) -> list:  # type: ignore[type-arg]
    """The rows of `table` under `conditions` that hold games to list."""
    return [*conditions, table.c.refs.is_not(None), table.c.white + table.c.draws + table.c.black > 0]


def _bound(column, kept: list, shape: _Shape):  # type: ignore[no-untyped-def, type-arg]
    """The column's `limit`-th highest value among the `kept` rows; the lowest when fewer."""
    nth = select(column).where(*kept).order_by(column.desc()).offset(shape.limit - 1).limit(1)
    return func.coalesce(nth.scalar_subquery(), -32768)


def _bounds(rollup: Table, conditions: list, shape: _Shape) -> tuple:  # type: ignore[type-arg]
    """A month-less rollup's (band, newest month) bounds under `conditions`: a game appended
    since, of a lower band than the first and an earlier month than the second, has `limit`
    games above it in the rollup, better and newer (each of the `limit` rows at or above a
    bound holds one), so the appended rows are read only at or above one of them. The
    newest month counts the rows whose month is known only (an unknown month, which
    newest_month puts first, holds no newer game)."""
    kept = _kept(rollup, conditions)
    newest = newest_month(rollup)
    return _bound(rollup.c.rating_band, kept, shape), _bound(newest, [*kept, newest < UNKNOWN_MONTH], shape)


def _monthly_bounds(monthly: Table, conditions: list, shape: _Shape) -> tuple:  # type: ignore[type-arg]
    """The monthly summary's (best rating, month) bounds under `conditions`: a game appended
    since, rated below the first (its band's top rating, _band_top, is) and of an earlier
    month than the second, has `limit` games above it in the summary, better and newer."""
    kept = _kept(monthly, conditions)
    return _bound(monthly.c.best_rating, kept, shape), _bound(monthly.c.month, kept, shape)


def _band_top(band):  # type: ignore[no-untyped-def]
    """The highest rating a game of `band` can have in its references: the top of its 100
    points, none for the last band (every rating above), 0 for no band (an unknown rating
    is referenced as 0; webapp.indexer.rows)."""
    return case(
        (band >= MAX_BAND, 0xFFFF),
        (band < 0, 0),
        else_=band * RATING_BAND + RATING_BAND - 1,
    )


def _candidate_rows(
    connection: Connection,
    query: ExplorerQuery,
    key: int,
    player_ids: tuple[int, ...] | None,
    limit: int,
    singles: list[int],
    appended_rows: int | None,
    games: int | None,
    narrow_rows: int | None = None,
) -> list:  # type: ignore[type-arg]
    """(move, refs, appended) of the rows that can hold the position's `limit` best and
    newest games or the game of a move in `singles` (move codes): _candidate_statement,
    bounded when more than APPENDED_READ_ALL rows were appended since the summary: at once
    when `appended_rows` (the rows the numbers read) says so, else after a first read; the
    summary's rows alone when `appended_rows` is 0, and move_stats' alone when
    `narrow_rows` (how many of those were one-game rows) is 0; planned for its values
    under a months filter at `games` ≥ PLANNED_FOR_ITS_GAMES."""
    shape = _shape(connection.dialect.name, query, player_ids is not None, limit)
    if shape.view == "summary" and appended_rows is not None and appended_rows > APPENDED_READ_ALL:
        shape = replace(shape, bounded=True)
    elif shape.view == "summary" and appended_rows == 0:
        shape = replace(shape, appended=False)
    if shape.view == "summary" and shape.appended and narrow_rows == 0:
        shape = replace(shape, narrow=False)
    values = {**filter_values(query, key, player_ids), "singles": singles}
    planned = shape.view == "summary" and shape.filters.dated and (games or 0) >= PLANNED_FOR_ITS_GAMES
    options = {PLANNED_FOR_ITS_VALUES: True} if planned else {}
    rows = connection.execute(_candidate_statement(shape), values, execution_options=options).all()
    if (
        shape.view == "summary" and not shape.bounded
        and sum(appended for _, _, appended in rows) > APPENDED_READ_ALL
    ):  # fmt: skip
        # an import's rows not compacted yet: thousands at the first plies
        rows = connection.execute(
            _candidate_statement(replace(shape, bounded=True)), values, execution_options=options
        ).all()
    return rows


def read_position_games(
    connection: Connection,
    query: ExplorerQuery,
    board: chess.Board,
    key: int,
    player_ids: tuple[int, ...] | None,
    single_moves: frozenset[str] = frozenset(),
    limit: int = game_refs.TOP_KEPT,
    *,
    appended_rows: int | None = None,
    narrow_rows: int | None = None,
    games: int | None = None,
) -> PositionGames:
    """The position's `limit` best and newest games under the query's filters (a player's
    view rates games by the player's own rating), and the one game of each single move.
    `appended_rows`, when known: how many of the position's rows under the filters were
    appended since its summary (the explorer's numbers count them as they sum them), and
    `narrow_rows` how many of those were one-game rows (none: the lists read move_stats
    alone, as the numbers' snapshot had it; a one-game row landed since is left out, as
    the numbers left its game out); `games`, when known: how many games the numbers
    counted there."""
    single_codes = [uci_to_code(uci) for uci in sorted(single_moves)]
    # a row in two parts of the statement comes twice: read once
    found = list(dict.fromkeys((code, bytes(data)) for code, data, _ in _candidate_rows(
        connection, query, key, player_ids, limit, single_codes, appended_rows, games, narrow_rows
    )))  # fmt: skip
    if not found:
        return PositionGames()
    entries = np.frombuffer(b"".join(data for _, data in found), dtype=game_refs.ENTRY)
    counts = [len(data) // game_refs.ENTRY.itemsize for _, data in found]
    moves = np.repeat(np.array([code for code, _ in found], np.int64), counts)
    sorted_ids = np.sort(entries["id"])
    if (sorted_ids[1:] == sorted_ids[:-1]).any():  # a game moved to another collection is named twice
        _, first = np.unique(entries["id"], return_index=True)
        entries, moves = entries[first], moves[first]
    uci_of = {code: _uci(board, code) for code in sorted({code for code, _ in found})}
    illegal = [code for code, uci in uci_of.items() if uci is False]
    if illegal:
        legal = ~np.isin(moves, illegal)
        entries, moves = entries[legal], moves[legal]
    if query.collections or query.exclude_collections:
        candidates = np.union1d(
            np.union1d(
                entries["id"][game_refs.best(entries, 2 * limit)],
                entries["id"][game_refs.newest(entries, 2 * limit)],
            ),
            entries["id"][np.isin(moves, single_codes)],
        )
        kept = _collection_check(connection, query, [int(i) for i in candidates])
        inside = np.isin(entries["id"], list(kept))
        entries, moves = entries[inside], moves[inside]

    def listed(order: np.ndarray) -> tuple[tuple[int, str | None], ...]:
        return tuple((int(entries["id"][i]), uci_of[int(moves[i])]) for i in order[:limit])  # type: ignore[misc]

    single: dict[str, int] = {}
    for uci in single_moves:
        code = next((c for c, u in uci_of.items() if u == uci), None)
        ids = entries["id"][moves == code] if code is not None else []
        if len(ids) == 1:
            single[uci] = int(ids[0])
    return PositionGames(
        top=listed(game_refs.best(entries, limit)),
        recent=listed(game_refs.newest(entries, limit)),
        single=single,
    )
