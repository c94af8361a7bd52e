"""GRBL 1.1 (gnea/grbl): the base post as it is, plus what GRBL accepts.

GRBL has no tool changer (M6 is an error), no canned cycles and no cutter
compensation; arcs are G2/G3 with incremental I/J, its power-on default. A tool
changed in mid-program is a pause for the operator and a probe on the machine's
touch plate that sets Z anew (Post.touch_plate_change_lines); without a plate,
refused: one program per tool.
"""

from __future__ import annotations

from gcode.post.base import DialectRules, Post

# The G-code list of the gnea/grbl wiki ("Commands"); anything else is error:20.
GRBL_CODES = frozenset(
    {
        *(f"G{n}" for n in (0, 1, 2, 3, 4, 10, 17, 18, 19, 20, 21, 28, 30, 40, 49, 53, 61, 80, 90, 91, 93, 94)),
        "G28.1", "G30.1", "G38.2", "G38.3", "G38.4", "G38.5", "G43.1", "G91.1", "G92", "G92.1",
        *(f"G{n}" for n in range(54, 60)),
        *(f"M{n}" for n in (0, 1, 2, 30, 3, 4, 5, 7, 8, 9, 56)),
    }
)  # fmt: skip

GRBL_RULES = DialectRules(
    allowed_codes=GRBL_CODES,
    allowed_letters=frozenset("FIJKLNPRSTXYZ"),
    # LINE_BUFFER_SIZE is 80 including the terminating NUL (protocol.c), so a
    # line may keep 79 characters once spaces and comments are dropped.
    max_line_length=79,
    arc_rule="grbl",
    must_end=True,
)


class GrblPost(Post):
    """GRBL 1.1: mm, absolute, G2/G3 with incremental I/J, M3 S, G4 P in seconds, M2."""

    dialect = "grbl"
    file_extension = ".nc"
    rules = GRBL_RULES
    touch_plate_tool_change = True
