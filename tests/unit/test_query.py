"""ExplorerQuery validation: every bad parameter is a QueryError that names it."""

import chess
import pytest

from webapp.model.query import ExplorerQuery, QueryError, ratings_from_groups
from webapp.model.speed import Speed


def test_defaults_are_the_start_position_and_no_filters() -> None:
    query = ExplorerQuery.build()
    assert query.board() == chess.Board()
    assert query.rating_bands is None
    assert (query.speeds, query.since, query.until, query.player, query.color) == (
        (), None, None, None, None,
    )


def test_play_from_fen_and_filters_are_normalised() -> None:
    query = ExplorerQuery.build(
        play=["e2e4", "e7e5"],
        speeds=["rapid", "blitz", "daily"],
        rating_min=1600,
        rating_max=1999,
        since="2013-01",
        until="2014-12",
        player="  DrNykterstein ",
        color="Black",
    )
    assert query.speeds == (Speed.BLITZ, Speed.RAPID, Speed.CORRESPONDENCE)
    assert query.rating_bands == (16, 19)
    assert (query.since, query.until) == (201301, 201412)
    assert (query.player, query.color) == ("drnykterstein", "black")
    assert query.board().fen() == chess.Board(
        "rnbqkbnr/pppp1ppp/8/4p3/4P3/8/PPPP1PPP/RNBQKBNR w KQkq - 0 2"
    ).fen()


def test_equal_questions_are_equal_and_hashable() -> None:
    a = ExplorerQuery.build(play=["d2d4"], speeds=["blitz", "rapid"])
    b = ExplorerQuery.build(play=["d2d4"], speeds=["rapid", "blitz"])
    assert a == b and hash(a) == hash(b)
    assert ExplorerQuery.build(speeds=[s.label for s in Speed]).speeds == ()


def test_the_board_keeps_its_move_stack() -> None:
    query = ExplorerQuery.build(play=["e2e4", "c7c5"])
    assert [m.uci() for m in query.board().move_stack] == ["e2e4", "c7c5"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"play": ["e2e5"]}, "move 1 'e2e5' is illegal"),
        ({"play": ["e4"]}, "not a UCI move"),
        ({"play": ["e2e4"] * 301}, "at most 300"),
        ({"fen": "not a fen"}, "fen is not a valid FEN"),
        ({"fen": "8/8/8/8/8/8/8/8 w - - 0 1"}, "impossible position"),
        ({"speeds": ["hyperbullet"]}, "unknown speed 'hyperbullet'"),
        ({"rating_min": 1650}, "multiple of 100"),
        ({"rating_max": 2000}, "end in 99"),
        ({"rating_min": 2000, "rating_max": 1599}, "above rating_max"),
        ({"rating_min": -100}, "between 0 and 4000"),
        ({"since": "2013-13"}, "YYYY-MM"),
        ({"since": "2014-01", "until": "2013-12"}, "is after until"),
        ({"player": "x' OR 1=1 --"}, "player must be"),
        ({"player": "<script>alert(1)</script>"}, "player must be"),
        ({"player": "a" * 65}, "player must be"),
        ({"player": "a\x00b"}, "player must be"),
        ({"player": "a\nb"}, "player must be"),
        ({"color": "white"}, "color needs a player"),
        ({"player": "bob", "color": "green"}, "color must be"),
    ],
)
def test_bad_parameters_are_named(kwargs: dict, message: str) -> None:
    with pytest.raises(QueryError, match=message.replace("(", r"\(")):
        ExplorerQuery.build(**kwargs)


def test_pgn_style_names_and_source_prefixes_are_accepted() -> None:
    assert ExplorerQuery.build(player="Carlsen, M").player == "carlsen, m"
    assert ExplorerQuery.build(player="O'Kelly de Galway").player == "o'kelly de galway"
    assert ExplorerQuery.build(player="Lichess:Thibault").player == "lichess:thibault"
    # consultation games and team names as real PGN files carry them
    assert ExplorerQuery.build(player="Sillars,K/Manter,L").player == "sillars,k/manter,l"
    assert ExplorerQuery.build(player="Müller (GER) #2 & co.").player == "müller (ger) #2 & co."
    assert ExplorerQuery.build(player="a" * 64).player == "a" * 64


def test_lichess_rating_groups_become_an_inclusive_range() -> None:
    assert ratings_from_groups([1600, 1800]) == (1600, 1999)
    assert ratings_from_groups([2500]) == (2500, 3999)
    assert ratings_from_groups([0]) == (0, 999)
    with pytest.raises(QueryError, match="adjacent"):
        ratings_from_groups([1600, 2000])
    with pytest.raises(QueryError, match="not a rating group"):
        ratings_from_groups([1650])
