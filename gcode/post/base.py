"""What every post-processor shares: a dialect is settings plus a few hooks.

A dialect module subclasses :class:`Post`, sets its class attributes (file
extension, preamble, precision, the rules the program checker applies) and
overrides only the hooks where its syntax differs from the RS274 common ground
written here -- the shape of FreeCAD's class-based posts. The base class keeps
the state that makes output correct whatever the dialect: the position as
written (rounded), modal feed, arc centres recomputed from the written ends.
What a machine asks for is done here once for every dialect: inch output
(G20, every length converted at the last moment), N line numbers, arcs written
as lines for a controller without G2/G3, and the vacuum and dust outputs.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field, replace
from typing import ClassVar

from gcode.arcs import sample_arc
from gcode.numbers import format_number, round_to
from gcode.tooling import Machine, OutputSwitch, Tool, TouchPlate
from gcode.toolpath import (
    ArcCut,
    Comment,
    Cut,
    Dwell,
    Rapid,
    SpindleOff,
    SpindleOn,
    Step,
    ToolChange,
    ToolpathProgram,
)
from nester.errors import InputError

AXES = "XYZ"
# An IR arc whose two radii differ by more than this is not an arc: a bug upstream.
ARC_RADIUS_TOLERANCE = 1e-3
MM_PER_INCH = 25.4
# Lines starting with one of these letters are blocks a controller runs: they get an
# N word when the machine asks for line numbers; comments, "%" and "O" lines do not.
NUMBERED_BLOCK_STARTS = frozenset("GMTSFXYZ")


@dataclass(frozen=True)
class DialectRules:
    """What a controller accepts, in the terms the program checker needs.

    allowed_codes: G and M codes as the reader names them ("G1", "G38.2");
    None accepts every code the reader understands but those only some
    controllers have (gcode.reader.LISTED_ONLY_CODES: Marlin's M84), which a
    dialect must list. max_line_length counts the characters the controller
    keeps after dropping spaces and comments.
    arc_rule: the check of an arc whose ends are not on one circle, with GRBL's
    thresholds: "grbl" says error:33, "radius" says it in general; None none.
    must_end: the program must end with M2 or M30 (Marlin has neither).
    one_command_per_line: the controller runs only the first G/M/T command of a
    line and keeps no motion mode, so every line names its one command (Marlin).
    message_codes: codes followed by free text the controller shows (Marlin's M0).
    dwell_word: the G4 word holding the dwell time; dwell_in_milliseconds: that
    word counts whole milliseconds (Fanuc's P) rather than seconds.
    dwell_seconds_word: a G4 word giving the time in seconds whatever dwell_word
    counts, and then no axis (Fanuc's ``G4 X2.``); None if there is none.
    paren_comments: '(' opens a comment; False where it does not (stock Marlin,
    PAREN_COMMENTS off, reads the words inside as parameters).
    decimal_point_letters: words whose number must carry a decimal point (a
    Fanuc without calculator-style input reads ``X40`` as 40 least increments).
    arc_centre_mode_required: the program must say G90.1 or G91.1 before its
    first arc, the controller's own default being a setting (Mach3's IJ mode).
    """

    allowed_codes: frozenset[str] | None
    allowed_letters: frozenset[str] | None
    max_line_length: int | None
    arc_rule: str | None
    must_end: bool = True
    one_command_per_line: bool = False
    message_codes: frozenset[str] = frozenset()
    dwell_word: str = "P"
    dwell_in_milliseconds: bool = False
    dwell_seconds_word: str | None = None
    paren_comments: bool = True
    decimal_point_letters: frozenset[str] = frozenset()
    arc_centre_mode_required: bool = False

    def for_machine(self, machine: Machine) -> DialectRules:
        """These rules as ``machine``'s controller is set up: G4 P in milliseconds where
        its configuration says so (``dwell_ms``, Mach3's "G04 Dwell param in ms")."""
        if machine.dwell_ms and self.dwell_word == "P" and not self.dwell_in_milliseconds:
            return replace(self, dwell_in_milliseconds=True)
        return self


@dataclass(frozen=True)
class OutputUnits:
    """How lengths are written: the units word, the factor from mm and the decimals."""

    word: str  # "G21" or "G20"
    per_mm: float  # output units in one mm
    coordinate_decimals: int
    centre_decimals: int
    feed_decimals: int

    @property
    def rounding_mm(self) -> float:
        """How far, in mm, a written coordinate may be from the exact one: half its last digit."""
        return 0.5 * 10.0**-self.coordinate_decimals / self.per_mm


MILLIMETRES = OutputUnits("G21", 1.0, coordinate_decimals=3, centre_decimals=4, feed_decimals=1)


@dataclass(frozen=True)
class MotionBlock:
    """One move reduced to the words a dialect must write: only what changes."""

    kind: str  # "rapid" | "feed" | "arc"
    axes: tuple[tuple[str, str], ...]  # (letter, number) of the axes that move
    centre: tuple[tuple[str, str], ...] = ()  # (letter, number) of an arc's centre offset
    clockwise: bool = False
    feed: str | None = None  # the feed number when it changes, else None


@dataclass
class ToolPosition:
    """The state of one render: where the tool is, as the toolpath says (exact, mm) and
    as the program says (written, rounded, in the output units), and the modal feed."""

    exact: list[float | None] = field(default_factory=lambda: [None, None, None])
    written: list[float | None] = field(default_factory=lambda: [None, None, None])
    feed: str | None = None
    tool_changed: bool = False  # a ToolChange has been written: the next one is a real change
    units: OutputUnits = MILLIMETRES
    outputs_on: bool = False  # the vacuum and dust outputs have been switched on

    def forget(self) -> None:
        """The tool may have moved without the program: an M6 going to its change
        position, an operator jogging during a pause. The next move must set Z first."""
        self.exact = [None, None, None]
        self.written = [None, None, None]


def plain_ascii(text: str) -> str:
    """``text`` made safe inside any dialect's comment: ASCII, one line, no parentheses.

    Accents are transliterated ("é" -> "e"), other non-ASCII characters dropped,
    parentheses become brackets (a ")" would end a comment early) and control
    characters, newlines included, become single spaces.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii")
    bracketed = ascii_text.replace("(", "[").replace(")", "]")
    printable = "".join(ch if ch.isprintable() else " " for ch in bracketed)
    return " ".join(printable.split())


def recentre_arc(
    start: tuple[float, float], end: tuple[float, float], centre: tuple[float, float]
) -> tuple[float, float]:
    """The point nearest ``centre`` that is equally far from the written ``start`` and ``end``.

    Rounding the endpoints moves them off the original circle; a centre on the
    perpendicular bisector of the rounded chord makes both radii equal again, so
    a controller's radius check (GRBL error:33) passes whatever the rounding did.
    Taking the bisector point nearest the original centre, rather than the one
    at the original radius, matters near 180 degrees: there, keeping the radius
    would push the centre off the chord by sqrt(2 * r * rounding) -- 0.3 mm for
    r = 100 -- while this moves it by no more than the rounding itself.
    """
    mid_x, mid_y = (start[0] + end[0]) / 2.0, (start[1] + end[1]) / 2.0
    chord_x, chord_y = end[0] - start[0], end[1] - start[1]
    chord = math.hypot(chord_x, chord_y)
    normal_x, normal_y = -chord_y / chord, chord_x / chord
    along_normal = (centre[0] - mid_x) * normal_x + (centre[1] - mid_y) * normal_y
    return mid_x + along_normal * normal_x, mid_y + along_normal * normal_y


class Post:
    """A post-processor: toolpath program in, program text out.

    Class attributes are the dialect's settings. The hooks a dialect may
    override: comment, header_lines, preamble_lines, number_text, format_motion,
    spindle_on_lines, tool_change_lines (touch_plate_change_lines for a change by
    hand), spindle_off_lines, dwell_line, postamble_lines (made of park_lines and
    end_lines). Instances hold no state,
    so one instance serves every render.
    """

    dialect: ClassVar[str] = ""
    file_extension: ClassVar[str] = ".nc"
    rules: ClassVar[DialectRules]
    # {units} is G21 (mm) or G20 (inches); then absolute, XY plane, feed per minute, and the
    # G54 work offset -- the one the operator zeroes on the sheet, whatever a previous job left.
    preamble: ClassVar[tuple[str, ...]] = ("{units} G90 G17 G94 G54",)
    program_end: ClassVar[str] = "M2"  # "" writes no end code
    coordinate_decimals: ClassVar[int] = 3
    centre_decimals: ClassVar[int] = 4  # 3 would break GRBL's radius check on small arcs
    feed_decimals: ClassVar[int] = 1
    # Inches are 25.4 times coarser: one more decimal keeps the same resolution; feeds
    # get three so that rounding stays within the checker's 0.05 mm/min.
    inch_coordinate_decimals: ClassVar[int] = 4
    inch_centre_decimals: ClassVar[int] = 5
    inch_feed_decimals: ClassVar[int] = 3
    dwell_decimals: ClassVar[int] = 3
    max_line_length: ClassVar[int] = 80
    line_numbers_supported: ClassVar[bool] = True
    # N words go up by this step and start again from it past the largest number the
    # controller takes (LinuxCNC and Fanuc stop at 99999): they label lines, nothing counts them.
    line_number_step: ClassVar[int] = 10
    max_line_number: ClassVar[int] = 99999
    comment_open: ClassVar[str] = "("
    comment_close: ClassVar[str] = ")"
    motion_words: ClassVar[dict[str, str]] = {"rapid": "G0", "feed": "G1", "cw": "G2", "ccw": "G3"}
    # Without a tool changer, a later tool is changed by hand and measured on the machine's touch
    # plate ([tool_change] probe; touch_plate_change_lines); False: refused, one program per tool.
    touch_plate_tool_change: ClassVar[bool] = False

    def render(self, program: ToolpathProgram, machine: Machine) -> str:
        """The program text for ``machine``, each line ending with a newline.

        Raises ValueError for a toolpath no controller should receive (an XY move
        before Z is known, a full circle, a spindle speed the machine cannot
        run): those are bugs upstream, never something to write anyway.
        """
        width = self.line_width(machine)
        position = ToolPosition(units=self.output_units(machine))
        lines = [*self.header_lines(program, machine, width), *self.preamble_lines(machine)]
        for step in program.steps:
            lines.extend(self.step_lines(step, position, machine, width))
        lines.extend(self.postamble_lines(program, machine, position))
        if machine.line_numbers:
            lines = self.numbered(lines, machine)
        for line in lines:
            if len(line) > width:
                raise ValueError(f"{program.name}: line {line!r} is longer than {width} characters")
        return "".join(line + "\n" for line in lines)

    def line_width(self, machine: Machine) -> int:
        """The longest line this dialect may write for ``machine``."""
        return min(self.max_line_length, machine.line_limit)

    def output_units(self, machine: Machine) -> OutputUnits:
        """How this dialect writes lengths for ``machine`` (its ``units``: "mm" or "in")."""
        if machine.units == "mm":
            return OutputUnits("G21", 1.0, self.coordinate_decimals, self.centre_decimals, self.feed_decimals)
        if machine.units == "in":
            return OutputUnits("G20", 1.0 / MM_PER_INCH, self.inch_coordinate_decimals,
                               self.inch_centre_decimals, self.inch_feed_decimals)  # fmt: skip
        raise ValueError(f"{machine.name}: units {machine.units!r} are neither 'mm' nor 'in'")

    def numbered(self, lines: list[str], machine: Machine) -> list[str]:
        """``lines`` with an N word before every block (N10, N20, ...)."""
        if not self.line_numbers_supported:
            raise InputError(
                f"machine {machine.id}: key 'controller.line_numbers': {self.dialect} takes no line numbers"
            )
        result = []
        number = 0
        for line in lines:
            if line[:1] in NUMBERED_BLOCK_STARTS:
                number += self.line_number_step
                if number > self.max_line_number:
                    number = self.line_number_step
                line = f"N{number} {line}"
            result.append(line)
        return result

    # -- hooks -----------------------------------------------------------------

    def comment(self, text: str, width: int) -> str | None:
        """A comment line holding ``text`` cut to ``width`` characters; None if nothing is left."""
        clean = plain_ascii(text)
        if not clean:
            return None
        room = width - len(self.comment_open) - len(self.comment_close)
        return f"{self.comment_open}{clean[:room].rstrip()}{self.comment_close}"

    def comment_lines(self, texts: tuple[str, ...], width: int) -> list[str]:
        """One comment line per text, leaving out those with nothing left to say."""
        return [line for line in (self.comment(text, width) for text in texts) if line]

    def header_lines(self, program: ToolpathProgram, machine: Machine, width: int) -> list[str]:
        """Comments naming the program, its header pairs, the tool and the origin."""
        texts = [
            f"program: {program.name}",
            *(f"{key}: {value}" for key, value in program.header),
            f"tool: {program.tool.name}, D{format_number(program.tool.diameter, self.coordinate_decimals)}",
            "origin: X0 Y0 sheet lower-left corner, Z0 top of sheet",
        ]
        return [line for line in (self.comment(text, width) for text in texts) if line]

    def preamble_lines(self, machine: Machine) -> list[str]:
        """The modes set before the first move, in the machine's units."""
        return [line.format(units=self.output_units(machine).word) for line in self.preamble]

    def number_text(self, value: float, decimals: int) -> str:
        """A length or feed as written (already rounded and in the output units)."""
        return format_number(value, decimals)

    def format_motion(self, block: MotionBlock) -> str:
        """One motion line; the motion word is repeated on every line on purpose."""
        if block.kind == "arc":
            word = self.motion_words["cw" if block.clockwise else "ccw"]
        else:
            word = self.motion_words[block.kind]
        words = [word, *(letter + number for letter, number in (*block.axes, *block.centre))]
        if block.feed is not None:
            words.append("F" + block.feed)
        return " ".join(words)

    def spindle_on_lines(self, step: SpindleOn, machine: Machine, width: int) -> list[str]:
        """Start the spindle; a router with a manual speed dial gets the speed as a comment."""
        word = "M3" if step.clockwise else "M4"
        low, high = machine.spindle_rpm
        if machine.manual_spindle:
            note = self.comment(f"set the spindle speed to {format_number(step.rpm, 0)} rpm by hand", width)
            return [note, word] if note else [word]
        if not (low <= step.rpm <= high) or step.rpm <= 0.0:
            raise ValueError(
                f"spindle speed {step.rpm:g} rpm is outside {machine.name}'s range {low:g}..{high:g} rpm"
            )
        return [f"{word} S{format_number(step.rpm, 0)}"]

    def tool_change_lines(self, step: ToolChange, machine: Machine, width: int, *, first: bool) -> list[str]:
        """The operator loads the first tool, and zeroes Z on it, before starting.

        There is no M6 here (GRBL rejects it). A later tool is changed by hand and measured
        on the machine's touch plate where the dialect can (touch_plate_change_lines); else
        it is refused: a bare pause (M0) would resume with the new tool's length unknown --
        nothing zeroes Z again, and in GRBL's Hold the operator cannot even jog ($J is
        refused outside Idle and Jog) -- so a longer tool would rapid into the sheet."""
        if first:
            line = self.comment(f"load {self.tool_text(step.tool)}", width)
            return [line] if line else []
        if machine.tool_changer:
            raise tool_change_refused(step.tool, machine, f"{self.dialect} has no M6 to run one")
        if self.touch_plate_tool_change:
            return self.touch_plate_change_lines(step, machine, width)
        raise tool_change_refused(step.tool, machine, "it has no tool changer")

    def touch_plate_change_lines(self, step: ToolChange, machine: Machine, width: int) -> list[str]:
        """A tool changed by hand in mid-program, its length measured on the touch plate.

        Each line, as GRBL 1.1 runs it (gnea/grbl gcode.c, doc/markdown/commands.md):
        M5, because M0 is a feed hold that leaves the spindle turning under the operator's
        hands; G0 up to the wait height (tool_change_height) -- the plate must fit under the
        bit -- and then over the change position, since in Hold the operator cannot jog;
        the message, as comments, and M0. On cycle start, G38.2 probes down at most the
        plate's travel: its target is in work coordinates, where the old tool's Z says
        nothing about the new tool's tip, so G91 makes it relative to wherever that tip is,
        and G90 restores absolute distances. No contact within the travel is ALARM:5 (a
        tripped probe at the start ALARM:4): the program stops before anything cuts. Where
        the tip touches, the plate's top is ``thickness`` above the sheet's top (work Z0):
        G10 L20 P0 Z<thickness> makes that the current work Z by moving the offset of the
        active work frame (P0: "Index P0 as the active coordinate system", gcode.c; G54 from
        the preamble) -- a settings write, kept in EEPROM, which a sender must stream on its
        own, waiting for its ok (interface.md, "EEPROM Issues"). Then G0 back up to the wait
        height, now in the new tool's coordinates, clear of the plate, and a second pause to
        take the plate away. The toolpath's own SpindleOn and Dwell after the ToolChange
        restart the spindle. grblHAL's parser does the same with these lines.
        """
        plate = required_touch_plate(step.tool, machine)
        units = self.output_units(machine)
        height = self._length_text(tool_change_height(machine, plate), units)
        x, y = machine.tool_change_xy
        feed = self.number_text(round_to(plate.feed * units.per_mm, units.feed_decimals), units.feed_decimals)
        up = self.format_motion(MotionBlock("rapid", (("Z", height),)))
        over = self.format_motion(MotionBlock("rapid", (("X", self._length_text(x, units)),
                                                        ("Y", self._length_text(y, units)))))  # fmt: skip
        lay = f"lay the {format_number(plate.thickness, 3)} mm touch plate on the sheet under the bit, then resume"
        change = self.comment_lines((f"tool change: load {self.tool_text(step.tool)}", lay), width)
        remove = self.comment_lines(("remove the touch plate, then resume",), width)
        return [
            *self.spindle_off_lines(), up, over, *change, "M0",
            f"G91 G38.2 Z{self._length_text(-plate.travel, units)} F{feed}", "G90",
            f"G10 L20 P0 Z{self._length_text(plate.thickness, units)}",
            up, *remove, "M0",
        ]  # fmt: skip

    def _length_text(self, mm: float, units: OutputUnits) -> str:
        """A length in mm as written in the program's units."""
        return self.number_text(round_to(mm * units.per_mm, units.coordinate_decimals), units.coordinate_decimals)

    def tool_text(self, tool: Tool) -> str:
        """How a comment names a tool: "tool 2: 6 mm up-cut, D6"."""
        return f"tool {tool.number}: {tool.name}, D{format_number(tool.diameter, self.coordinate_decimals)}"

    def spindle_off_lines(self) -> list[str]:
        """Stop the spindle."""
        return ["M5"]

    def dwell_line(self, seconds: float, machine: Machine) -> str:
        """Wait ``seconds`` (G4's P is seconds in GRBL and LinuxCNC)."""
        if seconds < 0.0:
            raise ValueError(f"dwell of {seconds:g} s: a dwell cannot be negative")
        return f"G4 P{format_number(seconds, self.dwell_decimals)}"

    def postamble_lines(self, program: ToolpathProgram, machine: Machine, position: ToolPosition) -> list[str]:
        """Retract to safe Z, stop the spindle, switch the outputs off, park, end the program."""
        lines: list[str] = []
        safe_z = round_to(program.safe_z * position.units.per_mm, position.units.coordinate_decimals)
        current_z = position.written[2]
        if current_z is None or current_z < safe_z:
            lines.extend(self._motion_lines("rapid", {"Z": program.safe_z}, position))
        lines.extend(self.spindle_off_lines())
        if position.outputs_on:
            lines.extend(switch.off for switch in output_switches(machine))
            position.outputs_on = False
        lines.extend(self.park_lines(machine, position))
        lines.extend(self.end_lines())
        return lines

    def park_lines(self, machine: Machine, position: ToolPosition) -> list[str]:
        """Move to the machine's park position (the tool is at safe Z)."""
        park_x, park_y = machine.park
        return self._motion_lines("rapid", {"X": park_x, "Y": park_y}, position)

    def end_lines(self) -> list[str]:
        """End the program."""
        return [self.program_end] if self.program_end else []

    # -- the shared machinery ------------------------------------------------------

    def step_lines(self, step: Step, position: ToolPosition, machine: Machine, width: int) -> list[str]:
        """The lines of one toolpath step (none for a move that rounds to nothing)."""
        if isinstance(step, Rapid):
            targets = {axis: value for axis, value in zip(AXES, (step.x, step.y, step.z)) if value is not None}
            if position.written[2] is None and ("X" in targets or "Y" in targets):
                raise ValueError(
                    f"XY rapid {step} before Z is known: the first motion must be a Z-only rapid"
                )
            return self._motion_lines("rapid", targets, position)
        if isinstance(step, Cut):
            self._require_known_position(step, position)
            return self._motion_lines("feed", {"X": step.x, "Y": step.y, "Z": step.z}, position, feed=step.feed)
        if isinstance(step, ArcCut):
            self._require_known_position(step, position)
            self._require_circular(step, position)
            if machine.arcs:
                return self._arc_lines(step, position)
            return self._linearised_arc_lines(step, position, machine.arc_tolerance)
        if isinstance(step, SpindleOn):
            switches: list[str] = []
            if not position.outputs_on:
                # Vacuum and extraction run before the cutter turns and until the end.
                switches = [switch.on for switch in output_switches(machine)]
                position.outputs_on = True
            return [*switches, *self.spindle_on_lines(step, machine, width)]
        if isinstance(step, SpindleOff):
            return self.spindle_off_lines()
        if isinstance(step, Dwell):
            return [self.dwell_line(step.seconds, machine)]
        if isinstance(step, Comment):
            line = self.comment(step.text, width)
            return [line] if line else []
        if isinstance(step, ToolChange):
            first = not position.tool_changed
            position.tool_changed = True
            lines = self.tool_change_lines(step, machine, width, first=first)
            position.forget()
            # A changer's macro or a probe (G38.2 F) may leave another modal feed: F again on the next cut.
            position.feed = None
            return lines
        raise TypeError(f"unknown toolpath step {step!r}")

    @staticmethod
    def _require_known_position(step: Step, position: ToolPosition) -> None:
        if None in position.written:
            raise ValueError(f"{step} starts from an unknown position: rapid to X, Y and Z first")

    @staticmethod
    def _require_circular(step: ArcCut, position: ToolPosition) -> None:
        radius_start = math.hypot(position.exact[0] - step.cx, position.exact[1] - step.cy)
        radius_end = math.hypot(step.x - step.cx, step.y - step.cy)
        if abs(radius_start - radius_end) > ARC_RADIUS_TOLERANCE:
            raise ValueError(
                f"{step}: radius {radius_start:.4f} at the start but {radius_end:.4f} at the end"
            )

    def _feed_word(self, feed: float, position: ToolPosition) -> str | None:
        units = position.units
        text = self.number_text(round_to(feed * units.per_mm, units.feed_decimals), units.feed_decimals)
        if float(text) <= 0.0:
            raise ValueError(f"feed {feed:g} mm/min: a feed move needs a positive feed")
        if text == position.feed:
            return None
        position.feed = text
        return text

    def _advance(self, targets: dict[str, float], position: ToolPosition) -> tuple[tuple[str, str], ...]:
        """Move ``position`` to ``targets``; return the axis words that change as written."""
        changed = []
        units = position.units
        for index, axis in enumerate(AXES):
            if axis not in targets:
                continue
            rounded = round_to(targets[axis] * units.per_mm, units.coordinate_decimals)
            if rounded != position.written[index]:
                changed.append((axis, self.number_text(rounded, units.coordinate_decimals)))
            position.exact[index] = targets[axis]
            position.written[index] = rounded
        return tuple(changed)

    def _motion_lines(
        self, kind: str, targets: dict[str, float], position: ToolPosition, feed: float | None = None
    ) -> list[str]:
        axes = self._advance(targets, position)
        if not axes:
            return []  # zero length once rounded: nothing the controller could do
        feed_text = self._feed_word(feed, position) if feed is not None else None
        return [self.format_motion(MotionBlock(kind, axes, feed=feed_text))]

    def _arc_lines(self, step: ArcCut, position: ToolPosition) -> list[str]:
        units = position.units
        offsets = self._centre_offsets(step, position)
        centre = tuple(
            (letter, self.number_text(round_to(offset, units.centre_decimals), units.centre_decimals))
            for letter, offset in zip("IJ", offsets)
        )
        axes = self._advance({"X": step.x, "Y": step.y, "Z": step.z}, position)
        feed_text = self._feed_word(step.feed, position)
        return [self.format_motion(MotionBlock("arc", axes, centre, step.clockwise, feed_text))]

    @staticmethod
    def _centre_offsets(step: ArcCut, position: ToolPosition) -> tuple[float, float]:
        """The arc's centre from its start as written, recentred on the endpoints as written (in
        program units, not yet rounded): the controller checks the radius against those."""
        units = position.units
        written_start = (position.written[0], position.written[1])
        written_end = (
            round_to(step.x * units.per_mm, units.coordinate_decimals),
            round_to(step.y * units.per_mm, units.coordinate_decimals),
        )
        if written_end == written_start:
            raise ValueError(
                f"{step}: start and end coincide once rounded; full circles must be split upstream"
            )
        exact_centre = (step.cx * units.per_mm, step.cy * units.per_mm)
        centre_x, centre_y = recentre_arc(written_start, written_end, exact_centre)
        return centre_x - written_start[0], centre_y - written_start[1]

    def _linearised_arc_lines(self, step: ArcCut, position: ToolPosition, tolerance: float) -> list[str]:
        """The arc as straight feed moves that stay within ``tolerance`` mm of it.

        Each written point may sit up to half a last digit off in X and in Y, so the
        chords are taken that much closer to the arc; Z changes evenly along a helix.
        """
        chord_error = tolerance - math.sqrt(2.0) * position.units.rounding_mm
        if chord_error <= 0.0:
            raise ValueError(f"arc tolerance {tolerance:g} mm is finer than the program's resolution")
        start = (position.exact[0], position.exact[1])
        start_z = position.exact[2]
        points = sample_arc(start, (step.x, step.y), (step.cx, step.cy), step.clockwise, chord_error)
        lines = []
        for index, (x, y) in enumerate(points, start=1):
            z = step.z if index == len(points) else start_z + (step.z - start_z) * index / len(points)
            lines.extend(self._motion_lines("feed", {"X": x, "Y": y, "Z": z}, position, feed=step.feed))
        return lines


def milliseconds_dwell_line(seconds: float) -> str:
    """G4 P in whole milliseconds, for controllers that read P so (Fanuc, Mach set to ms)."""
    if seconds < 0.0:
        raise ValueError(f"dwell of {seconds:g} s: a dwell cannot be negative")
    return f"G4 P{round(seconds * 1000.0)}"


ONE_PROGRAM_PER_TOOL = "one program per tool, each started with Z zeroed anew"


def tool_change_refused(tool: Tool, machine: Machine, why: str, remedy: str = ONE_PROGRAM_PER_TOOL) -> ValueError:
    """The error for a change to ``tool`` after the first that the post cannot write safely."""
    return ValueError(f"{machine.name}: change to tool {tool.number} mid-program refused ({why}): "
                      f"a tool change on a machine without a tool changer needs {remedy}")  # fmt: skip


def required_touch_plate(tool: Tool, machine: Machine) -> TouchPlate:
    """The plate that measures ``tool`` after a change by hand; the change is refused without one."""
    if machine.tool_change_probe is None:
        raise tool_change_refused(
            tool, machine, "it has no tool changer and no touch plate",
            "a touch plate to measure the new tool (add [tool_change] probe = { thickness, travel, feed } "
            f"to the machine file), or {ONE_PROGRAM_PER_TOOL}",
        )  # fmt: skip
    return machine.tool_change_probe


def tool_change_height(machine: Machine, plate: TouchPlate) -> float:
    """How high above the sheet, in the old tool's work Z, the head waits for a change by hand.

    The plate's travel, never below safe Z: a new tool up to ``travel - thickness`` longer
    still clears the plate laid under it, one up to ``thickness`` shorter still reaches it
    within the travel, and with the plate forgotten a tool as long as the old one stops at
    the sheet's top (no contact: the controller's probe error) instead of going into it."""
    return max(machine.safe_z, plate.travel)


def output_switches(machine: Machine) -> list[OutputSwitch]:
    """The machine's auxiliary outputs, vacuum table first: it holds the sheet."""
    return [switch for switch in (machine.vacuum, machine.dust_extraction) if switch is not None]
