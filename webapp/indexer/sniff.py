"""Is it PGN? The first bytes of a file say which text encoding it is in and whether it
looks like PGN at all, before anything is imported.

- A byte order mark picks the encoding: UTF-8 (dropped), UTF-16 LE or BE; UTF-16 without
  a mark is recognised by its zero bytes. UTF-16 is decoded and the rest of the importer
  reads UTF-8.
- The text must then begin like PGN: a tag line (`[Event "..."]`), or movetext (`1. e4`),
  after any blank, `%` escape or `;` comment lines. JSON (and NDJSON), CSV and TSV, and a
  file that puts several tags on one line (10,000 games on one line) are named as such.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator

from webapp.indexer.streams import UnreadableFile

SNIFF_BYTES = 64 * 1024
_UTF8_BOM = codecs.BOM_UTF8
_TAG_START = re.compile(r'^\[[A-Za-z0-9_]+\s+"')
_ONE_TAG = re.compile(r'^\[[A-Za-z0-9_]+\s+"(?:[^"\\]|\\.)*"\s*\]\s*$')
_MOVETEXT_START = re.compile(r"^\d+\s*\.")
_JSON_START = re.compile(r'^[\[{]\s*(?:["\[{\]}]|$)')


class NotPgn(UnreadableFile):
    """A file that is not PGN; the message says what it looks like instead."""


def utf16_of(head: bytes) -> str | None:
    """'utf-16' (with a mark), 'utf-16-le' or 'utf-16-be' (without), or None for other text."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not head.startswith(
        codecs.BOM_UTF32_LE
    ):
        return "utf-16"
    sample = head[: SNIFF_BYTES & ~1]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def describe_non_pgn(text: str) -> str | None:
    """Why text (a file's start) is not PGN, or None when it begins like PGN."""
    for line in text.lstrip("\ufeff").splitlines():
        line = line.strip()
        if not line or line.startswith(("%", ";")):
            continue
        if _TAG_START.match(line):
            if not _ONE_TAG.match(line) and line.count('"]') > 1:
                return (
                    "it has several tags on one line (PGN puts each tag on a line of its own; "
                    "is the whole file one line?)"
                )
            return None
        if _MOVETEXT_START.match(line):
            return None
        if _JSON_START.match(line):
            return "it looks like JSON"
        if "\x00" in line:
            return "it holds binary data"
        if line.count(",") >= 2 or line.count("\t") >= 2:
            return "it looks like a table (CSV or TSV)"
        shown = line if len(line) <= 60 else line[:60] + "…"
        return f'it does not begin with a PGN tag like [Event "..."]: {shown!r}'
    return None


def pgn_blocks(blocks: Iterable[bytes], name: str = "the file") -> Iterator[bytes]:
    """The blocks as UTF-8-or-Latin-1 PGN bytes: UTF-16 decoded; NotPgn if it is not PGN."""
    iterator = iter(blocks)
    head = b""
    for block in iterator:
        head += block
        if len(head) >= SNIFF_BYTES:
            break
    if not head:
        return
    encoding = utf16_of(head)
    if encoding is None:
        text = head[:SNIFF_BYTES].removeprefix(_UTF8_BOM).decode("utf-8", "replace")
        problem = describe_non_pgn(text)
        if problem:
            raise NotPgn(f"{name} is not PGN: {problem}")
        yield head
        yield from iterator
        return
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    text = decoder.decode(head)
    problem = describe_non_pgn(text[:SNIFF_BYTES])
    if problem:
        raise NotPgn(f"{name} is not PGN (it is UTF-16 text): {problem}")
    yield text.encode("utf-8")
    for block in iterator:
        yield decoder.decode(block).encode("utf-8")
    yield decoder.decode(b"", final=True).encode("utf-8")
