"""The navigation callback's plain parts: which event a trigger is, and what it changes."""

from __future__ import annotations

from dash import no_update

from webapp.dashboard import ids
from webapp.dashboard.callbacks import (
    Event,
    event_from_trigger,
    navigation_outputs,
    next_state,
    url_notice,
)
from webapp.dashboard.state import Filters, Selection, ViewState


def test_triggers_become_events() -> None:
    assert event_from_trigger(None, None) == Event("load")
    assert event_from_trigger(ids.LOCATION, "?play=e2e4") == Event("url")
    assert event_from_trigger(ids.CLICK, {"square": "e2", "n": 3}) == Event("square", "e2")
    assert event_from_trigger({"type": ids.PROMOTION, "index": "q"}, 1) == Event("promote", "q")
    assert event_from_trigger(ids.CLICK, {"play": "e2e4", "n": 1}) == Event("play", "e2e4")
    assert event_from_trigger(ids.CLICK, {"ply": 2, "n": 2}) == Event("ply", 2)
    assert event_from_trigger(ids.DATA_VERSION, 3) == Event("data")
    assert event_from_trigger(ids.BACK, 1) == Event("button", ids.BACK)
    assert event_from_trigger(ids.SPEEDS, ["blitz"]) == Event("filters")
    assert event_from_trigger(ids.PROMOTION_MODAL, False) == Event("cancel")


def test_triggers_that_are_no_user_action() -> None:
    """Buttons not clicked yet, an empty click store, the dialog opening: nothing to do."""
    assert event_from_trigger({"type": ids.PROMOTION, "index": "q"}, 0) is None
    assert event_from_trigger(ids.CLICK, None) is None
    assert event_from_trigger(ids.PROMOTION_MODAL, True) is None
    assert event_from_trigger(ids.FLIP, None) is None


def test_load_prefers_the_url_then_the_tab_state() -> None:
    stored = ViewState(line=("d2d4",), ply=1)
    assert next_state(Event("load"), stored, Selection(), Filters(), "")[0] == stored
    assert next_state(Event("load"), stored, Selection(), Filters(), "?play=e2e4")[0].line == ("e2e4",)


def test_picking_up_a_piece_redraws_the_board_only() -> None:
    state = ViewState()
    new, selection = next_state(Event("square", "e2"), state, Selection(), Filters(), "")
    out = navigation_outputs(Event("square", "e2"), state, new, Selection(), selection)
    assert out["state"] is no_update and out["search"] is no_update and out["line"] is no_update
    assert out["selection"] == {"square": "e2", "promotion": None}
    assert out["board"].startswith("data:image/svg+xml;base64,")


def test_playing_a_move_writes_state_and_url() -> None:
    state = ViewState()
    new, selection = next_state(Event("square", "e4"), state, Selection(square="e2"), Filters(), "")
    out = navigation_outputs(Event("square", "e4"), state, new, Selection(square="e2"), selection)
    assert out["state"]["line"] == ["e2e4"]
    assert out["search"] == "?play=e2e4"
    assert out["back_disabled"] is False  # was disabled at the start
    assert out["forward_disabled"] is no_update  # still at the end of the line: unchanged
    assert out["overlay"] is no_update and out["rating_label"] is no_update
    assert all(value is no_update for value in out["controls"].values())


def test_a_url_event_sets_the_controls_but_not_the_url() -> None:
    state = ViewState()
    new, selection = next_state(Event("url"), state, Selection(), Filters(), "?speeds=blitz&orientation=black")
    out = navigation_outputs(Event("url"), state, new, Selection(), selection)
    assert out["search"] is no_update
    assert out["controls"]["speeds"] == ["blitz"]
    assert out["overlay"] == "board-overlay flipped"


def test_collections_toggled_go_to_the_state_and_the_url() -> None:
    state = ViewState(line=("d2d4",), ply=1)
    toggled = Filters(collections=("masters",))
    new, selection = next_state(Event("filters"), state, Selection(), toggled, None)
    out = navigation_outputs(Event("filters"), state, new, Selection(), selection)
    assert new.filters.collections == ("masters",) and new.play == ("d2d4",)
    assert out["search"] == "?play=d2d4&collections=masters"
    assert out["collections_label"] == "masters"
    back, _ = next_state(Event("url"), new, Selection(), Filters(), "?play=d2d4")
    out = navigation_outputs(Event("url"), new, back, Selection(), Selection())
    assert out["controls"]["collections"] == [] and out["collections_label"] == "all"


def test_a_database_that_does_not_answer_gives_a_plain_message(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from webapp import create_app
    from webapp.dashboard.callbacks import explorer_outputs
    from webapp.settings import Settings

    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://root@127.0.0.1:9/no_such_database",  # nothing listens on 9
            "DATA_DIR": str(tmp_path),
        }
    )
    app = create_app(settings, dashboard=False)
    with app.test_request_context():
        out = explorer_outputs(ViewState(line=("e2e4",), ply=1), None)
    [alert] = out["panel"]
    assert "not answering" in alert.children
    assert out["recorded"] is no_update


def test_opening_a_link_names_what_it_left_out() -> None:
    notice = url_notice(Event("load"), "?play=e2e4,zzzz&speeds=fast&since=2020-13")
    items = [li.children for li in notice.children[1].children]
    assert items == ["play: 'zzzz' is not a legal move here", "speeds: no speed named 'fast'",
                     "since: '2020-13' is not a month (YYYY-MM)"]
    assert notice.color == "warning" and notice.dismissable
    assert url_notice(Event("url"), "?play=e2e4") is None  # a clean link: no notice
    assert url_notice(Event("load"), "") is None
    assert url_notice(Event("square", "e2"), "?play=zzzz") is no_update  # a click keeps it
