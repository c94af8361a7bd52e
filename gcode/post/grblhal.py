"""grblHAL (grblHAL/core): GRBL 1.1's language plus tool changes, canned cycles and I/O.

The post writes what the GRBL post writes -- the CAM still expands pecks into
G0/G1 -- except that a machine with an automatic tool changer gets ``T<n> M6``,
the first tool too, so the changer loads it. Whether the new tool's length is
then applied depends on the tool-change macro: a machine whose file says
``length_offset = true`` gets ``G43 H<n>`` after each M6 (the length from
grblHAL's tool table); otherwise the header says the macro must apply it (a
tool setter and G43.1, say). Without a changer there is no M6 either: grblHAL's
manual M6 depends on setting $341 (it may go to a change position and probe the
new tool, or do nothing on a build without the tool-change code), and a bare
pause would leave the new tool's length unknown. A later tool is changed as on
GRBL: a pause and a probe on the machine's touch plate
(Post.touch_plate_change_lines), refused without a plate.
"""

from __future__ import annotations

from gcode.post.base import DialectRules, Post
from gcode.post.grbl import GRBL_CODES
from gcode.tooling import Machine
from gcode.toolpath import ToolChange, ToolpathProgram

# grblHAL/core README: M6 and M61 (tool change, set current tool), canned cycles,
# M62-M68 digital and analog outputs, on top of everything GRBL 1.1 takes.
GRBLHAL_CODES = GRBL_CODES | frozenset(
    {
        "M6", "M61", "G43", "G73", "G81", "G82", "G83", "G85", "G86", "G89", "G98", "G99",
        *(f"M{n}" for n in range(62, 69)),
    }
)  # fmt: skip

GRBLHAL_RULES = DialectRules(
    allowed_codes=GRBLHAL_CODES,
    allowed_letters=frozenset("FHIJKLNPQRSTXYZ"),  # H: G43's tool; Q: G73/G83 peck depth, M66 timeout
    max_line_length=256,  # LINE_BUFFER_SIZE 257: 256 characters plus the terminator
    arc_rule="grbl",  # the same arc check as GRBL (error:33)
)
LENGTH_BY_MACRO_NOTE = "tool length: the tool-change macro must apply it - no G43 H here"


class GrblHalPost(Post):
    """grblHAL: the GRBL post, with ``T<n> M6`` (and ``G43 H<n>`` if asked) on a machine with a tool changer."""

    dialect = "grblhal"
    file_extension = ".nc"
    rules = GRBLHAL_RULES
    touch_plate_tool_change = True

    def header_lines(self, program: ToolpathProgram, machine: Machine, width: int) -> list[str]:
        """The usual comments; with a changer whose macro sets the length, a note saying so."""
        lines = super().header_lines(program, machine, width)
        note = self.comment(LENGTH_BY_MACRO_NOTE, width)
        if machine.tool_changer and not machine.tool_length_offset and note:
            lines.append(note)
        return lines

    def tool_change_lines(self, step: ToolChange, machine: Machine, width: int, *, first: bool) -> list[str]:
        if not machine.tool_changer:
            return super().tool_change_lines(step, machine, width, first=first)
        number = step.tool.number
        note = self.comment(self.tool_text(step.tool), width)
        # G43 applies the offset from the next move, with no motion of its own.
        length = [f"G43 H{number}"] if machine.tool_length_offset else []
        return [line for line in (note, f"T{number} M6", *length) if line]
