"""Speeds by lichess's rule: estimated seconds = base + 40 × increment."""

import pytest

from webapp.model.speed import Speed, speed_from_time_control


@pytest.mark.parametrize(
    ("time_control", "speed"),
    [
        ("0+1", Speed.BULLET),  # 40 s: early lichess games
        ("15+0", Speed.ULTRABULLET),
        ("29", Speed.ULTRABULLET),
        ("30", Speed.BULLET),
        ("60+0", Speed.BULLET),
        ("60+1", Speed.BULLET),  # 100 s
        ("120+1", Speed.BULLET),  # 160 s
        ("120+2", Speed.BLITZ),  # 200 s
        ("180", Speed.BLITZ),  # chess.com writes no increment part
        ("180+2", Speed.BLITZ),  # 260 s
        ("300+3", Speed.BLITZ),  # 420 s
        ("480", Speed.RAPID),
        ("600+5", Speed.RAPID),  # 800 s
        ("900+10", Speed.RAPID),  # 1300 s
        ("1500+10", Speed.CLASSICAL),  # chess.com calls this rapid; the lichess rule does not
        ("1800+30", Speed.CLASSICAL),
        ("21600", Speed.CORRESPONDENCE),
        ("-", Speed.CORRESPONDENCE),
        ("1/259200", Speed.CORRESPONDENCE),  # chess.com daily: a day count per move
    ],
)
def test_time_control_speed(time_control: str, speed: Speed) -> None:
    assert speed_from_time_control(time_control) is speed


@pytest.mark.parametrize("time_control", [None, "", "?", "abc", "5+x"])
def test_unreadable_time_control_has_no_speed(time_control: str | None) -> None:
    assert speed_from_time_control(time_control) is None


def test_speed_names_round_trip_and_daily_means_correspondence() -> None:
    assert [Speed.parse(s.label) for s in Speed] == list(Speed)
    assert Speed.parse("daily") is Speed.CORRESPONDENCE
    assert Speed.parse("BLITZ") is Speed.BLITZ
    with pytest.raises(ValueError, match="unknown speed 'hyper'"):
        Speed.parse("hyper")
