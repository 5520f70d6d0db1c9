"""Text made safe for a terminal: ``safe(text)`` is what every human-readable output prints.

Document text and file names may hold control characters; a terminal would act on them: ESC
starts a sequence that recolours, moves the cursor, clears the screen, sets the window title
(OSC 0) or plants a hyperlink (OSC 8); CSI (U+009B) and the other C1 controls do the same on
terminals that read 8-bit controls; a carriage return or backspace overwrites what was printed;
and the bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) reorder what follows
so that a name reads as something else. ``safe`` shows each such character as a visible escape
instead, Python-style: ``\\x1b`` for C0 and C1 controls and DEL, ``\\u202e`` for the bidi
controls. Line feed and tab are kept (they only lay out text; ``newlines=False`` escapes them
too, for a one-line message). The mapping is for display only: JSON, CSV and Parquet outputs
keep the exact text.

A leaf: it imports nothing of the package.
"""

from __future__ import annotations

import re

# C0 controls but tab and line feed, DEL, C1 controls; bidi embeddings, overrides, isolates and
# marks; the line and paragraph separators (they break a line as \n does, where \n is escaped).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_UNSAFE_ONE_LINE = re.compile(_UNSAFE.pattern[:-1] + "\t\n]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: object, *, newlines: bool = True) -> str:
    """``text`` as a terminal shows it literally: every control character escaped (see the module
    doc); text without any is returned unchanged."""
    value = "" if text is None else str(text)
    return (_UNSAFE if newlines else _UNSAFE_ONE_LINE).sub(_escape, value)


def is_safe(text: str, *, newlines: bool = True) -> bool:
    """Whether ``text`` holds nothing ``safe`` would escape."""
    return (_UNSAFE if newlines else _UNSAFE_ONE_LINE).search(text) is None
