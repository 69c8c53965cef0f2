"""A dashboard upload is spooled and imported with the CLI's streaming reader: the same
games and names as the CLI, and limits on what is sent and on what it unpacks to."""

from __future__ import annotations

import base64
import bz2
import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest
import zstandard
from sqlalchemy import text

from tests.bombs import GAME, write_zstd_bomb
from webapp.dashboard.upload import import_upload
from webapp.jobs.uploads import UploadTooLarge, run_upload

ROOT = Path(__file__).resolve().parents[2]
LATIN1_GAME = (
    '[Event "Bundesliga"]\n[Site "Baden Baden GER"]\n[Date "2005.04.02"]\n'
    '[White "Müller, Jürgen"]\n[Black "Schöne, Frank"]\n[Result "1-0"]\n\n'
    "1.e4 e5 2.Nf3 Nc6 3.Bb5 a6 4.Ba4 Nf6 5.O-O Be7 1-0\n"
).encode("latin-1")


def data_url(raw: bytes) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(raw).decode()


def _count(engine, sql: str) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return int(connection.execute(text(sql)).scalar_one())


def _limits(app, **changes: int) -> None:  # type: ignore[no-untyped-def]
    app.extensions["settings"] = app.extensions["settings"].with_(**changes)


@pytest.mark.parametrize(
    ("name", "pack"),
    [
        ("games.pgn", lambda b: b),
        ("games.pgn", lambda b: b"\xef\xbb\xbf" + b),
        ("games.pgn.gz", gzip.compress),
        ("games.pgn.bz2", bz2.compress),
        ("games.pgn.zst", lambda b: zstandard.ZstdCompressor().compress(b)),
    ],
)
def test_plain_and_compressed_uploads_import_their_games(app, engine, name, pack) -> None:  # type: ignore[no-untyped-def]
    progress: list[int] = []
    report = run_upload(app, data_url(pack(GAME * 2)), name, lambda done, _label: progress.append(done))
    assert (report.games_read, report.imported, report.already_present) == (2, 1, 1)
    assert progress[-1] == 100
    assert _count(engine, "SELECT count(*) FROM games") == 1


def test_an_upload_into_an_empty_store_says_when_it_builds_the_indexes(app, engine) -> None:  # type: ignore[no-untyped-def]
    labels: list[str] = []
    run_upload(app, data_url(GAME), "games.pgn", lambda _done, label: labels.append(label))
    staged = [label for label in labels if "indexes" in label]
    if engine.dialect.name == "postgresql":  # a first load: its indexes are built at its end
        assert staged == ["1 games read; building the statistics indexes"]
    else:  # SQLite keeps its index
        assert staged == []
    assert labels[-1] == "1 games read"


def test_latin1_game_is_stored_once_by_upload_and_cli(app, engine, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    lines, error = import_upload(app, data_url(LATIN1_GAME), "bundesliga.pgn", lambda *_: None)
    assert not error, lines
    assert lines[0] == "bundesliga.pgn: Imported 1 of 1 games (0 already present, 0 skipped)."
    path = tmp_path / "bundesliga.pgn"
    path.write_bytes(LATIN1_GAME)
    env = {**os.environ, "DATABASE_URL": settings.database_url, "DATA_DIR": str(tmp_path),
           "PYTHONPATH": str(ROOT)}
    env.pop("REDIS_URL", None)
    cli = subprocess.run([sys.executable, "-m", "webapp", "import", str(path)], env=env,
                         capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert cli.returncode == 0, cli.stderr
    assert "0 imported, 1 already present" in cli.stdout
    assert _count(engine, "SELECT count(*) FROM games") == 1
    with engine.connect() as connection:
        names = connection.execute(text("SELECT display_name FROM players ORDER BY display_name"))
        assert [row[0] for row in names] == ["Müller, Jürgen", "Schöne, Frank"]


def test_upload_over_the_size_limit_says_so(app, engine) -> None:  # type: ignore[no-untyped-def]
    _limits(app, upload_max_bytes=1000)
    lines, error = import_upload(app, data_url(GAME * 20), "big.pgn", lambda *_: None)
    assert error
    assert lines == ["big.pgn: big.pgn is 2 KB; uploads are limited to 1 KB. "
                     "Import bigger files on the server: python -m webapp import FILE"]
    assert _count(engine, "SELECT count(*) FROM games") == 0


def test_zstd_bomb_stops_at_the_unpacked_limit_with_a_message(app, engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    bomb = write_zstd_bomb(tmp_path / "bomb.pgn.zst", 256 << 20)
    assert bomb.stat().st_size < 32 << 10  # a few KB that unpack to 256 MiB
    _limits(app, upload_max_unpacked_bytes=1 << 20)
    with pytest.raises(UploadTooLarge) as raised:
        run_upload(app, data_url(bomb.read_bytes()), "bomb.pgn.zst", lambda *_: None)
    assert str(raised.value).startswith(
        "bomb.pgn.zst unpacks to more than 1 MB, the limit for uploads; the games before "
        "that point were imported."
    )
    report = raised.value.report
    assert report is not None
    whole_games = (1 << 20) // len(GAME)
    assert report.games_read == whole_games + 1  # the last one cut by the limit
    assert (report.imported, report.already_present) == (1, whole_games - 1)
    assert _count(engine, "SELECT count(*) FROM games") == 1


def test_request_over_the_upload_size_is_refused_before_it_is_read(settings) -> None:  # type: ignore[no-untyped-def]
    from webapp import create_app

    app = create_app(settings.with_(upload_max_bytes=1000), dashboard=True)
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit == 1000 * 4 // 3 + (1 << 20)
    body = b'{"output": "x", "inputs": [], "pad": "' + b"a" * limit + b'"}'
    response = app.test_client().post("/_dash-update-component", data=body,
                                      content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["status"] == 413

