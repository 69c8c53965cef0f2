"""The explorer's read path: (position, filters) → totals and per-move results.

`query_explorer` runs the SQL on a connection; `read_explorer` is the memoized entry
point the API and the dashboard call, keyed by the query's plain values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

from sqlalchemy import (
    Connection,
    SmallInteger,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    null,
    select,
    union_all,
)

from webapp.caching import memoized
from webapp.db.bound_filters import (
    FilterShape,
    bound_filters,
    collection_ids_in,
    filter_shape,
    filter_values,
)
from webapp.db.months import month_condition
from webapp.db.players import (
    PlayerIndexing,
    find_player_ids,
    indexing_progress,
    readiness,
)
from webapp.db.singles import move_stats_all
from webapp.db.tables import (
    bandless_positions,
    hot_positions,
    monthly_positions,
    move_stats_bandless,
    move_stats_monthly,
    move_stats_rollup,
    player_move_stats,
    player_move_stats_bandless,
    player_move_stats_rollup,
)
from webapp.model.endings import ENDING_COLUMNS, TIME_LOSS, Endings
from webapp.model.opening import opening_for
from webapp.model.position import NO_MOVE, decode_move, position_key
from webapp.model.query import ExplorerQuery
from webapp.model.stats import ExplorerResult, MoveStats, Results
from webapp.model.think_time import THINK_TIME_COLUMNS, ThinkTime


def _filters(table, query: ExplorerQuery, key: int | Sequence[int]) -> list:
    if isinstance(key, int):
        conditions = [table.c.position_key == key]
    else:
        conditions = [table.c.position_key.in_(list(key))]
    if query.speeds:
        conditions.append(table.c.speed.in_([int(s) for s in query.speeds]))
    if query.rated_only:
        conditions.append(table.c.rated == 1)
    bands = query.rating_bands
    if bands is not None:
        conditions.append(table.c.rating_band.between(*bands))
    if query.since is not None or query.until is not None:
        conditions.append(month_condition(table.c.month, query.since, query.until))
    if query.collections:
        conditions.append(table.c.collection.in_(collection_ids_in(query.collections)))
    if query.exclude_collections:
        conditions.append(table.c.collection.not_in(collection_ids_in(query.exclude_collections)))
    return conditions


def player_filters(table, query: ExplorerQuery, key: int | Sequence[int], player_ids: tuple[int, ...]) -> list:  # type: ignore[no-untyped-def]
    """_filters for a player statistics table: the player's ids and color too."""
    conditions = [table.c.player_id.in_(player_ids), *_filters(table, query, key)]
    if query.color is not None:
        conditions.append(table.c.color == (0 if query.color == "white" else 1))
    return conditions


def _dated(query: ExplorerQuery) -> bool:
    return query.since is not None or query.until is not None


STAT_COLUMNS = ("move", "collection", "speed", "rated", "rating_band", "white", "draws", "black", "rating_sum")
#: with the query's `no_time_losses`, or with the endings asked for
TIME_COLUMNS = tuple(TIME_LOSS.values())


def _selected(table, columns: Sequence[str]) -> list:  # type: ignore[no-untyped-def]
    """The table's columns by name; `banded` (games with a known band) computed where the
    table has bands, `rating_band` NULL where it has none (move_stats_monthly)."""
    out = []
    for name in columns:
        if name == "banded" and "banded" not in table.c:
            games = table.c.white + table.c.draws + table.c.black
            out.append(case((table.c.rating_band >= 0, games), else_=0).label("banded"))
        elif name == "rating_band" and "rating_band" not in table.c:
            out.append(cast(null(), SmallInteger).label("rating_band"))
        else:
            out.append(table.c[name])
    return out


def _since_summary(summary_positions, key, where, columns: Sequence[str], summary, *, marked: bool = False, bandless: bool = False):  # type: ignore[no-untyped-def]
    """move_stats rows appended since a position's summary was brought up to date, plus
    the summary's rows, each table under `where(table)`: with one key (a value or a bound
    parameter) the bound is a constant, so the index on (position_key, seq) reads only the
    rows appended since. `marked`: two last columns, `appended`, 1 on the rows appended
    since, and `narrow`, 1 on those of them that are one-game rows (_marker).
    `bandless` (the rollup, one key): the rollup's band-less sums instead of its rows where
    they are up to date with it (webapp.indexer.bandless_sums)."""
    same_position = (
        summary_positions.c.position_key == move_stats_all.c.position_key
        if isinstance(key, Sequence)
        else summary_positions.c.position_key == key
    )
    summed_up_to = select(summary_positions.c.seq).where(same_position).scalar_subquery()
    one_game = case((move_stats_all.c.game_id.is_not(None), 1), else_=0)
    recent = select(*_selected(move_stats_all, columns), *_marker(marked, 1, one_game)).where(
        and_(*where(move_stats_all), move_stats_all.c.seq > func.coalesce(summed_up_to, 0))
    )
    summarized = select(*_selected(summary, columns), *_marker(marked, 0)).where(and_(*where(summary)))
    if not bandless:
        return union_all(recent, summarized).subquery()
    current = exists().where(  # one lookup for the statement (the key is a constant)
        bandless_positions.c.position_key == key,
        summary_positions.c.position_key == key,
        summary_positions.c.seq == bandless_positions.c.seq,
    )
    summed = select(*_selected(move_stats_bandless, columns), *_marker(marked, 0)).where(
        and_(*where(move_stats_bandless), current)
    )
    return union_all(recent, summarized.where(~current), summed).subquery()


def stat_rows(
    query: ExplorerQuery,
    key: int | Sequence[int],
    player_ids: tuple[int, ...] | None = None,
    *,
    monthly: bool = False,
    refs: bool = False,
    bands: bool = True,
    endings: bool = False,
    path: bool = False,
    think: bool = False,
):  # type: ignore[no-untyped-def]
    """The statistics rows of a position (or of several, given a list of keys) under the
    query's filters, as a subquery with STAT_COLUMNS plus `position_key` and `banded` (the
    games with a known band; and `month` when `monthly`, the rows' game references `refs`
    when `refs`, the ending counts when `endings`, the time-loss counts when the query
    leaves those games out, the move order that reached the position `path` when `path`,
    all games only, the think-time counts when `think`): sum them to get counts.

    All games: move_stats rows appended since a hot position's rollup was brought up to
    date, plus that rollup (webapp.indexer.compact); by month, the same with the
    band-less monthly summary of the positions with the most rows, when the caller needs
    neither `bands` nor `refs` and no rating is asked (its rows' `rating_band` is NULL);
    a player: player_move_stats, or its month-less rollup when neither dates nor months
    are asked.
    """
    columns = (
        "position_key", *STAT_COLUMNS, "banded",
        *(("month",) if monthly else ()), *(("refs",) if refs else ()), *(("path",) if path else ()),
    )  # fmt: skip
    if endings:
        columns += ENDING_COLUMNS
    elif query.no_time_losses:
        columns += TIME_COLUMNS
    if think:
        columns += THINK_TIME_COLUMNS

    def where(table):  # type: ignore[no-untyped-def]
        if player_ids is not None:
            return player_filters(table, query, key, player_ids)
        return _filters(table, query, key)

    by_month = monthly or _dated(query)
    summary = not (bands or refs or path) and query.rating_bands is None
    return _rows_read(columns, key, where, player=player_ids is not None, by_month=by_month, summary=summary)


def _marker(marked: bool, appended: int, narrow=None) -> list:  # type: ignore[no-untyped-def, type-arg]
    """The columns _since_summary adds when `marked` (none otherwise): `appended`, and
    `narrow` (the expression given, else 0): whether the row is a one-game row kept narrow
    (webapp.db.singles), which tells the games lists whether to read those at all."""
    if not marked:
        return []
    flag = literal(0, SmallInteger) if narrow is None else narrow
    return [literal(appended, SmallInteger).label("appended"), flag.label("narrow")]


def _rows_read(  # type: ignore[no-untyped-def]
    columns: Sequence[str],
    key,
    where,
    *,
    player: bool,
    by_month: bool,
    summary: bool,
    marked: bool = False,
    bandless: bool = False,
):
    """The rows stat_rows reads, each table under `where(table)` at `key` (a value, a list
    of keys or a bound parameter): a player's (their month-less rollup unless `by_month`),
    else the rows appended since the position's summary plus that summary (the band-less
    monthly one when `by_month` and a `summary` will do), else all its month-level rows.
    `marked`: last columns `appended`, 1 on the rows appended since a summary, and
    `narrow`, 1 on those of them that are one-game rows (_marker).
    `bandless` (one key): with no dates nor rating asked, a player's rows as _player_summed
    reads them, all games' from the rollup's band-less sums where they are up to date."""
    if player:
        if bandless and summary and not by_month:
            return _player_summed(where, columns, marked=marked)
        table = player_move_stats if by_month else player_move_stats_rollup
        return select(*_selected(table, columns), *_marker(marked, 0)).where(and_(*where(table))).subquery()
    if not by_month:
        return _since_summary(
            hot_positions, key, where, columns, move_stats_rollup, marked=marked, bandless=bandless and summary
        )
    if summary:
        return _since_summary(monthly_positions, key, where, columns, move_stats_monthly, marked=marked)
    return select(*_selected(move_stats_all, columns), *_marker(marked, 0)).where(and_(*where(move_stats_all))).subquery()


def _player_summed(where, columns: Sequence[str], *, marked: bool):  # type: ignore[no-untyped-def]
    """A player's rows over all months with no rating asked, at one position: the
    band-less sums of the ids given as `bandless_ids` (those that have them there, a busy
    player's first plies: a few hundred rows instead of thousands), the rollup's rows of
    the `rollup_ids` (the others). The caller looks them up (webapp.db.players.readiness):
    as bound lists, an empty one costs the read nothing, where a test row by row would
    read every rollup row to leave them out."""
    bandless, rollup = player_move_stats_bandless, player_move_stats_rollup
    summed = select(*_selected(bandless, columns), *_marker(marked, 0)).where(
        and_(*where(bandless), bandless.c.player_id.in_(bindparam("bandless_ids", expanding=True)))
    )
    rest = select(*_selected(rollup, columns), *_marker(marked, 0)).where(
        and_(*where(rollup), rollup.c.player_id.in_(bindparam("rollup_ids", expanding=True)))
    )
    return union_all(summed, rest).subquery()


@lru_cache(maxsize=256)
def _numbers_statement(shape: FilterShape, no_time_losses: bool, endings: bool, think: bool):  # type: ignore[no-untyped-def]
    """Per move: white, draws, black, rating sum, games with a rating band (then, with
    `endings` or the time losses left out, the ENDING_COLUMNS or TIME_COLUMNS sums; then,
    with `think`, the THINK_TIME_COLUMNS sums; last, the rows read that were appended since
    the position's summary, then how many of those were one-game rows): stat_rows summed,
    with the filters as bound parameters (webapp.db.bound_filters), built once per shape."""
    columns = ("position_key", *STAT_COLUMNS, "banded")
    counted = ENDING_COLUMNS if endings else TIME_COLUMNS if no_time_losses else ()
    counted += THINK_TIME_COLUMNS if think else ()
    columns += counted

    def where(table):  # type: ignore[no-untyped-def]
        return bound_filters(table, shape)

    rows = _rows_read(
        columns, bindparam("key"), where, player=shape.player, by_month=shape.dated, summary=not shape.bands,
        marked=True, bandless=True,
    )  # fmt: skip
    return select(
        rows.c.move,
        func.sum(rows.c.white),
        func.sum(rows.c.draws),
        func.sum(rows.c.black),
        func.sum(rows.c.rating_sum),
        func.sum(rows.c.banded),
        *(func.coalesce(func.sum(rows.c[c]), 0) for c in counted),
        func.sum(rows.c.appended),
        func.sum(rows.c.narrow),
    ).group_by(rows.c.move)


def _results(row, query: ExplorerQuery, endings: bool, think: bool, *, moved: bool = True) -> Results:  # type: ignore[no-untyped-def]
    """One move's (or the position's) sums as Results, the games lost on time taken out
    when the query asks: from the wins (the average rating still counts them: the rows
    keep one rating sum; so do the think times: a row's histogram cannot tell its games
    apart). `moved` False: the row of games that played no further indexed move."""
    white, draws, black, rating_sum, rated_games = (int(v) for v in row[:5])
    extra = [int(v) for v in row[5:]]
    think_time = None
    if think:
        counts, extra = extra[len(extra) - len(THINK_TIME_COLUMNS) :], extra[: len(extra) - len(THINK_TIME_COLUMNS)]
        think_time = ThinkTime.of(counts, white + draws + black if moved else 0)
    kinds = Endings(tuple(extra)) if endings else None
    if query.no_time_losses:
        time = dict(zip(ENDING_COLUMNS if endings else TIME_COLUMNS, extra, strict=True))
        white -= time[TIME_LOSS["white"]]
        black -= time[TIME_LOSS["black"]]
        kinds = kinds.without_time_losses() if kinds is not None else None
    return Results(white, draws, black, rating_sum, rated_games, kinds, think_time)


def _summed(first: Results, second: Results) -> Results:
    endings = None if first.endings is None or second.endings is None else first.endings + second.endings
    think = None if first.think_time is None or second.think_time is None else first.think_time + second.think_time
    return Results(
        first.white + second.white,
        first.draws + second.draws,
        first.black + second.black,
        first.rating_sum + second.rating_sum,
        first.rated_games + second.rated_games,
        endings,
        think,
    )


def query_explorer(
    connection: Connection,
    query: ExplorerQuery,
    *,
    with_games: bool = True,
    with_endings: bool = False,
    with_think_time: bool = False,
) -> ExplorerResult:
    """Totals and next moves for the query's position, straight from the database, with
    its top and recent games unless `with_games` is False, how the games ended when
    `with_endings`, and the movers' think times when `with_think_time` (the position's:
    over the moves played from it)."""
    empty = Results(endings=Endings() if with_endings else None, think_time=ThinkTime() if with_think_time else None)
    board = query.board()
    key = position_key(board)
    player_ids: tuple[int, ...] | None = None
    if query.player is not None:
        player_ids = find_player_ids(connection, query.player)
        if not player_ids:
            return ExplorerResult(
                fen=board.fen(),
                totals=empty,
                opening=opening_for(board),
                player_found=False,
            )
        ready, bandless_ids = readiness(connection, player_ids, key)
        if not ready:  # never partial numbers as complete
            raise PlayerIndexing(query.player, *indexing_progress(connection, player_ids))
    shape = filter_shape(connection.dialect.name, query, player_ids is not None)
    statement = _numbers_statement(shape, query.no_time_losses, with_endings, with_think_time)
    values = filter_values(query, key, player_ids)
    if player_ids is not None:  # for _player_summed, when the statement reads that way
        values["bandless_ids"] = list(bandless_ids)
        values["rollup_ids"] = [i for i in player_ids if i not in bandless_ids]
    rows = connection.execute(statement, values).all()
    totals = empty
    moves: list[MoveStats] = []
    for row in rows:
        code = row[0]
        counts = _results(row[1:-2], query, with_endings, with_think_time, moved=code != NO_MOVE)
        totals = _summed(totals, counts)
        if code == NO_MOVE or counts.games == 0:  # 0: all its games were lost on time
            continue
        move = decode_move(code)
        if move not in board.legal_moves:  # a hash collision with another position
            continue
        moves.append(MoveStats(uci=move.uci(), san=board.san(move), results=counts))
    moves.sort(key=lambda m: (-m.results.games, m.uci))
    appended, narrow = (sum(int(row[column]) for row in rows) for column in (-2, -1))
    top_games, recent_games, single = (
        _games(connection, query, board, key, player_ids, moves, appended, narrow, totals.games)
        if with_games
        else ((), (), {})
    )
    return ExplorerResult(
        fen=board.fen(),
        totals=totals,
        moves=tuple(replace(m, game=single[m.uci]) if m.uci in single else m for m in moves),
        opening=opening_for(board),
        top_games=top_games,
        recent_games=recent_games,
    )


def _games(connection: Connection, query: ExplorerQuery, board, key: int, player_ids, moves: list[MoveStats], appended: int, narrow: int, games: int):  # type: ignore[no-untyped-def]
    """The position's top and recent games (as the API shapes them), and the one game of
    each move played once; `appended`: the rows appended since the position's summary
    that its numbers summed, `narrow` how many of them were one-game rows, and `games`
    the games they counted (so the lists know at once how to read them)."""
    from webapp.api.game_json import game_json
    from webapp.db.game_summaries import read_summaries
    from webapp.db.position_games import read_position_games

    singles = frozenset(m.uci for m in moves if m.results.games == 1)
    found = read_position_games(
        connection, query, board, key, player_ids, singles, appended_rows=appended, narrow_rows=narrow, games=games
    )
    ids = {game_id for game_id, _ in found.top + found.recent} | set(found.single.values())
    if not ids:
        return (), (), {}
    summaries = read_summaries(connection, sorted(ids))

    def shaped(listed) -> tuple[dict, ...]:  # type: ignore[no-untyped-def]
        return tuple(game_json(summaries[i], uci) for i, uci in listed if i in summaries)

    single = {uci: game_json(summaries[i], uci) for uci, i in found.single.items() if i in summaries}
    return shaped(found.top), shaped(found.recent), single


def cache_key(query: ExplorerQuery) -> str:
    """A plain-string key for the query: its position and every filter value."""
    return "|".join(
        [
            query.board().fen(),
            ",".join(str(int(s)) for s in query.speeds),
            f"{query.rating_min}-{query.rating_max}",
            f"{query.since}-{query.until}",
            query.player or "",
            query.color or "",
            "rated" if query.rated_only else "all",
            ",".join(query.collections),
            "-" + ",".join(query.exclude_collections),
            *(("no-time-losses",) if query.no_time_losses else ()),
        ]
    )


def read_explorer(
    connection_factory,
    query: ExplorerQuery,
    *,
    with_games: bool = True,
    with_endings: bool = False,
    with_think_time: bool = False,
) -> ExplorerResult:
    """query_explorer through the cache; opens a connection only on a miss.

    The key holds the position, not the line that reached it, so the opening name (which
    for an unnamed position depends on the line) is looked up afresh for this query.
    """

    def compute() -> ExplorerResult:
        with connection_factory() as connection:
            return query_explorer(
                connection, query, with_games=with_games, with_endings=with_endings, with_think_time=with_think_time
            )

    key = (
        cache_key(query) + ("" if with_games else "|no-games") + ("|endings" if with_endings else "")
        + ("|think-time" if with_think_time else "")
    )  # fmt: skip
    result = memoized(key, compute)
    opening = opening_for(query.board())
    return result if opening == result.opening else replace(result, opening=opening)
