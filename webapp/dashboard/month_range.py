"""The month range: one slider over the months the games span, instead of two long dropdowns.

Handles sit on month numbers (year × 12 + month − 1), so a handle is a month whatever the
span; the slider's two ends mean "no limit", as on the rating slider, and the URL keeps
the API's since/until. Marks show years; the label above says the range in words, and
a handle's tooltip its month (assets/months.js formats the number).
"""

from __future__ import annotations

import math
import re

from dash import dcc

from webapp.dashboard import ids

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MAX_MARKS = 7

#: (first, last) month numbers the slider spans; None when no game has a date
Bounds = tuple[int, int] | None


def month_number(month: str | None) -> int | None:
    """'2013-01' → 2013 × 12; None for anything else."""
    match = _MONTH.match(month or "")
    return int(match.group(1)) * 12 + int(match.group(2)) - 1 if match else None


def month_text(number: int) -> str:
    """A month number as YYYY-MM."""
    year, month = divmod(int(number), 12)
    return f"{year:04d}-{month + 1:02d}"


def bounds_from_months(months: list[str], *extra: str | None) -> Bounds:
    """The slider's span: the games' months, widened to any month a filter names."""
    numbers = [n for n in (month_number(m) for m in [*months, *extra]) if n is not None]
    return (min(numbers), max(numbers)) if numbers else None


def slider_value(since: str | None, until: str | None, bounds: Bounds) -> list[int]:
    """The handles for since/until (no limit: the slider's end)."""
    if bounds is None:
        return [0, 1]
    low, high = bounds
    first = month_number(since)
    last = month_number(until)
    first = low if first is None else min(max(first, low), high)
    last = high if last is None else min(max(last, low), high)
    return [first, max(first, last)]


def months_from_slider(value: list[int] | None, bounds: Bounds) -> tuple[str | None, str | None]:
    """(since, until) for the handles; a handle at its end means no limit."""
    if bounds is None or not value or len(value) != 2:
        return None, None
    low, high = bounds
    first, last = sorted(int(v) for v in value)
    return (None if first <= low else month_text(first)), (None if last >= high else month_text(last))


def range_label(since: str | None, until: str | None) -> str:
    if since and until:
        return f"{since} – {until}" if since != until else since
    if since:
        return f"from {since}"
    if until:
        return f"up to {until}"
    return "all months"


def slider_marks(bounds: Bounds) -> dict[int, str]:
    """Years at January, at most MAX_MARKS of them; the ends as months when the span is short."""
    if bounds is None:
        return {}
    low, high = bounds
    first_year, last_year = math.ceil(low / 12), high // 12
    years = list(range(first_year, last_year + 1))
    if len(years) < 2:
        return {low: month_text(low), high: month_text(high)} if high > low else {low: month_text(low)}
    step = math.ceil(len(years) / MAX_MARKS)
    return {year * 12: str(year) for year in years[::step]}


def slider_props(bounds: Bounds) -> dict[str, object]:
    """min, max, marks and disabled for the span (a disabled 0–1 slider when no game has a date)."""
    if bounds is None or bounds[0] == bounds[1]:
        low = bounds[0] if bounds else 0
        # blank ends: without marks the slider would label itself with the numbers 0 and 1
        marks = slider_marks(bounds) or {low: "", low + 1: ""}
        return {"min": low, "max": low + 1, "marks": marks, "disabled": True}
    return {"min": bounds[0], "max": bounds[1], "marks": slider_marks(bounds), "disabled": False}


def build_month_range(since: str | None = None, until: str | None = None) -> dcc.RangeSlider:
    """The slider, empty until the first answer tells it the months of the games."""
    return dcc.RangeSlider(
        id=ids.MONTHS,
        min=0,
        max=1,
        step=1,
        value=[0, 1],
        marks={0: "", 1: ""},  # blank until the months are known (no marks: Dash writes 0 and 1)
        allowCross=False,
        updatemode="mouseup",
        disabled=True,
        allow_direct_input=False,  # its boxes would show month numbers, not months
        tooltip={"placement": "bottom", "always_visible": False, "transform": "monthText"},
        className="month-slider",
    )
