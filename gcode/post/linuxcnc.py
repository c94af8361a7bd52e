"""LinuxCNC (RS274NGC): parenthesised comments, ``T<n> M6`` and ``G43 H<n>``.

The preamble cancels every mode a previous program may have left -- cutter
compensation (G40), tool length (G49), canned cycle (G80), another work offset
(G54 again) -- and sets the units, the XY plane, absolute distances and feed per
minute. Every tool, the first one too, is loaded with M6 and its length offset
taken with G43 H: LinuxCNC applies the offset from the next move, with no motion
of its own. Arcs are written exactly as for GRBL although LinuxCNC's radius
check is more lenient. No ``%`` lines: LinuxCNC does not need them. Files are ``.ngc``.
"""

from __future__ import annotations

from gcode.post.base import DialectRules, Post
from gcode.tooling import Machine
from gcode.toolpath import ToolChange

LINUXCNC_RULES = DialectRules(
    allowed_codes=None,  # LinuxCNC reads a superset of what plycut's reader follows
    allowed_letters=None,
    max_line_length=255,  # LINELEN in the rs274ngc interpreter
    # "Radius to end of arc differs from radius to start": GRBL's thresholds, a little stricter.
    arc_rule="radius",
)


class LinuxCncPost(Post):
    """LinuxCNC: G17 G21 G40 G49 G80 G90 G94 G54, T<n> M6 and G43 H<n> for every tool, M2."""

    dialect = "linuxcnc"
    file_extension = ".ngc"
    rules = LINUXCNC_RULES
    preamble = ("G17 {units} G40 G49 G80 G90 G94 G54",)

    def tool_change_lines(self, step: ToolChange, machine: Machine, width: int, *, first: bool) -> list[str]:
        tool = step.tool
        note = self.comment(self.tool_text(tool), width)
        lines = [f"T{tool.number} M6", f"G43 H{tool.number}"]
        return [note, *lines] if note else lines
