"""The lichess explorer API's parameters read into requests, and answers shaped as lichess's."""

from __future__ import annotations

import pytest

from webapp.api.lichess_answer import Answer, AnswerMove, combine, fill_months
from webapp.api.lichess_wire import (
    Endpoint,
    answer_json,
    lichess_request,
    masters_request,
    player_request,
    rating_runs,
)
from webapp.model.query import QueryError
from webapp.model.speed import Speed
from webapp.model.stats import ExplorerResult, MoveStats, Opening, Results


def test_lichess_defaults_are_lichesss() -> None:
    request = lichess_request({})
    assert request.endpoint is Endpoint.LICHESS
    assert request.moves == 12 and request.top_games == 4 and request.recent_games == 8
    assert request.history is False
    assert [(t.sign, t.query.rated_only, t.query.rating_min) for t in request.terms] == [(1, False, None)]


def test_lichess_filters_reach_the_explorer_query() -> None:
    request = lichess_request(
        {"variant": "standard", "play": "e2e4,e7e5", "speeds": "blitz,rapid",
         "ratings": "1600,1800", "since": "2021-1", "until": "2021/06", "moves": "3",
         "topGames": "0", "recentGames": "2", "history": "True", "source": "analysis"}
    )
    query = request.query
    assert query.play == ("e2e4", "e7e5")
    assert query.speeds == (Speed.BLITZ, Speed.RAPID)
    assert (query.rating_min, query.rating_max) == (1600, 1999)
    assert (query.since, query.until) == (202101, 202106)
    assert (request.moves, request.top_games, request.recent_games, request.history) == (3, 0, 2, True)


def test_games_lists_are_capped_as_lichess_caps_them() -> None:
    assert lichess_request({"topGames": "50", "recentGames": "50"}).top_games == 4
    assert lichess_request({"recentGames": "50"}).recent_games == 8
    assert masters_request({"topGames": "50"}).top_games == 15


def test_rating_groups_are_read_as_lichess_reads_them() -> None:
    # a value names the group it falls in; 2500 and above is the top group
    assert rating_runs(["1600"]) == [(1600, 1799)]
    assert rating_runs(["1650", "1800"]) == [(1600, 1999)]
    assert rating_runs(["0", "1000", "2200", "2500", "3200"]) == [(0, 1199), (2200, 3999)]
    # groups that are not adjacent become one explorer query each, summed
    request = lichess_request({"ratings": "1200,2000"})
    assert [(t.sign, t.query.rating_min, t.query.rating_max) for t in request.terms] == [
        (1, 1200, 1399), (1, 2000, 2199)
    ]


def test_masters_since_and_until_are_years() -> None:
    query = masters_request({"since": "1990", "until": "2021"}).query
    assert (query.since, query.until) == (199001, 202112)
    assert masters_request({}).recent_games == 0


def test_player_modes_are_signed_terms() -> None:
    base = {"player": "Frank", "color": "black"}
    rated = player_request({**base, "modes": "rated"})
    assert [(t.sign, t.query.rated_only) for t in rated.terms] == [(1, True)]
    casual = player_request({**base, "modes": "casual"})  # all games minus rated ones
    assert [(t.sign, t.query.rated_only) for t in casual.terms] == [(1, False), (-1, True)]
    both = player_request({**base, "modes": "rated,casual"})
    assert [(t.sign, t.query.rated_only) for t in both.terms] == [(1, False)]
    assert both.query.player == "frank" and both.query.color == "black" and both.color == "black"
    assert both.moves is None and both.top_games == 0 and both.recent_games == 8


BAD: list[tuple[str, dict[str, str], tuple[str, ...]]] = [
    ("lichess", {"variant": "atomic"}, ("variant", "atomic", "standard")),
    ("masters", {"variant": "chess960"}, ("variant", "chess960")),
    ("player", {"player": "a", "color": "white", "variant": "crazyhouse"}, ("variant",)),
    ("lichess", {"play": "e2e5"}, ("play", "illegal")),
    ("lichess", {"fen": "nonsense"}, ("fen",)),
    ("lichess", {"speeds": "blitz,turbo"}, ("speeds", "turbo")),
    ("lichess", {"ratings": "high"}, ("ratings", "high")),
    ("lichess", {"ratings": "-1000"}, ("ratings",)),
    ("lichess", {"since": "2021"}, ("since", "YYYY-MM")),
    ("lichess", {"until": "2021-13"}, ("until", "2021-13")),
    ("lichess", {"since": "2021-06", "until": "2021-01"}, ("since", "after", "until")),
    ("lichess", {"moves": "-1"}, ("moves", "whole number")),
    ("lichess", {"moves": "ten"}, ("moves", "ten")),
    ("lichess", {"topGames": "x"}, ("topGames",)),
    ("lichess", {"recentGames": "1.5"}, ("recentGames",)),
    ("lichess", {"history": "maybe"}, ("history", "maybe")),
    ("masters", {"since": "2021-01"}, ("since", "year")),
    ("masters", {"until": "last"}, ("until", "year")),
    ("masters", {"since": "2021", "until": "1990"}, ("since", "after", "until")),
    ("player", {"color": "white"}, ("player", "required")),
    ("player", {"player": "frank"}, ("color", "white or black")),
    ("player", {"player": "frank", "color": "both"}, ("color", "both")),
    ("player", {"player": "x'; DROP TABLE games; --", "color": "white"}, ("player", "username")),
    ("player", {"player": "frank", "color": "white", "modes": "blitz"}, ("modes", "blitz")),
    ("player", {"player": "frank", "color": "white", "since": "03/2021"}, ("since",)),
]
PARSERS = {"lichess": lichess_request, "masters": masters_request, "player": player_request}


@pytest.mark.parametrize(("endpoint", "args", "words"), BAD)
def test_bad_parameters_name_themselves(endpoint: str, args: dict[str, str], words: tuple[str, ...]) -> None:
    with pytest.raises(QueryError) as raised:
        PARSERS[endpoint](args)
    message = str(raised.value).lower()
    assert all(word.lower() in message for word in words), message


def test_combine_adds_and_subtracts_terms_exactly() -> None:
    everything = ExplorerResult(
        fen="f", totals=Results(5, 2, 3, 10_000, 6),
        moves=(MoveStats("e2e4", "e4", Results(4, 1, 2, 8000, 5)), MoveStats("d2d4", "d4", Results(1, 1, 1, 2000, 1))),
    )
    rated = ExplorerResult(
        fen="f", totals=Results(3, 0, 2, 6000, 4),
        moves=(MoveStats("e2e4", "e4", Results(2, 0, 1, 4000, 3)), MoveStats("d2d4", "d4", Results(1, 0, 1, 2000, 1))),
    )
    casual = combine([(1, everything), (-1, rated)])
    assert casual.totals == Results(2, 2, 1, 4000, 2)
    # e4 left 2-1-1 and d4 a single draw; most played first
    assert [(m.uci, m.results) for m in casual.moves] == [
        ("e2e4", Results(2, 1, 1, 4000, 2)), ("d2d4", Results(0, 1, 0, 0, 0))
    ]
    nothing = combine([(1, rated), (-1, rated)])
    assert nothing.totals.games == 0 and nothing.moves == ()


def test_history_months_run_without_gaps() -> None:
    rows = ((202011, Results(1, 0, 0)), (202102, Results(0, 1, 0)))
    months = [m for m, _ in fill_months(rows, None, None)]
    assert months == [202011, 202012, 202101, 202102]
    assert fill_months(rows, None, None)[1][1] == Results()
    # since starts the history even before the first game; it ends at the last game
    assert [m for m, _ in fill_months(rows, 202010, 202112)] == [202010, 202011, 202012, 202101, 202102]
    assert fill_months((), 202001, None) == ()


def _answer() -> Answer:
    move = AnswerMove("e2e4", "e4", Results(2, 1, 0, 3000, 2), performance=1700,
                      opening=Opening("B00", "King's Pawn Game"))
    return Answer(totals=Results(2, 1, 1, 3000, 2), moves=(move,), opening=None,
                  history=((202101, Results(1, 0, 0)),))


def test_answer_shapes_per_endpoint() -> None:
    lichess = answer_json(_answer(), lichess_request({}))
    assert lichess == {
        "white": 2, "draws": 1, "black": 1,
        "moves": [{"uci": "e2e4", "san": "e4", "averageRating": 1500, "white": 2, "draws": 1,
                   "black": 0, "game": None, "opening": {"eco": "B00", "name": "King's Pawn Game"}}],
        "recentGames": [], "topGames": [], "opening": None,
        "history": [{"month": "2021-01", "white": 1, "draws": 0, "black": 0}],
    }
    masters = answer_json(_answer(), masters_request({}))
    assert "recentGames" not in masters and masters["topGames"] == []
    player = answer_json(_answer(), player_request({"player": "frank", "color": "white"}))
    assert "topGames" not in player and player["recentGames"] == [] and player["queuePosition"] == 0
    assert player["moves"][0]["averageOpponentRating"] == 1500
    assert player["moves"][0]["performance"] == 1700
    assert "averageRating" not in player["moves"][0]
