"""A batch of GameRecords as numpy columns: games, players and aggregated statistics rows.

Pure (no database): `prepare_batch` turns records into per-game columns and one row per
(game, indexed position) — a game counts once per position it reached within the first
`index_plies` plies, with the move played there, or NO_MOVE where its indexed part ends.
`move_stats_rows` / `player_move_stats_rows` then aggregate the rows of chosen games into
the tables' keys, summing the counts, so the database receives as few rows as possible.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import chess
import numpy as np

from webapp.indexer.games import GameRecord
from webapp.model import game_refs
from webapp.model.endings import CODES, ending_codes
from webapp.model.position import position_key
from webapp.model.stored_game import clock_tenths_of, encode_clocks_many, encode_move_codes_many
from webapp.model.think_time import CODES as THINK_CODES
from webapp.model.think_time import base_and_increment, think_codes

MAX_BAND = 39
_OUTCOME = {"1-0": 0, "1/2-1/2": 1, "0-1": 2}  # 0 white, 1 draw, 2 black (as _counts reads them)


def _move_codes() -> dict[str, int]:
    codes: dict[str, int] = {}
    for source in range(64):
        for target in range(64):
            if source == target:
                continue
            uci = chess.square_name(source) + chess.square_name(target)
            codes[uci] = source | (target << 6)
            for piece in (chess.KNIGHT, chess.BISHOP, chess.ROOK, chess.QUEEN):
                codes[uci + chess.piece_symbol(piece)] = source | (target << 6) | (piece << 12)
    return codes


#: UCI string → move code (webapp.model.position.encode_move), for every possible move
MOVE_CODES = _move_codes()


class BadRecord(ValueError):
    """A record that cannot be indexed; its message is the skip reason."""


def indexed_keys(moves: Sequence[str], plies: int) -> list[int]:
    """Position keys before each of the first `plies` moves and after the last (python-chess)."""
    board = chess.Board()
    keys = [position_key(board)]
    for uci in moves[:plies]:
        try:
            move = chess.Move.from_uci(uci)
        except ValueError as error:
            raise BadRecord("unparsable move") from error
        if not board.is_legal(move):
            raise BadRecord("illegal move")
        board.push(move)
        keys.append(position_key(board))
    return keys


def rating_band(rating: int | None) -> int:
    if rating is None:
        return -1
    return min(max(rating // 100, 0), MAX_BAND)


@dataclass
class Batch:
    """Per-game columns (index g) and per-position rows (game[i], key[i], move[i])."""

    records: list[GameRecord]
    speed: np.ndarray
    rated: np.ndarray
    outcome: np.ndarray
    month: np.ndarray
    band: np.ndarray  # mean rating band, -1 unknown
    mean_rating: np.ndarray  # 0 when unknown
    white_band: np.ndarray
    black_band: np.ndarray
    white_rating: np.ndarray  # 0 when unknown
    black_rating: np.ndarray
    game: np.ndarray
    key: np.ndarray
    #: the rows in key order, ties in row order: the sort the writer's grouping starts from
    key_order: np.ndarray
    move: np.ndarray
    #: each game's moves as stored (webapp.model.stored_game), and its collection's id
    #: (filled in by the writer, which knows the ids)
    move_bytes: list[bytes]
    #: each game's clocks as stored (None: the game has none)
    clock_bytes: list[bytes | None]
    collection: np.ndarray
    #: yyyymmdd (unknown parts 0), and the games' ids in the games table (filled in by the
    #: writer once they are stored; the statistics rows' game references name them)
    date: np.ndarray
    game_id: np.ndarray
    #: how each game ended, as an ending code (webapp.model.endings)
    ending: np.ndarray
    #: per row: the move order that reached the row's position in its game (path_hashes)
    path: np.ndarray
    #: per row: the think-time code of the move played there (webapp.model.think_time,
    #: 0 no clock or no move), and 1 where the mover was left under 10% of the base after it
    think: np.ndarray
    low_clock: np.ndarray

    def __len__(self) -> int:
        return len(self.records)


def prepare_batch(
    records: Sequence[GameRecord], index_plies: int
) -> tuple[Batch, list[tuple[GameRecord, str]]]:
    """The batch's columns, and the records that cannot be indexed with their skip reason."""
    kept: list[GameRecord] = []
    bad: list[tuple[GameRecord, str]] = []
    key_parts: list[np.ndarray] = []
    move_parts: list[np.ndarray] = []
    move_codes: list[np.ndarray] = []
    clock_parts: list[np.ndarray] = []  # per row: the mover's clock after the row's move, NaN unknown
    for record in records:
        try:
            if record.result not in _OUTCOME:
                raise BadRecord("no result")
            if not record.moves:
                raise BadRecord("no moves")
            plies = min(index_plies, len(record.moves))
            if record.move_codes is not None and len(record.move_codes) == len(record.moves):
                all_codes = np.asarray(record.move_codes, dtype=np.int64)
            else:
                try:
                    all_codes = np.array([MOVE_CODES[uci] for uci in record.moves], np.int64)
                except KeyError as error:
                    raise BadRecord("unparsable move") from error
            codes = all_codes[:plies]
            keys = record.position_keys
            if keys is None or len(keys) < plies + 1:
                keys = indexed_keys(record.moves, plies)
        except BadRecord as error:
            bad.append((record, str(error)))
            continue
        kept.append(record)
        clocks = np.full(plies + 1, np.nan)
        if record.clocks is not None:
            known = np.asarray(record.clocks[:plies], np.float64)
            clocks[: len(known)] = known
        clock_parts.append(clocks)
        move_codes.append(all_codes)
        move_parts.append(codes)
        key_parts.append(np.asarray(keys[: plies + 1], dtype=np.int64))
    lengths = np.fromiter((len(codes) + 1 for codes in move_parts), dtype=np.int64, count=len(kept))
    game = np.repeat(np.arange(len(kept), dtype=np.int64), lengths)
    key = np.concatenate(key_parts) if key_parts else np.zeros(0, dtype=np.int64)
    move = np.zeros(int(lengths.sum()), dtype=np.int64)  # NO_MOVE ends each game's part
    if len(kept):
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        within = np.arange(len(move)) - np.repeat(starts, lengths)
        filled = within < np.repeat(lengths - 1, lengths)
        move[filled] = np.concatenate(move_parts)
        path = path_hashes(move, within, starts, lengths)
        think, low_clock = _think_times(kept, clock_parts, move, within, lengths)
    else:
        path = think = low_clock = np.zeros(0, dtype=np.int64)
    first, key_order = _first_occurrences(game, key)
    white = np.array([-1 if r.white_rating is None else r.white_rating for r in kept], np.int64)
    black = np.array([-1 if r.black_rating is None else r.black_rating for r in kept], np.int64)
    known = (white >= 0) & (black >= 0)
    mean = np.where(known, (white + black) // 2, 0)
    outcome = np.array([_OUTCOME[r.result] for r in kept], np.int64)
    termination = np.array([int(r.termination) for r in kept], np.int64)
    batch = Batch(
        records=kept,
        speed=np.array([int(r.speed) for r in kept], np.int64),
        rated=np.array([1 if r.rated else 0 for r in kept], np.int64),
        outcome=outcome,
        month=np.array([r.month for r in kept], np.int64),
        band=np.where(known, np.clip(mean // 100, 0, MAX_BAND), -1),
        mean_rating=mean,
        # a player's own band, only when both ratings are known: the player view's average
        # opponent rating then covers exactly the games with a band, like the all-games view
        white_band=np.where(known, np.clip(white // 100, 0, MAX_BAND), -1),
        black_band=np.where(known, np.clip(black // 100, 0, MAX_BAND), -1),
        white_rating=np.where(known, white, 0),
        black_rating=np.where(known, black, 0),
        game=game[first],
        key=key[first],
        key_order=key_order,
        move=move[first],
        move_bytes=encode_move_codes_many(move_codes),
        clock_bytes=encode_clocks_many([r.clocks for r in kept]),
        collection=np.zeros(len(kept), np.int64),
        date=np.array([_date(r) for r in kept], np.int64),
        game_id=np.zeros(len(kept), np.int64),
        ending=ending_codes(outcome, termination),
        path=path[first],
        think=think[first],
        low_clock=low_clock[first],
    )
    return batch, bad


def _think_times(  # type: ignore[no-untyped-def]
    kept: list[GameRecord], clock_parts: list[np.ndarray], move: np.ndarray, within: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per row (games one after another, `within` the ply): the think-time code of the
    move played there and 1 where the mover was left under 10% of the base after it
    (webapp.model.think_time), from the clocks in whole tenths as the games table keeps them."""
    controls = {tc: base_and_increment(tc) for tc in {r.time_control for r in kept}}
    timing = np.array([controls[r.time_control] for r in kept], np.int64).reshape(-1, 2)
    seconds = np.concatenate(clock_parts) if clock_parts else np.zeros(0)
    tenths = clock_tenths_of(seconds)
    clock = np.where(np.isnan(seconds), -1, tenths).astype(np.int64)
    previous = np.full(len(clock), -1, np.int64)
    previous[2:] = clock[:-2]  # two rows back is the same game's wherever within >= 2
    base = np.repeat(timing[:, 0], lengths)
    increment = np.repeat(timing[:, 1], lengths)
    codes, low = think_codes(clock, previous, within < 2, base, increment)
    played = move != 0  # a game's last row plays no move
    return np.where(played, codes, 0), (played & low).astype(np.int64)


_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser over uint64 values (wrapping arithmetic)."""
    z = values * _GOLDEN + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX_1
    z = (z ^ (z >> np.uint64(27))) * _MIX_2
    return z ^ (z >> np.uint64(31))


def path_hashes(move: np.ndarray, within: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Per row of a batch (games one after another, `within` the row's ply in its game,
    `move` the move played there, 0 at each game's last row): a signed 32-bit hash of the
    moves played before the row's position in its game, 0 at the start position.

    Each (ply, move) is mixed alone and the mixes XOR-ed, so the hash of a game's prefix is
    a running XOR over the batch minus the running XOR before the game: no loop per ply,
    and the same sequence hashes the same in any batch (the ply makes order matter)."""
    played = within < np.repeat(lengths - 1, lengths)
    mixed = np.where(played, _mix((within.astype(np.uint64) << np.uint64(16)) | move.astype(np.uint64)), np.uint64(0))
    running = np.bitwise_xor.accumulate(mixed)
    before = running ^ mixed  # the XOR of the earlier rows, this one left out
    base = np.repeat(before[starts], lengths)  # the XOR of the earlier games' rows
    full = before ^ base
    folded = (full ^ (full >> np.uint64(32))) & np.uint64(0xFFFFFFFF)
    return folded.astype(np.uint32).view(np.int32).astype(np.int64)


def path_of(codes: Sequence[int]) -> int:
    """The path (path_hashes) of the position reached by playing these move codes."""
    n = len(codes)
    move = np.append(np.asarray(codes, np.int64), 0)
    within = np.arange(n + 1, dtype=np.int64)
    return int(path_hashes(move, within, np.zeros(1, np.int64), np.array([n + 1], np.int64))[-1])


def _date(record: GameRecord) -> int:
    if record.played_on is not None:
        day = record.played_on
        return game_refs.game_date(day.year, day.month, day.day)
    return record.month * 100 if record.month else 0


def lex_order(words: Sequence[np.ndarray], first_order: np.ndarray | None = None) -> np.ndarray:
    """The order np.lexsort(words[::-1]) gives: rows by the first word, then the next, and
    so on, equal rows in their original order. `first_order`, if the caller has one, is an
    order of the rows by the first word alone (ties in any order).

    numpy's lexsort sorts word by word with a merge sort; one argsort of distinct int64
    values is several times faster. So each word is replaced by its dense rank (an argsort
    of its own, skipped for a word whose values already span fewer than n), the ranks and
    then the row's index packed into one int64 (the ranks packed so far ranked again when
    the next would not fit), and that sorted once. Where the first word was sorted for
    its rank, the packed values are sorted from that order, which they almost follow
    already (only ties on the first word are left to order): a merge sort's runs find that
    in a single pass."""
    n = len(words[0])
    index_bits = max(n.bit_length(), 1)
    if n == 0 or 3 * index_bits > 63:  # no room for two ranks and the index
        return np.lexsort(words[::-1])
    packed, used = np.zeros(n, np.int64), 0
    for position, word in enumerate(words):
        rank, order = _dense_rank(word, n, first_order if position == 0 else None)
        if position == 0:
            first_order = order
        width = max(int(rank.max()).bit_length(), 1)
        if used + width + index_bits > 63:
            packed = _dense_rank(packed, n)[0]
            used = max(int(packed.max()).bit_length(), 1)
        packed = (packed << width) | rank
        used += width
    keyed = (packed << index_bits) | np.arange(n, dtype=np.int64)
    if first_order is None:
        return np.argsort(keyed)
    return first_order[np.argsort(keyed[first_order], kind="stable")]


def _dense_rank(word: np.ndarray, n: int, order: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Each value's rank among the word's distinct values (0 the smallest), or the values
    less the smallest where they already span fewer than n (the same order, as narrow);
    and the order of the rows by the word, where one was made or given (None otherwise)."""
    if order is None:
        low = int(word.min())
        if int(word.max()) - low < n:
            return word.astype(np.int64) - low, None
        order = np.argsort(word)
    ordered = word[order]
    rank = np.empty(n, np.int64)
    rank[order] = np.concatenate(([0], np.cumsum(ordered[1:] != ordered[:-1])))
    return rank, order


def _first_occurrences(game: np.ndarray, key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the first row of each (game, key) pair, in their original order (`game`
    ascending, as a batch's rows are), and the order of those rows by key, ties in row
    order (indices into the rows kept)."""
    if len(game) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    order = lex_order((key, game))  # by key, then game: ties on the key in row order
    sorted_game, sorted_key = game[order], key[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (sorted_game[1:] != sorted_game[:-1]) | (sorted_key[1:] != sorted_key[:-1])
    firsts = order[first]  # the kept rows, in key order
    kept = np.zeros(len(order), dtype=bool)
    kept[firsts] = True
    renumbered = np.cumsum(kept) - 1
    return np.flatnonzero(kept), renumbered[firsts]


def _counts(outcome: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (
        (outcome == 0).astype(np.int64),
        (outcome == 1).astype(np.int64),
        (outcome == 2).astype(np.int64),
    )


@dataclass
class RowRefs:
    """The game references of aggregated rows: counts[i] entries for row i, the rows'
    entries one after another (webapp.model.game_refs)."""

    counts: np.ndarray
    entries: np.ndarray

    def as_bytes(self) -> list[bytes | None]:
        """Each row's references as stored (None for a row with none)."""
        data = self.entries.tobytes()
        ends = np.cumsum(self.counts) * game_refs.ENTRY.itemsize
        starts = ends - self.counts * game_refs.ENTRY.itemsize
        return [data[a:b] if a < b else None for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]

    def select(self, mask: np.ndarray) -> RowRefs:
        """The references of the rows where mask is True."""
        owner = np.repeat(np.arange(len(self.counts)), self.counts)
        return RowRefs(self.counts[mask], self.entries[mask[owner]])


def _aggregate(
    keys: list[np.ndarray],
    values: list[np.ndarray],
    refs: RowRefs | None = None,
    endings: np.ndarray | None = None,
    maxima: list[np.ndarray] | None = None,
    think: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[list[np.ndarray], RowRefs]:
    """Sum `values` over rows with equal `keys`; returns the distinct keys then the sums
    (then, given each row's ending code in `endings`, the groups' count of each ending:
    webapp.model.endings.ENDING_COLUMNS; then, given each row's think code and low-clock
    flag in `think`, the groups' count in each think-time bucket and their low clocks:
    webapp.model.think_time.THINK_TIME_COLUMNS; then the largest of each of `maxima`), and
    the groups' references (each group's rows' references, trimmed)."""
    maxima = maxima or []
    if len(keys[0]) == 0:
        empty = RowRefs(np.zeros(0, np.int64), np.zeros(0, game_refs.ENTRY))
        counted = [] if endings is None else [np.zeros(0, np.int64)] * (CODES - 1)
        counted += [] if think is None else [np.zeros(0, np.int64)] * THINK_CODES
        return [k[:0] for k in keys] + [v[:0] for v in values] + counted + [m[:0] for m in maxima], empty
    words = _packed(keys)
    order = lex_order(words)
    change = _group_starts(words, order)
    starts = np.flatnonzero(change)
    firsts = order[starts]
    columns = [k[firsts] for k in keys] + [np.add.reduceat(v[order], starts) for v in values]
    group_of_sorted = np.cumsum(change) - 1
    for codes, size in ((endings, CODES), (None if think is None else think[0], THINK_CODES)):
        if codes is not None:  # one bincount over (code, group) for all the columns
            table = np.bincount(
                codes[order] * len(starts) + group_of_sorted, minlength=len(starts) * size
            ).reshape(size, len(starts))
            columns += list(table[1:])  # each code's counts, contiguous views of the table
    if think is not None:
        columns.append(np.add.reduceat(think[1][order], starts))
    columns += [np.maximum.reduceat(m[order], starts) for m in maxima]
    if refs is None:
        return columns, RowRefs(np.zeros(len(starts), np.int64), np.zeros(0, game_refs.ENTRY))
    if len(refs.counts) == len(order) and (refs.counts == 1).all():  # one reference a row
        sizes = np.diff(np.append(starts, len(order)))
        return columns, _trimmed(np.repeat(np.arange(len(starts)), sizes), refs.entries[order], len(starts))
    group_of_row = np.empty(len(order), np.int64)
    group_of_row[order] = np.cumsum(change) - 1
    return columns, _group_refs(group_of_row, refs, len(starts))


def _group_starts(words: list[np.ndarray], order: np.ndarray) -> np.ndarray:
    """Per row taken in `order` (the words' lex_order): whether its words differ from the
    row before's, that is whether it starts a group of equal keys (the first row does)."""
    change = np.zeros(len(order), dtype=bool)
    change[0] = True
    for word in words:
        sorted_word = word[order]
        change[1:] |= sorted_word[1:] != sorted_word[:-1]
    return change


def _packed(keys: list[np.ndarray]) -> list[np.ndarray]:
    """The key columns packed into as few int64 words as their value ranges allow, in the
    same lexicographic order (earlier columns in higher bits, wide columns alone)."""
    words: list[np.ndarray] = []
    word: np.ndarray | None = None
    used = 0
    for column in keys:
        low, high = int(column.min()), int(column.max())
        bits = max((high - low).bit_length(), 1)
        if bits > 62:
            if word is not None:
                words.append(word)
                word, used = None, 0
            words.append(column)
            continue
        if word is not None and used + bits > 62:
            words.append(word)
            word, used = None, 0
        shifted = column.astype(np.int64) - low
        word = shifted if word is None else (word << bits) | shifted
        used += bits
    if word is not None:
        words.append(word)
    return words


def _group_refs(group_of_row: np.ndarray, refs: RowRefs, groups: int) -> RowRefs:
    """The entries of each group's rows, grouped, trimmed as game_refs.trim() does."""
    group = np.repeat(group_of_row, refs.counts)
    by_group = np.argsort(group, kind="stable")
    return _trimmed(group[by_group], refs.entries[by_group], groups)


def _trimmed(group: np.ndarray, entries: np.ndarray, groups: int) -> RowRefs:
    """Entries already grouped (group ascending), each group trimmed as game_refs.trim().
    Only the groups over REFS_KEPT_ALL entries are sorted (a batch's first plies)."""
    counts = np.bincount(group, minlength=groups)
    if counts.max(initial=0) > game_refs.REFS_KEPT_ALL:
        big = np.flatnonzero(counts[group] > game_refs.REFS_KEPT_ALL)
        big_group, big_entries = group[big], entries[big]
        first = np.searchsorted(big_group, big_group, side="left")  # each entry's group start
        rating = -big_entries["rating"].astype(np.int64)
        day = -big_entries["date"].astype(np.int64)
        ids = big_entries["id"].astype(np.int64)
        kept = np.zeros(len(big), bool)
        for primary, secondary in ((rating, day), (day, rating)):
            order = np.lexsort((ids, secondary, primary, big_group))
            rank = np.empty(len(big), np.int64)
            rank[order] = np.arange(len(big)) - first[order]
            kept |= rank < game_refs.TOP_KEPT
        keep = np.ones(len(entries), bool)
        keep[big[~kept]] = False
        group, entries = group[keep], entries[keep]
        counts = np.bincount(group, minlength=groups)
    return RowRefs(counts.astype(np.int64), entries)


def _references(batch: Batch, g: np.ndarray, rating: np.ndarray) -> RowRefs:
    """One reference per row: the row's game, with the rating its lists sort by."""
    entries = game_refs.encode(batch.game_id[g], rating, batch.date[g])
    return RowRefs(np.ones(len(g), np.int64), entries)


def _move_stats_keys(batch: Batch, rows: np.ndarray) -> list[np.ndarray]:
    """The move_stats key columns of batch rows (move_stats_rows' first eight)."""
    g = batch.game[rows]
    return [
        batch.key[rows],
        batch.move[rows],
        batch.collection[g],
        batch.speed[g],
        batch.rated[g],
        batch.band[g],
        batch.path[rows],
        batch.month[g],
    ]


def lone_rows(batch: Batch, new_games: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The batch rows of the new games in move_stats key order, and per row whether no
    other row shares its key: its aggregated row would be of one game (most rows are)."""
    rows = np.flatnonzero(new_games[batch.game])
    if len(rows) == 0:
        return rows, np.zeros(0, bool)
    keys = _move_stats_keys(batch, rows)
    words = _packed(keys)
    # every row, the key a word of its own: the batch's key order is an order of that word
    by_key = batch.key_order if len(rows) == len(batch.key) and words[0] is keys[0] else None
    order = lex_order(words, by_key)
    starts = _group_starts(words, order)
    lone = starts & np.append(starts[1:], True)  # starts its group, and its group ends with it
    return rows[order], lone


def move_stats_rows(
    batch: Batch, new_games: np.ndarray, rows: np.ndarray | None = None
) -> tuple[list[np.ndarray], RowRefs]:
    """Aggregated move_stats columns for the games where new_games is True (or for the
    batch rows `rows`, ascending), and each row's game references (rated by the mean
    rating).

    Columns: position_key, move, collection, speed, rated, rating_band, path, month,
    white, draws, black, rating_sum, then the ENDING_COLUMNS counts, then the
    THINK_TIME_COLUMNS counts.
    """
    if rows is None:
        rows = np.flatnonzero(new_games[batch.game])
    g = batch.game[rows]
    white, draws, black = _counts(batch.outcome[g])
    band = batch.band[g]
    rating_sum = np.where(band >= 0, batch.mean_rating[g], 0)
    return _aggregate(
        _move_stats_keys(batch, rows),
        [white, draws, black, rating_sum],
        _references(batch, g, batch.mean_rating[g]),
        batch.ending[g],
        think=(batch.think[rows], batch.low_clock[rows]),
    )


def month_less(
    rows: list[np.ndarray], month_column: int, refs: RowRefs | None = None, *, last_month: bool = False
) -> tuple[list[np.ndarray], RowRefs]:
    """Aggregated rows summed over their month column (the last key column), with the
    newest month summed into each as a last column when `last_month` (a rollup's
    last_month: webapp.db.position_games reads a position's newest games from the rows
    with the latest)."""
    maxima = [rows[month_column]] if last_month else None
    return _aggregate(rows[:month_column], rows[month_column + 1 :], refs, maxima=maxima)


def player_move_stats_rows(
    batch: Batch,
    new_games: np.ndarray,
    white_ids: np.ndarray,
    black_ids: np.ndarray,
    tracked: np.ndarray | None = None,
) -> tuple[list[np.ndarray], RowRefs]:
    """Aggregated player_move_stats columns for the new games, for both players (only the
    players whose ids are in `tracked`, when given), and each row's game references
    (rated by the player's own rating).

    Columns: player_id, position_key, color, move, collection, speed, rated, rating_band,
    game_band (the game's mean band), month, white, draws, black, rating_sum (the
    opponent's rating), game_rating_sum (the game's mean rating when its band is known),
    then the ENDING_COLUMNS counts, then the THINK_TIME_COLUMNS counts (the think time of
    the row's move, whoever of the two made it: the player's own moves in a player's
    view are those of the colour they had).
    """
    rows = np.flatnonzero(new_games[batch.game])
    g = batch.game[rows]
    white, draws, black = _counts(batch.outcome[g])
    n = len(rows)
    player = np.concatenate([white_ids[g], black_ids[g]])
    color = np.concatenate([np.zeros(n, np.int64), np.ones(n, np.int64)])
    band = np.concatenate([batch.white_band[g], batch.black_band[g]])
    opponent = np.concatenate([batch.black_rating[g], batch.white_rating[g]])

    def twice(column: np.ndarray) -> np.ndarray:
        return np.concatenate([column, column])

    keys = [
        player,
        twice(batch.key[rows]),
        color,
        twice(batch.move[rows]),
        twice(batch.collection[g]),
        twice(batch.speed[g]),
        twice(batch.rated[g]),
        band,
        twice(batch.band[g]),
        twice(batch.month[g]),
    ]
    game_rating = np.where(batch.band[g] >= 0, batch.mean_rating[g], 0)
    values = [twice(white), twice(draws), twice(black), opponent, twice(game_rating)]
    refs = _references(batch, np.concatenate([g, g]), np.concatenate([batch.white_rating[g], batch.black_rating[g]]))
    endings = twice(batch.ending[g])
    think, low_clock = twice(batch.think[rows]), twice(batch.low_clock[rows])
    if tracked is not None:
        keep = np.isin(player, tracked)
        keys = [column[keep] for column in keys]
        values = [column[keep] for column in values]
        refs = refs.select(keep)
        endings, think, low_clock = endings[keep], think[keep], low_clock[keep]
    return _aggregate(keys, values, refs, endings, think=(think, low_clock))
