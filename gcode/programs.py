"""Reading any program plycut can write, whatever its dialect, into one motion model.

G-code dialects go through :func:`gcode.reader.read_gcode`; the checker, the
estimator and the back-plot then work the same on every dialect.
"""

from __future__ import annotations

from gcode.reader import GcodeProgram, read_gcode


def read_program(text: str, dialect: str, *, source: str = "<program>") -> GcodeProgram:
    """Read ``text`` written in ``dialect`` (a machine's dialect) into motions, events and errors."""
    return read_gcode(text, source=source)
