"""Collections: masters games apart from online ones, exact on each, and summed when both
are asked; a game re-imported into another collection moves there, counted once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from explorer_reference import api_numbers, read_games, reference
from sample_games import EXPLORER_SAMPLE

from webapp.caching import bump_generation
from webapp.indexer.compact import compact
from webapp.indexer.pgn import import_pgn_files

PGNMENTOR = Path(__file__).resolve().parents[1] / "fixtures" / "pgn" / "pgnmentor_two_blank_lines.pgn"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def otb(tmp_path: Path) -> Path:
    """Over-the-board games (pgnmentor's file), each with its own Site, as the reference
    tells games apart by Site."""
    text = PGNMENTOR.read_text(encoding="utf-8").replace("\r\n", "\n")
    while "\n\n\n" in text:  # the quirk is tested elsewhere; python-chess reads it plain
        text = text.replace("\n\n\n", "\n\n")
    parts = text.split('[Site "')
    numbered = parts[0] + "".join(f'[Site "board {i} ' + part for i, part in enumerate(parts[1:]))
    path = tmp_path / "otb.pgn"
    path.write_text(numbered, encoding="utf-8")
    return path


def _numbers(client, **params: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    response = client.get("/api/explorer", query_string=params)
    assert response.status_code == 200, response.get_json()
    return api_numbers(response.get_json())


def test_masters_and_online_games_apart_and_together(client, engine, otb: Path) -> None:
    import_pgn_files(engine, [otb], index_plies=40, collection="masters")
    import_pgn_files(engine, [EXPLORER_SAMPLE], index_plies=40)  # default: lichess
    masters, online = read_games([otb]), read_games([EXPLORER_SAMPLE])
    assert len(masters) == 4
    for play in ([], ["d2d4"], ["d2d4", "g8f6", "c2c4"]):
        line = ",".join(play)
        assert _numbers(client, play=line, collections="masters") == reference(masters, play=play)
        assert _numbers(client, play=line, collections="lichess") == reference(online, play=play)
        assert _numbers(client, play=line) == reference(masters + online, play=play)
        assert _numbers(client, play=line, collections="lichess,masters") == reference(
            masters + online, play=play
        )
        lichess_api = client.get("/lichess", query_string={"play": line}).get_json()
        assert lichess_api["white"] + lichess_api["draws"] + lichess_api["black"] == reference(
            online, play=play
        )["games"]
        masters_api = client.get("/masters", query_string={"play": line}).get_json()
        assert (masters_api["white"], masters_api["draws"], masters_api["black"]) == tuple(
            reference(masters, play=play)[k] for k in ("white", "draws", "black")
        )
    assert _numbers(client, collections="nothing-here")["games"] == 0
    bad = client.get("/api/explorer?collections=No%20Spaces")
    assert bad.status_code == 400 and "collections" in bad.get_json()["error"]


def test_reimport_into_another_collection_moves_the_games(client, engine, monkeypatch) -> None:
    import_pgn_files(engine, [EXPLORER_SAMPLE], index_plies=40, batch_size=7)
    games = read_games([EXPLORER_SAMPLE])
    report = import_pgn_files(engine, [EXPLORER_SAMPLE], index_plies=40, collection="mine")
    assert (report.imported, report.moved) == (0, len(games))
    bump_generation()
    for params in ({}, {"play": "e2e4"}, {"player": "frank"}):
        expected = reference(games, play=params.get("play", "").split(",") if params.get("play") else [],
                             player=params.get("player"))
        assert _numbers(client, **params, collections="mine") == expected
        assert _numbers(client, **params) == expected  # counted once in all
        assert _numbers(client, **params, collections="lichess")["games"] == 0
    again = import_pgn_files(engine, [EXPLORER_SAMPLE], index_plies=40, collection="mine")
    assert again.moved == 0  # already there
    compact(engine)
    bump_generation()
    assert _numbers(client, collections="mine") == reference(games)
    assert _numbers(client, collections="lichess")["games"] == 0


def test_collections_command_lists_counts(settings, engine, app, otb: Path) -> None:
    import_pgn_files(engine, [otb], index_plies=40, collection="masters")
    env = {"DATABASE_URL": settings.database_url, "DATA_DIR": str(Path(settings.cache_dir).parent),
           "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "webapp", "collections"], env=env, capture_output=True, text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    lines = dict(line.split("\t") for line in done.stdout.strip().splitlines())
    assert lines["masters"] == f"{len(read_games([otb]))} games"
    assert set(lines) == {"masters"}  # the test database starts with no collections
