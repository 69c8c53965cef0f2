"""Batch writers: PostgreSQL through COPY, SQLite through executemany.

Both write one prepared batch: upsert its players and collections (short transactions of
their own), then in the caller's transaction insert the games, learning which are new
(ON CONFLICT (uid) DO NOTHING; on PostgreSQL a straight COPY first, which a stored uid
makes fail back to that), and append statistics for the new games only — so a re-import,
or an import resumed after a crash, never counts a game twice.

`move_stats` is append-only: a batch's rows, already summed per key by numpy, go in as
they are with the batch's `seq`, with no unique key to check (webapp.indexer.compact merges
them later). Player statistics are kept for tracked players only and merged at once.
"""

from __future__ import annotations

import itertools
import struct
from collections.abc import Iterator, Sequence
from datetime import date

import numpy as np
import psycopg
from sqlalchemy import Connection, text

from webapp.db.refs_sql import later_month, refs_merge
from webapp.db.singles import narrow_games, pack_codes
from webapp.indexer import player_summaries
from webapp.indexer.games import GameRecord
from webapp.indexer.rows import (
    Batch,
    RowRefs,
    lone_rows,
    month_less,
    move_stats_rows,
    player_move_stats_rows,
)
from webapp.model import game_refs
from webapp.model.collections import default_collection
from webapp.model.endings import ENDING_COLUMNS
from webapp.model.think_time import THINK_TIME_COLUMNS

#: the counts written NULL for zero: how games ended and their think times
NULLABLE_COUNTS = (*ENDING_COLUMNS, *THINK_TIME_COLUMNS)

GAME_COLUMNS = (
    "uid", "source", "white_id", "black_id", "white_rating", "black_rating", "result",
    "speed", "rated", "played_on", "month", "time_control", "event", "site", "eco",
    "plies", "moves", "clocks", "termination", "collection_id",
)  # fmt: skip
MOVE_STATS_COLUMNS = (
    "position_key", "move", "collection", "speed", "rated", "rating_band", "path", "month",
    "white", "draws", "black", "rating_sum", *NULLABLE_COUNTS,
)  # fmt: skip
#: binary COPY field widths of MOVE_STATS_COLUMNS + ("seq",)
MOVE_STATS_TYPES = (
    "i8", "i2", "i2", "i2", "i2", "i2", "i4", "i4", "i4", "i4", "i4", "i8", *["i4"] * len(NULLABLE_COUNTS), "i4",
)  # fmt: skip
#: a narrow one-game row (webapp.db.singles), and its binary COPY field widths
SINGLES_COLUMNS = ("position_key", "game_id", "seq", "path", "move", "code")
SINGLES_TYPES = ("i8", "i4", "i4", "i4", "i2", "i2")
#: one-game rows are written wide at the positions with a monthly summary that their last
#: merge left with at least this many rows (merged_positions): the first plies, where a
#: read sums thousands of appended rows; a position with fewer has a few dozen of them
#: per import, and each wide row costs the import more than a narrow one
BUSIEST_ROWS = 2048
#: batches a writer goes on using the keys of the busiest positions it read
#: (_Writer.busiest_keys) before it reads them again
BUSIEST_KEYS_BATCHES = 50
#: the summed columns at the end of MOVE_STATS_COLUMNS
MOVE_STATS_VALUES = 4 + len(NULLABLE_COUNTS)
PLAYER_MOVE_STATS_COLUMNS = (
    "player_id", "position_key", "color", "move", "collection", "speed", "rated",
    "rating_band", "game_band", "month", "white", "draws", "black", "rating_sum", "game_rating_sum",
    *NULLABLE_COUNTS,
)  # fmt: skip
#: the summed columns at the end of PLAYER_MOVE_STATS_COLUMNS (the rest is the key)
PLAYER_VALUES = 5 + len(NULLABLE_COUNTS)
_PLAYER_MONTH = PLAYER_MOVE_STATS_COLUMNS.index("month")
#: player ids a writer remembers at most: about 200 bytes each, so some 20 MB a writer (a
#: lichess month names millions of players; past this many the writer starts over)
KNOWN_PLAYERS = 100_000
NAME_LENGTH = 64
#: PostgreSQL advisory lock: batches and compaction's ranges hold it shared, compaction's
#: start and end and player indexing exclusively, so a batch's seq is never below a
#: watermark set while it was in flight
STATS_LOCK = 0x6F65_5354
#: memory a statement holding the statistics lock may sort or aggregate in
SORT_MEMORY = "256MB"


def _clip(text: str | None, length: int) -> str | None:
    return None if text is None else text[:length]


def _rating(value: int | None) -> int | None:
    return None if value is None else max(-32768, min(value, 32767))


def player_keys(records: list[GameRecord]) -> dict[tuple[str, str], str]:
    """(source, lower-case name) → display name for every player in the records."""
    found: dict[tuple[str, str], str] = {}
    for record in records:
        for display in (record.white, record.black):
            display = display[:NAME_LENGTH]
            found.setdefault((record.source, display.lower()), display)
    return found


def game_row(
    record: GameRecord, white_id: int, black_id: int, move_bytes: bytes, clock_bytes: bytes | None, collection_id: int
) -> tuple:
    played_on: date | None = record.played_on
    return (
        record.uid[:120],
        record.source,
        white_id,
        black_id,
        _rating(record.white_rating),
        _rating(record.black_rating),
        record.result,
        int(record.speed),
        bool(record.rated),
        played_on,
        record.month,
        _clip(record.time_control, 32),
        _clip(record.event, 200),
        _clip(record.site, 200),
        _clip(record.eco, 3),
        min(len(record.moves), 32767),
        move_bytes,
        clock_bytes,
        int(record.termination),
        collection_id,
    )


def _ids(batch: Batch, ids: dict[tuple[str, str], int]) -> tuple[np.ndarray, np.ndarray]:
    white = [ids[(r.source, r.white[:NAME_LENGTH].lower())] for r in batch.records]
    black = [ids[(r.source, r.black[:NAME_LENGTH].lower())] for r in batch.records]
    return np.array(white, np.int64), np.array(black, np.int64)



def _signed(
    stats: tuple[list[np.ndarray], RowRefs], sign: int, values: int = MOVE_STATS_VALUES
) -> tuple[list[np.ndarray], RowRefs]:
    """Aggregated rows with their last `values` (summed) columns multiplied by sign; rows
    taking games away carry no game references."""
    rows, refs = stats
    if sign == 1:
        return rows, refs
    none = RowRefs(np.zeros(len(rows[0]), np.int64), refs.entries[:0])
    return rows[:-values] + [column * sign for column in rows[-values:]], none


def _first_of_each_uid(batch: Batch) -> np.ndarray:
    seen: set[str] = set()
    first = np.zeros(len(batch), bool)
    for index, record in enumerate(batch.records):
        if record.uid not in seen:
            seen.add(record.uid)
            first[index] = True
    return first


def _split_singles(
    batch: Batch, new: np.ndarray, seq: int, busiest: np.ndarray | None = None
) -> tuple[list[np.ndarray], RowRefs, list[np.ndarray]]:
    """The new games' move_stats rows: those of more than one game aggregated (full
    MOVE_STATS_COLUMNS rows with their references), and the one-game rows of games the view
    move_stats_all reads back exactly (webapp.db.singles.narrow_games) as narrow
    SINGLES_COLUMNS, in key order, taken from the batch rows as they are: most rows are
    of one game, and they need no summing. At the positions whose keys are in `busiest`
    (sorted) the one-game rows stay wide: every read there sums all the rows appended
    since the summary, and a narrow row looks its game up (webapp.db.singles)."""
    rows, lone = lone_rows(batch, new)
    eligible = narrow_games(batch.records, batch.collection, batch.game_id)
    lone &= eligible[batch.game[rows]]
    if busiest is not None and len(busiest):
        lone &= ~np.isin(batch.key[rows], busiest)
    single = rows[lone]
    g = batch.game[single]
    narrow = [
        batch.key[single],
        batch.game_id[g],
        np.full(len(single), seq, np.int64),
        batch.path[single],
        batch.move[single],
        pack_codes(batch.think[single], batch.low_clock[single], batch.ending[g], batch.collection[g]),
    ]
    stats, refs = move_stats_rows(batch, new, rows=np.sort(rows[~lone]))
    return stats, refs, narrow


def lock_statistics(connection: Connection) -> None:
    """Hold the statistics lock exclusively for the connection's transaction (compaction,
    player indexing: no batch is in flight meanwhile), with no statement timeout and room
    to sort in memory. SQLite's single writer needs no lock."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({STATS_LOCK})")
        allow_long_statements(connection)


def release_session_lock(connection: Connection, key: int) -> None:
    """Release a session advisory lock (PostgreSQL); a connection that cannot is closed for
    good (which releases it), never handed back to the pool holding it."""
    try:
        connection.rollback()
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
        connection.commit()
    except Exception:
        connection.invalidate()
        raise


def share_statistics(connection: Connection) -> None:
    """Hold the statistics lock shared for the connection's transaction, as import batches
    do (a compaction's ranges), with no statement timeout and room to sort in memory."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock_shared({STATS_LOCK})")
        allow_long_statements(connection)


def allow_long_statements(connection: Connection) -> None:
    """No statement timeout and room to sort in memory, for the connection's transaction
    (PostgreSQL; nothing on SQLite): the statistics' bulk statements, with the lock or
    beside its holder."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
        connection.exec_driver_sql(f"SET LOCAL work_mem = '{SORT_MEMORY}'")


def _none_for_zero(column: np.ndarray) -> list[int | None]:
    return [value or None for value in column.tolist()]


def merged_ending_sql(column: str, table: str) -> str:
    """SET clause adding an ending (or think-time) count to a stored one, NULL meaning and
    giving zero."""
    return f"{column} = nullif(coalesce({table}.{column}, 0) + coalesce(excluded.{column}, 0), 0)"


class _Writer:
    """What both writers share: collections, the new games' statistics, tracked players.

    With `endings` False the writer leaves the ending counts out (the schema before
    migration 0011, which migration 0008's rebuild writes), with `newest` False the player
    rollup's newest month (before migration 0012), with `paths` False the move-order
    column of move_stats and its rollup (before migration 0013), with `think` False the
    think-time counts (before migration 0014), with `singles` False every row wide (before
    migration 0016, no move_singles). Player tables have no move-order column: a player's
    view keeps its rows few and is not broken down by it."""

    def __init__(
        self,
        connection: Connection,
        *,
        endings: bool = True,
        newest: bool = True,
        paths: bool = True,
        think: bool = True,
        singles: bool = True,
    ) -> None:
        self.connection = connection
        self.endings = endings
        #: one-game rows written narrow to move_singles (webapp.db.singles; migration 0016)
        self.singles = singles and paths and think and endings
        self.think = think and endings  # the think-time columns come after the endings'
        self.newest = newest
        dropped = self.dropped = (0 if self.think else len(THINK_TIME_COLUMNS)) + (0 if endings else len(ENDING_COLUMNS))
        #: the indexes of move_stats_rows' columns this schema has
        self.move_stats_kept = [
            i for i, c in enumerate(MOVE_STATS_COLUMNS[: len(MOVE_STATS_COLUMNS) - dropped]) if paths or c != "path"
        ]
        self.move_stats_columns = tuple(MOVE_STATS_COLUMNS[i] for i in self.move_stats_kept)
        self.move_stats_types = tuple(MOVE_STATS_TYPES[i] for i in self.move_stats_kept) + ("i4",)
        self.player_columns = PLAYER_MOVE_STATS_COLUMNS[: len(PLAYER_MOVE_STATS_COLUMNS) - dropped]
        self.player_values = PLAYER_VALUES - dropped
        self.player_rollup_columns = (
            *(c for c in self.player_columns if c != "month"), *(("last_month",) if newest else ()),
        )  # fmt: skip
        self.raw = connection.connection.driver_connection
        self.rows = 0
        self.moved = 0  # stored games moved to another collection
        #: the busiest positions' keys (busiest_keys) and the batches that used them
        self.busiest: np.ndarray | None = None
        self.busiest_used = 0
        self.collections: dict[str, int] = {}
        #: (source, name) → id of the players stored by the batches committed so far (a
        #: player is never deleted), and those of the batch whose transaction is open
        self.known_players: dict[tuple[str, str], int] = {}
        self.pending_players: dict[tuple[str, str], int] = {}
        #: whether the rollup's rows are added to the band-less sums too (bandless())
        self._bandless: bool | None = None

    def close(self) -> None:
        pass

    def bandless(self, table: str) -> bool:
        """Whether rows merged into `table` go to the players' band-less sums too: the
        player rollup's, where the schema has them (webapp.indexer.player_summaries)."""
        if table != "player_move_stats_rollup" or not (self.think and self.newest):
            return False
        if self._bandless is None:
            self._bandless = player_summaries.present(self.connection)
        return self._bandless

    def player_ids(self, batch: Batch) -> dict[tuple[str, str], int]:
        """Store the batch's players not stored yet (the caller's transaction); (source,
        name) → id of every player in the batch. A player met by an earlier batch of this
        writer is not looked up again: a dump's players come back batch after batch."""
        people = player_keys(batch.records)
        missing = {key: display for key, display in people.items() if key not in self.known_players}
        self.pending_players = self._upsert_players(missing) if missing else {}
        known, pending = self.known_players, self.pending_players
        return {key: known[key] if key in known else pending[key] for key in people}

    def players_committed(self) -> None:
        """The batch's players are committed: remember their ids (a bounded number)."""
        if len(self.known_players) + len(self.pending_players) > KNOWN_PLAYERS:
            self.known_players.clear()
        self.known_players.update(self.pending_players)
        self.pending_players = {}

    def _upsert_players(self, people: dict[tuple[str, str], str]) -> dict[tuple[str, str], int]:
        """Insert the players not stored yet ((source, name) → display name); their ids."""
        raise NotImplementedError

    def collection_ids(self, batch: Batch) -> None:
        """Fill batch.collection with each game's collection id, creating new names
        (the caller's transaction)."""
        from webapp.db.collections import ensure_collections

        names = [record.collection or default_collection(record.source) for record in batch.records]
        missing = sorted(set(names) - self.collections.keys())
        if missing:
            self.collections.update(ensure_collections(self.connection, missing))
        batch.collection = np.array([self.collections[name] for name in names], np.int64)

    def write(self, batch: Batch, ids: dict[tuple[str, str], int]) -> np.ndarray:
        """Write the batch's games and statistics; returns a mask of the games that were new."""
        cursor = self.raw.cursor()
        self.begin(cursor)
        white_ids, black_ids = _ids(batch, ids)
        new = self._insert_games(cursor, batch, white_ids, black_ids)
        tracked: np.ndarray | None = None
        if new.any():
            tracked = self.tracked(cursor)
            self.add_statistics(cursor, batch, new, white_ids, black_ids, tracked=tracked)
        named = np.array([r.collection is not None for r in batch.records], bool) & ~new
        if named.any():
            if tracked is None:
                tracked = self.tracked(cursor)
            self._move_games(cursor, batch, named, white_ids, black_ids, tracked)
        self.finish(cursor)
        cursor.close()
        return new

    def _move_games(  # type: ignore[no-untyped-def]
        self, cursor, batch: Batch, named: np.ndarray, white_ids, black_ids, tracked
    ) -> None:
        """Games already stored that this import puts in another collection: their counts
        leave the old collection (negative rows) and join the new one."""
        uids = [batch.records[i].uid[:120] for i in np.flatnonzero(named)]
        stored = {uid: (collection, game_id) for uid, collection, game_id in self._stored_collections(cursor, uids)}
        old = np.array(
            [stored.get(r.uid[:120], (-1, 0))[0] if named[i] else -1 for i, r in enumerate(batch.records)],
            np.int64,
        )
        for index in np.flatnonzero(named):
            batch.game_id[index] = stored.get(batch.records[index].uid[:120], (-1, 0))[1]
        moving = named & (old >= 0) & (old != batch.collection)
        moving_uids = [batch.records[i].uid[:120] for i in np.flatnonzero(moving)]
        moving &= _first_of_each_uid(batch)
        if not moving.any():
            return
        wanted = batch.collection.copy()
        batch.collection = np.where(moving, old, wanted)
        self.add_statistics(cursor, batch, moving, white_ids, black_ids, tracked=tracked, sign=-1)
        batch.collection = wanted
        self.add_statistics(cursor, batch, moving, white_ids, black_ids, tracked=tracked)
        for index in np.flatnonzero(moving):
            self._set_collection(cursor, batch.records[index].uid[:120], int(wanted[index]))
        self.moved += len(set(moving_uids))

    def _stored_collections(self, cursor, uids: list[str]) -> list[tuple[str, int, int]]:  # type: ignore[no-untyped-def]
        """(uid, collection id, game id) of the stored games among uids."""
        raise NotImplementedError

    def _set_collection(self, cursor, uid: str, collection_id: int) -> None:  # type: ignore[no-untyped-def]
        raise NotImplementedError

    def add_statistics(  # type: ignore[no-untyped-def]
        self,
        cursor,
        batch: Batch,
        new: np.ndarray,
        white_ids: np.ndarray,
        black_ids: np.ndarray,
        *,
        tracked: np.ndarray,
        all_games: bool = True,
        sign: int = 1,
    ) -> None:
        """Append the chosen games' move_stats rows (when `all_games`) and merge the
        player_move_stats rows of the `tracked` player ids among them (`sign` -1: take
        the games' counts away)."""
        dropped = self.dropped
        if all_games:
            seq = self.next_seq(cursor)
            if self.singles and sign == 1:
                stats, refs, narrow = _split_singles(batch, new, seq, self.busiest_keys(cursor))
                self.rows += len(narrow[0])
                if len(narrow[0]):
                    self._append_singles(cursor, narrow, seq)
            else:  # rows taking games away carry no references: none is narrow
                stats, refs = _signed(move_stats_rows(batch, new), sign)
            stats = [stats[i] for i in self.move_stats_kept]
            self.rows += len(stats[0])
            if len(stats[0]):
                self._append_move_stats(cursor, stats, refs, seq)
        if not len(tracked):
            return
        player_rows, player_refs = _signed(
            player_move_stats_rows(batch, new, white_ids, black_ids, tracked), sign, PLAYER_VALUES
        )
        player_rows = player_rows[: len(player_rows) - dropped]
        if len(player_rows[0]):
            self.rows += len(player_rows[0])
            self.merge(cursor, "player_move_stats", self.player_columns, player_rows, player_refs)
            self.merge(
                cursor,
                "player_move_stats_rollup",
                self.player_rollup_columns,
                *month_less(player_rows, _PLAYER_MONTH, player_refs, last_month=self.newest),
            )

    def tracked(self, cursor) -> np.ndarray:  # type: ignore[no-untyped-def]
        """Ids of the players whose statistics are kept."""
        cursor.execute("SELECT player_id FROM tracked_players")
        return np.array([row[0] for row in cursor.fetchall()], np.int64)

    def busiest_keys(self, cursor) -> np.ndarray:  # type: ignore[no-untyped-def]
        """The sorted keys of the busiest positions: those with a monthly summary that
        their last merge left with at least BUSIEST_ROWS rows. Read again every
        BUSIEST_KEYS_BATCHES batches, so a long import follows its compactions."""
        if self.busiest is None or self.busiest_used >= BUSIEST_KEYS_BATCHES:
            cursor.execute(
                "SELECT m.position_key FROM monthly_positions m JOIN merged_positions p "
                f"ON p.position_key = m.position_key WHERE p.row_count >= {int(BUSIEST_ROWS)}"
            )
            self.busiest = np.sort(np.array([row[0] for row in cursor.fetchall()], np.int64))
            self.busiest_used = 0
        self.busiest_used += 1
        return self.busiest

    def begin(self, cursor) -> None:  # type: ignore[no-untyped-def]
        """Session settings and locks at the start of a batch's transaction."""

    def next_seq(self, cursor) -> int:  # type: ignore[no-untyped-def]
        """A new batch number for the rows about to be appended."""
        raise NotImplementedError

    def _insert_games(self, cursor, batch: Batch, white_ids: np.ndarray, black_ids: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
        raise NotImplementedError

    def _append_move_stats(self, cursor, stats: list[np.ndarray], refs: RowRefs, seq: int) -> None:  # type: ignore[no-untyped-def]
        raise NotImplementedError

    def _append_singles(self, cursor, columns: list[np.ndarray], seq: int) -> None:  # type: ignore[no-untyped-def]
        """Append narrow one-game rows of batch `seq`: SINGLES_COLUMNS (_split_singles)."""
        raise NotImplementedError

    def finish(self, cursor) -> None:  # type: ignore[no-untyped-def]
        """The last statements of a batch's transaction."""

    def merge(self, cursor, table: str, columns: tuple[str, ...], data: list[np.ndarray], refs: RowRefs) -> None:  # type: ignore[no-untyped-def]
        """Add rows already summed per key (rows._aggregate) to a keyed table, their game
        references merged with the row's (refs_merge), a last_month column (the rollup's,
        last) kept at the later of the two months."""
        raise NotImplementedError


def _merged_columns(columns: tuple[str, ...], alias: str, dialect: str, values: int) -> tuple[list[str], str]:
    """The key columns of a merge (columns: keys, `values` summed ones, maybe last_month)
    and its SET list, `alias` naming the stored row."""
    summed = [c for c in columns if c != "last_month"]
    keys, counts = summed[:-values], summed[-values:]
    updates = [merged_ending_sql(c, alias) if c in NULLABLE_COUNTS else f"{c} = {alias}.{c} + excluded.{c}" for c in counts]
    if "last_month" in columns:
        updates.append(f"last_month = {later_month(alias + '.last_month', 'excluded.last_month')}")
    updates.append(f"refs = {refs_merge(alias + '.refs', 'excluded.refs', dialect)}")
    return keys, ", ".join(updates)


class SqliteWriter(_Writer):
    """executemany: games with ON CONFLICT (uid) DO NOTHING, statistics appended, player
    statistics merged with ON CONFLICT DO UPDATE adding the counts."""

    def _upsert_players(self, people: dict[tuple[str, str], str]) -> dict[tuple[str, str], int]:
        cursor = self.raw.cursor()
        ids: dict[tuple[str, str], int] = {}
        for (source, name), display in people.items():
            cursor.execute(
                "INSERT INTO players (source, name, display_name) VALUES (?, ?, ?) "
                "ON CONFLICT (source, name) DO NOTHING",
                (source, name, display),
            )
            cursor.execute("SELECT id FROM players WHERE source = ? AND name = ?", (source, name))
            ids[(source, name)] = cursor.fetchone()[0]
        cursor.close()
        return ids

    def next_seq(self, cursor) -> int:  # type: ignore[no-untyped-def]
        cursor.execute("INSERT INTO stat_batches DEFAULT VALUES")
        return int(cursor.lastrowid)

    def _insert_games(self, cursor, batch: Batch, white_ids: np.ndarray, black_ids: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
        new = np.zeros(len(batch), dtype=bool)
        insert_game = (
            f"INSERT INTO games ({', '.join(GAME_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(GAME_COLUMNS))}) ON CONFLICT (uid) DO NOTHING"
        )
        for index, record in enumerate(batch.records):
            row = game_row(
                record,
                int(white_ids[index]),
                int(black_ids[index]),
                batch.move_bytes[index],
                batch.clock_bytes[index],
                int(batch.collection[index]),
            )
            row = row[:9] + ((row[9].isoformat() if row[9] else None),) + row[10:]
            cursor.execute(insert_game, row)
            new[index] = cursor.rowcount == 1
            if new[index]:
                batch.game_id[index] = cursor.lastrowid
        return new

    def _stored_collections(self, cursor, uids: list[str]) -> list[tuple[str, int, int]]:  # type: ignore[no-untyped-def]
        found: list[tuple[str, int, int]] = []
        for start in range(0, len(uids), 500):
            part = uids[start : start + 500]
            cursor.execute(
                f"SELECT uid, collection_id, id FROM games WHERE uid IN ({', '.join('?' * len(part))})",
                part,
            )
            found.extend(cursor.fetchall())
        return found

    def _set_collection(self, cursor, uid: str, collection_id: int) -> None:  # type: ignore[no-untyped-def]
        cursor.execute("UPDATE games SET collection_id = ? WHERE uid = ?", (collection_id, uid))

    def _append_move_stats(self, cursor, stats: list[np.ndarray], refs: RowRefs, seq: int) -> None:  # type: ignore[no-untyped-def]
        """executemany of the rows in groups by which ending and think-time counts they fill,
        each group naming only those (the others stay NULL, zero): binding a value is most
        of what a row costs SQLite, and a row of one game fills two or three of the 35."""
        names = self.move_stats_columns
        nullable = [index for index, name in enumerate(names) if name in NULLABLE_COUNTS]
        fixed = [index for index, name in enumerate(names) if name not in NULLABLE_COUNTS]
        shape = np.zeros(len(stats[0]), np.int64)
        for bit, index in enumerate(nullable):
            shape |= (stats[index] != 0).astype(np.int64) << bit
        order = np.argsort(shape, kind="stable")
        shape = shape[order]
        refs_bytes = refs.as_bytes()
        bounds = np.flatnonzero(np.diff(shape)) + 1
        for low, high in zip([0, *bounds.tolist()], [*bounds.tolist(), len(order)], strict=True):
            rows = order[low:high]
            filled = [index for bit, index in enumerate(nullable) if int(shape[low]) >> bit & 1]
            columns = [*(names[index] for index in (*fixed, *filled)), "seq", "refs"]
            cursor.executemany(
                f"INSERT INTO move_stats ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                zip(
                    *(stats[index][rows].tolist() for index in (*fixed, *filled)),
                    itertools.repeat(seq, len(rows)),
                    [refs_bytes[row] for row in rows.tolist()],
                    strict=True,
                ),
            )

    def _append_singles(self, cursor, columns: list[np.ndarray], seq: int) -> None:  # type: ignore[no-untyped-def]
        cursor.executemany(
            f"INSERT INTO move_singles ({', '.join(SINGLES_COLUMNS)}) VALUES ({', '.join('?' * len(SINGLES_COLUMNS))})",
            zip(*(column.tolist() for column in columns), strict=True),
        )

    def merge(self, cursor, table: str, columns: tuple[str, ...], data: list[np.ndarray], refs: RowRefs) -> None:  # type: ignore[no-untyped-def]
        keys, updates = _merged_columns(columns, table, "sqlite", self.player_values)
        statement = (
            f"INSERT INTO {table} ({', '.join(columns)}, refs) "
            f"VALUES ({', '.join('?' * (len(columns) + 1))}) "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
        )
        values = _values(columns, data)
        cursor.executemany(statement, zip(*values, refs.as_bytes(), strict=True))
        if self.bandless(table):
            stage = f"stage_bandless_{len(columns)}"
            cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {stage} ({', '.join(columns)})")
            cursor.executemany(f"INSERT INTO {stage} VALUES ({', '.join('?' * len(columns))})", zip(*values, strict=True))
            player_summaries.add_staged(cursor, stage)
            cursor.execute(f"DELETE FROM {stage}")


def _values(columns: Sequence[str], data: list[np.ndarray]) -> list[list]:
    """The columns' values for executemany, ending and think-time counts NULL for zero."""
    return [_none_for_zero(c) if name in NULLABLE_COUNTS else c.tolist() for name, c in zip(columns, data, strict=True)]


_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
_COPY_TRAILER = struct.pack("!h", -1)
_WIDTHS = {"i2": 2, "i4": 4, "i8": 8}


COPY_ROWS_PER_WRITE = 32_768


def binary_copy_chunks(
    columns: list[np.ndarray], types: Sequence[str], refs: RowRefs, nullable: int = 0
) -> Iterator[bytes | memoryview]:
    """COPY ... (FORMAT BINARY) data for rows of integer columns ("i2" / "i4" / "i8" per
    column in `types`) and a last bytea column, each row's game references (NULL when it
    has none), built by numpy a slice of rows at a time.

    The last `nullable` columns (all "i4") are sent NULL where they are zero. Rows go
    sorted by their number of references and of non-zero nullable values, so each run of
    rows of one shape has fixed-width rows numpy lays out: the fixed fields once a slice,
    then per run the references and the rows' nullable fields (_NullableWords)."""
    width = game_refs.ENTRY.itemsize
    fixed = len(columns) - nullable
    if any(kind != "i4" for kind in types[fixed:]):
        raise ValueError("nullable COPY columns must be i4")
    starts = np.cumsum(refs.counts) - refs.counts
    words = _NullableWords(columns[fixed:]) if nullable else None
    shape = refs.counts * (nullable + 1) + (words.filled if words is not None else 0)
    order = np.argsort(shape, kind="stable")
    shape = shape[order]
    if words is not None:
        words.lay_out(order)
    head_fields = [("count", ">i2")]
    for index, kind in enumerate(types[:fixed]):
        head_fields += [(f"length{index}", ">i4"), (f"value{index}", ">" + kind)]
    head_dtype = np.dtype(head_fields)
    yield _COPY_HEADER
    for start in range(0, len(order), COPY_ROWS_PER_WRITE):
        part = order[start : start + COPY_ROWS_PER_WRITE]
        head = np.empty(len(part), dtype=head_dtype)
        head["count"] = len(columns) + 1
        for index, column in enumerate(columns[:fixed]):
            head[f"length{index}"] = _WIDTHS[types[index]]
            head[f"value{index}"] = column[part]
        head_bytes = head.view(np.uint8).reshape(len(part), head_dtype.itemsize)
        shapes = shape[start : start + COPY_ROWS_PER_WRITE]
        bounds = np.flatnonzero(np.diff(shapes)) + 1
        for low, high in zip([0, *bounds.tolist()], [*bounds.tolist(), len(part)], strict=True):
            count, nonzero = divmod(int(shapes[low]), nullable + 1)
            fields = [("head", head_dtype)]
            if words is not None:
                fields.append(("nullable", ">i4", (nullable + nonzero,)))
            fields.append(("refs_length", ">i4"))
            if count:
                fields.append(("refs", np.uint8, (count * width,)))
            rows = np.empty(high - low, dtype=np.dtype(fields))
            laid = rows.view(np.uint8).reshape(high - low, -1)
            laid[:, : head_dtype.itemsize] = head_bytes[low:high]
            if words is not None:
                rows["nullable"] = words.rows(start + low, start + high)
            rows["refs_length"] = count * width if count else -1
            if count:
                picks = (starts[part[low:high]][:, None] + np.arange(count)[None, :]).ravel()
                laid[:, -count * width :] = refs.entries[picks].view(np.uint8).reshape(high - low, count * width)
            yield memoryview(rows).cast("B")
    yield _COPY_TRAILER


def fixed_copy_data(columns: list[np.ndarray], types: Sequence[str]) -> bytes:
    """COPY ... (FORMAT BINARY) data for rows of integer columns, none NULL ("i2" / "i4" /
    "i8" per column in `types`), laid out by numpy at once."""
    fields: list[tuple[str, str]] = [("count", ">i2")]
    for index, kind in enumerate(types):
        fields += [(f"length{index}", ">i4"), (f"value{index}", ">" + kind)]
    rows = np.empty(len(columns[0]), dtype=np.dtype(fields))
    rows["count"] = len(columns)
    for index, (column, kind) in enumerate(zip(columns, types, strict=True)):
        rows[f"length{index}"] = _WIDTHS[kind]
        rows[f"value{index}"] = column
    return _COPY_HEADER + rows.tobytes() + _COPY_TRAILER


class _NullableWords:
    """The binary COPY fields of int4 columns whose zeros are sent NULL: per row, -1 for
    a NULL, 4 then the value for a non-zero value. A row's non-zero value in column c, the
    r-th non-zero of its row, starts at word c + r of the row's fields (each earlier one
    added a word); every other word is a NULL's -1. Built from each column's non-zero
    rows, never a dense rows × columns matrix: most values are zero."""

    def __init__(self, columns: list[np.ndarray]) -> None:
        self.columns = len(columns)
        #: per row: how many of its values are non-zero
        self.filled = np.zeros(len(columns[0]), np.int64)
        self.hits: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for index, column in enumerate(columns):
            (rows,) = np.nonzero(column)  # no copy of a strided column, unlike flatnonzero
            self.hits.append((rows, index + self.filled[rows], column[rows]))
            self.filled[rows] += 1

    def lay_out(self, order: np.ndarray) -> None:
        """Lay every row's fields out, rows taken in `order`, one after another."""
        widths = self.columns + self.filled[order]
        self.starts = np.cumsum(widths) - widths
        self.ends = self.starts + widths
        position = np.empty(len(order), np.int64)
        position[order] = np.arange(len(order))
        self.words = np.full(int(widths.sum()), -1, ">i4")
        for rows, at, values in self.hits:
            where = self.starts[position[rows]] + at
            self.words[where] = 4
            self.words[where + 1] = values

    def rows(self, low: int, high: int) -> np.ndarray:
        """The fields of laid-out rows low..high (of one width), one row each."""
        return self.words[self.starts[low] : self.ends[high - 1]].reshape(high - low, -1)


class PostgresWriter(_Writer):
    """COPY: games straight into games (or, when some are stored already, into a staging
    table then INSERT ... ON CONFLICT (uid) DO NOTHING); the new games' statistics straight
    into move_stats (binary COPY, no unique key); tracked
    players' statistics through staging and INSERT ... ON CONFLICT DO UPDATE."""

    def __init__(
        self,
        connection: Connection,
        *,
        endings: bool = True,
        newest: bool = True,
        paths: bool = True,
        think: bool = True,
        singles: bool = True,
    ) -> None:
        super().__init__(connection, endings=endings, newest=newest, paths=paths, think=think, singles=singles)
        #: whether the next batch's games are copied straight into games (_insert_games)
        self.direct_games = True
        #: whether each batch's one-game rows go into a run of its own (None: not yet asked)
        self.own_runs: bool | None = None
        #: games' id sequence as a regclass literal (_games_sequence), once looked up
        self.games_sequence: str | None = None
        #: the batches whose runs finish() attaches
        self.unattached: list[int] = []
        if not connection.in_transaction():
            try:  # staging rows stay in memory (settable before the session's first temp table)
                with connection.begin():
                    self.raw.execute("SET temp_buffers = '256MB'")
            except Exception:  # noqa: BLE001 - a pooled session that already used temp tables
                pass

    def _stage(self, cursor, table: str, columns: tuple[str, ...]) -> str:  # type: ignore[no-untyped-def]
        """Create the temp staging table (within the current transaction) when missing: a
        temp table created in a transaction that rolled back is gone again. Its name says
        how many columns it has: one session's migrations stage rows of several schemas."""
        if table == "games":
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS stage_games ON COMMIT DELETE ROWS AS "
                f"SELECT {', '.join(columns)} FROM games WITH NO DATA"
            )
            return "stage_games"
        stage = f"stage_{table}_{len(columns)}"
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {stage} "
            f"({', '.join(c + ' bigint' for c in columns)}, refs bytea) ON COMMIT DELETE ROWS"
        )
        return stage

    def close(self) -> None:
        with self.connection.begin():
            self.raw.execute(
                "DROP TABLE IF EXISTS stage_games, "
                f"stage_player_move_stats_{len(self.player_columns)}, "
                f"stage_player_move_stats_rollup_{len(self.player_rollup_columns)}"
            )

    def _upsert_players(self, people: dict[tuple[str, str], str]) -> dict[tuple[str, str], int]:
        """Run in a short transaction of its own before the batch's: a new player inserted
        by one batch would otherwise make a concurrent batch wait for the whole first
        batch to commit. A player whose games then fail to land is harmless (a name). Its
        commit does not wait for the WAL to reach the disk (a batch's does not either): the
        batch's commit comes later in the WAL, so a crash that loses the players loses the
        batch too, and the import's rerun stores both (a wait of 10 ms or so a batch)."""
        cursor = self.raw.cursor()
        cursor.execute("SET LOCAL statement_timeout = 0; SET LOCAL synchronous_commit = off")
        people = dict(sorted(people.items()))  # one lock order for all
        sources = [source for source, _ in people]
        names = [name for _, name in people]
        cursor.execute(
            "INSERT INTO players (source, name, display_name) "
            "SELECT * FROM unnest(%s::text[], %s::text[], %s::text[]) "
            "ON CONFLICT (source, name) DO NOTHING",
            (sources, names, list(people.values())),
        )
        cursor.execute(
            "SELECT p.id, p.source, p.name FROM players p "
            "JOIN unnest(%s::text[], %s::text[]) AS u(source, name) "
            "ON p.source = u.source AND p.name = u.name",
            (sources, names),
        )
        ids = {(source, name): player_id for player_id, source, name in cursor.fetchall()}
        cursor.close()
        return ids

    def begin(self, cursor) -> None:  # type: ignore[no-untyped-def]
        # The app bounds explorer queries; an import batch may take longer. A batch lost to
        # a server crash right after its commit is simply imported again by the rerun.
        cursor.execute(
            "SET LOCAL statement_timeout = 0; SET LOCAL synchronous_commit = off; "
            "SET LOCAL jit = off; SET LOCAL work_mem = '256MB'"
        )
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", (STATS_LOCK,))
        self.unattached = []

    def next_seq(self, cursor) -> int:  # type: ignore[no-untyped-def]
        cursor.execute("INSERT INTO stat_batches DEFAULT VALUES RETURNING id")
        return int(cursor.fetchone()[0])

    def _games_sequence(self, cursor) -> str:  # type: ignore[no-untyped-def]
        """games' id sequence as a regclass literal, looked up once: named in the statement,
        nextval takes its values without looking the sequence up again a row (2,000 ids: 7
        ms by pg_get_serial_sequence a row)."""
        if self.games_sequence is None:
            cursor.execute("SELECT pg_get_serial_sequence('games', 'id')")
            name = cursor.fetchone()[0]
            self.games_sequence = "'" + name.replace("'", "''") + "'::regclass"
        return self.games_sequence

    def _insert_games(self, cursor, batch: Batch, white_ids: np.ndarray, black_ids: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
        """COPY the batch's games straight into games under ids taken from its sequence,
        in a savepoint: a fresh import's games are all new. If any uid is stored already
        (a re-import, a resumed one, another writer's games) the COPY fails on the unique
        key and the batch goes through staging and ON CONFLICT (uid) DO NOTHING instead."""
        firsts: dict[str, int] = {}  # uid → index of its first record (a repeat counts once)
        for index, record in enumerate(batch.records):
            firsts.setdefault(record.uid[:120], index)
        rows = [
            game_row(
                batch.records[i], int(white_ids[i]), int(black_ids[i]), batch.move_bytes[i], batch.clock_bytes[i],
                int(batch.collection[i]),
            )  # fmt: skip
            for i in firsts.values()
        ]
        new = np.zeros(len(batch), dtype=bool)
        if self.direct_games:
            cursor.execute(f"SELECT nextval({self._games_sequence(cursor)}) FROM generate_series(1, %s)", (len(rows),))
            ids = sorted(row[0] for row in cursor.fetchall())
            cursor.execute("SAVEPOINT direct_games")
            try:
                with cursor.copy(f"COPY games (id, {', '.join(GAME_COLUMNS)}) FROM STDIN") as copy:
                    for game_id, row in zip(ids, rows, strict=True):
                        copy.write_row((game_id, *row))
            except psycopg.errors.UniqueViolation:
                cursor.execute("ROLLBACK TO SAVEPOINT direct_games")
                self.direct_games = False  # the batches that follow are likely stored too
            else:
                cursor.execute("RELEASE SAVEPOINT direct_games")
                for index, game_id in zip(firsts.values(), ids, strict=True):
                    new[index] = True
                    batch.game_id[index] = game_id
                return new
        self._stage(cursor, "games", GAME_COLUMNS)
        columns = ", ".join(GAME_COLUMNS)
        with cursor.copy(f"COPY stage_games ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO games ({columns}) SELECT {columns} FROM stage_games "
            "ON CONFLICT (uid) DO NOTHING RETURNING uid, id"
        )
        inserted = cursor.fetchall()
        for uid, game_id in inserted:
            new[firsts[uid]] = True
            batch.game_id[firsts[uid]] = game_id
        cursor.execute("DELETE FROM stage_games")
        self.direct_games = len(inserted) == len(rows)  # all new: copy the next batch straight
        return new

    def _stored_collections(self, cursor, uids: list[str]) -> list[tuple[str, int, int]]:  # type: ignore[no-untyped-def]
        cursor.execute("SELECT uid, collection_id, id FROM games WHERE uid = ANY(%s)", (uids,))
        return list(cursor.fetchall())

    def _set_collection(self, cursor, uid: str, collection_id: int) -> None:  # type: ignore[no-untyped-def]
        cursor.execute("UPDATE games SET collection_id = %s WHERE uid = %s", (collection_id, uid))

    def _append_move_stats(self, cursor, stats: list[np.ndarray], refs: RowRefs, seq: int) -> None:  # type: ignore[no-untyped-def]
        """Binary COPY of the rows, seq before the ending and think-time counts (which go
        last, zeros sent NULL: a row of one game fills one ending and one bucket). Rows
        with no think time (games without clocks) go in a COPY that leaves those columns
        out: the server reads 21 fields a row fewer."""
        nullable = self.nullable_counts() if self.endings else 0
        fixed = len(stats) - nullable
        columns = [*stats[:fixed], np.full(len(stats[0]), seq, np.int64), *stats[fixed:]]
        names = (*self.move_stats_columns[:fixed], "seq", *self.move_stats_columns[fixed:])
        types = (*self.move_stats_types[:fixed], "i4", *self.move_stats_types[fixed:-1])
        if not self.think:
            self._copy_move_stats(cursor, names, columns, types, refs, nullable)
            return
        think = len(THINK_TIME_COLUMNS)
        timed = np.zeros(len(stats[0]), bool)
        for column in stats[-think:]:
            timed |= column != 0
        for rows, dropped in ((timed, 0), (~timed, think)):
            if not rows.any():
                continue
            kept = len(columns) - dropped
            picked, picked_refs = columns[:kept], refs
            if not rows.all():
                picked, picked_refs = [column[rows] for column in picked], refs.select(rows)
            self._copy_move_stats(cursor, names[:kept], picked, types[:kept], picked_refs, nullable - dropped)

    def _copy_move_stats(self, cursor, names, columns, types, refs: RowRefs, nullable: int) -> None:  # type: ignore[no-untyped-def]
        with cursor.copy(f"COPY move_stats ({', '.join(names)}, refs) FROM STDIN (FORMAT BINARY)") as copy:
            for chunk in binary_copy_chunks(columns, types, refs, nullable):
                copy.write(chunk)

    def _append_singles(self, cursor, columns: list[np.ndarray], seq: int) -> None:  # type: ignore[no-untyped-def]
        """Into a run of the batch's own (webapp.indexer.runs): a new table, filled with no
        index to keep, its indexes then built in one sorted pass; attached by finish(). Into
        move_singles itself while it keeps an open run (before migration 0020) or no runs."""
        from webapp.indexer import runs  # runs builds on this module's locks

        if self.own_runs is None:
            self.own_runs = runs.batch_runs(self.connection)
        table = "move_singles"
        if self.own_runs:
            cursor.execute(runs.new_run_sql(seq))
            table = runs.run_name(seq)
        with cursor.copy(f"COPY {table} ({', '.join(SINGLES_COLUMNS)}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.write(fixed_copy_data(columns, SINGLES_TYPES))
        if self.own_runs:
            cursor.execute(runs.PARENT_INDEXES_SQL)
            for statement in runs.run_index_sql(seq, {row[0] for row in cursor.fetchall()}):
                cursor.execute(statement)
            self.unattached.append(seq)

    def finish(self, cursor) -> None:  # type: ignore[no-untyped-def]
        """Attach the batch's runs, last: an attach holds a lock on move_singles that another
        batch's attach waits for until this batch commits."""
        from webapp.indexer import runs

        for seq in self.unattached:
            for statement in runs.attach_run_sql(seq):
                cursor.execute(statement)
        self.unattached = []

    def nullable_counts(self) -> int:
        """How many nullable count columns this schema's move_stats rows carry."""
        return len(ENDING_COLUMNS) + (len(THINK_TIME_COLUMNS) if self.think else 0)

    def merge(self, cursor, table: str, columns: tuple[str, ...], data: list[np.ndarray], refs: RowRefs) -> None:  # type: ignore[no-untyped-def]
        """COPY rows already summed per key (rows._aggregate) to stage_<table>, then add them."""
        stage = self._stage(cursor, table, columns)
        with cursor.copy(f"COPY {stage} FROM STDIN (FORMAT BINARY)") as copy:
            for chunk in binary_copy_chunks(data, ["i8"] * len(data), refs):
                copy.write(chunk)
        keys, updates = _merged_columns(columns, "t", "postgresql", self.player_values)
        staged = ", ".join(f"nullif({c}, 0)" if c in NULLABLE_COUNTS else c for c in columns)
        # in key order: the COPY sent them by shape (binary_copy_chunks), and two batches
        # adding to the same rows in different orders deadlock
        cursor.execute(
            f"INSERT INTO {table} AS t ({', '.join(columns)}, refs) "
            f"SELECT {staged}, refs FROM {stage} ORDER BY {', '.join(keys)} "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
        )
        if self.bandless(table):
            player_summaries.add_staged(cursor, stage)
        # a transaction may merge many times (indexing a player, a rebuild): the staged
        # rows go now, not only at commit
        cursor.execute(f"DELETE FROM {stage}")


def writer_for(
    connection: Connection,
    *,
    endings: bool = True,
    newest: bool = True,
    paths: bool = True,
    think: bool = True,
    singles: bool = True,
) -> SqliteWriter | PostgresWriter:
    """The dialect's writer (`endings` False: for the schema before migration 0011;
    `newest` False: before 0012; `paths` False: before 0013, no move-order column;
    `think` False: before 0014, no think-time counts; `singles` False: before 0016,
    every row wide)."""
    options = {"endings": endings, "newest": newest, "paths": paths, "think": think, "singles": singles}
    if connection.dialect.name == "postgresql":
        return PostgresWriter(connection, **options)
    return SqliteWriter(connection, **options)
