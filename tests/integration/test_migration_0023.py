"""Migration 0023: the players' band-less sums come as two new, empty tables; down, they go,
and the rollups they summed are left as they were."""

from __future__ import annotations

import flask_migrate
from declared_tables import assert_declared_and_empty
from explorer_reference import api_numbers, read_games, reference
from sample_games import EXPLORER_SAMPLE, import_pgn
from sqlalchemy import inspect, text

from webapp.db.tables import player_bandless_positions, player_move_stats_bandless
from webapp.indexer import player_summaries

TABLES = (player_move_stats_bandless, player_bandless_positions)


def _rollup(engine) -> list:  # type: ignore[type-arg]
    with engine.connect() as connection:
        return connection.execute(text("SELECT * FROM player_move_stats_rollup ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9")).all()


def test_down_and_up_again(settings, client, engine, monkeypatch) -> None:
    monkeypatch.setattr(player_summaries, "PLAYER_SUMMARY_ROWS", 1)
    import_pgn(engine, [EXPLORER_SAMPLE])
    games = read_games([EXPLORER_SAMPLE])
    assert client.get("/api/explorer?player=frank").status_code == 200  # indexed and summed
    rollup = _rollup(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM player_bandless_positions")).scalar_one() > 0

    flask_migrate.downgrade(revision="0022")
    names = set(inspect(engine).get_table_names())
    assert not {t.name for t in TABLES} & names
    assert _rollup(engine) == rollup

    flask_migrate.upgrade()
    assert_declared_and_empty(engine, TABLES)
    for play in ([], ["e2e4"]):  # nothing summed: the rollup answers
        body = client.get(f"/api/explorer?player=frank&play={','.join(play)}&color=white").get_json()
        assert api_numbers(body) == reference(games, play=play, player="frank", color="white")


def test_the_upgrade_command_leaves_the_players_to_the_new_release(app, client, engine, monkeypatch) -> None:
    """`db upgrade` compacts while the previous release's workers may still import tracked
    players' games without adding to the band-less sums: it makes no pairs; compaction after
    it does."""
    from compaction_thresholds import shrink_thresholds

    from webapp.cli import main as cli_main
    from webapp.indexer.compact import compact

    import_pgn(engine, [EXPLORER_SAMPLE])
    assert client.get("/api/explorer?player=frank").status_code == 200  # indexed: nothing summed yet
    monkeypatch.setattr(player_summaries, "PLAYER_SUMMARY_ROWS", 1)
    shrink_thresholds(monkeypatch, hot=1, monthly=1)
    settings = app.extensions["settings"]
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CACHE_DIR", settings.cache_dir)
    assert cli_main(["db", "upgrade"]) == 0
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM monthly_positions")).scalar_one() > 0
        assert connection.execute(text("SELECT count(*) FROM player_bandless_positions")).scalar_one() == 0
    assert compact(engine).player_pairs > 0
