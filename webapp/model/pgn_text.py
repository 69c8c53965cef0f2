"""PGN text written by the explorer (exports): tag values escaped as the PGN standard says."""

from __future__ import annotations

import re

_LINE_BREAKS = re.compile(r"[\r\n\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def escape_tag_value(value: str) -> str:
    """A tag value safe between the quotes of `[Tag "..."]`: backslash and quote escaped
    (PGN standard 8.1.1), line breaks and other controls as spaces, so a stored name can
    never end the tag or start a new one."""
    return _LINE_BREAKS.sub(" ", value).replace("\\", "\\\\").replace('"', '\\"')
