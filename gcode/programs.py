"""Reading any program plycut can write, whatever its dialect, into one motion model.

G-code dialects go through :func:`gcode.reader.read_gcode`, ShopBot's OpenSBP through
:func:`gcode.opensbp.read_opensbp`; the checker, the estimator and the back-plot then
work the same on every dialect.
"""

from __future__ import annotations

from gcode.opensbp import read_opensbp
from gcode.post import POSTS
from gcode.reader import GcodeProgram, read_gcode

# Dialects that are not G-code, by the name a machine profile gives them.
NON_GCODE_READERS = {"shopbot": read_opensbp}


def read_program(text: str, dialect: str, *, source: str = "<program>") -> GcodeProgram:
    """Read ``text`` written in ``dialect`` (a machine's dialect) into motions, events and errors.

    A G-code dialect's own meaning of a word goes to the reader (Fanuc's G4 X is
    seconds); a dialect plycut has no post for is read as plain RS274."""
    name = dialect.strip().lower()
    reader = NON_GCODE_READERS.get(name)
    if reader is not None:
        return reader(text, source=source)
    post = POSTS.get(name)
    return read_gcode(text, source=source, dwell_seconds_word=post.rules.dwell_seconds_word if post else None)
