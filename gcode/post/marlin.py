"""Marlin 2.x on hobby routers: one command per line, ``;`` comments, no program end.

Marlin runs only the first command of a line and, without GCODE_MOTION_MODES,
keeps no motion mode: every line holds one G or M command with its own motion
word (the base writes the word on every motion line; the preamble is split
here). Comments start with ``;`` (parentheses are text unless PAREN_COMMENTS).
The spindle is Marlin's spindle/laser feature (M3 S, in rpm when
CUTTER_POWER_UNIT is RPM; a bare M3 for a router whose speed is set by hand).
G4 takes seconds in S -- its P is milliseconds. An inch machine's G20 needs
INCH_MODE_SUPPORT (G21 is accepted by every build). Arcs need ARC_SUPPORT: a
machine without it (``arcs = false``) gets every arc as lines. There is no M6:
a tool change is ``M0 <message>``, the message shown until the operator resumes.
Rapids run at G0_FEEDRATE where Marlin defines it, else at the last F.

The program ends with M5 and the park move and no end code: Marlin has no M2
("unknown command"), its M30 deletes a file from the SD card, and M84 would
free the steppers, so that a gantry pushed by hand loses the work origin that
the next sheet needs.
"""

from __future__ import annotations

import re

from gcode.numbers import format_number
from gcode.post.base import DialectRules, Post, plain_ascii
from gcode.tooling import Machine
from gcode.toolpath import ToolChange

# Marlin's G-code list (marlinfw.org, gcode.cpp) as far as plycut's reader follows it.
MARLIN_CODES = frozenset(
    {
        "G0", "G1", "G2", "G3", "G4", "G17", "G18", "G19", "G20", "G21", "G28", "G90", "G91", "G92",
        *(f"G{n}" for n in range(53, 60)),
        "M0", "M1", "M3", "M4", "M5", "M7", "M8", "M9",
    }
)  # fmt: skip

MARLIN_RULES = DialectRules(
    allowed_codes=MARLIN_CODES,
    # No N: Marlin refuses a line number without a checksum. No T: it selects an extruder.
    allowed_letters=frozenset("FIJPRSXYZ"),
    max_line_length=95,  # MAX_CMD_SIZE 96 with the terminator
    arc_rule=None,  # Marlin ends an arc on its target whatever the radii
    must_end=False,
    one_command_per_line=True,
    message_codes=frozenset({"M0", "M1"}),
    dwell_word="S",
)
# Marlin's parser goes on reading a message as parameters: a P or S followed by a
# number anywhere in it would become M0's timeout and end the pause by itself.
TIMEOUT_IN_MESSAGE = re.compile(r"[PS]\s*[-+]?\.?\d", re.IGNORECASE)


class MarlinPost(Post):
    """Marlin 2.x: G21 and G90 on lines of their own, M3 S, G4 S, M0 <message> pauses, no M2."""

    dialect = "marlin"
    file_extension = ".gcode"
    rules = MARLIN_RULES
    preamble = ("{units}", "G90")  # XY is Marlin's only plane without CNC_WORKSPACE_PLANES; no G94
    program_end = ""
    comment_open = "; "
    comment_close = ""
    line_numbers_supported = False

    def dwell_line(self, seconds: float) -> str:
        if seconds < 0.0:
            raise ValueError(f"dwell of {seconds:g} s: a dwell cannot be negative")
        return f"G4 S{format_number(seconds, self.dwell_decimals)}"

    def tool_change_lines(self, step: ToolChange, machine: Machine, width: int, *, first: bool) -> list[str]:
        """The first tool is loaded before starting; later ones pause on M0 with a message."""
        text = self.tool_text(step.tool)
        if first:
            note = self.comment(f"load {text}", width)
            return [note] if note else []
        note = self.comment(f"change to {text}", width)
        return [line for line in (note, pause_with_message(f"Load tool {step.tool.number} then resume")) if line]

    def end_lines(self) -> list[str]:
        note = self.comment("end of program: Marlin has no M2, and M30 deletes a file", self.max_line_length)
        return [note] if note else []


def pause_with_message(message: str) -> str:
    """``M0 <message>``, refused if Marlin would read a timeout out of the message."""
    text = plain_ascii(message)
    if not re.match(r"[A-Za-z]{2}", text) or TIMEOUT_IN_MESSAGE.search(text):
        raise ValueError(f"M0 message {text!r}: Marlin would read part of it as a parameter")
    return f"M0 {text}"
