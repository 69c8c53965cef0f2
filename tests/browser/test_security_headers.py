"""The dashboard works in a real browser under its Content-Security-Policy, with no violation."""

from __future__ import annotations

import urllib.request

import pytest
from selenium.webdriver.common.by import By

from tests.browser.screen import Dashboard, expected_rows, save_shot

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (event) {
  window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI);
});
"""


def test_brw060_dashboard_works_under_its_content_security_policy(live_app, browser, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with urllib.request.urlopen(live_app.url + "/") as response:
        csp = response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"
    assert "script-src 'self' 'sha256-" in csp and "frame-ancestors 'none'" in csp
    # installed by the browser itself before the page's scripts: CSP does not apply to it
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_VIOLATIONS})
    page = Dashboard(browser, live_app).open()
    page.play("e2e4", "e7e5")
    expected = expected_rows(live_app.api("?play=e2e4,e7e5"))
    page.wait_for(lambda: page.read() == expected or None, "the API's rows after 1.e4 e5")
    page.click_row("g1f3")
    page.wait_for(lambda: page.search == "?play=e2e4,e7e5,g1f3", "a click on a move row")
    assert "lastmove" in page.board_svg()  # the board (a data: image) is drawn
    browser.find_element(By.ID, "upload-toggle").click()
    page.wait_for(lambda: browser.find_element(By.ID, "upload").is_displayed(), "the upload panel")
    save_shot(browser, tmp_path / "csp.png")
    violations = browser.execute_script("return window.__cspViolations")
    assert violations == [], violations
