"""ShopBot OpenSBP (.sbp): two-letter commands with comma-separated arguments, not G-code.

What differs from the G-code posts, and why:

- Units are set on the control, not in the file. The header says which units the
  file is in and jumps to UNIT_ERROR when %(25), the control's unit setting
  (0 inches, 1 millimetres), disagrees; a machine with units = "in" gets inches.
- Speeds are modal settings in units per SECOND, not F words: MS,<xy>,<z> for
  moves, JS,<xy>,<z> for jogs. MS is written only when a move needs a change; the
  pair as last written is the render's modal "feed".
- Each move command names its axes: JZ/J2/J3 jog (rapid), MZ/M2/M3 move (feed),
  always with every coordinate the command takes. M3 is "move 3 axes", never a
  spindle: the spindle is TR,<rpm> then C6 (on) and C7 (off), custom cuts shipped
  with the control.
- Arcs are CG,,<end x>,<end y>,<I>,<J>,T,<1 clockwise | -1 counter-clockwise>, I/J
  incremental from the start, T for no tool compensation. CG cannot change Z, so
  helices (and every arc on a machine with arcs = false) are written as M3 lines.

How fast a move runs (see gcode.opensbp): M2 and CG at the XY move speed, MZ at the
Z move speed, and an M3 at the XY speed unless its Z component would exceed the Z
speed, which then slows the whole move. So an M3 sets the XY speed to its feed and
makes sure the Z speed lets its Z component through.

The base class's machinery does the rest, as for every dialect: positions rounded
as written, arcs recentred on the written ends, helices cut into chords within the
machine's tolerance, outputs, tool changes that forget the position. A tool change
is &Tool then custom cut 9 on a tool changer. Without one the first tool is named,
for the operator to load and zero before starting, and a later one is changed by
hand and measured with the control's own Z-zero routine, custom cut 2, on a machine
whose file declares the zero plate (touch_plate_change_lines).
"""

from __future__ import annotations

import math

from gcode.numbers import round_to
from gcode.opensbp import (
    LOAD_VARIABLES_CUT,
    SPINDLE_OFF_CUT,
    SPINDLE_ON_CUT,
    TOOL_CHANGE_CUT,
    UNIT_ERROR_CUT,
    UNIT_ERROR_LABEL,
    UNIT_HEADER,
    UNIT_SETTING,
    ZERO_Z_CUT,
)
from gcode.post.base import (
    DialectRules,
    OutputUnits,
    Post,
    ToolPosition,
    required_touch_plate,
    tool_change_height,
)
from gcode.tooling import Machine, Tool
from gcode.toolpath import ArcCut, Dwell, SpindleOn, Step, ToolChange, ToolpathProgram

SHOPBOT_RULES = DialectRules(
    allowed_codes=None,  # not G-code: the OpenSBP reader rejects every command it does not know
    allowed_letters=None,
    max_line_length=None,  # OpenSBP has no line buffer limit like GRBL's
    arc_rule=None,  # no documented radius check; CG centres are recomputed from the written ends anyway
    must_end=True,
)
# How far a speed in units per second may sit above a step of its last decimal and still
# count as that step: float noise, e.g. 7200 mm/min / 60 = 119.99999999999999.
SPEED_ROUNDING_SLACK = 1e-6
UNIT_NAMES = {"mm": "millimetres", "in": "inches"}


class ShopBotPost(Post):
    """ShopBot OpenSBP: SA, unit guard, MS/JS in units per second, J*/M* moves, CG arcs, C6/C7, END."""

    dialect = "shopbot"
    file_extension = ".sbp"
    rules = SHOPBOT_RULES
    touch_plate_tool_change = True  # with the control's Z-zero routine, custom cut 2
    preamble = ()
    program_end = "END"
    comment_open = "'"
    comment_close = ""
    # "Feeds" are the MS/JS speeds, per second: 0.001 mm/s is 0.06 mm/min, 0.0001 in/s 0.15 mm/min.
    feed_decimals = 3
    inch_feed_decimals = 4
    dwell_decimals = 2
    line_numbers_supported = False  # OpenSBP lines take no N words

    # -- hooks -----------------------------------------------------------------------

    def header_lines(self, program: ToolpathProgram, machine: Machine, width: int) -> list[str]:
        """Comments, units, absolute mode, the user variables, the unit guard and the jog speeds."""
        texts = [
            f"program: {program.name}",
            *(f"{key}: {value}" for key, value in program.header),
            self.tool_text(program.tool),
            "origin: X0 Y0 sheet lower-left corner, Z0 top of sheet",
        ]
        comments = [line for line in (self.comment(text, width) for text in texts) if line]
        units = self.output_units(machine)
        other_setting = 1 - UNIT_SETTING[machine.units]
        return [
            *comments,
            "'" + UNIT_HEADER[machine.units],
            "SA",  # absolute coordinates
            # As the Vectric and Autodesk ShopBot posts do before anything else; it moves nothing.
            f"CN,{LOAD_VARIABLES_CUT} 'custom cut {LOAD_VARIABLES_CUT}: load the control's user variables and offsets",
            f"IF %(25)={other_setting} THEN GOTO {UNIT_ERROR_LABEL}",
            f"JS,{self._speed(machine.max_feed_xy, units)},{self._speed(machine.max_feed_z, units)}",
        ]

    def tool_text(self, tool: Tool) -> str:
        """A tool as comments name it; the diameter says mm, whatever the file's units."""
        return f"tool {tool.number}: {tool.name}, diameter {self.number_text(tool.diameter, 3)} mm"

    def spindle_on_lines(self, step: SpindleOn, machine: Machine, width: int) -> list[str]:
        """TR sets the speed, custom cut 6 starts the spindle; a router with a dial gets a note instead of TR."""
        if not step.clockwise:
            raise ValueError("a ShopBot spindle turns clockwise only: C6 has no reverse")
        on = f"C{SPINDLE_ON_CUT}"
        if machine.manual_spindle:
            note = self.comment(f"set the spindle speed to {self.number_text(step.rpm, 0)} rpm by hand", width)
            return [note, on] if note else [on]
        low, high = machine.spindle_rpm
        if not (low <= step.rpm <= high) or step.rpm <= 0.0:
            raise ValueError(
                f"spindle speed {step.rpm:g} rpm is outside {machine.name}'s range {low:g}..{high:g} rpm"
            )
        return [f"TR,{self.number_text(step.rpm, 0)}", on]

    def spindle_off_lines(self) -> list[str]:
        return [f"C{SPINDLE_OFF_CUT}"]

    def dwell_line(self, seconds: float, machine: Machine) -> str:
        """PAUSE with a time waits that many seconds; without one it waits for the operator."""
        if seconds < 0.0:
            raise ValueError(f"dwell of {seconds:g} s: a dwell cannot be negative")
        return f"PAUSE {self.number_text(seconds, self.dwell_decimals)}"

    def tool_change_lines(self, step: ToolChange, machine: Machine, width: int, *, first: bool) -> list[str]:
        """&Tool and custom cut 9 on a tool changer; else as the base class: the first tool is a
        note, a later one a change by hand on the zero plate (touch_plate_change_lines)."""
        if not machine.tool_changer:
            return super().tool_change_lines(step, machine, width, first=first)
        note = self.comment(f"change to {self.tool_text(step.tool)}", width)
        return [line for line in (note, f"&Tool={step.tool.number}", f"C{TOOL_CHANGE_CUT}") if line]

    def touch_plate_change_lines(self, step: ToolChange, machine: Machine, width: int) -> list[str]:
        """A tool changed by hand, Z set anew by the control's Z-zero routine, custom cut 2.

        C7 stops the spindle (never trusting the toolpath: the operator's hands go to the
        collet); JZ up to where the plate fits under the bit (tool_change_height), J2 over
        the change position; the message as comments, which a PAUSE without a time waits
        on. C2 then plunges onto the zero plate and sets Z on the new tool, with the plate
        thickness, plunge depth and speeds of the control's own settings -- not the machine
        file's -- and leaves Z at its own pull-up height; JZ back up, in the new tool's
        coordinates, clear of the plate, and a second PAUSE to take the plate away. The file
        must still declare the plate ([tool_change] probe): plycut cannot know the control
        has the plate and its routine set up, and the wait height comes from the plate's
        travel. The toolpath's own SpindleOn and Dwell restart the spindle.
        """
        plate = required_touch_plate(step.tool, machine)
        units = self.output_units(machine)
        height = self._length_text(tool_change_height(machine, plate), units)
        x, y = (self._length_text(value, units) for value in machine.tool_change_xy)
        change = self.comment_lines((f"tool change: load {self.tool_text(step.tool)}",
                                     "lay the zero plate on the sheet under the bit, clip on, then continue"), width)
        remove = self.comment_lines(("remove the zero plate and its clip, then continue",), width)
        zero = f"C{ZERO_Z_CUT} 'custom cut {ZERO_Z_CUT}: zero Z on the plate with the control's plate settings"
        return [*self.spindle_off_lines(), f"JZ,{height}", f"J2,{x},{y}", *change, "PAUSE",
                zero, f"JZ,{height}", *remove, "PAUSE"]  # fmt: skip

    def postamble_lines(self, program: ToolpathProgram, machine: Machine, position: ToolPosition) -> list[str]:
        """Safe Z, spindle off, park, END -- then the handler the unit guard jumps to."""
        units = UNIT_NAMES[machine.units]
        message = self.comment(f"this file is in {units}: set the control to {units}, then run it again",
                               self.line_width(machine))  # fmt: skip
        return [
            *super().postamble_lines(program, machine, position),
            f"{UNIT_ERROR_LABEL}:",
            message,
            f"CN,{UNIT_ERROR_CUT} 'custom cut {UNIT_ERROR_CUT}: the control explains the unit error",
            self.program_end,
        ]

    # -- the shared machinery, in OpenSBP --------------------------------------------------

    def step_lines(self, step: Step, position: ToolPosition, machine: Machine, width: int) -> list[str]:
        """As the base class, but a helix is always written as lines and a zero dwell not at all."""
        if isinstance(step, Dwell) and 0.0 <= step.seconds and round_to(step.seconds, self.dwell_decimals) == 0.0:
            return []  # nothing to wait for, and a PAUSE without its time would wait for the operator
        if isinstance(step, ArcCut) and None not in position.written and self._changes_z(step.z, position):
            self._require_circular(step, position)
            return self._linearised_arc_lines(step, position, machine.arc_tolerance)
        return super().step_lines(step, position, machine, width)

    def _motion_lines(
        self, kind: str, targets: dict[str, float], position: ToolPosition, feed: float | None = None
    ) -> list[str]:
        """A jog or a move with every coordinate its command takes, and MS first when needed."""
        start = tuple(position.written)
        changed = "".join(axis for axis, _ in self._advance(targets, position))
        if not changed:
            return []  # zero length once rounded: nothing the controller could do
        if kind == "rapid":
            return [self._command("J", changed, position)]
        if changed == "Z":
            speeds = self._speed_lines(position, z=feed)
        elif "Z" not in changed:
            speeds = self._speed_lines(position, xy=feed)
        else:
            # The Z component of the move as written: the control caps it at the Z speed.
            drop = abs(position.written[2] - start[2])
            speeds = self._speed_lines(position, xy=feed, z_at_least=feed * drop / math.dist(start, position.written))
        return [*speeds, self._command("M", changed, position)]

    def _arc_lines(self, step: ArcCut, position: ToolPosition) -> list[str]:
        """CG with its end, the centre offset from the start and the direction; Z stays (see step_lines)."""
        if self._changes_z(step.z, position):
            raise ValueError(f"{step}: CG cannot change Z; a helix must be written as lines")
        units = position.units
        offsets = ",".join(
            self.number_text(round_to(offset, units.centre_decimals), units.centre_decimals)
            for offset in self._centre_offsets(step, position)
        )
        self._advance({"X": step.x, "Y": step.y, "Z": step.z}, position)
        speeds = self._speed_lines(position, xy=step.feed)
        direction = 1 if step.clockwise else -1
        return [*speeds, f"CG,,{self._coordinates('XY', position)},{offsets},T,{direction}"]

    @staticmethod
    def _changes_z(z: float, position: ToolPosition) -> bool:
        units = position.units
        return round_to(z * units.per_mm, units.coordinate_decimals) != position.written[2]

    def _coordinates(self, axes: str, position: ToolPosition) -> str:
        decimals = position.units.coordinate_decimals
        return ",".join(self.number_text(position.written["XYZ".index(axis)], decimals) for axis in axes)

    def _command(self, prefix: str, changed: str, position: ToolPosition) -> str:
        """J or M with its axes: Z alone, XY (2) when both are known, all three (3), or X or Y alone."""
        if changed == "Z":
            return f"{prefix}Z,{self._coordinates('Z', position)}"
        known_xy = "".join(axis for axis in "XY" if position.written["XYZ".index(axis)] is not None)
        if "Z" in changed:
            if known_xy != "XY":
                raise ValueError(f"a move of Z and {changed[:-1]} from an unknown X or Y: {prefix}3 needs all three")
            return f"{prefix}3,{self._coordinates('XYZ', position)}"
        if known_xy == "XY":
            return f"{prefix}2,{self._coordinates('XY', position)}"
        return f"{prefix}{changed},{self._coordinates(changed, position)}"  # JX or JY before the other is known

    # -- speeds ------------------------------------------------------------------------

    def _speed(self, mm_per_min: float, units: OutputUnits, *, round_up: bool = False) -> str:
        """mm/min as units per second. A speed a move runs at is rounded down (never faster than
        the toolpath asks); a cap that must not slow a move is rounded up."""
        scale = 10**units.feed_decimals
        steps = mm_per_min * units.per_mm / 60.0 * scale
        rounded = math.ceil(steps - SPEED_ROUNDING_SLACK) if round_up else math.floor(steps + SPEED_ROUNDING_SLACK)
        if rounded <= 0:
            raise ValueError(f"feed {mm_per_min:g} mm/min is too slow to write in units per second")
        return self.number_text(rounded / scale, units.feed_decimals)

    def _speed_lines(
        self,
        position: ToolPosition,
        *,
        xy: float | None = None,
        z: float | None = None,
        z_at_least: float | None = None,
    ) -> list[str]:
        """MS when the move needs other speeds than the control has (mm/min in, per second out).

        A speed never set before that this move does not use takes the one it does: MS
        sets both, and every later move sets what it runs at."""
        units = position.units
        old_xy, old_z = position.feed.split(",") if position.feed else (None, None)
        new_xy = self._speed(xy, units) if xy is not None else old_xy
        new_z = self._speed(z, units) if z is not None else old_z
        z_needed = 0.0 if z_at_least is None else z_at_least * units.per_mm / 60.0  # per second
        if z_needed > 0.0 and (new_z is None or float(new_z) < z_needed):
            new_z = self._speed(z_at_least, units, round_up=True)
        speeds = f"{new_xy or new_z},{new_z or new_xy}"
        if speeds == position.feed:
            return []
        position.feed = speeds
        return [f"MS,{speeds}"]
