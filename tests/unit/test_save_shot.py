"""Screenshots for review: a renderer too busy to paint in time is asked again, and a
picture that never comes is a warning, not a failed test (tests/browser/screen.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.common.exceptions import TimeoutException

from tests.browser import screen


class _BusyRenderer:
    """A window whose first `busy` screenshots time out, as chromedriver's do under load."""

    def __init__(self, busy: int) -> None:
        self.busy = busy
        self.calls = 0

    def save_screenshot(self, path: str) -> bool:
        self.calls += 1
        if self.calls <= self.busy:
            raise TimeoutException("Timed out receiving message from renderer: 10.000")
        Path(path).write_bytes(b"\x89PNG")
        return True


@pytest.fixture(autouse=True)
def _no_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(screen.time, "sleep", lambda seconds: None)


def test_a_screenshot_that_times_out_is_taken_again(tmp_path: Path) -> None:
    window = _BusyRenderer(busy=screen.SHOT_ATTEMPTS - 1)
    screen.save_shot(window, tmp_path / "shots" / "board.png")
    assert window.calls == screen.SHOT_ATTEMPTS
    assert (tmp_path / "shots" / "board.png").read_bytes() == b"\x89PNG"


def test_a_screenshot_that_never_comes_is_a_warning(tmp_path: Path) -> None:
    window = _BusyRenderer(busy=screen.SHOT_ATTEMPTS)
    with pytest.warns(UserWarning, match="no screenshot .*board.png: Timed out receiving"):
        screen.save_shot(window, tmp_path / "board.png")
    assert window.calls == screen.SHOT_ATTEMPTS
    assert not (tmp_path / "board.png").exists()
