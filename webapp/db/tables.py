"""The schema as SQLAlchemy Core tables; migrations in webapp/migrations create it.

`games` keeps every game whole and compactly (moves as 16-bit codes, clocks, how it ended),
so positions can be replayed, exported and re-indexed without the original file.

`move_stats` is the explorer's hot table: counts per (position, next move, collection,
speed, rated, rating band, move order that reached the position, month). Imports only append to it (each batch's rows carry the
batch's `seq`), a row that counts one game narrow in `move_singles` (webapp.db.singles: the
view `move_stats_all` reads both as one); reads sum the rows of a position, and compaction (webapp.indexer.compact)
merges the rows of positions that gathered many, keeping a month-less summary of those
"hot" positions in `move_stats_rollup` (and, for the hottest, a band-less monthly one in
`move_stats_monthly`). `player_move_stats` holds the same per player and
colour, for the players someone asks about (`tracked_players`). Move code 0 marks "reached
this position, no further indexed move", so the totals of a position count every game
that reached it. Every statistics row keeps references to the games it counts (`refs`,
webapp.model.game_refs): all of them, or its best and newest when there are many.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    literal_column,
)

import webapp.db.sqlite  # noqa: F401 - SQLite connections get the refs_merge functions
from webapp.model.endings import ENDING_COLUMNS
from webapp.model.think_time import THINK_TIME_COLUMNS

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _move_columns() -> list[Column]:
    """The move and the kind of game a summary row counts: what its games are broken down by."""
    return [Column(name, SmallInteger, nullable=False) for name in ("move", "collection", "speed", "rated")]


def _positions_table(name: str, *extra: Column) -> Table:
    """A list of positions, each with the batch (`seq`) up to which their rows are taken in
    (by a summary, or by a merge: merged_positions)."""
    return Table(
        name,
        metadata,
        Column("position_key", BigInteger, primary_key=True, autoincrement=False),
        Column("seq", Integer, nullable=False),
        *extra,
    )


def _banded_columns() -> list[Column]:
    """A band-less summary row's rating sum and the games that sum is over."""
    return [
        Column("rating_sum", BigInteger, nullable=False),  # over the games with a known band
        Column("banded", Integer, nullable=False),  # the games with a known band
    ]


def _result_columns() -> list[Column]:
    """The row's games by result."""
    return [Column(name, Integer, nullable=False) for name in ("white", "draws", "black")]


def _ending_columns() -> list[Column]:
    """How the row's games ended (webapp.model.endings), NULL meaning zero: a NULL costs
    PostgreSQL a bit in the row's null bitmap, so a one-game row pays for one value."""
    return [Column(name, Integer) for name in ENDING_COLUMNS]


def _think_time_columns() -> list[Column]:
    """The think times of the row's move: games per bucket and under 10% of the base after
    it (webapp.model.think_time), NULL meaning zero, as the ending columns."""
    return [Column(name, Integer) for name in THINK_TIME_COLUMNS]


# SQLite only auto-increments an INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")

players = Table(
    "players",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(16), nullable=False),  # lichess | chesscom | pgn
    Column("name", String(64), nullable=False),  # lower-case, as looked up
    Column("display_name", String(64), nullable=False),
    # led by the name, it serves the lookups by name too (migration 0025)
    UniqueConstraint("name", "source"),
)

games = Table(
    "games",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("uid", String(120), nullable=False, unique=True),  # lichess:<id>, chesscom:<id>, pgn:<hash>
    Column("source", String(16), nullable=False),
    # players.id: a foreign key on SQLite only; PostgreSQL checks none (migration 0021: the
    # writer stores a batch's players first, and no player is deleted). Declared here for
    # SQLite and for the order of metadata.sorted_tables (games before players)
    Column("white_id", Integer, ForeignKey("players.id"), nullable=False),
    Column("black_id", Integer, ForeignKey("players.id"), nullable=False),
    Column("white_rating", SmallInteger),
    Column("black_rating", SmallInteger),
    Column("result", String(7), nullable=False),  # 1-0 | 0-1 | 1/2-1/2
    Column("speed", SmallInteger, nullable=False),
    Column("rated", Boolean, nullable=False),
    Column("played_on", Date),
    Column("month", Integer, nullable=False),  # yyyymm, 0 when unknown
    Column("time_control", String(32)),
    Column("event", String(200)),
    Column("site", String(200)),
    Column("eco", String(3)),
    Column("plies", SmallInteger, nullable=False),
    # the whole game: 16-bit move codes (webapp.model.position.encode_move), little-endian
    Column("moves", LargeBinary, nullable=False),
    # the mover's clock after each ply in tenths of a second (uint32 little-endian), or NULL
    Column("clocks", LargeBinary),
    Column("termination", SmallInteger, nullable=False, server_default="0"),  # model.termination
    Column("collection_id", SmallInteger, nullable=False, server_default="1"),
    Column("imported_at", DateTime, nullable=False, server_default=func.now()),
    Index("ix_games_white_id", "white_id"),
    Index("ix_games_black_id", "black_id"),
)

move_stats = Table(
    "move_stats",
    metadata,
    Column("position_key", BigInteger, nullable=False),
    Column("rating_sum", BigInteger, nullable=False),  # over games with a known band
    Column("month", Integer, nullable=False),  # yyyymm, 0 unknown
    Column("white", Integer, nullable=False),
    Column("draws", Integer, nullable=False),
    Column("black", Integer, nullable=False),
    Column("seq", Integer, nullable=False),  # the import batch (stat_batches.id) that wrote it
    Column("move", SmallInteger, nullable=False),
    Column("collection", SmallInteger, nullable=False),
    Column("speed", SmallInteger, nullable=False),
    Column("rated", SmallInteger, nullable=False),
    Column("rating_band", SmallInteger, nullable=False),  # mean rating // 100, -1 unknown
    # the move order that reached the position (webapp.indexer.rows.path_hashes), 0 at the start
    Column("path", Integer, nullable=False, server_default="0"),
    Column("refs", LargeBinary),  # the games counted, some of them (webapp.model.game_refs)
    *_ending_columns(),
    *_think_time_columns(),
    Index("ix_move_stats_position_key_seq", "position_key", "seq"),
)

#: move_stats' rows that count one game, narrow: the rest of the row is the game's
#: (webapp.db.singles; the view move_stats_all reads both tables as move_stats)
move_singles = Table(
    "move_singles",
    metadata,
    Column("position_key", BigInteger, nullable=False),
    Column("game_id", Integer, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("path", Integer, nullable=False),
    Column("move", SmallInteger, nullable=False),
    # think-time code, low clock, ending code and collection id (webapp.db.singles.pack_codes)
    Column("code", SmallInteger, nullable=False),
    # by batch too: a summarized (hot) position reads only the rows appended since
    Index("ix_move_singles_position_key_seq", "position_key", "seq"),
)

#: move_stats summed over months, for hot positions only: rows of move_stats with
#: seq <= hot_positions.seq are counted here, later rows are read from move_stats
move_stats_rollup = Table(
    "move_stats_rollup",
    metadata,
    Column("position_key", BigInteger, nullable=False),
    Column("move", SmallInteger, nullable=False),
    Column("collection", SmallInteger, nullable=False),
    Column("speed", SmallInteger, nullable=False),
    Column("rated", SmallInteger, nullable=False),
    Column("rating_band", SmallInteger, nullable=False),
    Column("path", Integer, nullable=False, server_default="0"),
    Column("white", Integer, nullable=False),
    Column("draws", Integer, nullable=False),
    Column("black", Integer, nullable=False),
    Column("rating_sum", BigInteger, nullable=False),
    Column("refs", LargeBinary),
    # the newest month of the rows summed here: a position's newest games are in the rows
    # with the latest last_month (webapp.db.position_games reads only those)
    Column("last_month", Integer),
    *_ending_columns(),
    *_think_time_columns(),
    PrimaryKeyConstraint("position_key", "move", "collection", "speed", "rated", "rating_band", "path"),
    sqlite_with_rowid=False,
)

#: positions whose month-less sums live in move_stats_rollup, up to batch `seq`
hot_positions = _positions_table("hot_positions")

#: the rollup summed over rating bands and move orders, at the positions with a monthly
#: summary too (listed in bandless_positions): the explorer with no rating asked reads a few
#: hundred rows there instead of thousands (migration 0024; webapp.indexer.bandless_sums)
move_stats_bandless = Table(
    "move_stats_bandless",
    metadata,
    Column("position_key", BigInteger, nullable=False),
    *_move_columns(),
    *_result_columns(),
    *_banded_columns(),
    *_ending_columns(),
    *_think_time_columns(),
    PrimaryKeyConstraint("position_key", "move", "collection", "speed", "rated"),
    sqlite_with_rowid=False,
)

#: positions whose rollup move_stats_bandless sums, up to batch `seq`: read only while that
#: is hot_positions.seq, so the sums are the rollup's
bandless_positions = _positions_table("bandless_positions")

#: positions compaction merged: their rows up to batch `seq` were merged, leaving
#: `row_count` rows; merged again once the rows appended since are a share of those
#: (webapp.indexer.compact.MERGE_SHARE)
merged_positions = _positions_table("merged_positions", Column("row_count", Integer, nullable=False))

#: move_stats summed over rating bands, for the positions with the most rows (those in
#: monthly_positions): what a month-by-month question reads there when it asks no ratings.
#: Rows of move_stats with seq <= monthly_positions.seq are counted here, later rows are
#: read from move_stats. Month comes second in the key, so a months filter reads its range.
move_stats_monthly = Table(
    "move_stats_monthly",
    metadata,
    Column("position_key", BigInteger, nullable=False),
    Column("month", Integer, nullable=False),
    *_move_columns(),
    *_result_columns(),
    *_banded_columns(),
    # the highest rating among its games' references (migrations 0022 and 0026)
    Column("best_rating", Integer, nullable=False),
    Column("refs", LargeBinary),  # its games' references, merged (webapp.model.game_refs)
    *_ending_columns(),
    *_think_time_columns(),
    PrimaryKeyConstraint("position_key", "month", "move", "collection", "speed", "rated"),
    # the games lists find the rows with the best games from a few entries of this index
    Index("ix_move_stats_monthly_best_rating", "position_key", "best_rating"),
    sqlite_with_rowid=False,
)

#: positions whose band-less monthly sums live in move_stats_monthly, up to batch `seq`
monthly_positions = _positions_table("monthly_positions")

#: one row per import batch that appended statistics: its id is the rows' seq
stat_batches = Table(
    "stat_batches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", DateTime, nullable=False, server_default=func.now()),
)

_PLAYER_KEYS = (
    "player_id", "position_key", "color", "move", "collection", "speed", "rated", "rating_band", "game_band",
)  # fmt: skip


def _player_stats_table(name: str, *, monthly: bool) -> Table:
    return Table(
        name,
        metadata,
        Column("player_id", Integer, nullable=False),
        Column("position_key", BigInteger, nullable=False),
        Column("color", SmallInteger, nullable=False),  # 0 white, 1 black
        Column("move", SmallInteger, nullable=False),
        Column("collection", SmallInteger, nullable=False),
        Column("speed", SmallInteger, nullable=False),
        Column("rated", SmallInteger, nullable=False),
        Column("rating_band", SmallInteger, nullable=False),  # the player's own rating // 100
        # the game's band as the all-games rows have it (mean rating // 100, -1 unknown):
        # what the peers' rows hold of the player's own games, to take them out
        Column("game_band", SmallInteger, nullable=False, server_default="-1"),
        *([Column("month", Integer, nullable=False)] if monthly else []),
        Column("white", Integer, nullable=False),
        Column("draws", Integer, nullable=False),
        Column("black", Integer, nullable=False),
        Column("rating_sum", BigInteger, nullable=False),  # the opponents' ratings
        Column("game_rating_sum", BigInteger, nullable=False, server_default="0"),  # mean ratings, band known
        Column("refs", LargeBinary),  # rated by the player's own rating
        *_ending_columns(),
        *_think_time_columns(),
        # the rollup's newest month of the rows summed here, as move_stats_rollup's
        *([] if monthly else [Column("last_month", Integer)]),
        PrimaryKeyConstraint(*_PLAYER_KEYS, *(["month"] if monthly else [])),
        sqlite_with_rowid=False,
    )


player_move_stats = _player_stats_table("player_move_stats", monthly=True)
#: player_move_stats summed over months: what the player view reads when no dates are asked
player_move_stats_rollup = _player_stats_table("player_move_stats_rollup", monthly=False)

#: the rollup summed over both rating bands too, at a player's busiest positions (listed in
#: player_bandless_positions): a player view with no rating asked reads a few hundred rows
#: there instead of thousands (migration 0023; webapp.indexer.player_summaries)
player_move_stats_bandless = Table(
    "player_move_stats_bandless",
    metadata,
    Column("player_id", Integer, nullable=False),
    Column("position_key", BigInteger, nullable=False),
    Column("color", SmallInteger, nullable=False),
    *_move_columns(),
    *_result_columns(),
    Column("rating_sum", BigInteger, nullable=False),  # the opponents' ratings, as the rollup's
    Column("banded", Integer, nullable=False),  # the games with the player's band known
    *_ending_columns(),
    *_think_time_columns(),
    PrimaryKeyConstraint("player_id", "position_key", "color", "move", "collection", "speed", "rated"),
    sqlite_with_rowid=False,
)

#: the (player, position) pairs whose rollup rows player_move_stats_bandless sums
player_bandless_positions = Table(
    "player_bandless_positions",
    metadata,
    Column("player_id", Integer, primary_key=True, autoincrement=False),
    Column("position_key", BigInteger, primary_key=True, autoincrement=False),
    sqlite_with_rowid=False,
)


#: newest_month's value for a row whose newest month is unknown
UNKNOWN_MONTH = literal_column("999999")


def newest_month(table: Table):  # type: ignore[no-untyped-def]
    """A rollup row's last_month with unknown (NULL) as the latest, as its index holds it
    (a constant in the SQL text, so a generic plan still matches the index)."""
    return func.coalesce(table.c.last_month, UNKNOWN_MONTH)


#: a position's rollup rows by band and by newest month, so the games lists find the rows
#: among the highest bands and latest months from a few index entries (migration 0012)
ROLLUP_INDEXES = {
    "move_stats_rollup": ("position_key",),
    "player_move_stats_rollup": ("player_id", "position_key"),
}
for _table in (move_stats_rollup, player_move_stats_rollup):
    _prefix = [_table.c[c] for c in ROLLUP_INDEXES[_table.name]]
    Index(f"ix_{_table.name}_band", *_prefix, _table.c.rating_band)
    Index(f"ix_{_table.name}_newest", *_prefix, newest_month(_table))

#: players whose statistics are kept (imported accounts, linked people, names asked for);
#: status "indexing" while their stored games are being counted, then "ready"
tracked_players = Table(
    "tracked_players",
    metadata,
    Column("player_id", Integer, primary_key=True, autoincrement=False),
    Column("status", String(16), nullable=False, server_default="indexing"),
    Column("done", Integer, nullable=False, server_default="0"),
    Column("total", Integer, nullable=False, server_default="0"),
    Column("updated_at", DateTime, nullable=False, server_default=func.now()),
)

#: named sets of games (lichess, chesscom, otb, or any name an import gives)
collections = Table(
    "collections",
    metadata,
    Column("id", SmallInteger, primary_key=True, autoincrement=False),
    Column("name", String(64), nullable=False, unique=True),
)

requested_players = Table(
    "requested_players",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(16), nullable=False),  # lichess | chesscom | any
    Column("name", String(64), nullable=False),
    Column("times", Integer, nullable=False, server_default="1"),
    Column("first_requested_at", DateTime, nullable=False, server_default=func.now()),
    Column("last_requested_at", DateTime, nullable=False, server_default=func.now()),
    UniqueConstraint("source", "name"),
)

# People and account imports (migration 0002).

people = Table(
    "people",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),  # lower-case, as looked up
    Column("display_name", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False, server_default=func.now()),
)

person_accounts = Table(
    "person_accounts",
    metadata,
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("source", String(16), nullable=False),  # lichess | chesscom | pgn
    Column("name", String(64), nullable=False),  # lower-case username, imported or not yet
    PrimaryKeyConstraint("person_id", "source", "name"),
    Index("ix_person_accounts_source_name", "source", "name"),
)

account_imports = Table(
    "account_imports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(16), nullable=False),  # lichess | chesscom
    Column("name", String(64), nullable=False),  # lower-case username
    Column("last_complete_month", Integer, nullable=False, server_default="0"),  # yyyymm
    Column("last_game_ms", BigInteger, nullable=False, server_default="0"),  # lichess createdAt
    Column("games_imported", Integer, nullable=False, server_default="0"),
    Column("skipped_variants", Integer, nullable=False, server_default="0"),
    Column("status", String(16), nullable=False, server_default="idle"),  # idle | running
    Column("lock_token", String(40)),
    Column("heartbeat_at", DateTime),
    Column("last_error", Text),
    Column("finished_at", DateTime),
    UniqueConstraint("source", "name"),
)

import_jobs = Table(
    "import_jobs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(16), nullable=False),
    Column("name", String(64), nullable=False),
    Column("status", String(16), nullable=False, server_default="queued"),
    Column("done", Integer, nullable=False, server_default="0"),
    Column("total", Integer, nullable=False, server_default="0"),
    Column("unit", String(16), nullable=False, server_default="months"),
    Column("games_added", Integer, nullable=False, server_default="0"),
    Column("message", Text),
    Column("created_at", DateTime, nullable=False, server_default=func.now()),
    Column("updated_at", DateTime, nullable=False, server_default=func.now()),
)

#: facts about this database itself; key 'store_id': a random id that keys its cached answers
store_info = Table(
    "store_info",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
