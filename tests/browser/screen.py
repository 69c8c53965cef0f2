"""Reading the dashboard the way an analyst does, and what the JSON API says it should show.

`screen_rows` reads the moves table (visible text, the bar's tooltip and its data-*
counts); `expected_rows` builds the same from an /api/explorer answer with its own
formatting, so the two meet only if the page shows the API's numbers.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    TimeoutException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

TIMEOUT_S = 12.0
SHOT_ATTEMPTS = 3


def save_shot(target: Any, path: Path | str) -> None:
    """Save the window (a WebDriver) or one element's box as a PNG for a reviewer to look at.

    Chromedriver gives a screenshot 10 s of the renderer's time; on a machine busy with the
    other test workers that can run out. The picture is asked for again, and if it still
    cannot be taken the miss is a warning: no assertion rests on a screenshot.
    """
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    take = target.save_screenshot if hasattr(target, "save_screenshot") else target.screenshot
    for attempt in range(1, SHOT_ATTEMPTS + 1):
        try:
            take(str(path))
            return
        except TimeoutException as error:
            if attempt == SHOT_ATTEMPTS:
                warnings.warn(f"no screenshot {path}: {error.msg}", stacklevel=2)
            else:
                time.sleep(2.0 * attempt)

_READ_ROWS = """
const rows = Array.from(document.querySelectorAll('#moves tr.move-row'));
const bar = (el) => el ? {
  white: +el.dataset.white, draws: +el.dataset.draws, black: +el.dataset.black,
  title: el.title, labels: Array.from(el.children).map(s => s.textContent)} : null;
const text = (tr, sel) => { const el = tr.querySelector(sel); return el ? el.textContent : null; };
return {
  fen: (document.querySelector('#moves > div') || {dataset: {}}).dataset.fen || null,
  totals: text(document, '.totals-games'),
  rows: rows.map(tr => ({
    uci: tr.dataset.uci, san: text(tr, '.move-san'),
    games: text(tr, '.move-games') ?? text(tr, '.player-games'),
    share: text(tr, '.move-share') ?? text(tr, '.player-share'),
    rating: text(tr, '.move-rating'),
    bar: bar(tr.querySelector('.wdl-bar.all') || tr.querySelector('.wdl-bar.player')),
    peers_games: text(tr, '.peers-games'), peers_share: text(tr, '.peers-share'),
    peers_bar: bar(tr.querySelector('.wdl-bar.peers')),
  })),
};
"""


def _pct(part: int, whole: int, digits: int = 0) -> str:
    return f"{100 * part / whole:.{digits}f}%" if whole else "–"


def _bar(move: dict[str, Any]) -> dict[str, Any]:
    games = move["white"] + move["draws"] + move["black"]
    counts = [move["white"], move["draws"], move["black"]]
    return {
        "white": move["white"],
        "draws": move["draws"],
        "black": move["black"],
        "title": (
            f"White wins {move['white']:,} ({_pct(move['white'], games, 1)}) · "
            f"draws {move['draws']:,} ({_pct(move['draws'], games, 1)}) · "
            f"Black wins {move['black']:,} ({_pct(move['black'], games, 1)})"
        )
        if games
        else "no games",
        # a segment shows its percentage when it is at least 12% wide
        "labels": [_pct(c, games) if games and 100 * c / games >= 12 else "" for c in counts],
    }


def expected_rows(api: dict[str, Any]) -> dict[str, Any]:
    """What the moves table must show for an /api/explorer answer without a player."""
    total = api["games"]
    return {
        "fen": api["fen"],
        "totals": f"{total:,}",
        "rows": [
            {
                "uci": m["uci"],
                "san": m["san"],
                "games": f"{m['games']:,}",
                "share": _pct(m["games"], total, 1),
                "rating": "–" if m["averageRating"] is None else str(m["averageRating"]),
                "bar": _bar(m),
                "peers_games": None,
                "peers_share": None,
                "peers_bar": None,
            }
            for m in api["moves"]
        ],
    }


def expected_comparison(player_api: dict[str, Any], peers_api: dict[str, Any]) -> dict[str, Any]:
    """The player view: the player's moves first, then moves only the peers played."""
    mine = {m["uci"]: m for m in player_api["moves"]}
    theirs = {m["uci"]: m for m in peers_api["moves"]}
    order = [m["uci"] for m in player_api["moves"]] + [u for u in theirs if u not in mine]
    zero = {"white": 0, "draws": 0, "black": 0, "games": 0}
    rows = []
    for uci in order:
        own, peer = mine.get(uci, zero), theirs.get(uci, zero)
        rows.append(
            {
                "uci": uci,
                "san": (mine.get(uci) or theirs[uci])["san"],
                "games": f"{own['games']:,}",
                "share": _pct(own["games"], player_api["games"], 1),
                "rating": None,
                "bar": _bar(own),
                "peers_games": f"{peer['games']:,}",
                "peers_share": _pct(peer["games"], peers_api["games"], 1),
                "peers_bar": _bar(peer),
            }
        )
    return {"fen": player_api["fen"], "totals": f"{player_api['games']:,}", "rows": rows}


def _without_own_games(every: dict[str, Any], search: str, peers: dict[str, Any]) -> dict[str, Any]:
    """The peers' answer less the player's own games (the dashboard leaves them out):
    their sample games in the peers' rating range, counted with python-chess."""
    from urllib.parse import parse_qs

    from tests.browser.conftest import SAMPLE_PGN
    from tests.integration.explorer_reference import read_games, reference

    args = {k: v[-1] for k, v in parse_qs(search.lstrip("?")).items()}
    player = args["player"].lower()
    own = [g for g in read_games([SAMPLE_PGN]) if player in (g.white, g.black)]
    filters: dict[str, Any] = {
        "play": [m for m in args.get("play", "").split(",") if m],
        "speeds": [s for s in args.get("speeds", "").split(",") if s],
        "since": args.get("since"), "until": args.get("until"), "rated_only": args.get("rated") == "true",
        "rating_min": peers["ratingMin"], "rating_max": peers["ratingMax"],
    }
    mine = reference(own, **filters)
    taken = {m["uci"]: m for m in mine["moves"]}
    moves = []
    for move in every["moves"]:
        less = taken.get(move["uci"], {"white": 0, "draws": 0, "black": 0, "games": 0})
        left = {k: move[k] - less[k] for k in ("white", "draws", "black", "games")}
        if left["games"] > 0:
            moves.append({**move, **left})
    moves.sort(key=lambda m: (-m["games"], m["uci"]))
    return {**every, "games": every["games"] - mine["games"], "moves": moves}


class Dashboard:
    """One browser on the dashboard: clicks and reads, waiting for the page to settle."""

    def __init__(self, driver: Any, live: Any) -> None:
        self.driver = driver
        self.live = live

    def open(self, search: str = "") -> Dashboard:
        self.driver.get(self.live.url + "/" + search)
        self.wait_for(lambda: self.driver.find_elements(By.CSS_SELECTOR, "#moves > div"), "the page")
        return self

    # --- reading ---
    @property
    def search(self) -> str:
        query = urlparse(self.driver.current_url).query
        return "?" + query if query else ""

    def read(self) -> dict[str, Any]:
        return self.driver.execute_script(_READ_ROWS)

    def text(self, selector: str) -> str | None:
        """The rendered text of the first element matching `selector` (read in one go)."""
        return self.driver.execute_script(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : null", selector
        )

    def move_line(self) -> list[str]:
        """The SAN of every ply in the move line (read in one go: it is redrawn often)."""
        return self.driver.execute_script(
            "return Array.from(document.querySelectorAll('#move-line .ply')).slice(1)"
            ".map(b => b.textContent)"
        )

    def current_ply_text(self) -> str:
        return self.driver.execute_script(
            "const b = document.querySelector('#move-line .ply.current'); return b ? b.textContent : null"
        )

    def expected(self) -> dict[str, Any]:
        """What the API says the table must show for the URL's line and filters."""
        search = self.search
        api = self.live.api(search)
        if "player=" not in search or not api.get("playerFound", True):
            if "player=" in search:  # unknown player: all games are shown
                api = self.live.api("&".join(p for p in search.split("&") if not p.startswith(("player=", "color="))))
            return expected_rows(api)
        # the peers: games rated around the player's average (GET /api/player/peers)
        peers = self.live.api(search, path="/api/player/peers")
        peers_search = "&".join(
            p for p in search.lstrip("?").split("&")
            if not p.startswith(("player=", "color=", "rating_min=", "rating_max="))
        )
        if peers["ratingMin"] is not None:
            peers_search += f"&rating_min={peers['ratingMin']}&rating_max={peers['ratingMax']}"
        every = self.live.api("?" + peers_search.lstrip("&"))
        return expected_comparison(api, _without_own_games(every, search, peers))

    def wait_for(self, condition: Callable[[], Any], what: str) -> Any:
        """The condition's first truthy value; an element not rendered yet (or replaced
        while read) counts as not yet, as on a slow machine Dash renders some after load."""
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            try:
                value = condition()
            except (NoSuchElementException, StaleElementReferenceException):
                value = None
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            time.sleep(0.05)

    def wait_for_api_numbers(self) -> dict[str, Any]:
        """Wait until the table shows exactly the API's numbers for the URL; return them."""
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            expected, shown = self.expected(), self.read()
            if shown == expected:
                return shown
            if time.monotonic() > deadline:
                assert shown == expected  # shows the difference
            time.sleep(0.1)

    # --- acting ---
    def click_square(self, square: str) -> None:
        self.driver.find_element(By.CSS_SELECTOR, f'[data-square="{square}"]').click()

    def play(self, *moves: str) -> None:
        """Play UCI moves by clicking their squares, waiting for each to land in the URL."""
        for uci in moves:
            before = self.search
            self.click_square(uci[:2])
            self.wait_for(lambda: "square" in (self.board_selection() or ""), f"{uci[:2]} picked up")
            self.click_square(uci[2:4])
            if len(uci) == 5:
                self.wait_for(lambda: self.driver.find_elements(By.CSS_SELECTOR, ".modal.show"), "promotion")
                self.driver.find_element(By.XPATH, f'//button[contains(@id, \'"index":"{uci[4]}"\')]').click()
            self.wait_for(lambda b=before, u=uci: self.search != b and u in self.search, f"{uci} in the URL")

    def board_svg(self) -> str:
        """The board picture's SVG text."""
        import base64

        src = self.driver.find_element(By.ID, "board-image").get_attribute("src") or ""
        return base64.b64decode(src.split(",", 1)[1]).decode() if "," in src else ""

    def board_svg_of(self, image_id: str) -> str:
        """The SVG text of a board picture (the Explorer's or the Player tab's)."""
        import base64

        src = self.driver.find_element(By.ID, image_id).get_attribute("src") or ""
        return base64.b64decode(src.split(",", 1)[1]).decode() if "," in src else ""

    def board_selection(self) -> str | None:
        """'square' while a piece is picked up (its square is filled yellow)."""
        return "square" if "#f6f669" in self.board_svg() else None

    def click_row(self, uci: str) -> None:
        self.driver.find_element(By.CSS_SELECTOR, f'#moves tr[data-uci="{uci}"]').click()

    def button(self, element_id: str) -> None:
        self.driver.find_element(By.ID, element_id).click()

    def key(self, key: str) -> None:
        self.driver.find_element(By.TAG_NAME, "body").send_keys(key)

    def type_player(self, name: str) -> None:
        box = self.driver.find_element(By.ID, "filter-player")
        box.clear()
        box.send_keys(name + Keys.ENTER)

    def tick_label(self, container_id: str, label: str) -> None:
        self.driver.find_element(
            By.XPATH, f'//*[@id="{container_id}"]//label[normalize-space()="{label}"]'
        ).click()

    def rating_handle(self, index: int, keys: str) -> None:
        """Move a rating slider handle with the keyboard (PageUp/PageDown = 1000 points)."""
        thumb = self.driver.find_elements(By.CSS_SELECTOR, "#filter-rating [role=slider]")[index]
        self.driver.execute_script("arguments[0].focus()", thumb)
        thumb.send_keys(keys)

    def month_handle(self, index: int, keys: str) -> None:
        """Move a month slider handle with the keyboard (an arrow key is one month)."""
        thumb = self.driver.find_elements(By.CSS_SELECTOR, "#filter-months [role=slider]")[index]
        self.driver.execute_script("arguments[0].focus()", thumb)
        thumb.send_keys(keys)
