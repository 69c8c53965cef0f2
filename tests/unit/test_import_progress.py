"""The command line's progress lines: at most one every few seconds while batches land,
and one at once when the import moves to a long step after its last batch."""

from __future__ import annotations

import io

from webapp.indexer.report import ImportReport
from webapp.indexer.run import CompactionPrinter, ProgressPrinter


def test_a_new_stage_is_printed_at_once_and_named() -> None:
    stream = io.StringIO()  # not a terminal: a line every 5 s at most
    printer = ProgressPrinter(stream)
    report = ImportReport(games_read=4000, imported=3990, already_present=4)
    report.skip("variant", 6)
    printer(report)
    report.games_read = 6000
    printer(report)  # within the interval: nothing
    report.stage = "building the statistics indexes"
    printer(report)
    printer(report)  # the same stage again: nothing
    report.stage = ""
    printer(report)
    lines = stream.getvalue().splitlines()
    assert [line.split(", ")[0] for line in lines] == ["4,000 games read", "6,000 games read", "6,000 games read"]
    assert lines[0].startswith("4,000 games read, 3,990 imported, 4 already present, 6 skipped, ")
    assert lines[1].endswith(" games/s; building the statistics indexes…")
    assert lines[2].endswith(" games/s")


def test_a_compactions_later_steps_are_printed_at_once() -> None:
    stream = io.StringIO()  # not a terminal: a range's line every 5 s at most
    printer = CompactionPrinter(stream)
    printer(1, 16)
    printer(2, 16)  # within the interval: nothing
    printer(16, 16)  # the last range: at once
    printer.step("merging 4 runs of one-game rows (1,024 MB)")
    lines = stream.getvalue().splitlines()
    assert [line.split(", ")[0] for line in lines] == ["compacting the statistics: 1 of 16 key ranges"] + [
        "compacting the statistics: 16 of 16 key ranges"
    ] * 2
    assert lines[2].endswith(" s; merging 4 runs of one-game rows (1,024 MB)…")
