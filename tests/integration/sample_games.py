"""Loading PGN files into a test database through the importer's entry point."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.engine import Engine

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXPLORER_SAMPLE = FIXTURES / "explorer_sample.pgn"
SHARED_LICHESS = Path(__file__).resolve().parents[3] / "shared" / "data" / "lichess"
LICHESS_2021_10 = SHARED_LICHESS / "lichess_db_standard_rated_2021-10_first999.pgn"


def import_pgn(engine: Engine, paths: Sequence[Path], *, index_plies: int = 40) -> object:
    """Import the files with webapp.indexer.pgn.import_pgn_files (the app's own importer)."""
    from webapp.indexer.pgn import import_pgn_files

    return import_pgn_files(engine, [str(p) for p in paths], index_plies=index_plies)


def stored_ids(engine: Engine, sites: Sequence[str]) -> dict[str, int]:
    """Site URL → the stored game's id, for lichess games (uid lichess:<8 characters>)."""
    from sqlalchemy import text

    with engine.connect() as connection:
        by_uid = dict(connection.execute(text("SELECT uid, id FROM games")).all())
    return {site: by_uid["lichess:" + site.rsplit("/", 1)[-1][:8]] for site in sites}


def sample_batch():  # type: ignore[no-untyped-def]
    """The explorer sample's games as one prepared batch (webapp.indexer.rows.Batch), as
    the importer would write it: for tests that drive a writer themselves."""
    from webapp.indexer.pgn import parse_game_texts
    from webapp.indexer.rows import prepare_batch
    from webapp.indexer.streams import binary_blocks, game_texts, open_pgn

    with open_pgn(EXPLORER_SAMPLE) as stream:
        records = parse_game_texts(list(game_texts(binary_blocks(stream))), 40).records
    batch, bad = prepare_batch(records, 40)
    assert not bad
    return batch
