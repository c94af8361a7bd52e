"""Safe re-entry into a program part-way: the lines that put the machine back where line N expects it.

After a stop, starting again at line N means the controller must be in the
state the lines before N left it in: units, distance mode, work offset, feed,
spindle running at speed. And the tool must get to the start of line N without
cutting anything on the way: up to safe height, across in XY, then down at the
plunge feed to where line N begins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gcode.reader import strip_comments

_WORD = re.compile(r"([A-Z])\s*([-+]?(?:\d+\.?\d*|\.\d+))")
WORK_OFFSETS = ("54", "55", "56", "57", "58", "59")


@dataclass(frozen=True)
class ModalState:
    """What the lines before the resume point leave behind (None: never set)."""

    units: str = "G21"
    distance: str = "G90"
    work_offset: str = "G54"
    feed: float | None = None
    spindle_rpm: float | None = None
    spindle: str = "M5"
    position: tuple[float | None, float | None, float | None] = (None, None, None)


def modal_state(lines: list[str]) -> ModalState:
    """Follow the lines (G-code text) and return the state they leave the machine in."""
    units, distance, offset, spindle = "G21", "G90", "G54", "M5"
    feed = rpm = None
    position: list[float | None] = [None, None, None]
    for raw in lines:
        line = strip_comments(raw)[0].upper()
        for letter, value in _WORD.findall(line):
            number = float(value)
            if letter == "G":
                code = value.lstrip("0") or "0"
                if code in ("20", "21"):
                    units = "G" + code
                elif code in ("90", "91"):
                    distance = "G" + code
                elif code in WORK_OFFSETS:
                    offset = "G" + code
            elif letter == "M" and value.lstrip("0") in ("3", "4", "5"):
                spindle = "M" + value.lstrip("0")
            elif letter == "M" and value.lstrip("0") in ("2", "30"):
                spindle = "M5"
            elif letter == "F":
                feed = number
            elif letter == "S":
                rpm = number
            elif letter in "XYZ":
                axis = "XYZ".index(letter)
                if distance == "G91" and position[axis] is not None:
                    position[axis] += number
                else:
                    position[axis] = number
    return ModalState(units, distance, offset, feed, rpm, spindle, tuple(position))


def resume_lines(lines: list[str], start: int, *, safe_z: float, plunge_feed: float,
                 spin_up_s: float = 3.0) -> list[str]:
    """The preamble to send before line `start` (1-based) of `lines`, then lines from `start` on.

    safe_z (mm) and plunge_feed (mm/min) are converted to the program's units.
    Raises ValueError when the lines before `start` leave the position unknown,
    or when they work in relative distances (a resume point cannot be found then).
    """
    if not 1 <= start <= len(lines):
        raise ValueError(f"line {start} is not in the program (1 to {len(lines)})")
    state = modal_state(lines[:start - 1])
    if state.distance == "G91":
        raise ValueError(f"line {start}: the program is in relative distances (G91) there; cannot re-enter safely")
    x, y, z = state.position
    if x is None or y is None or z is None:
        raise ValueError(f"line {start}: the lines before it do not say where the tool is (X, Y and Z)")
    per_mm = 1.0 / 25.4 if state.units == "G20" else 1.0
    safe_z, plunge_feed = safe_z * per_mm, plunge_feed * per_mm
    preamble = [f"{state.units} G90 {state.work_offset} G17 G94", f"G0 Z{safe_z:.4f}"]
    if state.spindle in ("M3", "M4"):
        preamble += [f"{state.spindle} S{state.spindle_rpm or 0:g}", f"G4 P{spin_up_s:g}"]
    preamble += [f"G0 X{x:.3f} Y{y:.3f}", f"G1 Z{z:.3f} F{plunge_feed:g}"]
    if state.feed is not None:
        preamble.append(f"F{state.feed:g}")
    return preamble + lines[start - 1:]
