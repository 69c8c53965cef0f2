"""Player suggestions by prefix (SQL and GET /api/players), on SQLite and PostgreSQL.

The expected names and counts come from reading the same PGN text with python-chess.
"""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import chess.pgn
import pytest
from sample_games import import_pgn

from webapp.db.players import (
    count_games,
    find_player_ids,
    name_key,
    spelling_variants,
    suggest_players,
)

# (white, black) per game; "Anand,V" and "Anand, V" are one man spelled by two sites.
PAIRINGS = [
    ("Fischer, Robert James", "Spassky, Boris V"),
    ("Spassky, Boris V", "Fischer, Robert James"),
    ("Fischer, Robert James", "Petrosian, Tigran V"),
    ("Fischbach, Hans", "Fischer, Robert James"),
    ("Fischer, R.", "Spassky, Boris V"),
    ("Anand,V", "Kasparov, Garry"),
    ("Kasparov, Garry", "Anand, V"),
    ("Anand,V", "Karpov, Anatoly"),
    ("FISCHER_fan99", "zz_top"),
]
LINES = ["e4 e5 Nf3 Nc6", "d4 d5 c4 e6", "e4 c5 Nf3 d6", "c4 e5 Nc3 Nf6"]


def _pgn() -> str:
    games = []
    for number, (white, black) in enumerate(PAIRINGS, start=1):
        moves = LINES[number % len(LINES)].split()
        text = " ".join(
            (f"{i // 2 + 1}. " if i % 2 == 0 else "") + move for i, move in enumerate(moves)
        )
        games.append(
            f'[Event "Test"]\n[Site "Here"]\n[Date "2020.01.{number:02d}"]\n[Round "{number}"]\n'
            f'[White "{white}"]\n[Black "{black}"]\n[Result "1/2-1/2"]\n[TimeControl "600+0"]\n\n'
            f"{text} 1/2-1/2\n"
        )
    return "\n".join(games)


def _reference(text: str) -> Counter[str]:
    """Games per name (as spelled in the file), read by python-chess."""
    counts: Counter[str] = Counter()
    stream = io.StringIO(text)
    while (game := chess.pgn.read_game(stream)) is not None:
        counts[game.headers["White"]] += 1
        counts[game.headers["Black"]] += 1
    return counts


@pytest.fixture
def loaded(engine, tmp_path: Path) -> Counter[str]:  # type: ignore[no-untyped-def]
    path = tmp_path / "names.pgn"
    text = _pgn()
    path.write_text(text)
    import_pgn(engine, [path])
    return _reference(text)


def test_fisch_finds_the_fischers_most_games_first(engine, loaded) -> None:
    with engine.connect() as connection:
        found = suggest_players(connection, "fisch")
    expected = sorted(
        ((name, games) for name, games in loaded.items() if name.lower().startswith("fisch")),
        key=lambda item: (-item[1], item[0].lower()),
    )
    assert [(s.name, s.games) for s in found] == expected
    assert found[0].name == "Fischer, Robert James" and found[0].games == 4
    assert found[0].sources == ("pgn",)


def test_the_prefix_is_case_insensitive_and_names_keep_their_spelling(engine, loaded) -> None:
    with engine.connect() as connection:
        assert [s.name for s in suggest_players(connection, "FISCHER, R")] == [
            "Fischer, Robert James", "Fischer, R."
        ]
        assert [s.name for s in suggest_players(connection, "fischer_")] == ["FISCHER_fan99"]
        assert suggest_players(connection, "nobody") == []
        assert [s.name for s in suggest_players(connection, "zz")] == ["zz_top"]  # no successor of 'zz'


def test_spellings_that_differ_by_the_space_after_a_comma_are_one_suggestion(engine, loaded) -> None:
    with engine.connect() as connection:
        for prefix in ("anand", "Anand,", "anand, v", "ANAND,V"):
            (anand,) = suggest_players(connection, prefix)
            assert anand.games == loaded["Anand,V"] + loaded["Anand, V"] == 3
            assert anand.name == "Anand,V"  # the spelling with more games
            assert anand.spellings == ("Anand,V", "Anand, V")
        # the explorer takes either spelling as both
        ids = find_player_ids(connection, "anand, v")
        assert ids == find_player_ids(connection, "anand,v") and len(ids) == 2


def test_the_limit_keeps_the_most_played(engine, loaded) -> None:
    with engine.connect() as connection:
        found = suggest_players(connection, "f", limit=2)
    # Fischbach and "Fischer, R." have one game each: the tie goes by name
    assert [(s.name, s.games) for s in found] == [("Fischer, Robert James", 4), ("Fischbach, Hans", 1)]


def test_count_games_counts_both_colours(engine, loaded) -> None:
    with engine.connect() as connection:
        (spassky,) = find_player_ids(connection, "spassky, boris v")
        assert count_games(connection, [spassky]) == {spassky: loaded["Spassky, Boris V"]}
        assert count_games(connection, []) == {}


def test_the_api_answers_names_counts_and_sources(client, loaded) -> None:
    body = client.get("/api/players?prefix=fisch&limit=2").get_json()
    assert body == {
        "prefix": "fisch",
        "players": [
            {"name": "Fischer, Robert James", "games": 4, "sources": ["pgn"],
             "spellings": ["Fischer, Robert James"]},
            {"name": "Fischbach, Hans", "games": 1, "sources": ["pgn"], "spellings": ["Fischbach, Hans"]},
        ],
    }


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "prefix is required"),
        ("?prefix=%20", "prefix is required"),
        ("?prefix=a&limit=0", "limit must be between 1 and 50"),
        ("?prefix=a&limit=x", "limit must be a whole number"),
        ("?prefix=" + "a" * 61, "prefix must be at most 60 characters"),
    ],
)
def test_the_api_rejects_bad_parameters_with_400(client, query: str, message: str) -> None:
    response = client.get("/api/players" + query)
    assert response.status_code == 400
    assert message in response.get_json()["error"]


def test_name_key_and_variants() -> None:
    assert name_key(" Anand,V ") == "anand, v"
    assert spelling_variants("Anand, V") == ("anand, v", "anand,v")
    assert spelling_variants("carlsen") == ("carlsen",)


def test_display_name_is_the_sources_spelling(engine, loaded) -> None:
    from webapp.db.players import display_name

    with engine.connect() as connection:
        assert display_name(connection, "fischer, robert james") == "Fischer, Robert James"
        assert display_name(connection, "pgn:anand, v") in ("Anand,V", "Anand, V")
        assert display_name(connection, "lichess:anand,v") is None
        assert display_name(connection, "nobody") is None


@pytest.mark.parametrize("prefix", ["fisch", "fischer, r", "fischer_", "anand,", "f", "zz", "%", "_"])
def test_both_range_forms_find_the_same_names(engine, loaded, prefix: str) -> None:
    """The byte-order range and the linguistic form (stem range + LIKE) agree on this data."""
    from webapp.db.players import _prefix_statement, names_in_byte_order

    with engine.connect() as connection:
        assert names_in_byte_order(connection)  # SQLite, and the test server's C.UTF-8
        exact = connection.execute(_prefix_statement(prefix)).all()
        linguistic = connection.execute(_prefix_statement(prefix, byte_order=False)).all()
    assert exact == linguistic
    assert sorted(row[2] for row in exact) == sorted(
        name.lower() for name in loaded if name.lower().startswith(prefix)
    )


def test_the_player_tab_names_the_player_as_the_source_spells_it(app, loaded) -> None:
    from webapp.dashboard.player_panel import analyse

    out = analyse({"player": "fischer, robert james", "color": "white"})
    bold = out["summary"].children[0]
    assert bold.children == "Fischer, Robert James as white: "


def test_the_leaks_note_names_the_player_as_the_source_spells_it(app, loaded) -> None:
    from webapp.dashboard.player_panel import analyse, leaks_panel

    args = {"player": "fischer, robert james", "color": "white"}
    analyse(args)  # the summary first: it has the player's games counted, as the tab does
    with app.test_request_context():
        _table, note = leaks_panel(args, index_plies=40)
    assert note.startswith("Positions Fischer, Robert James reaches at least 3 times as white")
