"""explore(): the dashboard's explorer calls on real databases (SQLite and PostgreSQL).

The numbers must be the JSON API's for the same line and filters; an unknown player is
named and remembered; an empty database is told apart from a filter that finds nothing.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from webapp.dashboard.explore import explore, months, note_unknown_player
from webapp.dashboard.state import Filters, ViewState
from webapp.dashboard.url import search_from_state
from webapp.db.tables import requested_players

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "explorer_sample.pgn"


@pytest.fixture
def loaded(app, engine):  # type: ignore[no-untyped-def]
    from webapp.caching import bump_generation
    from webapp.indexer.pgn import import_pgn_stream

    import_pgn_stream(engine, io.StringIO(SAMPLE.read_text()), index_plies=40)
    bump_generation()
    return engine


def _api(client, state: ViewState) -> dict:  # type: ignore[no-untyped-def]
    return client.get("/api/explorer" + (search_from_state(state) or "?")).get_json()


def test_empty_database_is_told_apart(engine) -> None:  # type: ignore[no-untyped-def]
    view = explore(engine.connect, ViewState())
    assert view.empty_database and view.result.totals.games == 0
    assert months(engine.connect) == []


def test_the_numbers_are_the_apis(loaded, client) -> None:  # type: ignore[no-untyped-def]
    state = ViewState(line=("e2e4", "e7e5"), ply=2, filters=Filters(speeds=("blitz", "rapid", "classical")))
    view = explore(loaded.connect, state)
    body = _api(client, state)
    assert not view.empty_database and view.peers is None
    assert view.result.totals.games == body["games"] > 0
    assert [(m.uci, m.results.white, m.results.draws, m.results.black) for m in view.result.moves] == [
        (m["uci"], m["white"], m["draws"], m["black"]) for m in body["moves"]
    ]


def test_a_filter_that_finds_nothing_is_not_an_empty_database(loaded) -> None:  # type: ignore[no-untyped-def]
    view = explore(loaded.connect, ViewState(filters=Filters(since="1999-01", until="1999-02")))
    assert view.result.totals.games == 0 and not view.empty_database


def _own_ratings(player: str, low: int) -> list[int]:
    """The player's own rating in each of their sample games with both ratings known (python-chess)."""
    import chess.pgn

    ratings = []
    with open(SAMPLE, encoding="utf-8") as handle:
        while (game := chess.pgn.read_game(handle)) is not None:
            h = game.headers
            if not (h.get("WhiteElo", "?").isdigit() and h.get("BlackElo", "?").isdigit()):
                continue
            for side in ("White", "Black"):
                if h[side].lower() == player and int(h[side + "Elo"]) >= low:
                    ratings.append(int(h[side + "Elo"]))
    return ratings


def test_player_beside_peers_at_the_players_level(loaded, client) -> None:  # type: ignore[no-untyped-def]
    # the peers are the Player tab's: games whose mean rating is within ±100 (in whole
    # bands) of the player's average own rating, not all games in the rating filter
    state = ViewState(line=("e2e4",), ply=1, filters=Filters(player="frank", rating_min=1000))
    view = explore(loaded.connect, state)
    assert view.peers is not None and view.query.player == "frank"
    ratings = _own_ratings("frank", 1000)
    average = round(sum(ratings) / len(ratings))
    low, high = (average - 100) // 100 * 100, (average + 100) // 100 * 100 + 99
    assert view.peer_group is not None
    assert (view.peer_group.rating, view.peer_group.rating_min, view.peer_group.rating_max) == (average, low, high)
    body = _api(client, state)
    peers = _api(client, ViewState(line=("e2e4",), ply=1, filters=Filters(rating_min=low, rating_max=high)))
    everyone = _api(client, ViewState(line=("e2e4",), ply=1, filters=Filters(rating_min=1000)))
    assert view.result.totals.games == body["games"]
    # the peers leave frank's own games out: those after 1.e4 whose mean rating is in range
    own = _own_games_after_e4("frank", low, high)
    assert own > 0
    assert view.peers.totals.games == peers["games"] - own < everyone["games"]
    assert view.peer_group.label("frank") == (
        f"Peers rated {low}–{high} (frank's average {average} ± 100), frank's own games left out"
    )


def _own_games_after_e4(player: str, low: int, high: int) -> int:
    """The player's sample games that reach the position after 1.e4 (by any order, within
    40 plies) with a mean rating in [low, high] (python-chess)."""
    import chess
    import chess.pgn

    target = chess.Board()
    target.push_uci("e2e4")

    count = 0
    with open(SAMPLE, encoding="utf-8") as handle:
        while (game := chess.pgn.read_game(handle)) is not None:
            h = game.headers
            if player not in (h["White"].lower(), h["Black"].lower()) or "FEN" in h:
                continue
            if not (h.get("WhiteElo", "?").isdigit() and h.get("BlackElo", "?").isdigit()):
                continue
            board, reached = game.board(), False
            for move in list(game.mainline_moves())[:40]:
                board.push(move)
                reached = reached or board.epd() == target.epd()
            mean = (int(h["WhiteElo"]) + int(h["BlackElo"])) // 2
            if reached and low <= mean <= high:
                count += 1
    return count


def test_an_unknown_player_shows_all_games_and_is_remembered(loaded, client) -> None:  # type: ignore[no-untyped-def]
    state = ViewState(filters=Filters(player="Nobody_At_All"))
    view = explore(loaded.connect, state)
    assert view.unknown_player == "nobody_at_all" and view.peers is None
    assert view.result.totals.games == _api(client, ViewState())["games"]
    note_unknown_player(loaded, view.unknown_player)
    with loaded.connect() as connection:
        rows = connection.execute(select(requested_players.c.source, requested_players.c.name)).all()
    assert [tuple(r) for r in rows] == [("any", "nobody_at_all")]


def test_months_span_the_games(loaded) -> None:  # type: ignore[no-untyped-def]
    import chess.pgn

    seen = set()
    with SAMPLE.open() as handle:
        while (game := chess.pgn.read_game(handle)) is not None:
            date = game.headers.get("UTCDate") or game.headers.get("Date", "")
            if game.headers.get("Variant", "Standard") == "Standard" and date[:4].isdigit():
                seen.add(date[:7].replace(".", "-"))
    span = months(loaded.connect)
    assert (span[0], span[-1]) == (min(seen), max(seen))
    assert set(seen) <= set(span)


def test_the_totals_name_the_player_as_the_source_spells_it(loaded) -> None:  # type: ignore[no-untyped-def]
    from webapp.dashboard.moves import build_totals

    view = explore(loaded.connect, ViewState(filters=Filters(player="carol_rook")))
    assert view.player_name == "Carol_Rook" and view.peer_group is not None
    text = str(build_totals(view))
    assert "Carol_Rook's games" in text and "Carol_Rook's average" in text
    assert "carol_rook" not in text  # one spelling in one line, never the typed one beside it
