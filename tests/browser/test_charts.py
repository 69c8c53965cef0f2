"""The charts view: every figure's hover data equals the JSON API's numbers for the position.

The figures' `customdata` (what the hover labels show) is read from Plotly's own graph
divs and compared with /api/explorer (results per move) and /api/explorer/breakdown
(rating bands, months). Screenshots at 1366×900 and 390×844 go to $SCREENSHOTS when set.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from selenium.webdriver.common.by import By

from tests.browser.screen import Dashboard, save_shot

pytestmark = pytest.mark.browser

_READ_GRAPH = """
const gd = document.querySelector('#' + arguments[0] + ' .js-plotly-plot');
if (!gd || !gd._fullData) return null;
return {
  meta: (gd.layout && gd.layout.meta) || null,
  traces: gd._fullData.map(t => ({name: t.name || null, type: t.type, x: t.x ? Array.from(t.x) : null,
    y: t.y ? Array.from(t.y) : null, customdata: t.customdata ? Array.from(t.customdata, r => Array.from(r)) : null,
    hovertemplate: t.hovertemplate || null, fill: t.fill || null})),
  annotations: ((gd.layout && gd.layout.annotations) || []).map(a => a.text),
};
"""


def _api(live_app, path: str, params: dict[str, str]) -> dict:  # type: ignore[no-untyped-def]
    client = live_app.app.test_client()
    response = client.get(f"{path}?{urlencode(params)}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _shot(driver, name: str, element_id: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """The window (or one element, whole) as $SCREENSHOTS/name.png, when that is set."""
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        save_shot(driver.find_element(By.ID, element_id) if element_id else driver, Path(folder) / f"{name}.png")


def _show_charts(page: Dashboard) -> None:
    page.tick_label("explorer-view", "Charts")
    page.wait_for(lambda: page.driver.find_element(By.ID, "charts-view").is_displayed(), "the charts")


def _graph(page: Dashboard, graph_id: str, ready) -> dict:  # type: ignore[no-untyped-def]
    return page.wait_for(
        lambda: (g := page.driver.execute_script(_READ_GRAPH, graph_id)) and ready(g) and g,
        f"{graph_id} drawn",
    )


def _drawn(graph: dict) -> bool:
    """Drawn with data (not the placeholder shown before the first answer)."""
    return any(t["customdata"] for t in graph["traces"])


CASES = {
    "1.e4": "play=e2e4",
    "1.e4 e5, blitz and rapid, 2021": "play=e2e4,e7e5&speeds=blitz,rapid&since=2021-01&until=2021-12",
    "frank's games as white, 1.e4": "play=e2e4&player=frank&color=white",
}


@pytest.mark.parametrize("search", CASES.values(), ids=list(CASES))
def test_brw030_charts_hover_data_equals_the_apis_numbers(live_app, browser, search: str) -> None:
    from urllib.parse import parse_qsl

    params = dict(parse_qsl(search))
    page = Dashboard(browser, live_app).open("?" + search)
    page.wait_for_api_numbers()
    _show_charts(page)
    explorer = _api(live_app, "/api/explorer", params)
    breakdown = _api(live_app, "/api/explorer/breakdown", params)
    assert len(explorer["moves"]) >= 2
    mover = "White" if breakdown["turn"] == "white" else "Black"
    wins = mover.lower()

    # results per move: each bar's count and games, and the score's counts, are the API's
    results = _graph(page, "chart-results", _drawn)
    shown = {}
    for trace in results["traces"]:
        for row in trace["customdata"] or []:
            shown.setdefault(row[0], {})[trace["name"]] = row[1:]
    expected = {
        m["uci"]: {
            "White wins": [m["white"], m["games"]],
            "Draws": [m["draws"], m["games"]],
            "Black wins": [m["black"], m["games"]],
            f"{mover}'s score": [m["games"], m["white"], m["draws"], m["black"]],
        }
        for m in explorer["moves"]
    }
    trimmed = {uci: {name: values[: len(expected[uci][name])] for name, values in per.items()}
               for uci, per in shown.items()}
    assert trimmed == expected
    score = next(t for t in results["traces"] if t["name"] == f"{mover}'s score")
    for x, row in zip(score["x"], score["customdata"], strict=True):
        won, draws, games = row[2] if wins == "white" else row[4], row[3], row[1]
        assert x == pytest.approx(100 * (won + draws / 2) / games)
        assert row[5] <= x <= row[6]  # inside its 95% interval
    assert "95% interval" in score["hovertemplate"]

    # score by rating: each group's counts are the API's bands within its range
    bands = _graph(page, "chart-bands", _drawn)
    lines = [t for t in bands["traces"] if t["customdata"]]
    rated = {b["uci"] for b in breakdown["bands"] if b["band"] >= 0 and b["games"]}
    top = [m["uci"] for m in explorer["moves"][:3] if m["uci"] in rated]  # unrated games: no band
    assert sorted({row[0] for t in lines for row in t["customdata"]}) == sorted(top)
    for trace in lines:
        for row in trace["customdata"]:
            uci, low, high, games, white, draws, black = row[:7]
            rows = [b for b in breakdown["bands"] if b["uci"] == uci and b["band"] >= 0
                    and low <= b["ratingMin"] and b["ratingMax"] <= high]
            assert [sum(b[k] for b in rows) for k in ("games", "white", "draws", "black")] == [
                games, white, draws, black]
            assert games >= 10 or len(trace["customdata"]) == 1  # merged where games are few
    for uci in top:  # every game of known rating is in one group
        in_groups = sum(row[3] for t in lines for row in t["customdata"] if row[0] == uci)
        assert in_groups == sum(b["games"] for b in breakdown["bands"] if b["uci"] == uci and b["band"] >= 0)

    # over time: every month from the first to the last, gaps as zero, counts as the API's
    time = _graph(page, "chart-time", _drawn)
    bars = next(t for t in time["traces"] if t["type"] == "bar")
    months = [row[1] for row in bars["customdata"]]
    per_month: dict[str, list[int]] = {}
    for row in breakdown["months"]:
        if row["month"] is None:  # an unknown date: not on the time axis
            continue
        total = per_month.setdefault(row["month"], [0, 0, 0, 0])
        for i, k in enumerate(("games", "white", "draws", "black")):
            total[i] += row[k]
    assert months[0] == min(per_month) and months[-1] == max(per_month)
    for index, month in enumerate(months):
        assert per_month.get(month, [0, 0, 0, 0]) == bars["customdata"][index][2:6]
    first, last = months[0], months[-1]
    assert len(months) == (int(last[:4]) - int(first[:4])) * 12 + int(last[5:]) - int(first[5:]) + 1
    if search == CASES["1.e4"]:
        assert any(per_month.get(m) is None for m in months)  # the sample has a month without games
    for trace in time["traces"]:
        if trace["type"] == "scatter":
            for row in trace["customdata"]:
                got = [r for r in breakdown["months"] if r["uci"] == row[0] and r["month"] == row[1]]
                assert row[2] == (got[0]["games"] if got else 0)

    # a PNG download in every chart's mode bar
    buttons = browser.find_elements(By.CSS_SELECTOR, "#chart-results .modebar-btn")
    assert [b.get_attribute("data-title") for b in buttons] == ["Download plot as a PNG"]
    buttons = browser.find_elements(By.CSS_SELECTOR, "#charts-view .modebar-btn[data-title^='Download plot']")
    assert len(buttons) == 3
    if search == CASES["1.e4"]:
        _shot(browser, "charts-1366")


def test_brw031_charts_say_why_they_are_empty(live_app, browser) -> None:
    page = Dashboard(browser, live_app).open("?play=h2h4,h7h5,a2a4")
    _show_charts(page)
    graph = _graph(page, "chart-results", lambda g: g["meta"] and g["meta"]["empty"] != "Loading…")
    assert graph["meta"] == {"empty": "No games reached this position"}
    assert graph["annotations"] == ["No games reached this position"]
    page.open("?play=e2e4&rating_min=3000")
    _show_charts(page)
    graph = _graph(page, "chart-time", lambda g: g["meta"] and g["meta"]["empty"] != "Loading…")
    assert graph["meta"] == {"empty": "No games in this range"}
    assert page.text("#charts-note") == "No games in this range"


def test_brw032_charts_fit_a_phone(live_app, new_browser) -> None:
    browser = new_browser(390, 844)
    page = Dashboard(browser, live_app).open("?play=e2e4")
    _show_charts(page)
    _graph(page, "chart-time", _drawn)
    _graph(page, "chart-results", _drawn)
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390
    for graph_id in ("chart-results", "chart-bands", "chart-time"):
        box = browser.execute_script(
            "const r = document.querySelector('#' + arguments[0] + ' .main-svg').getBoundingClientRect();"
            "return [r.left, r.right]", graph_id)
        assert 0 <= box[0] and box[1] <= 390, (graph_id, box)
    _shot(browser, "charts-390")
    _shot(browser, "charts-390-view", "charts-view")


_REQUESTS = """
return performance.getEntriesByType('resource')
  .filter(e => e.name.includes('_dash-update-component')).length;
"""


def test_brw033_a_click_with_the_table_shown_asks_the_server_once(live_app, browser) -> None:
    # the charts and the Player tab draw only while shown: a click on the Explorer's
    # board costs one request (the navigation), not one per hidden panel
    page = Dashboard(browser, live_app).open("?play=e2e4")
    page.wait_for_api_numbers()
    time.sleep(1.0)  # let the page's first requests finish
    before = browser.execute_script(_REQUESTS)
    page.click_row(page.read()["rows"][0]["uci"])
    page.wait_for(lambda: page.search.startswith("?play=e2e4,"), "the row played")
    page.wait_for_api_numbers()
    time.sleep(1.0)
    assert browser.execute_script(_REQUESTS) - before == 1
    # with the charts shown, a click asks for them too
    _show_charts(page)
    _graph(page, "chart-results", _drawn)
    time.sleep(1.0)
    before = browser.execute_script(_REQUESTS)
    page.button("back")
    page.wait_for(lambda: page.search == "?play=e2e4", "back to 1.e4")
    page.wait_for(lambda: browser.execute_script(_REQUESTS) - before == 2, "the charts asked for")
