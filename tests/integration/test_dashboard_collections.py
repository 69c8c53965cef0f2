"""The dashboard's explorer calls with collections chosen: the JSON API's numbers, and the
reference's (python-chess over the same files), on SQLite and PostgreSQL; the peers beside
a player come from the same collections; a name with no games is left out and named."""

from __future__ import annotations

from pathlib import Path

import pytest
from explorer_reference import read_games, reference
from sample_games import EXPLORER_SAMPLE, FIXTURES

from webapp.caching import bump_generation
from webapp.dashboard.explore import collections_with_games, explore
from webapp.dashboard.state import Filters, ViewState
from webapp.dashboard.url import search_from_state
from webapp.indexer.pgn import import_pgn_files

PGNMENTOR = FIXTURES / "pgn" / "pgnmentor_two_blank_lines.pgn"


@pytest.fixture
def otb(tmp_path: Path) -> Path:
    """Over-the-board games, each with its own Site (the reference tells games apart by Site)."""
    text = PGNMENTOR.read_text(encoding="utf-8").replace("\r\n", "\n")
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    parts = text.split('[Site "')
    path = tmp_path / "otb.pgn"
    path.write_text(parts[0] + "".join(f'[Site "board {i} ' + p for i, p in enumerate(parts[1:])))
    return path


@pytest.fixture
def loaded(engine, otb: Path):  # type: ignore[no-untyped-def]
    """The masters file in `masters`, the explorer sample in its default (lichess)."""
    import_pgn_files(engine, [otb], index_plies=40, collection="masters")
    import_pgn_files(engine, [EXPLORER_SAMPLE], index_plies=40)
    bump_generation()
    return {"masters": read_games([otb]), "lichess": read_games([EXPLORER_SAMPLE])}


def _api(client, state: ViewState) -> dict:  # type: ignore[no-untyped-def, type-arg]
    response = client.get("/api/explorer" + (search_from_state(state) or "?"))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _numbers(result) -> tuple:  # type: ignore[no-untyped-def, type-arg]
    """An ExplorerResult's totals and moves, as (games, [(uci, white, draws, black)])."""
    moves = [(m.uci, m.results.white, m.results.draws, m.results.black) for m in result.moves]
    return result.totals.games, moves


def _body_numbers(body: dict) -> tuple:  # type: ignore[type-arg]
    return body["games"], [(m["uci"], m["white"], m["draws"], m["black"]) for m in body["moves"]]


@pytest.mark.parametrize("chosen", [("masters",), ("lichess",), ("lichess", "masters")])
@pytest.mark.parametrize("play", [(), ("d2d4",), ("d2d4", "g8f6", "c2c4")])
def test_the_numbers_are_the_apis_and_the_references(engine, client, loaded, chosen, play) -> None:  # type: ignore[no-untyped-def]
    state = ViewState(line=play, ply=len(play), filters=Filters(collections=chosen))
    assert f"collections={','.join(chosen)}" in search_from_state(state)
    view = explore(engine.connect, state)
    assert view.problem is None and view.query.collections == chosen
    body = _api(client, state)
    assert _numbers(view.result) == _body_numbers(body)
    games = [g for name in chosen for g in loaded[name]]
    expected = reference(games, play=play)
    assert view.result.totals.games == expected["games"] > 0
    assert _numbers(view.result)[1] == [
        (m["uci"], m["white"], m["draws"], m["black"]) for m in expected["moves"]
    ]


def test_masters_alone_differ_from_all_games(engine, loaded) -> None:  # type: ignore[no-untyped-def]
    """The test above could not fail if the filter were lost: all games must differ."""
    masters = explore(engine.connect, ViewState(filters=Filters(collections=("masters",))))
    every = explore(engine.connect, ViewState())
    assert masters.result.totals.games == len(loaded["masters"]) == 4
    assert every.result.totals.games == len(loaded["masters"]) + len(loaded["lichess"])


def test_the_peers_beside_a_player_come_from_the_chosen_collections(engine, client, loaded) -> None:  # type: ignore[no-untyped-def]
    for chosen in (("lichess",), ("lichess", "masters")):
        state = ViewState(filters=Filters(player="frank", collections=chosen))
        view = explore(engine.connect, state)
        assert view.peers is not None and view.query.collections == chosen
        assert _numbers(view.result) == _body_numbers(_api(client, state))
        # the peers: games of the chosen collections around frank's rating
        group = view.peer_group
        assert group is not None and group.rating is not None
        peers_state = ViewState(
            filters=Filters(collections=chosen, rating_min=group.rating_min, rating_max=group.rating_max)
        )
        every = _api(client, peers_state)
        games = [g for name in chosen for g in loaded[name]]
        assert every["games"] == reference(games, rating_min=group.rating_min, rating_max=group.rating_max)["games"]
        # less frank's own games
        others = [g for g in games if "frank" not in (g.white, g.black)]
        expected = reference(others, rating_min=group.rating_min, rating_max=group.rating_max)
        assert (view.peers.totals.white, view.peers.totals.draws, view.peers.totals.black) == (
            expected["white"], expected["draws"], expected["black"]
        )
        assert view.peers.totals.games < every["games"]


def test_a_collection_without_games_is_left_out_and_named(engine, client, loaded) -> None:  # type: ignore[no-untyped-def]
    state = ViewState(filters=Filters(collections=("masters", "nowhere")))
    view = explore(engine.connect, state)
    assert view.problem == "no collection named nowhere (ignored)"
    assert view.query.collections == ("masters",)
    masters = _api(client, ViewState(filters=Filters(collections=("masters",))))
    assert _numbers(view.result) == _body_numbers(masters)
    alone = explore(engine.connect, ViewState(filters=Filters(collections=("nowhere",))))
    assert alone.result.totals.games == len(loaded["masters"]) + len(loaded["lichess"])  # all games
    assert not alone.empty_database


def test_the_toggles_list_collections_with_games_and_follow_imports(engine, loaded) -> None:  # type: ignore[no-untyped-def]
    assert collections_with_games(engine.connect) == [
        ("lichess", len(loaded["lichess"])),
        ("masters", len(loaded["masters"])),
    ]
    import_pgn_files(engine, [EXPLORER_SAMPLE], index_plies=40, collection="mine")  # moves them all
    assert collections_with_games(engine.connect) == [
        ("masters", len(loaded["masters"])),
        ("mine", len(loaded["lichess"])),
    ]
