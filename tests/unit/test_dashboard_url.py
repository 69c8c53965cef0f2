"""The dashboard URL ⇄ ViewState: the API's parameter names, forgiving parsing, round trips."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from webapp.dashboard.state import Filters, ViewState
from webapp.dashboard.url import ignored_parameters, search_from_state, state_from_search
from webapp.model.query import ExplorerQuery

CONTRACT = (
    "?play=e2e4,e7e5&speeds=blitz,rapid&rating_min=1600&rating_max=1999&since=2013-01"
    "&until=2013-12&player=NAME&color=white&rated=true&collections=masters,otb&orientation=black"
)


def test_the_contract_url_reads_every_parameter() -> None:
    state = state_from_search(CONTRACT)
    assert state == ViewState(
        line=("e2e4", "e7e5"),
        ply=2,
        orientation="black",
        filters=Filters(
            speeds=("blitz", "rapid"),
            rating_min=1600,
            rating_max=1999,
            since="2013-01",
            until="2013-12",
            player="NAME",
            color="white",
            rated=True,
            collections=("masters", "otb"),
        ),
    )


def test_the_contract_url_is_written_back_identically() -> None:
    assert search_from_state(state_from_search(CONTRACT)) == CONTRACT


def test_default_state_is_the_bare_url() -> None:
    assert search_from_state(ViewState()) == ""
    assert state_from_search("") == ViewState()
    assert state_from_search(None) == ViewState()


def test_the_url_holds_the_moves_up_to_the_shown_ply() -> None:
    state = ViewState(line=("e2e4", "e7e5", "g1f3"), ply=1)
    assert search_from_state(state) == "?play=e2e4"


def test_url_parameters_are_the_json_apis() -> None:
    """Every parameter the dashboard writes (but orientation) is one /api/explorer accepts,
    and the API builds the same query from it."""
    from webapp.api.wire import KNOWN, query_from_args
    from webapp.dashboard.state import explorer_query

    state = state_from_search(CONTRACT.replace("&orientation=black", ""))
    args = {k: v[0] for k, v in parse_qs(search_from_state(state)[1:]).items()}
    assert set(args) <= KNOWN
    assert query_from_args(args) == explorer_query(state)[0]


def test_back_button_keeps_the_line_ahead() -> None:
    """Going back in the browser to ?play=e2e4 keeps e7e5 g1f3 so forward still works."""
    current = ViewState(line=("e2e4", "e7e5", "g1f3"), ply=3)
    state = state_from_search("?play=e2e4", current)
    assert (state.line, state.ply) == (("e2e4", "e7e5", "g1f3"), 1)


def test_a_different_line_replaces_the_current_one() -> None:
    current = ViewState(line=("e2e4", "e7e5"), ply=2)
    state = state_from_search("?play=d2d4", current)
    assert (state.line, state.ply) == (("d2d4",), 1)


@pytest.mark.parametrize(
    ("search", "line"),
    [
        ("?play=e2e4,e2e4", ("e2e4",)),  # the second e2e4 is illegal: cut there
        ("?play=e2e4,zz,g1f3", ("e2e4",)),
        ("?play=e7e5", ()),
        ("?play=", ()),
    ],
)
def test_illegal_moves_cut_the_line_short(search: str, line: tuple[str, ...]) -> None:
    assert state_from_search(search).line == line


@pytest.mark.parametrize(
    ("search", "rating_min", "rating_max"),
    [
        ("?rating_min=1650&rating_max=1900", 1600, 1999),  # snapped to whole bands
        ("?rating_min=abc", None, None),
        ("?rating_min=2000&rating_max=1000", None, None),  # contradictory: dropped
        ("?rating_max=9999", None, 3999),
        ("?ratings=1600,1800", 1600, 1999),  # lichess rating groups
    ],
)
def test_ratings_are_snapped_to_bands(search: str, rating_min: int | None, rating_max: int | None) -> None:
    filters = state_from_search(search).filters
    assert (filters.rating_min, filters.rating_max) == (rating_min, rating_max)
    ExplorerQuery.build(rating_min=filters.rating_min, rating_max=filters.rating_max)  # accepted


def test_unreadable_values_are_left_out() -> None:
    state = state_from_search("?since=2013-13&until=13-01&color=purple&player=&orientation=up&speeds=fast")
    assert state == ViewState()


def test_collections_are_checked_names_once_each_in_order() -> None:
    assert state_from_search("?collections=otb,Masters,otb,no%20spaces,").filters.collections == (
        "masters",
        "otb",
    )
    assert state_from_search("?collections=").filters.collections == ()
    assert search_from_state(state_from_search("?collections=otb,masters")) == "?collections=masters,otb"


def test_explorer_url_keeps_the_collections() -> None:
    from webapp.model.links import explorer_url

    query = ExplorerQuery.build(play=["e2e4"], collections=["otb", "masters"])
    assert explorer_url(query) == "/?play=e2e4&collections=masters,otb"
    assert state_from_search(explorer_url(query)[1:]).filters.collections == ("masters", "otb")


def test_color_needs_a_player() -> None:
    assert state_from_search("?color=black").filters.color is None


def test_daily_is_correspondence_and_all_speeds_are_no_filter() -> None:
    assert state_from_search("?speeds=daily,bullet").filters.speeds == ("bullet", "correspondence")
    every = "ultraBullet,bullet,blitz,rapid,classical,correspondence"
    assert state_from_search(f"?speeds={every}").filters.speeds == ()


def test_player_names_with_a_source_survive_the_round_trip() -> None:
    state = ViewState(filters=Filters(player="lichess:Some Name", color="black"))
    search = search_from_state(state)
    assert search == "?player=lichess:Some+Name&color=black"
    assert state_from_search(search) == state


def test_a_fen_rides_in_the_url_and_comes_back() -> None:
    fen = "rnbqkbnr/pp1ppppp/8/2p5/4P3/5N2/PPPP1PPP/RNBQKB1R b KQkq - 1 2"
    state = ViewState(fen=fen, line=("b8c6",), ply=1)
    search = search_from_state(state)
    assert search == "?fen=rnbqkbnr/pp1ppppp/8/2p5/4P3/5N2/PPPP1PPP/RNBQKB1R+b+KQkq+-+1+2&play=b8c6"
    assert state_from_search(search) == state
    # moves that are legal from the start but not from the FEN are cut off
    assert state_from_search("?fen=" + fen.replace(" ", "+") + "&play=e2e4").line == ()


def test_the_viewers_game_rides_beside_the_explorers_parameters() -> None:
    from webapp.dashboard.url import game_from_search, search_with_game

    assert game_from_search("?play=e2e4&game=8dWrdE03") == "8dWrdE03"
    assert game_from_search("?play=e2e4") is None and game_from_search("?game=") is None
    assert search_with_game("?play=e2e4&game=old", "new") == "?play=e2e4&game=new"
    assert search_with_game("?play=e2e4&game=old", None) == "?play=e2e4"
    assert search_with_game("?game=old", None) == ""
    assert search_with_game("", "a b&c") == "?game=a%20b%26c"
    assert state_from_search("?play=e2e4&game=x") == state_from_search("?play=e2e4")  # the explorer ignores it


def test_what_a_link_asked_for_and_was_left_out_is_named() -> None:
    """The issue's own link: an unreadable move, an unknown speed, a 13th month."""
    search = "?play=e2e4,zzzz&speeds=fast&since=2020-13"
    assert state_from_search(search).line == ("e2e4",)  # still forgiving
    assert ignored_parameters(search) == (
        "play: 'zzzz' is not a legal move here",
        "speeds: no speed named 'fast'",
        "since: '2020-13' is not a month (YYYY-MM)",
    )


def test_an_illegal_move_names_the_moves_cut_after_it() -> None:
    # 1.e4 then white again (e2e4 is no move for black), so e7e5 and g1f3 go too
    assert ignored_parameters("?play=e2e4,e2e4,e7e5,g1f3") == (
        "play: 'e2e4' is not a legal move here (it and the 2 moves after it are left out)",
    )
    # from a FEN the same move may be legal: the line is read from the FEN given
    fen = "rnbqkbnr/pppp1ppp/8/4p3/4P3/8/PPPP1PPP/RNBQKBNR w KQkq - 0 2"
    assert ignored_parameters(f"?fen={fen}&play=g1f3") == ()
    assert ignored_parameters(f"?fen={fen}&play=e2e4") == ("play: 'e2e4' is not a legal move here",)


def test_other_unreadable_values_and_unknown_names_are_named() -> None:
    assert ignored_parameters("?fen=xx&rating_min=abc&color=green&orientation=up&collections=a%20b&foo=1") == (
        "fen: 'xx' is not a possible position (the start is shown)",
        "rating_min: 'abc' is not a rating",
        "color: 'green' is not white or black",
        "orientation: 'up' is not white or black",
        "collections: 'a b' is not a collection name",
        "unknown parameter 'foo'",
    )
    assert ignored_parameters("?play=" + "x" * 100)[0] == f"play: '{'x' * 39}…' is not a legal move here"


def test_a_clean_link_leaves_nothing_out() -> None:
    assert ignored_parameters(CONTRACT) == ()
    assert ignored_parameters("") == ignored_parameters(None) == ()
    assert ignored_parameters("?speeds=daily,blitz&ratings=1600,1800") == ()
