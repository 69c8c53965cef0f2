"""A player beside rating peers, leaks and monthly history, checked against numbers counted
here by replaying the same games with python-chess (SQLite and PostgreSQL)."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date

import chess
import pytest
from sqlalchemy import Engine
from stats_tables import track_every_player

from webapp.db.leaks import compare_player, find_leaks, games_behind, player_history
from webapp.db.people import link_accounts
from webapp.db.players import find_player_ids
from webapp.indexer.games import GameRecord
from webapp.indexer.load import import_games
from webapp.model.query import ExplorerQuery
from webapp.model.speed import Speed

LINES = [
    "e2e4 e7e5 g1f3 b8c6 f1c4 g8f6 f3g5",
    "e2e4 e7e5 g1f3 b8c6 f1b5 a7a6 b5a4",
    "e2e4 c7c5 g1f3 d7d6 d2d4 c5d4 f3d4",
    "d2d4 d7d5 c2c4 e7e6 b1c3 g8f6",
    "d2d4 g8f6 c2c4 e7e6 b1c3 d7d5",  # transposes into the line above after 5...d5
    "e2e4 e7e6 d2d4 d7d5 b1c3 f8b4",
]
PLIES = 40


def make_games(seed: int = 7) -> list[GameRecord]:
    """Carol (lichess, white, ~1500) does badly in the Italian; peers at and far above her level."""
    rng = random.Random(seed)
    records = []
    for i in range(160):
        line = rng.choice(LINES)
        carol = i % 2 == 0
        if carol:
            white, black = "Carol", f"opp{i % 9}"
            white_rating, black_rating = rng.randint(1470, 1540), rng.randint(1420, 1580)
            weights = (2, 1, 5) if "f1c4" in line else (4, 2, 2)
        else:
            white, black = f"peer{i % 13}", f"peer{(i + 5) % 13}"
            strong = i % 10 == 1
            base = 2100 if strong else 1500
            white_rating, black_rating = rng.randint(base - 80, base + 80), rng.randint(base - 80, base + 80)
            weights = (4, 2, 3)
        result = rng.choices(["1-0", "1/2-1/2", "0-1"], weights=weights)[0]
        month = rng.choice([(2021, 1), (2021, 2), (2021, 3)])
        records.append(
            GameRecord(
                uid=f"lichess:g{i:07d}", source="lichess", white=white, black=black,
                white_rating=white_rating, black_rating=black_rating, result=result,
                speed=Speed.BLITZ if i % 3 else Speed.RAPID, rated=True,
                played_on=date(month[0], month[1], 1 + i % 28), moves=line.split(),
            )
        )
    return records


def positions(record: GameRecord) -> dict[int, tuple[chess.Board, str | None, tuple[str, ...]]]:
    """Each position the game reached (first time), with the move played there and the line."""
    board = chess.Board()
    seen: dict[int, tuple[chess.Board, str | None, tuple[str, ...]]] = {}
    line: list[str] = []
    moves = list(record.moves[:PLIES])
    for ply in range(len(moves) + 1):
        key = chess.polyglot.zobrist_hash(board)
        if key not in seen:
            seen[key] = (board.copy(), moves[ply] if ply < len(moves) else None, tuple(line))
        if ply < len(moves):
            board.push_uci(moves[ply])
            line.append(moves[ply])
    return seen


def score(counts: list[int], color: str) -> float:
    white, draws, black = counts
    own = white if color == "white" else black
    return (own + draws / 2) / sum(counts)


def outcome(record: GameRecord) -> int:
    return {"1-0": 0, "1/2-1/2": 1, "0-1": 2}[record.result]


@pytest.fixture
def loaded(app, engine: Engine) -> list[GameRecord]:  # type: ignore[no-untyped-def]
    records = make_games()
    report = import_games(engine, records, index_plies=PLIES)
    assert report.imported == len(records)
    track_every_player(engine, PLIES)  # as the first question about each would
    return records


def carol_rating(records: list[GameRecord]) -> int:
    own = [r.white_rating for r in records if r.white == "Carol"]
    return round(sum(own) / len(own))


def peer_games(records: list[GameRecord], rating: int, player: str = "Carol") -> list[GameRecord]:
    """Games whose mean rating is in the bands around the player's, the player's own left out."""
    low, high = (rating - 100) // 100, (rating + 100) // 100
    return [
        r for r in records
        if low <= (r.white_rating + r.black_rating) // 2 // 100 <= high and player not in (r.white, r.black)
    ]


def test_comparison_per_move_matches_replayed_games(engine: Engine, loaded) -> None:
    play = ("e2e4", "e7e5", "g1f3", "b8c6")
    query = ExplorerQuery.build(play=play, player="carol", color="white")
    with engine.connect() as connection:
        result = compare_player(connection, query)
    rating = carol_rating(loaded)
    assert result.rating == rating
    assert (result.peer_rating_min, result.peer_rating_max) == (
        (rating - 100) // 100 * 100, (rating + 100) // 100 * 100 + 99,
    )
    target = chess.Board()
    for uci in play:
        target.push_uci(uci)
    key = chess.polyglot.zobrist_hash(target)
    own: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    peers: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for record in loaded:
        reached = positions(record).get(key)
        if reached is None or reached[1] is None:
            continue
        if record.white == "Carol":
            own[reached[1]][outcome(record)] += 1
    for record in peer_games(loaded, rating):
        reached = positions(record).get(key)
        if reached is not None and reached[1] is not None:
            peers[reached[1]][outcome(record)] += 1
    assert {m.uci for m in result.moves} == set(own) | set(peers) == {"f1c4", "f1b5"}
    for move in result.moves:
        c = move.comparison
        assert [c.player.wins, c.player.draws, c.player.losses] == own[move.uci]
        assert [c.peers.wins, c.peers.draws, c.peers.losses] == peers[move.uci]
        assert c.difference == pytest.approx(score(own[move.uci], "white") - score(peers[move.uci], "white"))
    italian = next(m for m in result.moves if m.uci == "f1c4").comparison
    assert italian.difference < 0  # the fixture makes Carol lose the Italian


@pytest.mark.parametrize(("peer_batch", "limit"), [(500, 5), (1, 2), (2, 3), (3, 5)])
def test_leaks_match_replayed_games(engine: Engine, loaded, monkeypatch, peer_batch: int, limit: int) -> None:
    """Also with peers asked about a few positions at a time (most points to lose first),
    which must stop only when no position left could outrank the leaks found."""
    from webapp.db import leaks as leaks_module

    monkeypatch.setattr(leaks_module, "PEER_BATCH", peer_batch)
    query = ExplorerQuery.build(player="carol", color="white")
    with engine.connect() as connection:
        search = find_leaks(connection, query, min_games=3, limit=limit, index_plies=PLIES)
    rating, leaks = search.rating, list(search.leaks)
    assert rating == carol_rating(loaded)
    own: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    boards: dict[int, chess.Board] = {}
    for record in loaded:
        if record.white != "Carol":
            continue
        for key, (board, _move, line) in positions(record).items():
            if line and board.turn == chess.WHITE:
                own[key][outcome(record)] += 1
                boards[key] = board
    peers: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for record in peer_games(loaded, rating):
        for key in positions(record):
            if key in own:
                peers[key][outcome(record)] += 1
    expected = []
    for key, counts in own.items():
        if sum(counts) < 3 or not sum(peers[key]):
            continue
        gap = score(peers[key], "white") - score(counts, "white")
        if gap > 0:
            expected.append((round(gap * sum(counts), 9), boards[key].fen(), counts, peers[key]))
    expected.sort(key=lambda e: (-e[0], -sum(e[2])))
    assert expected, "the fixture must contain leaks"
    got = [
        (round(leak.comparison.points_lost, 9), leak.fen,
         [leak.comparison.player.wins, leak.comparison.player.draws, leak.comparison.player.losses],
         [leak.comparison.peers.wins, leak.comparison.peers.draws, leak.comparison.peers.losses])
        for leak in leaks
    ]
    assert len(expected) >= 4
    assert got == expected[:limit]
    for leak in leaks:  # each link really leads to its position
        board = chess.Board()
        for uci in leak.play:
            board.push_uci(uci)
        assert board.fen() == leak.fen


def test_history_by_month(engine: Engine, loaded) -> None:
    play = ("e2e4",)
    query = ExplorerQuery.build(play=play, player="carol")
    with engine.connect() as connection:
        months = player_history(connection, query)
    expected: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for record in loaded:
        if record.white == "Carol" and record.moves[0] == "e2e4":
            expected[record.month][outcome(record)] += 1
    assert [(m.month, [m.score.wins, m.score.draws, m.score.losses]) for m in months] == sorted(
        expected.items()
    )


def test_games_behind_a_position_as_pgn(engine: Engine, loaded) -> None:
    query = ExplorerQuery.build(play=("d2d4", "d7d5", "c2c4"), player="carol", color="white")
    with engine.connect() as connection:
        exported = list(games_behind(connection, query, index_plies=PLIES))
    expected = [r for r in loaded if r.white == "Carol" and list(r.moves[:3]) == ["d2d4", "d7d5", "c2c4"]]
    assert len(exported) == len(expected) > 0
    assert {g.headers["White"] for g in exported} == {"Carol"}
    assert sorted(" ".join(m.uci() for m in g.mainline_moves()) for g in exported) == sorted(
        " ".join(r.moves) for r in expected
    )


def test_a_person_resolves_to_all_linked_accounts(engine: Engine, loaded) -> None:
    extra = GameRecord(
        uid="chesscom:live/1", source="chesscom", white="carol_cc", black="someone",
        white_rating=1500, black_rating=1500, result="1-0", speed=Speed.BLITZ, rated=True,
        played_on=date(2021, 1, 5), moves=["e2e4", "e7e5"],
    )
    import_games(engine, [extra], index_plies=PLIES)
    track_every_player(engine, PLIES)
    with engine.begin() as connection:
        accounts = link_accounts(connection, "Carol C", ["lichess:Carol", "chesscom:carol_cc"])
        assert accounts == ["chesscom:carol_cc", "lichess:carol"]
        assert len(find_player_ids(connection, "carol c")) == 2
        query = ExplorerQuery.build(play=("e2e4",), player="carol c", color="white")
        comparison = compare_player(connection, query)
    carol_e4 = sum(1 for r in loaded if r.white == "Carol" and r.moves[0] == "e2e4")
    assert comparison.position.player.games == carol_e4 + 1
