"""topGames / recentGames and a single move's `game` equal the games python-chess finds.

The reference (explorer_reference) walks the same PGN files, keeps the games that reach
the position under the filters (transpositions included) and orders them by rating, date
and stored id; the API's lists must be exactly its first 15 of each, with the move each
game played there. Checked after import, after compaction (rows and their game
references merged in SQL, the hot positions' summaries read where they can hold the
lists) and in a player's view. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from typing import Any

import chess
import pytest
from compaction_thresholds import shrink_thresholds
from explorer_reference import read_games, reference, reference_games
from sample_games import EXPLORER_SAMPLE, LICHESS_2021_10, import_pgn
from sqlalchemy import text
from test_explorer_counts import FILTERS, POSITIONS, _params

from webapp.caching import bump_generation
from webapp.db import position_games
from webapp.db.players import find_player_ids
from webapp.db.position_games import read_position_games
from webapp.indexer import compact as compaction
from webapp.indexer.compact import compact
from webapp.indexer.pgn import import_pgn_files
from webapp.model.position import position_key
from webapp.model.query import ExplorerQuery


@pytest.fixture
def stored(engine):  # type: ignore[no-untyped-def]
    import_pgn(engine, [EXPLORER_SAMPLE, LICHESS_2021_10])
    games = read_games([EXPLORER_SAMPLE, LICHESS_2021_10])
    with engine.connect() as connection:
        by_uid = dict(connection.execute(text("SELECT uid, id FROM games")).all())
    db_ids = {g.site: by_uid["lichess:" + g.site.rsplit("/", 1)[-1][:8]] for g in games}
    return games, db_ids


def _listed(entries: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    return [("https://lichess.org/" + e["id"], e["uci"]) for e in entries]


def _wrong(client, games, db_ids) -> list[str]:  # type: ignore[no-untyped-def]
    wrong = []
    for label, play in {**POSITIONS, "sicilian": "e2e4 c7c5".split()}.items():
        for chosen in FILTERS:
            params = {**_params(play, chosen), "topGames": "15", "recentGames": "15"}
            body = client.get("/api/explorer", query_string=params).get_json()
            included: list = []
            expected_numbers = reference(games, play=play, included=included, **chosen)
            top, recent = reference_games(included, db_ids, 15)
            if (_listed(body["topGames"]), _listed(body["recentGames"])) != (top, recent):
                wrong.append(f"{label} {chosen}: api {body['topGames'][:2]}… reference {top[:2]}…")
            for move in expected_numbers["moves"]:
                if move["games"] == 1:
                    (site,) = [g.site for g, _, m in included if m == move["uci"]]
                    answered = next(m for m in body["moves"] if m["uci"] == move["uci"])
                    if "game" not in answered or answered["game"]["url"] != site:
                        wrong.append(f"{label} {chosen} {move['uci']}: single game {answered.get('game')}")
    return wrong


def test_games_lists_equal_the_reference_before_and_after_compaction(client, engine, stored, monkeypatch) -> None:
    games, db_ids = stored
    wrong = _wrong(client, games, db_ids)
    assert not wrong, f"{len(wrong)} lists differ:\n" + "\n".join(wrong[:10])
    # positions over 32 rows get a monthly summary, over 64 a rollup too: the lists under a
    # months filter come from the monthly summary's references there
    monkeypatch.setattr(compaction, "MONTHLY_ROWS", 32)
    compact(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM monthly_positions")).scalar() > 10
    with client.application.app_context():  # answers cached before compaction go
        bump_generation()
    wrong = _wrong(client, games, db_ids)
    assert not wrong, f"after compaction, {len(wrong)} lists differ:\n" + "\n".join(wrong[:10])


SHORT_LIMITS = (1, 2, 3, 4, 6, 9)


def _short_lists(games, db_ids) -> list[tuple]:  # type: ignore[no-untyped-def, type-arg]
    """(play, filters, limit, the reference's [top, recent], {uci: site} of the moves
    played once) for lists of a few games in the views that read the month-less rollups
    (no dates), all games' and players'."""
    expected = []
    for play in ([], ["e2e4"], "e2e4 c7c5".split()):
        for chosen in FILTERS:
            if "since" not in chosen and "until" not in chosen:
                included: list = []
                numbers = reference(games, play=play, included=included, **chosen)
                once = {m["uci"] for m in numbers["moves"] if m["games"] == 1}
                singles = {move: game.site for game, _, move in included if move in once}
                for limit in SHORT_LIMITS:
                    lists = list(reference_games(included, db_ids, limit))
                    expected.append((play, chosen, limit, lists, singles))
    return expected


def _wrong_short_lists(engine, expected: list[tuple], db_ids) -> list[str]:  # type: ignore[no-untyped-def, type-arg]
    """Lists of a few games read straight from the rows: a hot position's rollup and a
    player's hold far more rows than that, so only the rows among the `limit` highest
    bands or latest months are read, and a bound off by one drops a listed game."""
    wrong = []
    site_of = {game_id: site for site, game_id in db_ids.items()}
    with engine.connect() as connection:
        for play, chosen, limit, lists, singles in expected:
            query = ExplorerQuery.build(play=play, **chosen)
            board = query.board()
            ids = find_player_ids(connection, query.player) if query.player else None
            key = position_key(board)
            found = read_position_games(connection, query, board, key, ids, frozenset(singles), limit)
            listed = [[(site_of[i], uci) for i, uci in kind] for kind in (found.top, found.recent)]
            if listed != lists:
                wrong.append(f"{play} {chosen} limit {limit}: {listed} reference {lists}")
            if {uci: site_of[i] for uci, i in found.single.items()} != singles:
                wrong.append(f"{play} {chosen} limit {limit}: single games {found.single} reference {singles}")
    return wrong


@pytest.mark.parametrize("read_all", [position_games.APPENDED_READ_ALL, 2], ids=["read all", "bounded"])
def test_short_lists_equal_the_reference_before_and_after_compaction(
    client, engine, stored, monkeypatch, read_all
) -> None:
    games, db_ids = stored
    monkeypatch.setattr(position_games, "APPENDED_READ_ALL", read_all)
    for name in ("frank", "carol_rook", "eve.bishop", "dave99"):  # now tracked: the player views
        assert client.get("/api/explorer", query_string={"player": name}).status_code == 200
    expected = _short_lists(games, db_ids)
    wrong = _wrong_short_lists(engine, expected, db_ids)
    assert not wrong, f"{len(wrong)} lists differ:\n" + "\n".join(wrong[:10])
    compact(engine)
    wrong = _wrong_short_lists(engine, expected, db_ids)
    assert not wrong, f"after compaction, {len(wrong)} lists differ:\n" + "\n".join(wrong[:10])


def test_a_tracked_players_later_games_merged_as_they_land_are_listed(client, engine, tmp_path) -> None:
    """Games imported after a player is indexed are merged into the player's rollup rows,
    whose newest month must follow: here the new games are a year newer than any before."""
    import_pgn(engine, [EXPLORER_SAMPLE])
    for name in ("frank", "carol_rook"):
        assert client.get("/api/explorer", query_string={"player": name}).status_code == 200
    later = tmp_path / "later.pgn"  # other lichess games of the same players
    pgn = re.sub(r"lichess\.org/\w(\w{7})", r"lichess.org/Z\1", EXPLORER_SAMPLE.read_text())
    later.write_text(pgn.replace('Date "2021.01.', 'Date "2022.01.'))
    import_pgn(engine, [later])
    games = read_games([EXPLORER_SAMPLE, later])
    with engine.connect() as connection:
        db_ids = dict(connection.execute(text("SELECT site, id FROM games")).all())
        assert connection.execute(text("SELECT count(*) FROM players WHERE source <> 'lichess'")).scalar() == 0
    assert len(db_ids) == len(games) and any(g.day // 10000 == 2022 for g in games)
    expected = [case for case in _short_lists(games, db_ids) if "player" in case[1]]
    wrong = _wrong_short_lists(engine, expected, db_ids)
    assert not wrong, f"{len(wrong)} lists differ:\n" + "\n".join(wrong[:10])


def test_a_game_entry_has_the_lichess_shape(client, stored) -> None:
    body = client.get("/api/explorer", query_string={"play": "e2e4", "topGames": "1"}).get_json()
    (game,) = body["topGames"]
    assert set(game) >= {"id", "url", "white", "black", "winner", "speed", "date", "uci"}
    assert set(game["white"]) == {"name", "rating"} and game["url"].endswith(game["id"])
    assert len(body["recentGames"]) == 4  # the default, as on lichess


@pytest.mark.parametrize("value", ["16", "-1", "x"])
def test_games_counts_out_of_range_are_400(client, value: str) -> None:
    response = client.get("/api/explorer", query_string={"topGames": value})
    assert response.status_code == 400
    assert "topGames" in response.get_json()["error"]


def _rated_and_dated_games(count: int, step: int = 100) -> str:
    """`count` games of 1.e4 e5, each alone in its month and rated `step` above the one
    before (alone in its rating band at 100): the higher rated, the older, so the best
    and the newest are different games."""
    out = []
    for i in range(count):
        rating = 1000 + step * i
        year, month = divmod(2020 * 12 + (count - i), 12)
        out.append(
            f'[Event "Rated Blitz game"]\n[Site "https://lichess.org/band{i:04d}"]\n'
            f'[Date "{year}.{month + 1:02d}.15"]\n[White "w{i}"]\n[Black "b{i}"]\n[Result "1-0"]\n'
            f'[WhiteElo "{rating}"]\n[BlackElo "{rating}"]\n[TimeControl "300+0"]\n\n1. e4 e5 1-0\n'
        )
    return "\n".join(out)


@pytest.mark.parametrize(
    "compacted, read_all",
    [(True, position_games.APPENDED_READ_ALL), (False, position_games.APPENDED_READ_ALL), (False, 4)],
    ids=["summaries", "appended rows", "appended rows bounded"],
)
@pytest.mark.parametrize("months", [{}, {"since": "2019-01"}])
def test_summaries_and_appended_rows_hold_every_best_and_newest_game(
    client, engine, monkeypatch, tmp_path, months, compacted, read_all
) -> None:
    """30 games in 30 rows at the start position, in the summaries after compaction or
    as appended before it (read all, or only those that can hold the lists when over
    `read_all`): the lists need exactly the 15 highest bands' rows and the 15 latest
    months' rows (a bound one row too tight fails)."""
    monkeypatch.setattr(position_games, "APPENDED_READ_ALL", read_all)
    count = 30
    shrink_thresholds(monkeypatch, hot=4, monthly=8)
    _import_bands(engine, tmp_path, count)
    if compacted:
        compact(engine)
    with engine.connect() as connection:
        summarized = connection.execute(
            text("SELECT (SELECT count(*) FROM hot_positions), (SELECT count(*) FROM monthly_positions)")
        ).one()
        appended = connection.execute(
            text("SELECT count(*) FROM move_stats_all WHERE position_key = :key"), {"key": position_key(chess.Board())}
        ).scalar()
    assert (summarized[0] > 0 and summarized[1] > 0) if compacted else (summarized == (0, 0) and appended == count)
    body = client.get(
        "/api/explorer", query_string={"topGames": "15", "recentGames": "15", **months}
    ).get_json()
    site = "https://lichess.org/band{:04d}"
    assert [g["url"] for g in body["topGames"]] == [site.format(i) for i in range(count - 1, count - 16, -1)]
    assert [g["url"] for g in body["recentGames"]] == [site.format(i) for i in range(15)]


def _import_bands(engine, tmp_path, count: int = 30, step: int = 100) -> None:  # type: ignore[no-untyped-def]
    """_rated_and_dated_games(count, step), imported in batches of 3."""
    from webapp.indexer.pgn import import_pgn_files

    path = tmp_path / "bands.pgn"
    path.write_text(_rated_and_dated_games(count, step), encoding="utf-8")
    import_pgn_files(engine, [str(path)], index_plies=40, batch_size=3)


def _shapes_read(monkeypatch, attribute: str) -> list:  # type: ignore[no-untyped-def, type-arg]
    """The `attribute` of each shape the lists' candidate statement is built for, from now on."""
    read = []
    statement = position_games._candidate_statement

    def recorded(shape):  # type: ignore[no-untyped-def]
        read.append(getattr(shape, attribute))
        return statement(shape)

    monkeypatch.setattr(position_games, "_candidate_statement", recorded)
    return read


def test_under_a_months_filter_the_lists_read_the_rows_of_the_best_rated_games_not_their_whole_band(
    client, engine, monkeypatch, tmp_path
) -> None:
    """40 games at the start position, each alone in its month, all in one rating band
    (1000-1078), the higher rated the older. Compacted, under a months filter the lists
    read the monthly summary's rows, which tie on band: they read the 15 rows with the
    best rated games and the 15 with the newest (disjoint here), 30 in all, not the 40 of
    the band, and list exactly those games."""
    shrink_thresholds(monkeypatch, hot=4, monthly=8)
    count = 40
    _import_bands(engine, tmp_path, count, step=2)
    compact(engine)
    read = []
    candidate_rows = position_games._candidate_rows

    def recorded(*args, **kwargs):  # type: ignore[no-untyped-def]
        rows = candidate_rows(*args, **kwargs)
        read.append(len(rows))
        return rows

    monkeypatch.setattr(position_games, "_candidate_rows", recorded)
    params = {"topGames": "15", "recentGames": "15", "since": "2019-01"}
    body = client.get("/api/explorer", query_string=params).get_json()
    assert body["white"] == count and read == [30]
    site = "https://lichess.org/band{:04d}"
    assert [g["url"] for g in body["topGames"]] == [site.format(i) for i in range(count - 1, count - 16, -1)]
    assert [g["url"] for g in body["recentGames"]] == [site.format(i) for i in range(15)]


@pytest.mark.parametrize("months", [{}, {"since": "2019-01"}])
def test_the_numbers_count_the_appended_rows_so_the_lists_read_them_bounded_at_once(
    client, engine, monkeypatch, tmp_path, months
) -> None:
    """The explorer's numbers say how many rows were appended since the summary, so its
    lists read them bounded in one statement; without that count (read_position_games
    alone) a first read finds them too many and reads again. Same lists either way."""
    monkeypatch.setattr(position_games, "APPENDED_READ_ALL", 4)
    _import_bands(engine, tmp_path)
    read = _shapes_read(monkeypatch, "bounded")
    params = {"topGames": "15", "recentGames": "15", **months}
    body = client.get("/api/explorer", query_string=params).get_json()
    assert read == [True] and body["white"] == 30
    read.clear()
    query = ExplorerQuery.build(**months)
    with engine.connect() as connection:
        found = read_position_games(connection, query, chess.Board(), position_key(chess.Board()), None, limit=15)
    assert read == [False, True]
    site = "https://lichess.org/band{:04d}"
    assert [g["url"] for g in body["topGames"]] == [site.format(i) for i in range(29, 14, -1)]
    assert [g["url"] for g in body["recentGames"]] == [site.format(i) for i in range(15)]
    with engine.connect() as connection:
        uid = dict(connection.execute(text("SELECT id, uid FROM games")).all())
    assert [uid[i] for i, _ in found.top] == ["lichess:" + g["id"] for g in body["topGames"]]
    assert [uid[i] for i, _ in found.recent] == ["lichess:" + g["id"] for g in body["recentGames"]]


@pytest.mark.parametrize("months", [{}, {"since": "2019-01"}])
def test_with_nothing_appended_since_the_summary_the_lists_read_the_summary_alone(
    client, engine, monkeypatch, tmp_path, months
) -> None:
    """At a compacted position the explorer's numbers find no row appended since its
    summary, so its lists' statement reads the summary's rows alone, and lists the same
    games. Told that nothing was appended (as the numbers would, read before a batch
    landed), the lists leave out a game appended since; told nothing, they read it."""
    from webapp.indexer.pgn import import_pgn_files

    shrink_thresholds(monkeypatch, hot=4, monthly=8)
    _import_bands(engine, tmp_path)
    compact(engine)
    read = _shapes_read(monkeypatch, "appended")
    body = client.get("/api/explorer", query_string={"topGames": "15", "recentGames": "15", **months}).get_json()
    assert read == [False] and body["white"] == 30
    site = "https://lichess.org/band{:04d}"
    assert [g["url"] for g in body["topGames"]] == [site.format(i) for i in range(29, 14, -1)]
    assert [g["url"] for g in body["recentGames"]] == [site.format(i) for i in range(15)]

    latest = tmp_path / "latest.pgn"
    latest.write_text(
        '[Event "Rated Blitz game"]\n[Site "https://lichess.org/latest01"]\n[Date "2024.06.15"]\n'
        '[White "w"]\n[Black "b"]\n[Result "0-1"]\n[WhiteElo "3950"]\n[BlackElo "3950"]\n'
        '[TimeControl "300+0"]\n\n1. e4 e5 0-1\n',
        encoding="utf-8",
    )
    import_pgn_files(engine, [str(latest)], index_plies=40)
    query = ExplorerQuery.build(**months)
    board, key = chess.Board(), position_key(chess.Board())
    with engine.connect() as connection:
        new_id = connection.execute(text("SELECT id FROM games WHERE uid = 'lichess:latest01'")).scalar_one()
        told_none = read_position_games(connection, query, board, key, None, limit=15, appended_rows=0)
        unknown = read_position_games(connection, query, board, key, None, limit=15)
    assert new_id not in {i for i, _ in told_none.top + told_none.recent}
    assert (unknown.top[0], unknown.recent[0]) == ((new_id, "e2e4"), (new_id, "e2e4"))
    body = client.get("/api/explorer", query_string={"topGames": "15", "recentGames": "15", **months}).get_json()
    assert body["black"] == 1 and body["topGames"][0]["url"] == body["recentGames"][0]["url"] == "https://lichess.org/latest01"


#: pairs of filters that read through the same cached statement (position_games._shape)
#: with different values
SAME_SHAPE = [
    ({"speeds": ["blitz"]}, {"speeds": ["bullet"]}),
    ({"speeds": ["bullet", "rapid"]}, {"speeds": ["blitz", "classical"]}),
    ({"rating_min": 1600, "rating_max": 1999}, {"rating_min": 2000, "rating_max": 2399}),
    ({"since": "2021-01", "until": "2021-03"}, {"since": "2021-05", "until": "2021-12"}),
    ({"player": "frank", "color": "white"}, {"player": "carol_rook", "color": "black"}),
    ({"player": "eve.bishop", "since": "2021-02"}, {"player": "dave99", "since": "2021-05"}),
]


def test_one_statement_shape_gives_each_filter_value_its_own_games(client, engine, stored) -> None:
    """Each shape's statement is built once and run with each query's values: alternating
    two queries of one shape on one connection, more often than psycopg's prepare_threshold
    (5) so PostgreSQL runs the prepared statement too, every answer equals its reference
    (different positions, so a different number of moves played once, too)."""
    from webapp.db.position_games import _shape

    games, db_ids = stored
    for name in ("frank", "carol_rook", "eve.bishop", "dave99"):  # now tracked: the player views
        assert client.get("/api/explorer", query_string={"player": name}).status_code == 200
    compact(engine)
    site_of = {game_id: site for site, game_id in db_ids.items()}
    with engine.connect() as connection:
        dialect = connection.dialect.name
        for first, second in SAME_SHAPE:
            cases = []
            for chosen, play in ((first, ["e2e4"]), (second, "e2e4 c7c5".split())):
                included: list = []
                numbers = reference(games, play=play, included=included, **chosen)
                once = {m["uci"] for m in numbers["moves"] if m["games"] == 1}
                singles = {move: game.site for game, _, move in included if move in once}
                query = ExplorerQuery.build(play=play, **chosen)
                ids = find_player_ids(connection, query.player) if query.player else None
                cases.append((query, ids, list(reference_games(included, db_ids, 5)), singles))
            shapes = {_shape(dialect, query, ids is not None, 5) for query, ids, _, _ in cases}
            assert len(shapes) == 1, shapes
            assert cases[0][2] != cases[1][2]  # the two answers differ
            for _ in range(4):
                for query, ids, lists, singles in cases:
                    board = query.board()
                    found = read_position_games(
                        connection, query, board, position_key(board), ids, frozenset(singles), 5
                    )
                    listed = [[(site_of[i], uci) for i, uci in kind] for kind in (found.top, found.recent)]
                    assert listed == lists, (query, listed, lists)
                    assert {uci: site_of[i] for uci, i in found.single.items()} == singles, query


def _pgn_game(site: str, rating: int, date: str | None, *, rated: bool = True) -> str:
    """A 1.e4 e5 game (`site`: a lichess id, 8 characters) of two players rated `rating`, played on `date` (YYYY.MM.DD; None:
    unknown)."""
    dated = f'[Date "{date}"]\n' if date else ""
    kind = "Rated" if rated else "Casual"
    return (
        f'[Event "{kind} Blitz game"]\n[Site "https://lichess.org/{site}"]\n{dated}'
        f'[White "w{site}"]\n[Black "b{site}"]\n[Result "1-0"]\n[WhiteElo "{rating}"]\n[BlackElo "{rating}"]\n'
        '[TimeControl "300+0"]\n\n1. e4 e5 1-0\n'
    )


def _imported(engine, path, games: list[str], batch_size: int):  # type: ignore[no-untyped-def]
    """`games` (PGN texts) written to `path` and imported in batches of `batch_size`."""
    path.write_text("\n".join(games), encoding="utf-8")
    import_pgn_files(engine, [str(path)], index_plies=40, batch_size=batch_size)
    return path


def _appended_since(connection, summary_positions: str, key: int) -> tuple[int | None, int]:  # type: ignore[no-untyped-def]
    """The batch `key`'s summary in `summary_positions` is up to, and the rows appended since."""
    seq = connection.execute(text(f"SELECT seq FROM {summary_positions} WHERE position_key = :key"), {"key": key}).scalar()
    since = connection.execute(
        text("SELECT count(*) FROM move_stats_all WHERE position_key = :key AND seq > :seq"), {"key": key, "seq": seq}
    ).scalar()
    return seq, since


def test_rows_appended_below_both_of_the_rollups_bounds_are_left_out(client, engine, monkeypatch, tmp_path) -> None:
    """The rows appended since a hot position's rollup are read (bounded) only at or above
    the rollup's 15th band or its 15th newest month: below both, a game has 15 better and
    15 newer games in the rollup. Compacted: the 30 band games (game i rated 1000 + 100i,
    the older the better) and 15 undated casual games (rows of month 0, the oldest).
    Appended: a game at the 15th band, 50 points above its rollup game and old, listed
    15th best; one in the 15th newest month, five days after its rollup game and low
    rated, listed 15th newest; and 10 old, low-rated games below both. A bound one band
    or one month too tight, or both asked of a row, drops a listed game."""
    monkeypatch.setattr(position_games, "APPENDED_READ_ALL", 4)
    shrink_thresholds(monkeypatch, hot=4, monthly=8)
    undated = [_pgn_game(f"undat{j:03d}", 1005 + 100 * j, None, rated=False) for j in range(15)]
    first = _imported(engine, tmp_path / "first.pgn", [_rated_and_dated_games(30), *undated], batch_size=3)
    compact(engine)
    year, month = divmod(2020 * 12 + (30 - 14), 12)  # band0014's month: the rollup's 15th newest
    appended = [
        _pgn_game("bestband", 2550, "2015.06.15"),
        _pgn_game("newmonth", 1010, f"{year}.{month + 1:02d}.20"),
        *(_pgn_game(f"old{i:05d}", 1000 + i, f"2015.{i + 1:02d}.15") for i in range(10)),
    ]
    second = _imported(engine, tmp_path / "second.pgn", appended, batch_size=5)
    key = position_key(chess.Board())
    with engine.connect() as connection:
        hot, since = _appended_since(connection, "hot_positions", key)
        undated_rows = connection.execute(
            text("SELECT count(*) FROM move_stats_rollup WHERE position_key = :key AND last_month = 0"), {"key": key}
        ).scalar()
        db_ids = dict(connection.execute(text("SELECT 'https://lichess.org/' || substr(uid, 9), id FROM games")).all())
    assert hot is not None and undated_rows == 15 and since == len(appended) > 4
    read = _shapes_read(monkeypatch, "bounded")
    body = client.get("/api/explorer", query_string={"topGames": "15", "recentGames": "15"}).get_json()
    assert read == [True]
    included: list = []
    reference(read_games([first, second]), included=included)
    top, recent = reference_games(included, db_ids, 15)
    assert top[-1][0].endswith("/bestband") and recent[-1][0].endswith("/newmonth")
    assert [g["url"] for g in body["topGames"]] == [site for site, _ in top]
    assert [g["url"] for g in body["recentGames"]] == [site for site, _ in recent]


def _summarized_tops_of_bands(engine, monkeypatch, tmp_path, count: int):  # type: ignore[no-untyped-def]
    """`count` games at the start position, game i rated 1099 + 100i (the top of its band),
    each alone in its month, the older the better, imported and compacted into the
    summaries (thresholds shrunk); the file they were read from."""
    shrink_thresholds(monkeypatch, hot=4, monthly=8)
    summarized = []
    for i in range(count):
        year, month = divmod(2020 * 12 + (count - i), 12)
        summarized.append(_pgn_game(f"band{i:04d}", 1099 + 100 * i, f"{year}.{month + 1:02d}.15"))
    first = _imported(engine, tmp_path / "first.pgn", summarized, batch_size=3)
    compact(engine)
    return first


def test_rows_appended_below_both_of_the_monthly_summarys_bounds_are_left_out(
    client, engine, monkeypatch, tmp_path
) -> None:
    """Under a months filter the rows appended since the monthly summary are read (bounded)
    only where a game can be rated at or above the summary's 15th best rating (the top of
    the row's band) or is of its 15th newest month or later: below both, a game has 15
    better and 15 newer games in the summary. Compacted: 30 games, game i rated 1099 +
    100i (the top of its band), each alone in its month, the older the better (the 15th
    best rated 2599). Appended: a game rated 2599 too, five days after the 15th best and
    a month before the 15th newest, listed 15th best; one in the 15th newest month, five
    days after its summary game and low rated, listed 15th newest; and 10 old, low-rated
    games below both, which are not read. A bound one point or one month too tight, or
    both asked of a row, drops a listed game."""
    monkeypatch.setattr(position_games, "APPENDED_READ_ALL", 4)
    count = 30
    first = _summarized_tops_of_bands(engine, monkeypatch, tmp_path, count)
    year, month = divmod(2020 * 12 + (count - 14), 12)  # band0014's month: the 15th newest
    best_year, best_month = divmod(2020 * 12 + (count - 15), 12)  # band0015's: the 15th best
    appended = [
        _pgn_game("bestrate", 2599, f"{best_year}.{best_month + 1:02d}.20"),
        _pgn_game("newmonth", 1010, f"{year}.{month + 1:02d}.20"),
        *(_pgn_game(f"old{i:05d}", 1000 + i, f"2019.{i + 1:02d}.15") for i in range(10)),
    ]
    second = _imported(engine, tmp_path / "second.pgn", appended, batch_size=5)
    key = position_key(chess.Board())
    with engine.connect() as connection:
        monthly, since = _appended_since(connection, "monthly_positions", key)
        db_ids = dict(connection.execute(text("SELECT 'https://lichess.org/' || substr(uid, 9), id FROM games")).all())
    assert monthly is not None and since == len(appended) > 4
    read = _shapes_read(monkeypatch, "bounded")
    appended_read = []
    candidate_rows = position_games._candidate_rows

    def recorded(*args, **kwargs):  # type: ignore[no-untyped-def]
        rows = candidate_rows(*args, **kwargs)
        appended_read.append(len({bytes(refs) for _, refs, marker in rows if marker}))  # a row in two parts counts once
        return rows

    monkeypatch.setattr(position_games, "_candidate_rows", recorded)
    params = {"topGames": "15", "recentGames": "15", "since": "2019-01"}
    body = client.get("/api/explorer", query_string=params).get_json()
    assert read == [True] and appended_read == [2]
    included: list = []
    reference(read_games([first, second]), since="2019-01", included=included)
    top, recent = reference_games(included, db_ids, 15)
    assert top[-1][0].endswith("/bestrate") and recent[-1][0].endswith("/newmonth")
    assert [g["url"] for g in body["topGames"]] == [site for site, _ in top]
    assert [g["url"] for g in body["recentGames"]] == [site for site, _ in recent]


@pytest.mark.parametrize("read_all", [position_games.APPENDED_READ_ALL, 4], ids=["read all", "bounded"])
@pytest.mark.parametrize("months", [{}, {"since": "2019-01"}])
def test_with_no_one_game_row_appended_the_lists_read_the_wide_rows_alone(
    client, engine, monkeypatch, tmp_path, months, read_all
) -> None:
    """Where the explorer's numbers find no one-game row among the rows appended since the
    position's summary, its lists read move_stats alone (no run of one-game rows planned
    or looked in) and list what the reference lists. Compacted: 30 games, each alone in
    its month. Appended: 8 pairs, the two games of a pair of one month and one band, so
    each pair is one wide row. Then one game alone in its row (kept narrow), the best and
    the newest: the numbers count it, so the lists read the one-game rows too and list it
    first."""
    monkeypatch.setattr(position_games, "APPENDED_READ_ALL", read_all)
    count = 30
    first = _summarized_tops_of_bands(engine, monkeypatch, tmp_path, count)
    pairs = []
    for i in range(8):
        date = f"2023.{i + 1:02d}"
        pairs += [_pgn_game(f"pair{i:03d}a", 1510 + 300 * i, f"{date}.10"), _pgn_game(f"pair{i:03d}b", 1540 + 300 * i, f"{date}.20")]
    second = _imported(engine, tmp_path / "second.pgn", pairs, batch_size=len(pairs))
    key = position_key(chess.Board())
    summary = "monthly_positions" if months else "hot_positions"
    narrow_since = "SELECT count(*) FROM move_singles WHERE position_key = :key AND seq > :seq"
    with engine.connect() as connection:
        seq, since = _appended_since(connection, summary, key)
        narrow = connection.execute(text(narrow_since), {"key": key, "seq": seq}).scalar()
    assert seq is not None and (since, narrow) == (8, 0)
    narrow_read, bounded_read = _shapes_read(monkeypatch, "narrow"), _shapes_read(monkeypatch, "bounded")
    views_read = []
    statement = position_games._candidate_statement

    def recorded(shape):  # type: ignore[no-untyped-def]
        built = statement(shape)
        views_read.append("move_stats_all" in str(built))
        return built

    monkeypatch.setattr(position_games, "_candidate_statement", recorded)
    params = {"topGames": "15", "recentGames": "15", **months}

    def assert_lists_as_reference(files: list) -> dict:  # type: ignore[type-arg]
        body = client.get("/api/explorer", query_string=params).get_json()
        with engine.connect() as connection:
            db_ids = dict(connection.execute(text("SELECT 'https://lichess.org/' || substr(uid, 9), id FROM games")).all())
        included: list = []
        reference(read_games(files), included=included, **months)
        top, recent = reference_games(included, db_ids, 15)
        assert [g["url"] for g in body["topGames"]] == [site for site, _ in top]
        assert [g["url"] for g in body["recentGames"]] == [site for site, _ in recent]
        return body

    body = assert_lists_as_reference([first, second])
    assert narrow_read == [False] and bounded_read == [read_all == 4] and views_read == [False]
    assert {g["url"].rsplit("/", 1)[1] for g in body["recentGames"][:16]} >= {f"pair{i:03d}b" for i in range(8)}
    narrow_read.clear()
    views_read.clear()
    third = _imported(engine, tmp_path / "third.pgn", [_pgn_game("lonegame", 4100, "2024.06.15")], batch_size=1)
    with engine.connect() as connection:
        assert connection.execute(text(narrow_since), {"key": key, "seq": seq}).scalar() == 1
    body = assert_lists_as_reference([first, second, third])
    assert narrow_read == [True] and views_read == [True]
    assert body["topGames"][0]["url"] == body["recentGames"][0]["url"] == "https://lichess.org/lonegame"
