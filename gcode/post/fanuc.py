"""Generic Fanuc-style controls: ``%`` framing, an O number, upper case, N words.

The program starts and ends with a ``%`` line; the second line is the program
number (O0001 for sheet 1) with the sheet's name as a comment. Comments keep
only upper-case letters, digits, spaces and ``.,=_-``: a ``:`` is the ISO
program-number address and lower case is refused by older controls. Every
length and feed is written with a decimal point, because without one a Fanuc
not set to calculator-style input reads ``X10`` as 10 increments (0.010 mm).
G4's P counts whole milliseconds.

Before each tool change -- the first included -- Z goes home with
``G28 G91 Z0`` (then ``G90`` again), the tool is loaded with ``T<n> M6`` and
its length offset is taken on a rapid to safe Z (``G0 G43 Z.. H<n>``): a G43
alone would move Z by the offset at once, from the top of its travel. The
program ends with M5, the park move, ``G28 G91 Z0``, ``G90``, M30.
"""

from __future__ import annotations

import re

from gcode.numbers import format_number, round_to
from gcode.post.base import DialectRules, Post, ToolPosition, milliseconds_dwell_line, plain_ascii
from gcode.tooling import Machine
from gcode.toolpath import ToolChange, ToolpathProgram

FANUC_RULES = DialectRules(
    allowed_codes=None,
    allowed_letters=None,
    max_line_length=None,
    arc_rule="radius",  # alarm PS0020, "over tolerance of radius"
    dwell_in_milliseconds=True,
    dwell_seconds_word="X",  # G4 X2. dwells 2 s
    decimal_point_letters=frozenset("XYZIJKRF"),
)
COMMENT_FORBIDDEN = re.compile(r"[^A-Z0-9 .,=_-]+")
# O9000 and up are the machine builder's protected programs.
MAX_PROGRAM_NUMBER = 8999
HOME_Z = ("G28 G91 Z0", "G90")


class FanucPost(Post):
    """Fanuc-style: %, O number, N words on request, G28 G91 Z0 around tool changes, M30, %."""

    dialect = "fanuc"
    file_extension = ".nc"
    rules = FANUC_RULES
    # Units alone on the first block, as Fanuc manuals ask, then the safe modes and the G54 work offset.
    preamble = ("{units}", "G17 G40 G49 G80 G90 G94 G54")
    program_end = "M30"

    def comment(self, text: str, width: int) -> str | None:
        clean = " ".join(COMMENT_FORBIDDEN.sub(" ", plain_ascii(text).upper()).split())
        return super().comment(clean, width) if clean else None

    def header_lines(self, program: ToolpathProgram, machine: Machine, width: int) -> list[str]:
        """``%``, then the O number of the sheet with its name, then the usual comments."""
        name = self.comment(program.name, width - len("O0000 "))
        number_line = f"O{program_number(program.name):04d}" + (f" {name}" if name else "")
        return ["%", number_line, *super().header_lines(program, machine, width)]

    def number_text(self, value: float, decimals: int) -> str:
        text = format_number(value, decimals)
        return text if "." in text else text + "."

    def dwell_line(self, seconds: float, machine: Machine) -> str:
        """G4 P in whole milliseconds (a decimal point in P is an alarm on Fanuc)."""
        return milliseconds_dwell_line(seconds)

    def tool_change_lines(self, step: ToolChange, machine: Machine, width: int, *, first: bool) -> list[str]:
        tool = step.tool
        units = self.output_units(machine)
        safe_z = self.number_text(round_to(machine.safe_z * units.per_mm, units.coordinate_decimals),
                                  units.coordinate_decimals)  # fmt: skip
        note = self.comment(self.tool_text(tool), width)
        lines = [*HOME_Z, f"T{tool.number} M6", f"G0 G43 Z{safe_z} H{tool.number}"]
        return [note, *lines] if note else lines

    def park_lines(self, machine: Machine, position: ToolPosition) -> list[str]:
        """Park over the machine's park position, then send Z home."""
        return [*super().park_lines(machine, position), *HOME_Z]

    def end_lines(self) -> list[str]:
        return [*super().end_lines(), "%"]


def program_number(name: str) -> int:
    """The O number of a program: the number its name ends with (sheet-03 -> 3), else 1."""
    match = re.search(r"(\d+)$", name)
    number = int(match.group(1)) if match else 1
    if not 1 <= number <= MAX_PROGRAM_NUMBER:
        raise ValueError(f"{name}: program number {number} is outside O0001..O{MAX_PROGRAM_NUMBER}")
    return number
