"""ImportReport: what an import read, loaded, found already present and skipped (by reason)."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class ImportReport:
    """Running totals of one import; progress callbacks receive it as it grows."""

    games_read: int = 0
    imported: int = 0
    already_present: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)  # kept games with a remark
    rows_written: int = 0  # statistics rows merged into the database
    moved: int = 0  # games already present that went to the collection this import named
    first_load: bool = False  # appended into an empty store without the position index
    first_load_merged: int = 0  # rows of the same key merged at its end
    index_seconds: float = 0.0  # that merge and the index build (webapp.indexer.first_load)
    started: float = field(default_factory=time.monotonic)
    seconds: float = 0.0
    finished: bool = False
    #: what the import does after its last batch, while that takes long (a first load's
    #: merge and index build: webapp.indexer.first_load); "" otherwise
    stage: str = ""

    def skip(self, reason: str, count: int = 1) -> None:
        self.skipped[reason] += count

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    @property
    def elapsed(self) -> float:
        return self.seconds if self.finished else time.monotonic() - self.started

    @property
    def games_per_second(self) -> float:
        elapsed = self.elapsed
        return self.games_read / elapsed if elapsed > 0 else 0.0

    def finish(self) -> ImportReport:
        self.seconds = time.monotonic() - self.started
        self.finished = True
        return self

    def merge(self, other: ImportReport) -> None:
        """Add another report's counts to this one (e.g. several files)."""
        self.games_read += other.games_read
        self.imported += other.imported
        self.already_present += other.already_present
        self.rows_written += other.rows_written
        self.moved += other.moved
        self.skipped.update(other.skipped)
        self.notes.update(other.notes)
        self.add_first_load(other.first_load, other.first_load_merged, other.index_seconds)

    def add_first_load(self, active: bool, merged: int, seconds: float) -> None:
        """Count in a first load's end: its rows merged, the seconds of that and of the
        index build (webapp.indexer.first_load)."""
        self.first_load = self.first_load or active
        self.first_load_merged += merged
        self.index_seconds += seconds

    def progress_line(self) -> str:
        line = (
            f"{self.games_read:,} games read, {self.imported:,} imported, "
            f"{self.already_present:,} already present, {self.skipped_total:,} skipped, "
            f"{self.games_per_second:,.0f} games/s"
        )
        return f"{line}; {self.stage}…" if self.stage else line

    def summary(self) -> str:
        """Plain-language summary with skips by reason, for the end of an import."""
        lines = [
            f"Read {self.games_read:,} games in {self.elapsed:.1f} s "
            f"({self.games_per_second:,.0f} games/s): {self.imported:,} imported, "
            f"{self.already_present:,} already present, {self.skipped_total:,} skipped."
        ]
        if self.moved:
            lines.append(f"  moved {self.moved:,} games already present to the collection named")
        if self.first_load:
            merged = f"{self.first_load_merged:,} rows merged and " if self.first_load_merged else ""
            lines.append(
                "  first load: statistics appended without their indexes; at the end "
                f"{merged}the indexes built in {self.index_seconds:.1f} s"
            )
        for reason, count in sorted(self.skipped.items(), key=lambda item: (-item[1], item[0])):
            lines.append(f"  skipped {count:,}: {reason}")
        for note, count in sorted(self.notes.items()):
            lines.append(f"  note {count:,}: {note}")
        return "\n".join(lines)
