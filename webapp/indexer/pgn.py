"""PGN files and streams → GameRecords → the database, fast and in bounded memory.

The file is cut into games (webapp.indexer.streams), tags are read in Python
(webapp.indexer.headers), the moves of a few thousand games at a time are replayed by
the Rust parser (rust_pgn_reader_python_binding) and the position keys computed from its
board arrays with numpy (webapp.indexer.zobrist). A game the Rust parser rejects is
replayed by python-chess; only if python-chess rejects it too is it skipped.

Games that cannot be used are skipped and counted by reason, never a crash:
- "variant": a Variant tag other than Standard (Chess960, Atomic, ...);
- "non-standard start position": Variant "From Position", or a FEN tag that is not the
  initial position;
- "illegal move" / "unparsable move": the WHOLE game is skipped, not its legal prefix —
  a game whose record is corrupt cannot be trusted to have reached its result from the
  positions we would index;
- "unfinished (result *)": Result `*`, or `*` ending the moves;
- "broken header": a tag line that is not `[Name "value"]`;
- "NUL byte in a tag": a tag value holding a NUL byte (no database text can hold one);
- "truncated last game": the stream's last game does not end with a result (a cut
  download); a game elsewhere whose moves do not end with a result is skipped as
  "no result at end of moves" (it was cut too: the next game's tags follow directly);
- "no moves": a game with no moves (aborted games);
- "too large (not PGN?)": over 16 MB between two games (not held in memory).
Bytes that are not UTF-8 do not lose the game: its text is read as Latin-1 (old PGN
files use it) and the report counts it under notes. A player name too long for the
players table (once lower-cased) is cut to fit, and counted under notes too.
"""

from __future__ import annotations

import ctypes
import io
import itertools
import math
import multiprocessing
import os
import signal
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import chess
import chess.pgn
import numpy as np
import rust_pgn_reader_python_binding as rust_pgn
from sqlalchemy.engine import Engine

from webapp.indexer.coded_moves import CodedMoves
from webapp.indexer.games import NAME_LENGTH, RESULTS, SKIP_NUL, GameRecord, fit_name
from webapp.indexer.headers import (
    BrokenHeader,
    date_of,
    header_lines,
    identity_of,
    rated_of,
    rating_of,
    speed_of,
    split_header,
)
from webapp.indexer.load import ProgressCallback, import_games
from webapp.indexer.parsed_chunk import ParsedChunk
from webapp.indexer.report import ImportReport
from webapp.indexer.sniff import NotPgn, pgn_blocks
from webapp.indexer.streams import (
    OVERSIZED,
    TruncatedFile,
    UnreadableFile,
    binary_blocks,
    game_texts,
    open_pgn,
    text_blocks,
)
from webapp.indexer.zobrist import zobrist_keys
from webapp.model.termination import Termination, termination_of

GAMES_PER_CHUNK = 2000
_STANDARD_VARIANTS = {"", "standard", "chess"}
_START_FIELDS = chess.STARTING_FEN.split()[:4]
_OUTCOMES = {"White": "1-0", "Black": "0-1", "Draw": "1/2-1/2"}

NOTE_LATIN1 = "not UTF-8, read as Latin-1"
NOTE_NAME_CUT = f"player name cut to {NAME_LENGTH} characters"


@dataclass
class _Pending:
    tags: dict[str, str]
    movetext: str
    last: bool


def _precheck(raw: bytes, last: bool, chunk: ParsedChunk) -> _Pending | None:
    """Decode and read the tags; None (counted) when the game is skipped before its moves."""
    if raw == OVERSIZED:
        chunk.skipped["too large (not PGN?)"] += 1
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
        chunk.notes[NOTE_LATIN1] += 1
    try:
        tags, movetext = split_header(text)
    except BrokenHeader:
        reason = "truncated last game" if last and not header_lines(text)[1].strip() else "broken header"
        chunk.skipped[reason] += 1
        return None
    if "\x00" in text and any("\x00" in value for value in tags.values()):
        chunk.skipped[SKIP_NUL] += 1
        return None
    variant = tags.get("Variant", "").strip().lower()
    if variant == "from position":
        chunk.skipped["non-standard start position"] += 1
        return None
    if variant not in _STANDARD_VARIANTS:
        chunk.skipped["variant"] += 1
        return None
    fen = tags.get("FEN")
    if fen is not None and fen.split()[:4] != _START_FIELDS:  # board, turn, castling, e.p.
        chunk.skipped["non-standard start position"] += 1
        return None
    if tags.get("Result", "").strip() == "*":
        chunk.skipped["unfinished (result *)"] += 1
        return None
    return _Pending(tags, movetext, last)


def _result(pending: _Pending, outcome: str | None, chunk: ParsedChunk) -> str | None:
    """The game's result, or None (counted) when it has none or was cut off."""
    if outcome == "Unknown":
        chunk.skipped["unfinished (result *)"] += 1
        return None
    tag = pending.tags.get("Result", "").strip()
    if outcome is None:
        reason = "truncated last game" if pending.last else "no result at end of moves"
        chunk.skipped[reason] += 1
        return None
    return tag if tag in RESULTS else _OUTCOMES[outcome]


def _ends_with_result(movetext: str) -> bool:
    tail = movetext.rstrip()[-8:].split()
    return bool(tail) and tail[-1] in (*RESULTS, "*")


def _player(tags: dict[str, str], side: str, chunk: ParsedChunk) -> str:
    name = tags.get(side, "").strip() or "?"
    fitted = fit_name(name)
    if fitted != name:
        chunk.notes[NOTE_NAME_CUT] += 1
    return fitted


def _record(
    pending: _Pending,
    moves: Sequence[str],
    result: str,
    keys: np.ndarray | None,
    *,
    chunk: ParsedChunk,
    termination: Termination = Termination.UNKNOWN,
    clocks: Sequence[float] | None = None,
    move_codes: np.ndarray | None = None,
) -> GameRecord:
    tags = pending.tags
    uid, source = identity_of(tags, moves)
    white_rating, black_rating = rating_of(tags.get("WhiteElo")), rating_of(tags.get("BlackElo"))
    played_on, month = date_of(tags)
    return GameRecord(
        uid=uid,
        source=source,
        white=_player(tags, "White", chunk),
        black=_player(tags, "Black", chunk),
        white_rating=white_rating,
        black_rating=black_rating,
        result=result,
        speed=speed_of(tags),
        rated=rated_of(tags, white_rating, black_rating),
        played_on=played_on,
        month=month,
        moves=moves,
        time_control=tags.get("TimeControl"),
        event=tags.get("Event"),
        site=tags.get("Link") or tags.get("Site"),
        eco=tags.get("ECO") if tags.get("ECO", "?") != "?" else None,
        termination=int(termination),
        clocks=clocks,
        move_codes=move_codes,
        position_keys=keys,
    )


class _QuietGameBuilder(chess.pgn.GameBuilder):
    """python-chess's builder without logging each error (the report counts them)."""

    def handle_error(self, error: Exception) -> None:
        self.game.errors.append(error)


def _final_position_termination(board: chess.Board, tag: str | None, result: str) -> Termination:
    return termination_of(
        tag,
        result,
        checkmate=board.is_checkmate(),
        stalemate=board.is_stalemate(),
        insufficient=board.is_insufficient_material(),
        fifty_moves=board.halfmove_clock >= 100,
    )


def _python_chess_game(movetext: str) -> chess.pgn.Game | None:
    return chess.pgn.read_game(io.StringIO(movetext), Visitor=_QuietGameBuilder)


def _python_chess_moves(movetext: str) -> tuple[list[str] | None, str | None, str]:
    """(UCI moves, termination or None, "") from python-chess, or (None, None, skip reason)."""
    game = _python_chess_game(movetext)
    if game is None:
        return [], None, ""
    if game.errors:
        error = game.errors[0]
        reason = "illegal move" if isinstance(error, chess.IllegalMoveError) else "unparsable move"
        return None, None, reason
    moves_played = list(game.mainline_moves())
    if not all(moves_played):  # a null move (`--`, `Z0`) is not a chess move
        return None, None, "unparsable move"
    moves = [move.uci() for move in moves_played]
    result = game.headers.get("Result", "*")
    termination = {"1-0": "White", "0-1": "Black", "1/2-1/2": "Draw"}.get(result)
    if termination is None and "*" in movetext.split()[-1:]:
        termination = "Unknown"
    return moves, termination, ""


def parse_game_texts(texts: Sequence[tuple[bytes, bool]], index_plies: int) -> ParsedChunk:
    """GameRecords (with position keys for the first index_plies plies) from game texts."""
    chunk = ParsedChunk()
    pending = [p for raw, last in texts if (p := _precheck(raw, last, chunk)) is not None]
    if not pending:
        return chunk
    parsed = rust_pgn.parse_games_from_strings([p.movetext for p in pending], num_threads=1)
    index = 0
    for part in parsed.chunks:
        _records_from_arrays(part, pending[index : index + part.num_games], index_plies, chunk)
        index += part.num_games
    return chunk


def _records_from_arrays(part, pending: list[_Pending], index_plies: int, chunk: ParsedChunk) -> None:  # type: ignore[no-untyped-def]
    move_offsets = part.move_offsets.astype(np.int64)
    position_offsets = part.position_offsets.astype(np.int64)
    promotions = part.promotions.astype(np.int64)
    codes = (
        part.from_squares.astype(np.int64)
        | (part.to_squares.astype(np.int64) << 6)
        | (np.where(promotions > 0, promotions, 0) << 12)
    )
    # each game's flags as Python values, read once for the chunk: indexing numpy arrays a
    # game at a time costs a scalar object each (about a tenth of the parse)
    clocks = part.clocks
    known_clocks = np.concatenate(([0], np.cumsum(~np.isnan(clocks))))[move_offsets]
    has_clocks = (known_clocks[1:] > known_clocks[:-1]).tolist()
    firsts, ends_of = move_offsets[:-1].tolist(), move_offsets[1:].tolist()
    position_starts = position_offsets[:-1].tolist()
    last_halfmove = np.zeros(len(pending), dtype=np.int64)
    reached = position_offsets[1:] > position_offsets[:-1]
    last_halfmove[reached] = part.halfmove_clock[position_offsets[1:][reached] - 1]
    fifty_moves = (last_halfmove >= 100).tolist()
    valid, outcomes = part.valid.tolist(), part.outcome
    checkmate, stalemate = part.is_checkmate.tolist(), part.is_stalemate.tolist()
    insufficient = part.is_insufficient.all(axis=1).tolist()
    kept: list[tuple] = []
    starts: list[int] = []
    lengths: list[int] = []
    for i, game in enumerate(pending):
        if not valid[i]:
            if not _ends_with_result(game.movetext):
                reason = "truncated last game" if game.last else "no result at end of moves"
                chunk.skipped[reason] += 1
                continue
            moves, outcome, reason = _python_chess_moves(game.movetext)
            if moves is None:
                chunk.skipped[reason] += 1
                continue
            result = _result(game, outcome, chunk)
            if result is None:
                continue
            if not moves:
                chunk.skipped["no moves"] += 1
                continue
            chunk.records.append(_fallback_record(game, moves, result, chunk))
            continue
        result = _result(game, outcomes[i], chunk)
        if result is None:
            continue
        first, end = firsts[i], ends_of[i]
        if end == first:
            chunk.skipped["no moves"] += 1
            continue
        termination = termination_of(
            game.tags.get("Termination"),
            result,
            checkmate=checkmate[i],
            stalemate=stalemate[i],
            insufficient=insufficient[i],
            fifty_moves=fifty_moves[i],
        )
        game_codes = codes[first:end]
        kept.append(
            (game, CodedMoves(game_codes), result, termination, clocks[first:end] if has_clocks[i] else None, game_codes)
        )
        starts.append(position_starts[i])
        lengths.append(min(index_plies, end - first) + 1)
    if not kept:
        return
    length_array = np.array(lengths, dtype=np.int64)
    ends = np.cumsum(length_array)
    rows = np.arange(int(ends[-1]), dtype=np.int64) + np.repeat(
        np.array(starts, dtype=np.int64) - (ends - length_array), length_array
    )
    keys = zobrist_keys(part.boards[rows], part.castling[rows], part.en_passant[rows], part.turn[rows])
    for (game, moves, result, termination, game_clocks, move_codes), game_keys in zip(
        kept, np.split(keys, ends[:-1]), strict=True
    ):
        chunk.records.append(
            _record(
                game, moves, result, game_keys, chunk=chunk,
                termination=termination, clocks=game_clocks, move_codes=move_codes,
            )
        )


def _fallback_record(
    game: _Pending, moves: list[str], result: str, chunk: ParsedChunk
) -> GameRecord:
    """A record for a game only python-chess could read: final position and clocks from it."""
    board = chess.Board()
    for uci in moves:
        board.push_uci(uci)
    parsed = _python_chess_game(game.movetext)
    clocks: list[float] | None = None
    if parsed is not None:
        found = [node.clock() for node in parsed.mainline()]
        if any(c is not None for c in found):
            clocks = [math.nan if c is None else float(c) for c in found]
    termination = _final_position_termination(board, game.tags.get("Termination"), result)
    return _record(
        game, moves, result, None, chunk=chunk, termination=termination, clocks=clocks
    )


def _chunks(texts: Iterable[tuple[bytes, bool]], size: int) -> Iterator[list[tuple[bytes, bool]]]:
    batch: list[tuple[bytes, bool]] = []
    for item in texts:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


_PR_SET_PDEATHSIG = 1


def _detach_worker(parent_pid: int) -> None:
    """Process-pool initializer: die with the parent, and hold none of its connections.

    A parser process forked by the import is killed (SIGKILL) as soon as the importing
    process dies, however it dies (SIGKILL, SIGTERM, a crash): otherwise it lives on as an
    orphan. And it gives up every socket it inherited (the loader's database connections,
    Redis): a killed import's database sessions then end with it, and their locks with
    them. The worker talks to its parent through pipes, which it keeps.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the sockets are still given up
        pass
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        for name in os.listdir("/proc/self/fd"):
            fd = int(name)
            try:
                if fd > 2 and fd != devnull and stat.S_ISSOCK(os.fstat(fd).st_mode):
                    os.dup2(devnull, fd)  # the socket closes here; the number stays taken
            except OSError:
                continue
    except OSError:  # no /proc
        pass
    finally:
        os.close(devnull)


def default_workers() -> int:
    """Parser processes beside the loading one: one on a machine with two cores or more."""
    return 1 if (os.cpu_count() or 1) >= 2 else 0


def parsed_records(
    texts: Iterable[tuple[bytes, bool]],
    report: ImportReport,
    *,
    index_plies: int,
    workers: int | None = None,
    chunk_size: int = GAMES_PER_CHUNK,
) -> Iterator[GameRecord]:
    """GameRecords from game texts, counting skips into the report.

    With workers > 0, chunks are parsed in that many processes while this one loads the
    previous chunks into the database; at most 2 chunks per worker are in flight, so
    memory stays bounded whatever the file size.
    """
    workers = default_workers() if workers is None else workers

    def absorb(parsed: ParsedChunk) -> list[GameRecord]:
        report.games_read += parsed.skipped.total()
        report.skipped.update(parsed.skipped)
        report.notes.update(parsed.notes)
        return parsed.records

    chunks = _chunks(texts, chunk_size)
    first = next(chunks, None)
    if first is None:
        return
    second = next(chunks, None)
    if workers <= 0 or second is None or multiprocessing.current_process().daemon:
        # a small input is not worth processes; a daemon (a Celery worker) may not have any
        for texts_chunk in itertools.chain([first], [second] if second else [], chunks):
            yield from absorb(parse_game_texts(texts_chunk, index_plies))
        return
    # fork: nothing is yielded yet, so the loader has started no threads; and unlike spawn
    # or forkserver it does not re-run the caller's __main__ module in the workers
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_detach_worker,
        initargs=(os.getpid(),),
    ) as pool:
        in_flight: list[Future[ParsedChunk]] = []
        try:
            for texts_chunk in itertools.chain([first, second], chunks):
                in_flight.append(pool.submit(parse_game_texts, texts_chunk, index_plies))
                if len(in_flight) > 2 * workers:
                    yield from absorb(in_flight.pop(0).result())
            while in_flight:
                yield from absorb(in_flight.pop(0).result())
        finally:
            for future in in_flight:
                future.cancel()


def import_pgn_blocks(
    engine: Engine,
    blocks: Iterable[bytes],
    *,
    index_plies: int,
    progress: ProgressCallback | None = None,
    report: ImportReport | None = None,
    workers: int | None = None,
    batch_size: int | None = None,
    compact_every: int = 0,
    summarize_every: int = 0,
    collection: str | None = None,
) -> ImportReport:
    """Import PGN given as byte blocks (any cut points); adds to `report` when given."""
    report = report if report is not None else ImportReport()
    return _import_texts(
        engine, game_texts(blocks), report, index_plies=index_plies, workers=workers, progress=progress,
        batch_size=batch_size, compact_every=compact_every, summarize_every=summarize_every, collection=collection,
    )  # fmt: skip


def _import_texts(
    engine: Engine, texts: Iterable[tuple[bytes, bool]], report: ImportReport, *, index_plies: int,
    workers: int | None, **loading: object,
) -> ImportReport:  # fmt: skip
    """Parse the game texts (in `workers` processes) and load them: import_games, with the
    `loading` options it takes."""
    records = parsed_records(texts, report, index_plies=index_plies, workers=workers)
    return import_games(engine, records, index_plies=index_plies, report=report, **loading)  # type: ignore[arg-type]


def _until_truncated(blocks: Iterable[bytes], cut: list[TruncatedFile]) -> Iterator[bytes]:
    """The blocks up to a truncation, which is kept in `cut` instead of raised: the games
    before it are imported (the cut one is counted as the truncated last game)."""
    try:
        yield from blocks
    except TruncatedFile as error:
        cut.append(error)


def import_pgn_files(
    engine: Engine,
    paths: Iterable[str | Path],
    *,
    index_plies: int,
    progress: ProgressCallback | None = None,
    workers: int | None = None,
    batch_size: int | None = None,
    compact_every: int = 0,
    summarize_every: int = 0,
    collection: str | None = None,
) -> ImportReport:
    """Import .pgn, .pgn.gz, .pgn.bz2 and .pgn.zst files; one report for them all.

    `collection` names the collection every game goes to (games already present move
    there); by default each game's source decides (lichess, chesscom, otb).

    The files are one import: one parsing pool, one first load, and with
    `compact_every` a compaction after every that many new games across them.

    A file in UTF-16 is decoded. Raises webapp.indexer.streams.UnreadableFile for a file
    that cannot be opened or decompressed, NotPgn (a subclass) for one that is not PGN,
    and TruncatedFile (another) for a compressed file cut short, once the games before
    (of earlier files, and of that file up to the fault) are imported; later files are
    not read. The error's `report` holds the counts.
    """
    report = ImportReport()
    failures: list[UnreadableFile] = []
    _import_texts(
        engine, _games_of_files(paths, failures), report, index_plies=index_plies, workers=workers,
        progress=progress, batch_size=batch_size, compact_every=compact_every, summarize_every=summarize_every,
        collection=collection,
    )  # fmt: skip
    report.finish()
    if failures:
        failures[0].report = report  # type: ignore[attr-defined]
        raise failures[0]
    return report


def _games_of_files(paths: Iterable[str | Path], failures: list[UnreadableFile]) -> Iterator[tuple[bytes, bool]]:
    """The game texts of the files one after another (game_texts), for one import of them
    all: one parsing pool, one first load, compaction every so many games whatever the
    files' sizes. A file that cannot be read ends them, its error kept in `failures` (for
    the caller to raise once the games before it are imported), its path named."""
    for path in paths:
        cut: list[TruncatedFile] = []
        try:
            with open_pgn(path) as stream:
                yield from game_texts(pgn_blocks(_until_truncated(binary_blocks(stream), cut), name=str(path)))
        except NotPgn as error:
            failures.append(error)
            return
        except UnreadableFile as error:
            failure = type(error)(f"{path}: {error}")
            failure.__cause__ = error
            failures.append(failure)
            return
        if cut:
            failures.append(TruncatedFile(f"{path}: {cut[0]}"))
            return


def import_pgn_stream(
    engine: Engine,
    text_stream: TextIO | Iterable[str],
    *,
    index_plies: int,
    progress: Callable[[ImportReport], None] | None = None,
    workers: int | None = 0,
    batch_size: int | None = None,
    collection: str | None = None,
) -> ImportReport:
    """Import PGN text (an upload, an API response): a text stream or an iterable of str.

    `collection` as for import_pgn_files (None: each game's site decides)."""
    return import_pgn_blocks(
        engine,
        text_blocks(text_stream),
        index_plies=index_plies,
        progress=progress,
        workers=workers,
        batch_size=batch_size,
        collection=collection,
    ).finish()
