"""Statistics from the stored games: a player's on first request, or everything at once.

The games table keeps every game whole, so statistics never need the original files:
`index_players` counts a player's games into player_move_stats (the player view), and
`rebuild_statistics` recounts every table (after a schema change).

A player is indexed in one transaction holding the statistics lock exclusively (import
batches hold it shared): the player's rows are cleared and recounted from every game
committed before, and every batch after sees the player as tracked, so no game is
counted twice or missed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np
from sqlalchemy import Connection, delete, func, inspect, or_, select, update
from sqlalchemy.engine import Engine

from webapp.db.refs_sql import refs_agg
from webapp.db.sqlite import stored_date
from webapp.db.tables import (
    bandless_positions,
    games,
    hot_positions,
    merged_positions,
    monthly_positions,
    move_singles,
    move_stats,
    move_stats_bandless,
    move_stats_monthly,
    move_stats_rollup,
    player_move_stats,
    player_move_stats_rollup,
    tracked_players,
)
from webapp.indexer import player_summaries
from webapp.indexer.bulk import (
    NULLABLE_COUNTS,
    PLAYER_MOVE_STATS_COLUMNS,
    PLAYER_VALUES,
    binary_copy_chunks,
    lock_statistics,
    writer_for,
)
from webapp.indexer.games import GameRecord
from webapp.indexer.replay import replay_keys
from webapp.indexer.rows import RowRefs, player_move_stats_rows, prepare_batch
from webapp.model.endings import ENDING_COLUMNS
from webapp.model.speed import Speed
from webapp.model.stored_game import clock_seconds_many, decode_move_codes, decode_moves
from webapp.model.think_time import THINK_TIME_COLUMNS

DEFAULT_INDEX_PLIES = 40
CHUNK = 2000
Progress = Callable[[int, int], None]
#: stored clocks of many games as seconds (webapp.model.stored_game.clock_seconds_many)
ClockReader = Callable[[Sequence[bytes | None]], list[np.ndarray | None]]


_COLUMNS = (
    games.c.id, games.c.uid, games.c.source, games.c.white_id, games.c.black_id,
    games.c.white_rating, games.c.black_rating, games.c.result, games.c.speed,
    games.c.rated, games.c.month, games.c.moves, games.c.collection_id, games.c.played_on,
    games.c.termination, games.c.time_control, games.c.clocks,
)  # fmt: skip


def _game_chunks(connection: Connection, chunk: int | None = None) -> Iterator[list]:
    """Every stored game, a chunk at a time in id order."""
    chunk = chunk or CHUNK
    last = 0
    while True:
        statement = select(*_COLUMNS).where(games.c.id > last).order_by(games.c.id).limit(chunk)
        rows = connection.execute(statement).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _player_game_chunks(
    connection: Connection, player_ids: Sequence[int], chunk: int | None = None
) -> Iterator[list]:
    """The games of the players, a chunk at a time: their ids first (two index lookups),
    then the rows by id, so no chunk scans the games table."""
    chunk = chunk or CHUNK
    ids = list(player_ids)
    game_ids = sorted(
        set(connection.execute(select(games.c.id).where(games.c.white_id.in_(ids))).scalars())
        | set(connection.execute(select(games.c.id).where(games.c.black_id.in_(ids))).scalars())
    )
    for start in range(0, len(game_ids), chunk):
        part = game_ids[start : start + chunk]
        yield connection.execute(
            select(*_COLUMNS).where(games.c.id.in_(part)).order_by(games.c.id)
        ).all()


def _record(row, index_plies: int, clocks: np.ndarray | None) -> GameRecord:  # type: ignore[no-untyped-def]
    codes = decode_move_codes(row.moves).astype(np.int64)
    return GameRecord(
        uid=row.uid,
        source=row.source,
        white="",
        black="",
        white_rating=row.white_rating,
        black_rating=row.black_rating,
        result=row.result,
        speed=Speed(row.speed),
        rated=bool(row.rated),
        played_on=stored_date(row.played_on),
        month=row.month,
        moves=decode_moves(row.moves),
        move_codes=codes,
        position_keys=replay_keys(codes.tolist(), index_plies),  # stored games are legal
        termination=row.termination,
        time_control=row.time_control,
        clocks=clocks,
    )


def _chunk_batch(rows, index_plies: int, read_clocks: ClockReader = clock_seconds_many):  # type: ignore[no-untyped-def]
    """A chunk of stored games as a prepared batch, with their players' ids."""
    clocks = read_clocks([row.clocks for row in rows])  # one numpy pass for the chunk
    batch, _bad = prepare_batch(
        [_record(row, index_plies, seconds) for row, seconds in zip(rows, clocks, strict=True)], index_plies
    )
    kept = {record.uid for record in batch.records}
    rows = [row for row in rows if row.uid in kept]  # stored games are all indexable
    batch.collection = np.array([row.collection_id for row in rows], np.int64)
    batch.game_id = np.array([row.id for row in rows], np.int64)
    white = np.array([row.white_id for row in rows], np.int64)
    black = np.array([row.black_id for row in rows], np.int64)
    return batch, white, black


def _add_chunk(writer, cursor, rows, index_plies: int, tracked: np.ndarray, all_games: bool, read_clocks: ClockReader) -> None:  # type: ignore[no-untyped-def]
    batch, white, black = _chunk_batch(rows, index_plies, read_clocks)
    writer.add_statistics(
        cursor, batch, np.ones(len(batch), bool), white, black, tracked=tracked, all_games=all_games
    )
    writer.finish(cursor)  # the chunk's one-game rows' run attached (webapp.indexer.runs)


_BULK = "bulk_player_rows"
_BYTES = {"postgresql": "bytea", "sqlite": "blob"}
_PLAYER_KEYS = [c for c in PLAYER_MOVE_STATS_COLUMNS[:-PLAYER_VALUES]]
_COUNTS = PLAYER_MOVE_STATS_COLUMNS[-PLAYER_VALUES:]


def _stage_player_rows(connection: Connection, cursor, staged: tuple[list[np.ndarray], RowRefs]) -> None:  # type: ignore[no-untyped-def]
    """Append a chunk's aggregated player rows to the bulk table (no key, no merge)."""
    rows, refs = staged
    if not len(rows[0]):
        return
    if connection.dialect.name == "postgresql":
        with cursor.copy(f"COPY {_BULK} FROM STDIN (FORMAT BINARY)") as copy:
            for part in binary_copy_chunks(rows, ["i8"] * len(rows), refs):
                copy.write(part)
    else:
        marks = ", ".join("?" * (len(PLAYER_MOVE_STATS_COLUMNS) + 1))
        cursor.executemany(
            f"INSERT INTO {_BULK} VALUES ({marks})",
            zip(*(c.tolist() for c in rows), refs.as_bytes(), strict=True),
        )


def _write_player_rows(
    connection: Connection, *, endings: bool = True, newest: bool = True, think: bool = True
) -> None:
    """The staged rows summed once into both player tables (the players' rows were
    cleared first, so nothing to merge with), then the bulk table dropped. `endings`,
    `newest`, `think` False: the schema before migrations 0011, 0012, 0014 (a migration's
    rebuild)."""
    refs = refs_agg("refs", connection.dialect.name)
    counts = [
        c for c in _COUNTS
        if (endings or c not in ENDING_COLUMNS) and (think and endings or c not in THINK_TIME_COLUMNS)
    ]  # fmt: skip
    for table, keys, latest in (
        ("player_move_stats", _PLAYER_KEYS, {}),
        ("player_move_stats_rollup", [k for k in _PLAYER_KEYS if k != "month"],
         {"last_month": "max(month)"} if newest else {}),
    ):
        key_list = ", ".join(keys)
        columns = [*keys, *counts, "refs", *latest]
        values = [
            *keys, *(f"nullif(sum({c}), 0)" if c in NULLABLE_COUNTS else f"sum({c})" for c in counts),
            refs, *latest.values(),
        ]  # fmt: skip
        connection.exec_driver_sql(  # in key order: the primary key is filled left to right
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {_BULK} "
            f"GROUP BY {key_list} ORDER BY {key_list}"
        )
    connection.exec_driver_sql(f"DROP TABLE {_BULK}")


def rebuild_statistics(
    connection: Connection,
    *,
    index_plies: int = DEFAULT_INDEX_PLIES,
    endings: bool = True,
    read_clocks: ClockReader = clock_seconds_many,
) -> int:
    """Recount every statistics table from the stored games (the caller's transaction);
    tracked players end up ready. Returns the number of games counted. `endings` False:
    the schema before migration 0011, without the ending counts (the player rollup's
    newest month, 0012, the move-order column, 0013, and the think-time counts, 0014,
    are written where the schema has them). `read_clocks`: the stored clocks' form, for
    a migration before 0017 (webapp.model.stored_game.four_byte_clock_seconds_many)."""
    lock_statistics(connection)
    summaries = (
        move_stats_rollup, hot_positions, move_stats_monthly, monthly_positions, merged_positions,
        move_stats_bandless, bandless_positions,
    )  # fmt: skip
    present = set(inspect(connection).get_table_names())  # a migration may run this before later tables exist
    for table in (move_stats, move_singles, *summaries, player_move_stats, player_move_stats_rollup):
        if table.name in present:
            connection.execute(delete(table))
    newest = any(c["name"] == "last_month" for c in inspect(connection).get_columns("player_move_stats_rollup"))
    stats_columns = {c["name"] for c in inspect(connection).get_columns("move_stats")}
    paths, think = "path" in stats_columns, "low_clock" in stats_columns
    singles = move_singles.name in present
    # the schema a migration has so far
    writer = writer_for(connection, endings=endings, newest=newest, paths=paths, think=think, singles=singles)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    counted = 0
    for rows in _game_chunks(connection):
        _add_chunk(writer, cursor, rows, index_plies, np.zeros(0, np.int64), True, read_clocks)
        counted += len(rows)
    # the tracked players as indexing counts them: staged in bulk and summed once, not
    # merged chunk by chunk (a 455,671-game player's merges took most of an hour)
    tracked = sorted(connection.execute(select(tracked_players.c.player_id)).scalars().all())
    if tracked:
        _count_players(
            connection,
            tracked,
            index_plies,
            lambda _games: None,
            endings=endings,
            newest=newest,
            think=think,
            read_clocks=read_clocks,
        )
    return counted


def count_games(connection: Connection, player_ids: Sequence[int]) -> int:
    """Games in which any of the ids played."""
    ids = list(player_ids)
    return int(
        connection.execute(
            select(func.count()).select_from(games).where(
                or_(games.c.white_id.in_(ids), games.c.black_id.in_(ids))
            )
        ).scalar()
        or 0
    )


def mark_indexing(engine: Engine, player_ids: Sequence[int]) -> int:
    """Record the ids as being indexed (committed, so progress can be shown); returns the
    games to count."""
    with engine.begin() as connection:
        total = count_games(connection, player_ids)
        for player_id in sorted(set(player_ids)):
            exists = connection.execute(
                select(tracked_players.c.status).where(tracked_players.c.player_id == player_id)
            ).scalar()
            if exists is None:
                connection.execute(
                    tracked_players.insert().values(
                        player_id=player_id, status="indexing", done=0, total=total
                    )
                )
            elif exists != "ready":
                connection.execute(
                    update(tracked_players)
                    .where(tracked_players.c.player_id == player_id)
                    .values(total=total, done=0)
                )
    return total


def index_players(
    engine: Engine,
    player_ids: Sequence[int],
    *,
    index_plies: int = DEFAULT_INDEX_PLIES,
    progress: Progress | None = None,
) -> int:
    """Count the players' stored games into their statistics and mark them ready.

    Returns the games counted. `progress(done, total)` is called after each chunk and
    recorded in tracked_players (on a connection of its own, so others see it).
    """
    ids = sorted(set(player_ids))
    total = mark_indexing(engine, ids)
    done = 0
    with engine.begin() as connection:

        def counted(games: int) -> None:
            nonlocal done
            done += games
            _report(engine, ids, done, max(total, done), progress)

        _count_players(connection, ids, index_plies, counted)
    return done


def _count_players(
    connection: Connection,
    ids: list[int],
    index_plies: int,
    counted: Callable[[int], None],
    *,
    endings: bool = True,
    newest: bool = True,
    think: bool = True,
    read_clocks: ClockReader = clock_seconds_many,
) -> None:
    """Recount the players' statistics from their stored games (the caller's transaction,
    under the statistics lock) and mark them ready; `counted(n)` after each chunk.
    `endings`, `newest`, `think`: as _write_player_rows; `read_clocks`: as rebuild_statistics."""
    tracked = np.array(ids, np.int64)
    lock_statistics(connection)
    connection.execute(delete(player_move_stats).where(player_move_stats.c.player_id.in_(ids)))
    connection.execute(delete(player_move_stats_rollup).where(player_move_stats_rollup.c.player_id.in_(ids)))
    bandless = endings and newest and think and player_summaries.present(connection)
    if bandless:
        player_summaries.forget(connection, ids)
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {_BULK}")
    connection.exec_driver_sql(
        f"CREATE TEMP TABLE {_BULK} "
        f"({', '.join(c + ' bigint' for c in PLAYER_MOVE_STATS_COLUMNS)}, refs {_BYTES[connection.dialect.name]})"
    )
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    done = 0
    for rows in _player_game_chunks(connection, ids):
        batch, white, black = _chunk_batch(rows, index_plies, read_clocks)
        staged = player_move_stats_rows(batch, np.ones(len(batch), bool), white, black, tracked)
        _stage_player_rows(connection, cursor, staged)
        done += len(rows)
        counted(len(rows))
    _write_player_rows(connection, endings=endings, newest=newest, think=think)
    if bandless:
        player_summaries.summarize(connection, ids)
    connection.execute(
        update(tracked_players)
        .where(tracked_players.c.player_id.in_(ids))
        .values(status="ready", done=done, total=done, updated_at=func.now())
    )


def _report(engine: Engine, ids: list[int], done: int, total: int, progress: Progress | None) -> None:
    if progress is not None:
        progress(done, total)
    if engine.dialect.name == "sqlite":
        return  # the indexing transaction holds SQLite's only write lock
    with engine.begin() as connection:
        connection.execute(
            update(tracked_players)
            .where(tracked_players.c.player_id.in_(ids), tracked_players.c.status != "ready")
            .values(done=done, total=total, updated_at=func.now())
        )


def track_account(engine: Engine, source: str, name: str, *, index_plies: int = DEFAULT_INDEX_PLIES) -> None:
    """Keep statistics for an account about to be imported: a new account is tracked at
    once (its games' rows are written as they land); one with stored games is indexed
    from them first."""
    from webapp.db.tables import players

    with engine.begin() as connection:
        player_id = connection.execute(
            select(players.c.id).where(players.c.source == source, players.c.name == name)
        ).scalar()
        if player_id is None:
            player_id = connection.execute(
                players.insert().values(source=source, name=name, display_name=name)
                .returning(players.c.id)
            ).scalar_one()
        status = connection.execute(
            select(tracked_players.c.status).where(tracked_players.c.player_id == player_id)
        ).scalar()
        if status == "ready":
            return
        if status is None and count_games(connection, [player_id]) == 0:
            lock_statistics(connection)
            connection.execute(
                tracked_players.insert().values(player_id=player_id, status="ready")
            )
            return
    index_players(engine, [player_id], index_plies=index_plies)
