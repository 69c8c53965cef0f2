"""Batch writers: PostgreSQL through COPY into staging tables, SQLite through executemany.

Both write one prepared batch: upsert its players (a short transaction of its own), then
in the caller's transaction insert the games with ON CONFLICT (uid) DO NOTHING to learn
which are new, and add statistics for the new games only — so a re-import, or an import resumed after a crash, never counts
a game twice.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from datetime import date

import numpy as np
from sqlalchemy import Connection

from webapp.indexer.games import GameRecord
from webapp.indexer.rows import Batch, move_stats_rows, player_move_stats_rows, rollup_rows

GAME_COLUMNS = (
    "uid", "source", "white_id", "black_id", "white_rating", "black_rating", "result",
    "speed", "rated", "played_on", "month", "time_control", "event", "site", "eco",
    "plies", "moves",
)  # fmt: skip
MOVE_STATS_COLUMNS = (
    "position_key", "move", "speed", "rated", "rating_band", "month",
    "white", "draws", "black", "rating_sum",
)  # fmt: skip
ROLLUP_COLUMNS = (
    "position_key", "move", "speed", "rated", "rating_band", "white", "draws", "black", "rating_sum",
)  # fmt: skip
PLAYER_MOVE_STATS_COLUMNS = (
    "player_id", "position_key", "color", "move", "speed", "rated", "rating_band", "month",
    "white", "draws", "black", "rating_sum",
)  # fmt: skip
NAME_LENGTH = 64
#: sum staged statistics again in SQL (GROUP BY ... ORDER BY) although rows._aggregate has
#: summed and sorted them already; measured here, it only added a sort to every merge
GROUP_IN_SQL = False


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


def game_row(record: GameRecord, white_id: int, black_id: int) -> tuple:
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
        " ".join(record.moves),
    )


def _ids(batch: Batch, ids: dict[tuple[str, str], int]) -> tuple[np.ndarray, np.ndarray]:
    white = [ids[(r.source, r.white[:NAME_LENGTH].lower())] for r in batch.records]
    black = [ids[(r.source, r.black[:NAME_LENGTH].lower())] for r in batch.records]
    return np.array(white, np.int64), np.array(black, np.int64)


def _merge_statistics(merge, cursor, batch: Batch, new: np.ndarray, white_ids: np.ndarray, black_ids: np.ndarray) -> None:  # type: ignore[no-untyped-def]
    """Add the new games' rows to the three statistics tables through a writer's merge."""
    stats = move_stats_rows(batch, new)
    merge(cursor, "move_stats", MOVE_STATS_COLUMNS, stats)
    merge(cursor, "move_stats_rollup", ROLLUP_COLUMNS, rollup_rows(stats))
    merge(
        cursor,
        "player_move_stats",
        PLAYER_MOVE_STATS_COLUMNS,
        player_move_stats_rows(batch, new, white_ids, black_ids),
    )


class SqliteWriter:
    """Batched executemany with INSERT ... ON CONFLICT DO UPDATE adding the counts."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.rows = 0

    def close(self) -> None:
        pass

    def player_ids(self, batch: Batch) -> dict[tuple[str, str], int]:
        """Upsert the batch's players (the caller's transaction); (source, name) → id."""
        cursor = self.connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        ids: dict[tuple[str, str], int] = {}
        for (source, name), display in player_keys(batch.records).items():
            cursor.execute(
                "INSERT INTO players (source, name, display_name) VALUES (?, ?, ?) "
                "ON CONFLICT (source, name) DO NOTHING",
                (source, name, display),
            )
            cursor.execute("SELECT id FROM players WHERE source = ? AND name = ?", (source, name))
            ids[(source, name)] = cursor.fetchone()[0]
        cursor.close()
        return ids

    def write(self, batch: Batch, ids: dict[tuple[str, str], int]) -> np.ndarray:
        """Write the batch's games and statistics; returns a mask of the games that were new."""
        cursor = self.connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        white_ids, black_ids = _ids(batch, ids)
        new = np.zeros(len(batch), dtype=bool)
        insert_game = (
            f"INSERT INTO games ({', '.join(GAME_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(GAME_COLUMNS))}) ON CONFLICT (uid) DO NOTHING"
        )
        for index, record in enumerate(batch.records):
            row = game_row(record, int(white_ids[index]), int(black_ids[index]))
            row = row[:9] + ((row[9].isoformat() if row[9] else None),) + row[10:]
            cursor.execute(insert_game, row)
            new[index] = cursor.rowcount == 1
        if new.any():
            _merge_statistics(self._merge, cursor, batch, new, white_ids, black_ids)
        cursor.close()
        return new

    def _merge(self, cursor, table: str, columns: tuple[str, ...], data: list[np.ndarray]) -> None:  # type: ignore[no-untyped-def]
        self.rows += len(data[0])
        keys, counts = columns[:-4], columns[-4:]
        updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in counts)
        statement = (
            f"INSERT INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))}) "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
        )
        cursor.executemany(statement, zip(*(column.tolist() for column in data), strict=True))


_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
_COPY_TRAILER = struct.pack("!h", -1)


COPY_ROWS_PER_WRITE = 32_768


def binary_copy_chunks(columns: list[np.ndarray]) -> Iterator[bytes | memoryview]:
    """COPY ... (FORMAT BINARY) data for rows of bigint columns, built by numpy a slice of
    rows at a time (so a big batch never holds its whole payload in memory)."""
    fields = [("count", ">i2")]
    for index in range(len(columns)):
        fields += [(f"length{index}", ">i4"), (f"value{index}", ">i8")]
    dtype = np.dtype(fields)
    yield _COPY_HEADER
    total = len(columns[0])
    for start in range(0, total, COPY_ROWS_PER_WRITE):
        end = min(start + COPY_ROWS_PER_WRITE, total)
        rows = np.empty(end - start, dtype=dtype)
        rows["count"] = len(columns)
        for index, column in enumerate(columns):
            rows[f"length{index}"] = 8
            rows[f"value{index}"] = column[start:end]
        yield memoryview(rows).cast("B")
    yield _COPY_TRAILER


def binary_copy_payload(columns: list[np.ndarray]) -> bytes:
    """binary_copy_chunks() joined (for tests and small batches)."""
    return b"".join(bytes(chunk) for chunk in binary_copy_chunks(columns))


class PostgresWriter:
    """COPY into temp staging tables, then INSERT ... SELECT ... ON CONFLICT DO UPDATE adding
    the counts; the staged rows are summed per key and sorted in key order by numpy."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.raw = connection.connection.driver_connection
        self.rows = 0
        try:  # staging rows stay in memory (settable before the session's first temp table)
            with connection.begin():
                self.raw.execute("SET temp_buffers = '256MB'")
        except Exception:  # noqa: BLE001 - a pooled session that already used temp tables
            pass
        with connection.begin():
            cursor = self.raw.cursor()
            for table, columns in (
                ("move_stats", MOVE_STATS_COLUMNS),
                ("move_stats_rollup", ROLLUP_COLUMNS),
                ("player_move_stats", PLAYER_MOVE_STATS_COLUMNS),
            ):
                cursor.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS stage_{table} "
                    f"({', '.join(c + ' bigint' for c in columns)}) ON COMMIT DELETE ROWS"
                )
            cursor.execute("DROP TABLE IF EXISTS stage_games")
            cursor.execute(
                "CREATE TEMP TABLE stage_games ON COMMIT DELETE ROWS AS "
                f"SELECT {', '.join(GAME_COLUMNS)} FROM games WITH NO DATA"
            )

    def close(self) -> None:
        with self.connection.begin():
            self.raw.execute(
                "DROP TABLE IF EXISTS stage_games, stage_move_stats, stage_move_stats_rollup, "
                "stage_player_move_stats"
            )

    def player_ids(self, batch: Batch) -> dict[tuple[str, str], int]:
        """Upsert the batch's players (the caller's transaction); (source, name) → id.

        Run in a short transaction of its own before the batch's: a new player inserted
        by one batch would otherwise make a concurrent batch wait for the whole first
        batch to commit. A player whose games then fail to land is harmless (a name).
        """
        cursor = self.raw.cursor()
        cursor.execute("SET LOCAL statement_timeout = 0")
        people = dict(sorted(player_keys(batch.records).items()))  # one lock order for all
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

    def write(self, batch: Batch, ids: dict[tuple[str, str], int]) -> np.ndarray:
        """Write the batch's games and statistics; returns a mask of the games that were new."""
        cursor = self.raw.cursor()
        # The app bounds explorer queries; an import batch may take longer. A batch lost to
        # a server crash right after its commit is simply imported again by the rerun.
        cursor.execute(
            "SET LOCAL statement_timeout = 0; SET LOCAL synchronous_commit = off; "
            "SET LOCAL jit = off; SET LOCAL work_mem = '256MB'"
        )
        white_ids, black_ids = _ids(batch, ids)
        columns = ", ".join(GAME_COLUMNS)
        staged: dict[str, int] = {}  # uid → index of its first record (a repeat counts once)
        with cursor.copy(f"COPY stage_games ({columns}) FROM STDIN") as copy:
            for index, record in enumerate(batch.records):
                uid = record.uid[:120]
                if uid not in staged:
                    staged[uid] = index
                    copy.write_row(game_row(record, int(white_ids[index]), int(black_ids[index])))
        cursor.execute(
            f"INSERT INTO games ({columns}) SELECT {columns} FROM stage_games "
            "ON CONFLICT (uid) DO NOTHING RETURNING uid"
        )
        new = np.zeros(len(batch), dtype=bool)
        for (uid,) in cursor.fetchall():
            new[staged[uid]] = True
        if new.any():
            _merge_statistics(self._merge, cursor, batch, new, white_ids, black_ids)
        cursor.close()
        return new

    def _merge(self, cursor, table: str, columns: tuple[str, ...], data: list[np.ndarray]) -> None:  # type: ignore[no-untyped-def]
        """COPY rows already summed per key (rows._aggregate) to stage_<table>, then add them."""
        with cursor.copy(f"COPY stage_{table} FROM STDIN (FORMAT BINARY)") as copy:
            for chunk in binary_copy_chunks(data):
                copy.write(chunk)
        self._merge_from_stage(cursor, table, table, columns, summed=not GROUP_IN_SQL)

    def _merge_from_stage(  # type: ignore[no-untyped-def]
        self, cursor, table: str, stage: str, columns: tuple[str, ...], *, summed: bool = False
    ) -> None:
        """Add the stage_<stage> rows, summed over `columns`' keys, into `table`.

        `summed`: the staged rows are unique per key and sorted in key order already, so
        the GROUP BY ... ORDER BY would only cost a sort (a third of the merge's time).
        """
        keys, counts = columns[:-4], columns[-4:]
        key_list = ", ".join(keys)
        if summed:
            select = f"SELECT {', '.join(columns)} FROM stage_{stage}"
        else:
            sums = ", ".join(f"sum({c})::bigint" for c in counts)
            select = (
                f"SELECT {key_list}, {sums} FROM stage_{stage} "
                f"GROUP BY {key_list} ORDER BY {key_list}"
            )
        updates = ", ".join(f"{c} = t.{c} + excluded.{c}" for c in counts)
        cursor.execute(
            f"INSERT INTO {table} AS t ({', '.join(columns)}) {select} "
            f"ON CONFLICT ({key_list}) DO UPDATE SET {updates}"
        )
        self.rows += max(cursor.rowcount, 0)


def writer_for(connection: Connection) -> SqliteWriter | PostgresWriter:
    if connection.dialect.name == "postgresql":
        return PostgresWriter(connection)
    return SqliteWriter(connection)
