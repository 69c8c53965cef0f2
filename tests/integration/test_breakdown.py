"""The charts' numbers (`GET /api/explorer/breakdown`, webapp.db.breakdown) equal python-chess counts.

For every position and filter combination of the explorer's count tests, each next move's
white/draws/black per rating band and per month must equal explorer_reference.reference()
asked about that one band (rating_min/max) or that one month (since = until); games with
no further move, an unknown rating or an unknown date are what is left of the totals.
Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from explorer_reference import read_games, reference
from sample_games import EXPLORER_SAMPLE, import_pgn
from test_explorer_counts import FILTERS, POSITIONS, _params

BANDS = range(0, 41)


def _month_text(month: int) -> str:
    return f"{month // 100:04d}-{month % 100:02d}"


def _split(games, play, chosen: dict[str, Any], parts: dict[Any, dict[str, Any]]) -> dict:  # type: ignore[no-untyped-def]
    """(uci or None, part) → (white, draws, black): the reference asked once per part;
    the part None holds what no part covers (unknown rating or date)."""
    out: dict[tuple[str | None, Any], tuple[int, int, int]] = {}
    whole = reference(games, play=play, **chosen)
    left = {None: [0, 0, 0]}
    _add(left[None], whole, 1)
    for m in whole["moves"]:
        left[m["uci"]] = [m["white"], m["draws"], m["black"]]
        _add(left[None], m, -1)
    for part, narrowed in parts.items():
        if narrowed is None:
            continue
        answer = reference(games, play=play, **{**chosen, **narrowed})
        rest = [0, 0, 0]
        _add(rest, answer, 1)
        for m in answer["moves"]:
            out[(m["uci"], part)] = (m["white"], m["draws"], m["black"])
            _add(rest, m, -1)
            _add(left[m["uci"]], m, -1)
        if any(rest):
            out[(None, part)] = tuple(rest)  # type: ignore[assignment]
            _add(left[None], {"white": rest[0], "draws": rest[1], "black": rest[2]}, -1)
    for uci, counts in left.items():
        if any(counts):
            out[(uci, None)] = tuple(counts)  # type: ignore[assignment]
    return {k: v for k, v in out.items() if any(v)}


def _add(total: list[int], counts: Any, sign: int) -> None:
    if isinstance(counts, list):
        counts = {"white": counts[0], "draws": counts[1], "black": counts[2]}
    total[0] += sign * counts["white"]
    total[1] += sign * counts["draws"]
    total[2] += sign * counts["black"]


def _band_parts(chosen: dict[str, Any]) -> dict[int, dict[str, Any] | None]:
    low = chosen.get("rating_min", 0) // 100
    high = chosen.get("rating_max", 4099) // 100
    return {b: ({"rating_min": b * 100, "rating_max": b * 100 + 99} if low <= b <= high else None)
            for b in BANDS}


def _month_parts(games, chosen: dict[str, Any]) -> dict[str, dict[str, Any] | None]:  # type: ignore[no-untyped-def]
    low, high = chosen.get("since", "0000-00"), chosen.get("until", "9999-12")
    months = sorted({_month_text(g.month) for g in games if g.month})
    return {m: ({"since": m, "until": m} if low <= m <= high else None) for m in months}


def _api(rows: list[dict[str, Any]], part: str) -> dict:  # type: ignore[no-untyped-def]
    out: dict[tuple[str | None, Any], tuple[int, int, int]] = {}
    for row in rows:
        value = row[part]
        if part == "band" and value == -1:
            value = None
        assert row["games"] == row["white"] + row["draws"] + row["black"]
        assert (row["uci"], value) not in out, row
        out[(row["uci"], value)] = (row["white"], row["draws"], row["black"])
    return out


@pytest.fixture
def sample(engine):  # type: ignore[no-untyped-def]
    import_pgn(engine, [EXPLORER_SAMPLE])
    return read_games([EXPLORER_SAMPLE])


def test_breakdown_matches_reference_on_every_position_and_filter(client, sample) -> None:
    wrong: list[str] = []
    games_seen = 0
    for label, play in POSITIONS.items():
        for chosen in FILTERS:
            response = client.get("/api/explorer/breakdown", query_string=_params(play, chosen))
            assert response.status_code == 200, response.get_json()
            body = response.get_json()
            # a player's bands are the player's own rating, as the rating filter reads it
            expected_bands = _split(sample, play, chosen, _band_parts(chosen))
            expected_months = _split(sample, play, chosen, _month_parts(sample, chosen))
            games_seen += sum(sum(v) for v in expected_bands.values())
            if _api(body["bands"], "band") != expected_bands:
                wrong.append(f"bands {label} {chosen}:\n  api: {_api(body['bands'], 'band')}\n"
                             f"  ref: {expected_bands}")
            if _api(body["months"], "month") != expected_months:
                wrong.append(f"months {label} {chosen}:\n  api: {_api(body['months'], 'month')}\n"
                             f"  ref: {expected_months}")
    assert not wrong, f"{len(wrong)} answers differ:\n" + "\n".join(wrong[:6])
    assert games_seen > 500  # the cases are not all empty


def test_breakdown_names_moves_and_bands(client, sample) -> None:
    body = client.get("/api/explorer/breakdown", query_string={"play": "e2e4"}).get_json()
    assert body["turn"] == "black"
    assert body["fen"].startswith("rnbqkbnr/pppppppp/8/8/4P3/")
    sans = {row["uci"]: row["san"] for row in body["bands"]}
    assert sans["e7e5"] == "e5" and sans["c7c5"] == "c5"
    for row in body["bands"]:
        if row["band"] >= 0:
            assert (row["ratingMin"], row["ratingMax"]) == (row["band"] * 100, row["band"] * 100 + 99)
    # every game that reached 1.e4 is in exactly one band and one month
    explorer = client.get("/api/explorer", query_string={"play": "e2e4"}).get_json()
    games = reference(sample, play=["e2e4"])["games"]
    assert sum(r["games"] for r in body["bands"]) == explorer["games"] == games > 20
    assert sum(r["games"] for r in body["months"]) == games


def test_breakdown_of_an_unknown_player_is_empty_and_says_so(client, sample) -> None:
    body = client.get("/api/explorer/breakdown", query_string={"player": "nobody_here"}).get_json()
    assert body["playerFound"] is False and body["bands"] == [] and body["months"] == []
    bad = client.get("/api/explorer/breakdown", query_string={"since": "2021-13"})
    assert bad.status_code == 400 and "since" in bad.get_json()["error"]
