"""One-game statistics rows, kept narrow: most rows of a store count a single game.

Of the rows a real store keeps in move_stats, 97% count one game (a position reached in
one game only, the usual case past the opening). Such a row is kept in `move_singles` as
(position_key, game_id, seq, path, move, code), 24 bytes of data instead of about 60: its
result, speed, rated flag, rating band, rating and month are the game's, read from the
games table, and `code` packs what is the row's own (the move's think-time bucket and low
clock, how the game ended, its collection then) into one small integer.

The view `move_stats_all` gives the rows of both tables with move_stats' columns (plus
`game_id` and `code`, NULL for a wide row): the explorer and compaction
read it and never see the difference. An importer writes a one-game row narrow only
where the view gives back exactly the row it would have written wide (`narrow_games`),
and not at the busiest positions, where every read sums the rows appended since the
summary and a narrow row would look its game up (webapp.indexer.bulk._split_singles);
any other row stays wide.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy import BigInteger, Column, Integer, LargeBinary, MetaData, SmallInteger, Table

from webapp.indexer.games import GameRecord
from webapp.indexer.rows import MAX_BAND
from webapp.model.endings import ENDING_COLUMNS
from webapp.model.think_time import LOW_CLOCK, THINK_COLUMNS

#: the view's name: move_stats' rows and the one-game rows, as move_stats' columns
VIEW = "move_stats_all"
#: move_stats' columns, each of which the view gives for a narrow row too
WIDE_COLUMNS = (
    "position_key", "rating_sum", "month", "white", "draws", "black", "seq", "move", "collection", "speed",
    "rated", "rating_band", "path", "refs", *ENDING_COLUMNS, *THINK_COLUMNS, LOW_CLOCK,
)  # fmt: skip
#: bits of `code`: the think-time code (webapp.model.think_time, 0 no clock), the low
#: clock flag, the ending code (webapp.model.endings, 0 none), the collection's id
THINK_BITS = 5
LOW_CLOCK_BIT = 1 << THINK_BITS
ENDING_SHIFT = THINK_BITS + 1
ENDING_BITS = 4
COLLECTION_SHIFT = ENDING_SHIFT + ENDING_BITS
#: the largest collection id a narrow row can hold (code is a signed 16-bit integer)
MAX_COLLECTION = (1 << (15 - COLLECTION_SHIFT)) - 1
#: game ids a narrow row can hold (a signed 32-bit integer; game references hold 32 bits)
MAX_GAME_ID = (1 << 31) - 1
#: the highest think-time and ending codes the bits hold
assert len(THINK_COLUMNS) < 1 << THINK_BITS and len(ENDING_COLUMNS) < 1 << ENDING_BITS


def pack_codes(think: np.ndarray, low_clock: np.ndarray, ending: np.ndarray, collection: np.ndarray) -> np.ndarray:
    """The `code` of narrow rows from their parallel columns."""
    return think | (low_clock.astype(np.int64) << THINK_BITS) | (ending << ENDING_SHIFT) | (collection << COLLECTION_SHIFT)


def narrow_games(records: Sequence[GameRecord], collection: np.ndarray, game_id: np.ndarray) -> np.ndarray:
    """Per game: whether the view derives its rows exactly from the games table as stored.
    Ratings must be unknown or within what the table keeps (a negative one counts as unknown
    to the importer, as known to SQL), a known day must fall in the game's month (the view
    reads the day alone), the collection and id must fit their fields."""

    def fits(rating: int | None) -> bool:
        return rating is None or 0 <= rating <= 32767

    def readable(record: GameRecord) -> bool:
        day = record.played_on
        in_month = day is None or record.month == day.year * 100 + day.month
        return in_month and fits(record.white_rating) and fits(record.black_rating)

    stored = np.fromiter((readable(record) for record in records), bool, count=len(game_id))
    return stored & (collection >= 0) & (collection <= MAX_COLLECTION) & (game_id > 0) & (game_id <= MAX_GAME_ID)


def _mean_rating(known: str) -> str:
    return f"CASE WHEN {known} THEN (CAST(g.white_rating AS integer) + g.black_rating) / 2 ELSE 0 END"


def view_sql(dialect: str) -> str:
    """CREATE VIEW move_stats_all for the dialect: move_stats' columns, its rows and the
    narrow rows joined to their games, each column as the importer would have written it
    (webapp.indexer.rows.move_stats_rows)."""
    games = _GAME_BY_GAME if dialect == "postgresql" else _GAMES_JOINED  # SQLite: a lookup a row anyway
    return f"CREATE VIEW {VIEW} AS {_union(dialect, '', games=games)}"


def rows_sql(dialect: str, where: str) -> str:
    """The view's rows under a condition on `position_key` and `seq` (unqualified), as a
    parenthesized SELECT: the condition stands in both halves, so a key list (IN a
    subquery), which PostgreSQL does not push into a UNION ALL, picks the narrow rows before
    their games are joined and their references made."""
    return f"({_union(dialect, f' WHERE {where}')})"


#: how the narrow rows find their games: the view looks each game up by its id (a
#: subquery the planner keeps apart, so always an index lookup a row: the explorer reads a
#: position's few rows, and a join planned for the many a summarized position keeps would
#: read every game); rows_sql, for compaction's bulk statements, joins them as it likes
_GAME_BY_GAME = "CROSS JOIN LATERAL (SELECT * FROM games WHERE games.id = s.game_id OFFSET 0) g"
_GAMES_JOINED = "JOIN games g ON g.id = s.game_id"


def _union(dialect: str, where: str, games: str = _GAMES_JOINED) -> str:
    postgres = dialect == "postgresql"
    wide = ", ".join(WIDE_COLUMNS) + ", CAST(NULL AS integer) AS game_id, CAST(NULL AS smallint) AS code"
    known = "g.white_rating IS NOT NULL AND g.black_rating IS NOT NULL"
    mean = _mean_rating(known)
    least = "least" if postgres else "min"
    # the day alone, not the date formatted: the reference's expression is evaluated once
    # for each of its bytes
    day = (
        "CAST(date_part('day', g.played_on) AS integer)" if postgres else "CAST(strftime('%d', g.played_on) AS integer)"
    )
    date = f"g.month * 100 + CASE WHEN g.played_on IS NOT NULL THEN {day} ELSE 0 END"
    rated = "CAST(CASE WHEN g.rated THEN 1 ELSE 0 END AS smallint)" if postgres else "g.rated"
    endings = [
        f"CASE WHEN (s.code >> {ENDING_SHIFT}) & {(1 << ENDING_BITS) - 1} = {code} THEN 1 END AS {name}"
        for code, name in enumerate(ENDING_COLUMNS, start=1)
    ]
    think = [
        f"CASE WHEN s.code & {(1 << THINK_BITS) - 1} = {code} THEN 1 END AS {name}"
        for code, name in enumerate(THINK_COLUMNS, start=1)
    ]
    narrow = ", ".join(
        [
            "s.position_key",
            f"CAST({mean} AS bigint) AS rating_sum",
            "g.month",
            "CASE WHEN g.result = '1-0' THEN 1 ELSE 0 END AS white",
            "CASE WHEN g.result = '1/2-1/2' THEN 1 ELSE 0 END AS draws",
            "CASE WHEN g.result = '0-1' THEN 1 ELSE 0 END AS black",
            "s.seq",
            "s.move",
            f"CAST(s.code >> {COLLECTION_SHIFT} AS smallint) AS collection",
            "g.speed",
            f"{rated} AS rated",
            f"CAST(CASE WHEN {known} THEN {least}({mean} / 100, {MAX_BAND}) ELSE -1 END AS smallint) AS rating_band",
            "s.path",
            f"ref_entry(s.game_id, {mean}, {date}) AS refs",
            *endings,
            *think,
            f"CASE WHEN s.code & {LOW_CLOCK_BIT} <> 0 THEN 1 END AS {LOW_CLOCK}",
            "s.game_id",
            "s.code",
        ]
    )
    return (
        f"SELECT {wide} FROM move_stats{where} "
        f"UNION ALL SELECT {narrow} FROM move_singles s {games}{where}"
    )


#: PostgreSQL: no parallel scan of the narrow rows. A summarized position keeps many of them
#: (all its games' one-game rows), so the planner expects many where the explorer reads
#: only those appended since the summary, and starting workers cost more than the read
#: (200,000 games, the start position: 25 ms instead of 7)
SERIAL_SCANS_SQL = "ALTER TABLE move_singles SET (parallel_workers = 0)"

#: PostgreSQL: a game reference's 10 bytes (webapp.model.game_refs.ENTRY), little-endian
REF_ENTRY_SQL = """
CREATE OR REPLACE FUNCTION ref_entry(game_id bigint, rating integer, day integer) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT set_byte(set_byte(set_byte(set_byte(set_byte(set_byte(set_byte(set_byte(set_byte(set_byte(
    '\\x00000000000000000000'::bytea,
    0, (game_id & 255)::integer), 1, ((game_id >> 8) & 255)::integer),
    2, ((game_id >> 16) & 255)::integer), 3, ((game_id >> 24) & 255)::integer),
    4, rating & 255), 5, (rating >> 8) & 255),
    6, day & 255), 7, (day >> 8) & 255), 8, (day >> 16) & 255), 9, (day >> 24) & 255)
$$
"""

#: the view as a table to select from (not in the schema's metadata: nothing creates,
#: empties or drops it but the migrations)
move_stats_all = Table(
    VIEW,
    MetaData(),
    Column("position_key", BigInteger),
    Column("rating_sum", BigInteger),
    Column("month", Integer),
    Column("white", Integer),
    Column("draws", Integer),
    Column("black", Integer),
    Column("seq", Integer),
    Column("move", SmallInteger),
    Column("collection", SmallInteger),
    Column("speed", SmallInteger),
    Column("rated", SmallInteger),
    Column("rating_band", SmallInteger),
    Column("path", Integer),
    Column("refs", LargeBinary),
    *(Column(name, Integer) for name in (*ENDING_COLUMNS, *THINK_COLUMNS, LOW_CLOCK)),
    Column("game_id", Integer),
    Column("code", SmallInteger),
)
