"""grblHAL (grblHAL/core): GRBL 1.1's language plus tool changes, canned cycles and I/O.

The post writes what the GRBL post writes -- the CAM still expands pecks into
G0/G1 -- except that a machine with an automatic tool changer gets ``T<n> M6``,
the first tool too, so the changer loads it. Without a changer a change stays
GRBL's pause (a message, then M0): grblHAL's manual M6 depends on setting $341
(it may go to a change position and probe the new tool, or do nothing on a
build without the tool-change code), while M0 pauses the same way everywhere.
"""

from __future__ import annotations

from gcode.post.base import DialectRules, Post
from gcode.post.grbl import GRBL_CODES
from gcode.tooling import Machine
from gcode.toolpath import ToolChange

# grblHAL/core README: M6 and M61 (tool change, set current tool), canned cycles,
# M62-M68 digital and analog outputs, on top of everything GRBL 1.1 takes.
GRBLHAL_CODES = GRBL_CODES | frozenset(
    {
        "M6", "M61", "G73", "G81", "G82", "G83", "G85", "G86", "G89", "G98", "G99",
        *(f"M{n}" for n in range(62, 69)),
    }
)  # fmt: skip

GRBLHAL_RULES = DialectRules(
    allowed_codes=GRBLHAL_CODES,
    allowed_letters=frozenset("FIJKLNPQRSTXYZ"),  # Q: G73/G83 peck depth, M66 timeout
    max_line_length=256,  # LINE_BUFFER_SIZE 257: 256 characters plus the terminator
    arc_rule="grbl",  # the same arc check as GRBL (error:33)
)


class GrblHalPost(Post):
    """grblHAL: the GRBL post, with ``T<n> M6`` on a machine with a tool changer."""

    dialect = "grblhal"
    file_extension = ".nc"
    rules = GRBLHAL_RULES

    def tool_change_lines(self, step: ToolChange, machine: Machine, width: int, *, first: bool) -> list[str]:
        if not machine.tool_changer:
            return super().tool_change_lines(step, machine, width, first=first)
        note = self.comment(self.tool_text(step.tool), width)
        return [line for line in (note, f"T{step.tool.number} M6") if line]
