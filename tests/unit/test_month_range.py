"""The month range slider: month numbers ⇄ since/until, ends meaning no limit, year marks."""

from __future__ import annotations

from webapp.dashboard.month_range import (
    bounds_from_months,
    month_number,
    month_text,
    months_from_slider,
    range_label,
    slider_marks,
    slider_props,
    slider_value,
)
from webapp.model.query import ExplorerQuery

# lichess's database spans 2013-01 to 2068-09 in this test: 669 months, one slider
BOUNDS = (2013 * 12, 2068 * 12 + 8)


def test_month_numbers() -> None:
    assert month_number("2013-01") == 2013 * 12
    assert month_number("2013-12") == 2013 * 12 + 11
    assert month_text(2013 * 12 + 11) == "2013-12"
    assert (month_number("2013-13"), month_number(None), month_number("x")) == (None, None, None)
    assert BOUNDS[1] - BOUNDS[0] + 1 == 669


def test_the_slider_ends_mean_no_limit() -> None:
    assert slider_value(None, None, BOUNDS) == list(BOUNDS)
    assert months_from_slider(list(BOUNDS), BOUNDS) == (None, None)
    value = slider_value("2015-03", "2016-11", BOUNDS)
    assert value == [2015 * 12 + 2, 2016 * 12 + 10]
    since, until = months_from_slider(value, BOUNDS)
    assert (since, until) == ("2015-03", "2016-11")
    ExplorerQuery.build(since=since, until=until)  # the explorer accepts them
    assert months_from_slider([BOUNDS[0], 2014 * 12], BOUNDS) == (None, "2014-01")
    assert months_from_slider([2016 * 12, 2015 * 12], BOUNDS) == ("2015-01", "2016-01")  # crossed handles


def test_months_outside_the_games_widen_the_span() -> None:
    bounds = bounds_from_months(["2021-01", "2021-02", "2021-03"], "2019-06", None)
    assert bounds == (2019 * 12 + 5, 2021 * 12 + 2)
    assert months_from_slider(slider_value("2019-06", None, bounds), bounds) == (None, None)
    assert bounds_from_months([], None, None) is None


def test_marks_are_a_few_years() -> None:
    marks = slider_marks(BOUNDS)
    assert 2 <= len(marks) <= 7
    assert all(label.isdigit() and number == int(label) * 12 for number, label in marks.items())
    assert slider_marks((2021 * 12, 2021 * 12 + 5)) == {2021 * 12: "2021-01", 2021 * 12 + 5: "2021-06"}


def test_no_dated_game_disables_the_slider() -> None:
    assert slider_props(None)["disabled"] is True
    assert slider_props(BOUNDS) == {"min": BOUNDS[0], "max": BOUNDS[1], "marks": slider_marks(BOUNDS),
                                    "disabled": False}


def test_range_label() -> None:
    assert range_label(None, None) == "all months"
    assert range_label("2015-03", None) == "from 2015-03"
    assert range_label(None, "2015-03") == "up to 2015-03"
    assert range_label("2015-03", "2016-01") == "2015-03 – 2016-01"
    assert range_label("2015-03", "2015-03") == "2015-03"
