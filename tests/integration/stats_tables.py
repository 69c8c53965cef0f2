"""The statistics tables as comparable values, whatever their storage.

move_stats is append-only (a key may have several rows until compaction) and has a
collection column; hot positions keep month-less sums in move_stats_rollup; player
statistics exist for tracked players. These helpers give the old, simple view: counts per
(position, move, speed, rated, band, month), summed over rows and collections; the
month-less view exactly as the explorer reads it; player statistics of every player
(each is indexed first, from the stored games).
"""

from __future__ import annotations

from sqlalchemy import select, text

from webapp.db.tables import players
from webapp.indexer.reindex import index_players
from webapp.model.stored_game import decode_moves


def _add(out: dict, key: tuple, counts) -> None:  # type: ignore[no-untyped-def]
    row = out.setdefault(key, [0, 0, 0, 0])
    for index, value in enumerate(counts):
        row[index] += int(value)


def move_stats_by_month(connection) -> dict[tuple, list[int]]:  # type: ignore[no-untyped-def]
    out: dict[tuple, list[int]] = {}
    for row in connection.execute(
        text(
            "SELECT position_key, move, speed, rated, rating_band, month, "
            "white, draws, black, rating_sum FROM move_stats_all"
        )
    ):
        _add(out, tuple(row[:6]), row[6:])
    return {key: value for key, value in out.items() if any(value[:3])}


def month_less_view(connection) -> dict[tuple, list[int]]:  # type: ignore[no-untyped-def]
    """Counts per (position, move, speed, rated, band) as the explorer reads them with no
    dates: a hot position's rollup plus its rows appended since, else its rows."""
    out: dict[tuple, list[int]] = {}
    for row in connection.execute(
        text(
            "SELECT position_key, move, speed, rated, rating_band, white, draws, black, "
            "rating_sum FROM move_stats_rollup"
        )
    ):
        _add(out, tuple(row[:5]), row[5:])
    for row in connection.execute(
        text(
            "SELECT m.position_key, m.move, m.speed, m.rated, m.rating_band, m.white, m.draws, "
            "m.black, m.rating_sum FROM move_stats_all m LEFT JOIN hot_positions h "
            "ON h.position_key = m.position_key WHERE m.seq > coalesce(h.seq, 0)"
        )
    ):
        _add(out, tuple(row[:5]), row[5:])
    return {key: value for key, value in out.items() if any(value[:3])}


def track_every_player(engine, index_plies: int = 40) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        ids = connection.execute(select(players.c.id)).scalars().all()
    if ids:
        index_players(engine, ids, index_plies=index_plies)


def player_move_stats_by_month(connection) -> dict[tuple, list[int]]:  # type: ignore[no-untyped-def]
    out: dict[tuple, list[int]] = {}
    for row in connection.execute(
        text(
            "SELECT p.source, p.name, s.position_key, s.color, s.move, s.speed, s.rated, "
            "s.rating_band, s.month, s.white, s.draws, s.black, s.rating_sum "
            "FROM player_move_stats s JOIN players p ON p.id = s.player_id"
        )
    ):
        _add(out, ((row[0], row[1]), *row[2:9]), row[9:])
    return out


def games_by_uid(connection) -> dict[str, tuple[str, int, str]]:  # type: ignore[no-untyped-def]
    """uid → (result, plies, moves as space-separated UCI)."""
    return {
        uid: (result, plies, " ".join(decode_moves(moves)))
        for uid, result, plies, moves in connection.execute(
            text("SELECT uid, result, plies, moves FROM games")
        )
    }
