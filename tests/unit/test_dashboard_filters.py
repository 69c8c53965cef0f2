"""Filter controls ⇄ Filters: the rating slider in bands of 100, speeds, colour, months."""

from __future__ import annotations

import pytest

from webapp.dashboard.filters import (
    SLIDER_MAX,
    collection_options,
    collections_label,
    controls_from_filters,
    filters_from_controls,
    rating_label,
    ratings_from_slider,
)
from webapp.dashboard.state import SPEEDS, Filters
from webapp.model.query import ExplorerQuery


@pytest.mark.parametrize(
    ("handles", "expected"),
    [
        ([0, SLIDER_MAX], (None, None)),  # both ends: no rating filter
        ([1600, 2000], (1600, 1999)),  # the top handle is exclusive
        ([0, 1200], (None, 1199)),
        ([2500, SLIDER_MAX], (2500, None)),
        ([2000, 1600], (1600, 1999)),
        (None, (None, None)),
    ],
)
def test_slider_handles_are_whole_bands(handles, expected) -> None:  # type: ignore[no-untyped-def]
    assert ratings_from_slider(handles) == expected
    ExplorerQuery.build(rating_min=expected[0], rating_max=expected[1])  # the explorer accepts it


def test_controls_round_trip() -> None:
    filters = Filters(speeds=("bullet", "blitz"), rating_min=1600, rating_max=1999, since="2013-01",
                      until="2013-02", player="alice", color="black", rated=True,
                    collections=("masters", "otb"))
    bounds = (2010 * 12, 2020 * 12)
    assert filters_from_controls(**controls_from_filters(filters, bounds), month_bounds=bounds) == filters


def test_no_filters_tick_every_speed_and_both_colours() -> None:
    controls = controls_from_filters(Filters())
    assert (controls["speeds"], controls["color"], controls["rating"]) == (list(SPEEDS), "both", [0, SLIDER_MAX])
    assert controls["collections"] == []
    assert filters_from_controls(**controls) == Filters()


def test_no_speed_ticked_means_every_speed_and_colour_needs_a_player() -> None:
    filters = filters_from_controls(player="  ", color="white", rating=None, speeds=[], months=None,
                                    rated=None)
    assert filters == Filters()


def test_rating_label() -> None:
    assert rating_label(Filters()) == "any rating"
    assert rating_label(Filters(rating_min=1600, rating_max=1999)) == "1600–1999"
    assert rating_label(Filters(rating_min=2500)) == "2500 and above"
    assert rating_label(Filters(rating_max=1199)) == "up to 1199"


def test_toggled_collections_are_the_filter_and_none_means_all() -> None:
    def chosen(toggled):  # type: ignore[no-untyped-def]
        return filters_from_controls(player=None, color="both", rating=None, speeds=None, months=None,
                                     rated=False, collections=toggled)

    assert chosen(["otb", "masters"]).collections == ("masters", "otb")
    assert chosen([]) == chosen(None) == Filters()
    assert collections_label(chosen([])) == "all"
    assert collections_label(chosen(["otb", "masters"])) == "masters, otb"
    assert controls_from_filters(chosen(["otb", "masters"]))["collections"] == ["masters", "otb"]


def _text(label) -> str:  # type: ignore[no-untyped-def]
    return " ".join(part.children for part in label)


def test_a_toggle_per_collection_with_its_games_and_unknown_names_marked_ignored() -> None:
    options = collection_options([("lichess", 1234), ("masters", 4)], chosen=("masters", "nowhere"))
    assert [(o["value"], _text(o["label"])) for o in options] == [
        ("lichess", "lichess 1,234"),
        ("masters", "masters 4"),
        ("nowhere", "nowhere ignored"),
    ]
    assert collection_options([], ()) == []
