"""Marlin 2.x on hobby routers: one command per line, ``;`` comments, no program end.

Marlin runs only the first command of a line and, without GCODE_MOTION_MODES,
keeps no motion mode: every line holds one G or M command with its own motion
word (the base writes the word on every motion line; the preamble is split
here). Comments start with ``;`` (parentheses are text unless PAREN_COMMENTS).
The spindle is Marlin's spindle/laser feature (M3 S, in rpm when
CUTTER_POWER_UNIT is RPM; a bare M3 for a router whose speed is set by hand).
G4 takes seconds in S -- its P is milliseconds. An inch machine's G20 needs
INCH_MODE_SUPPORT (G21 is accepted by every build). Arcs need ARC_SUPPORT: a
machine without it (``arcs = false``) gets every arc as lines. There is no M6,
and a pause (M0) would resume with the new tool's length unknown, so a second
tool is refused: one program per tool, each zeroed anew. Rapids run at
G0_FEEDRATE where Marlin defines it, else at the last F.

Stock Marlin frees the steppers DEFAULT_STEPPER_DEACTIVE_TIME (120 s) after the
last move, and a gantry free to be pushed loses the work origin: the preamble's
``M84 S0`` turns that timeout off ("Time can be set by M18 and M84", 0 never).
The program ends with M5 and the park move and no end code: Marlin has no M2
("unknown command") and its M30 deletes a file from the SD card. The origin
still does not outlive an SD print on a stock build, which runs M84 when the
file ends (SD_FINISHED_STEPPERRELEASE): the footer says so, and the machine
file says how to keep it.
"""

from __future__ import annotations

import re

from gcode.numbers import format_number
from gcode.post.base import DialectRules, Post, tool_change_refused
from gcode.tooling import Machine
from gcode.toolpath import ToolChange

# Marlin's G-code list (marlinfw.org, gcode.cpp) as far as plycut's reader follows it.
MARLIN_CODES = frozenset(
    {
        "G0", "G1", "G2", "G3", "G4", "G17", "G18", "G19", "G20", "G21", "G28", "G90", "G91", "G92",
        *(f"G{n}" for n in range(53, 60)),
        "M0", "M1", "M3", "M4", "M5", "M7", "M8", "M9",
        "M84",  # with S: the stepper inactivity timeout (the preamble's M84 S0)
    }
)  # fmt: skip

MARLIN_RULES = DialectRules(
    allowed_codes=MARLIN_CODES,
    # No N: Marlin refuses a line number without a checksum. No T: it selects an extruder.
    allowed_letters=frozenset("FIJPRSXYZ"),
    max_line_length=95,  # MAX_CMD_SIZE 96 with the terminator
    # Marlin runs an arc on its start's radius and ends it with a jump to the target:
    # another path than the one written, so the same check as everywhere.
    arc_rule="radius",
    must_end=False,
    one_command_per_line=True,
    message_codes=frozenset({"M0", "M1"}),
    dwell_word="S",
    paren_comments=False,  # PAREN_COMMENTS is off by default
)
# Marlin's parser goes on reading a message as parameters: a P or S followed by a
# number anywhere in it would become M0's timeout and end the pause by itself.
TIMEOUT_IN_MESSAGE = re.compile(r"[PS]\s*[-+]?\.?\d", re.IGNORECASE)


class MarlinPost(Post):
    """Marlin 2.x: G21, G90 and M84 S0 on lines of their own, M3 S, G4 S, one tool, no M2."""

    dialect = "marlin"
    file_extension = ".gcode"
    rules = MARLIN_RULES
    # XY is Marlin's only plane without CNC_WORKSPACE_PLANES; no G94. No G54 either: work offsets
    # need CNC_COORDINATE_SYSTEMS, and the origin is where the operator zeroed (G92). M84 S0: the
    # steppers stay on however long the program waits, so the gantry keeps its place.
    preamble = ("{units}", "G90", "M84 S0")
    program_end = ""
    comment_open = "; "
    comment_close = ""
    line_numbers_supported = False

    def dwell_line(self, seconds: float, machine: Machine) -> str:
        if seconds < 0.0:
            raise ValueError(f"dwell of {seconds:g} s: a dwell cannot be negative")
        return f"G4 S{format_number(seconds, self.dwell_decimals)}"

    def tool_change_lines(self, step: ToolChange, machine: Machine, width: int, *, first: bool) -> list[str]:
        """The first tool is loaded and zeroed before starting; a later one is refused (no M6)."""
        if not first:
            why = "it has no tool changer" if not machine.tool_changer else "Marlin has no M6 to run one"
            raise tool_change_refused(step.tool, machine, why)
        note = self.comment(f"load {self.tool_text(step.tool)}", width)
        return [note] if note else []

    def end_lines(self) -> list[str]:
        width = self.max_line_length
        texts = ("end of program: Marlin has no M2, and M30 deletes a file",
                 # SD_FINISHED_STEPPERRELEASE (on by default) runs M84 once the file ends: the steppers go free.
                 "stock Marlin ends an SD print with M84: zero X Y Z again for the next sheet")  # fmt: skip
        return [line for line in (self.comment(text, width) for text in texts) if line]
