"""Mach3 and Mach4: the LinuxCNC dialect, with the arc centre mode set explicitly.

Whether Mach reads I/J as offsets from the start or as absolute points is a
setting of each installation ("IJ mode"), so the preamble says G91.1
(incremental I/J, as written) instead of trusting it. Tools change with
``T<n> M6`` (Mach's M6 macro) and take their length with G43 H, as on LinuxCNC.
G4's P is a setting too ("G04 Dwell param in ms"): it is written in seconds, the
RS274 meaning and Mach3's default, or in whole milliseconds for a machine whose
file says ``dwell_ms = true``; the header says which, for the operator to compare
with the machine's configuration. Files are ``.tap``.
"""

from __future__ import annotations

from gcode.post.base import DialectRules, milliseconds_dwell_line
from gcode.post.linuxcnc import LinuxCncPost
from gcode.tooling import Machine
from gcode.toolpath import ToolpathProgram

MACH3_RULES = DialectRules(
    allowed_codes=None,
    allowed_letters=None,
    max_line_length=None,
    arc_rule="radius",
    arc_centre_mode_required=True,  # the IJ mode is a setting of each installation
)
DWELL_NOTE = "dwell: G4 P in seconds - untick G04 Dwell param in ms in Mach's config"
DWELL_MS_NOTE = "dwell: G4 P in milliseconds - tick G04 Dwell param in ms in Mach's config"


class Mach3Post(LinuxCncPost):
    """Mach3/Mach4: LinuxCNC's preamble plus G91.1, T<n> M6 and G43 H<n>, M2."""

    dialect = "mach3"
    file_extension = ".tap"
    rules = MACH3_RULES
    preamble = ("G17 {units} G40 G49 G80 G90 G94 G54", "G91.1")

    def header_lines(self, program: ToolpathProgram, machine: Machine, width: int) -> list[str]:
        note = self.comment(DWELL_MS_NOTE if machine.dwell_ms else DWELL_NOTE, width)
        return [*super().header_lines(program, machine, width), *([note] if note else [])]

    def dwell_line(self, seconds: float, machine: Machine) -> str:
        """G4 P in the unit the machine's Mach reads it in: seconds, or milliseconds when set so."""
        return milliseconds_dwell_line(seconds) if machine.dwell_ms else super().dwell_line(seconds, machine)
