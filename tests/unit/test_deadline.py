"""A request's time budget: passed or not, and the error that names the work stopped."""

from __future__ import annotations

import pytest

from webapp.model.deadline import Deadline, WorkTooLong


def test_a_deadline_passes_after_its_seconds() -> None:
    assert Deadline.after(0).passed
    assert not Deadline.after(60).passed
    assert not Deadline.never().passed
    Deadline.after(60).check("anything")  # not passed: nothing raised


def test_a_passed_deadline_names_the_work_and_the_budget() -> None:
    with pytest.raises(WorkTooLong) as raised:
        Deadline.after(0).check("finding leaks")
    assert str(raised.value) == (
        "finding leaks took longer than this server allows (0 s); narrow the filters or try again later"
    )
    assert isinstance(raised.value, TimeoutError)
