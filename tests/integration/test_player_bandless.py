"""A busy player's positions are read from their rollup summed over the rating bands
(webapp.indexer.player_summaries): made by indexing, by compaction, and kept by every
import batch, moved games included, the player view's numbers stay those of the games."""

from __future__ import annotations

import pytest
from compaction_thresholds import shrink_thresholds
from declared_tables import assert_summed_over_the_bands
from explorer_reference import api_numbers, read_games, reference
from sample_games import EXPLORER_SAMPLE, import_pgn
from sqlalchemy import text

from webapp.db.explorer import query_explorer
from webapp.indexer import player_summaries
from webapp.indexer.compact import compact
from webapp.indexer.pgn import import_pgn_files
from webapp.model.query import ExplorerQuery

PLAYER = "frank"
CASES = [
    {"play": []},
    {"play": [], "color": "white"},
    {"play": [], "color": "black", "speeds": ["blitz", "rapid"]},
    {"play": ["e2e4"]},
    {"play": ["e2e4"], "rated_only": True},
    {"play": ["d2d4"], "color": "white"},
    {"play": ["e2e4", "e7e5"]},
]


@pytest.fixture
def settings(settings):  # type: ignore[no-untyped-def]
    """A player is indexed within the request that first asks for them."""
    return settings.with_(inline_index_games=10_000)


def _url(case: dict) -> str:  # type: ignore[type-arg]
    url = f"/api/explorer?player={PLAYER}&play={','.join(case['play'])}"
    if "color" in case:
        url += f"&color={case['color']}"
    if "speeds" in case:
        url += f"&speeds={','.join(case['speeds'])}"
    if case.get("rated_only"):
        url += "&rated=true"
    return url


def _assert_exact(client, games) -> None:  # type: ignore[no-untyped-def]
    for case in CASES:
        response = client.get(_url(case))
        assert response.status_code == 200, response.get_json()
        assert api_numbers(response.get_json()) == reference(games, player=PLAYER, **case), case


def _pairs(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM player_bandless_positions")).scalar_one())


def _assert_sums_are_the_rollups(engine) -> None:  # type: ignore[no-untyped-def]
    """Every summarized pair's band-less rows are its rollup rows summed, to the count."""
    assert_summed_over_the_bands(
        engine, "player_move_stats_rollup", "player_move_stats_bandless", "player_bandless_positions",
        player_summaries.KEYS, ("player_id", "position_key"),
    )  # fmt: skip


def test_indexing_sums_a_busy_players_positions_over_the_bands_and_the_view_reads_them(
    client, engine, monkeypatch
) -> None:
    monkeypatch.setattr(player_summaries, "PLAYER_SUMMARY_ROWS", 1)
    import_pgn(engine, [EXPLORER_SAMPLE])
    games = read_games([EXPLORER_SAMPLE])
    _assert_exact(client, games)  # the first request indexes the player
    assert _pairs(engine) > 0
    _assert_sums_are_the_rollups(engine)

    # the view reads them: a count added to the band-less sums shows in its answer
    query = ExplorerQuery.build(player=PLAYER)
    with engine.connect() as connection:
        before = query_explorer(connection, query, with_games=False).totals.white
    with engine.begin() as connection:
        changed = connection.execute(text("UPDATE player_move_stats_bandless SET white = white + 1")).rowcount
        at_start = connection.execute(
            text(
                "SELECT count(*) FROM player_move_stats_bandless b JOIN players p ON p.id = b.player_id "
                "WHERE p.name = :name AND b.position_key = :key"
            ),
            {"name": PLAYER, "key": _start_key()},
        ).scalar_one()
    assert changed > 0 and at_start > 0
    with engine.connect() as connection:
        assert query_explorer(connection, query, with_games=False).totals.white == before + at_start


def _start_key() -> int:
    import chess

    from webapp.model.position import position_key

    return position_key(chess.Board())


def test_games_imported_and_moved_after_indexing_reach_the_band_less_sums(client, engine, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(player_summaries, "PLAYER_SUMMARY_ROWS", 1)
    import_pgn(engine, [EXPLORER_SAMPLE])
    client.get(f"/api/explorer?player={PLAYER}")  # indexed: later batches merge the player's rows
    pairs = _pairs(engine)
    assert pairs > 0
    copy = tmp_path / "more.pgn"
    copy.write_text(EXPLORER_SAMPLE.read_text().replace("lichess.org/", "lichess.org/Q"))
    import_pgn(engine, [copy])
    _assert_sums_are_the_rollups(engine)
    _assert_exact(client, read_games([EXPLORER_SAMPLE, copy]))

    # the copy's games moved to another collection: counts leave one and join the other
    pairs = _pairs(engine)
    import_pgn_files(engine, [str(copy)], index_plies=40, collection="club")
    assert _pairs(engine) == pairs  # batches add to the pairs' sums, never make pairs
    _assert_sums_are_the_rollups(engine)
    _assert_exact(client, read_games([EXPLORER_SAMPLE, copy]))


def test_compaction_sums_the_busy_positions_of_players_tracked_before(client, engine, monkeypatch) -> None:
    import_pgn(engine, [EXPLORER_SAMPLE])
    games = read_games([EXPLORER_SAMPLE])
    _assert_exact(client, games)  # indexed with the threshold as shipped: nothing summed here
    assert _pairs(engine) == 0
    monkeypatch.setattr(player_summaries, "PLAYER_SUMMARY_ROWS", 1)
    shrink_thresholds(monkeypatch, hot=1, monthly=1)  # the first plies get monthly summaries
    report = compact(engine)
    assert report.player_pairs == _pairs(engine) > 0
    with engine.connect() as connection:
        listed = connection.execute(
            text("SELECT count(*) FROM player_bandless_positions p LEFT JOIN monthly_positions m USING (position_key) "
                 "WHERE m.position_key IS NULL")
        ).scalar_one()  # fmt: skip
    assert listed == 0  # compaction looks at the positions with a monthly summary
    _assert_sums_are_the_rollups(engine)
    _assert_exact(client, games)
    assert compact(engine).player_pairs == 0  # summed once


def _answers(engine, player: str) -> list:  # type: ignore[type-arg]
    answers = []
    with engine.connect() as connection:
        for case in CASES:
            query = ExplorerQuery.build(
                player=player, play=case["play"], color=case.get("color"), speeds=case.get("speeds", ()),
                rated_only=case.get("rated_only", False),
            )  # fmt: skip
            result = query_explorer(connection, query, with_games=False)
            answers.append((result.totals, [(m.uci, m.results) for m in result.moves]))
    return answers


def test_a_person_whose_accounts_are_summed_at_a_position_and_not_reads_each_from_its_own(
    client, engine, monkeypatch
) -> None:
    from webapp.db.people import link_accounts

    monkeypatch.setattr(player_summaries, "PLAYER_SUMMARY_ROWS", 1)
    import_pgn(engine, [EXPLORER_SAMPLE])
    with engine.begin() as connection:
        link_accounts(connection, "Both", ["lichess:frank", "lichess:carol_rook"])
    assert client.get("/api/explorer?player=Both").status_code == 200  # both indexed
    with engine.begin() as connection:  # carol_rook's rows left unsummed, frank's summed
        carol = connection.execute(text("SELECT id FROM players WHERE name = 'carol_rook'")).scalar_one()
        for table in ("player_bandless_positions", "player_move_stats_bandless"):
            connection.execute(text(f"DELETE FROM {table} WHERE player_id = :id"), {"id": carol})
        assert connection.execute(
            text("SELECT count(*) FROM player_bandless_positions WHERE position_key = :key"), {"key": _start_key()}
        ).scalar_one() == 1
    mixed = _answers(engine, "Both")
    with engine.begin() as connection:  # every row read from the rollup, as before the sums
        for table in ("player_bandless_positions", "player_move_stats_bandless"):
            connection.execute(text(f"DELETE FROM {table}"))
    assert mixed == _answers(engine, "Both")
    assert mixed[0][0].games > 0 and mixed[0][1]
