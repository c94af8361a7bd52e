"""Read G-code back into the moves a controller will make, line by line.

The reader follows the RS274 common ground of the dialects plycut writes (GRBL,
grblHAL, LinuxCNC, Mach3, Fanuc, Marlin) with modal state, in millimetres and
absolute work coordinates. It never guesses: what it cannot follow -- an
unreadable word, an unknown code, a move from an unknown position, a canned
cycle -- goes to ``errors`` with its line, and a code that would make every
later position a guess (G92, canned cycles, cutter compensation) stops the
simulation there. A probe (G38.x) leaves the axes it moves unknown, and G10 L20
in the active work frame -- "the current position is now at these work
coordinates", as after probing a touch plate -- makes them known again. Where dialects write the same thing differently the reader
takes every form and records what was written -- G4's time in P or in S,
Marlin's ``M0 <message>``, each number's text -- and the checker holds each
dialect to its own. Where a word means something else in one dialect the caller
says so: Fanuc's ``G4 X2.`` dwells 2 s and moves nothing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cached_property

from gcode.numbers import format_number

MM_PER_INCH = 25.4
# GRBL's ARC_ANGULAR_TRAVEL_EPSILON: an arc whose ends are this close (radians) is a full circle.
FULL_CIRCLE_EPSILON = 5e-7
# How far a chord may exceed 2|R| (mm) before an R arc is impossible rather than float noise.
R_ARC_TOLERANCE = 1e-6

MOTION_KINDS = {"G0": "rapid", "G1": "feed", "G2": "arc", "G3": "arc"}
PROBE_CODES = frozenset({"G38.2", "G38.3", "G38.4", "G38.5"})
NOT_SIMULATED = {
    **dict.fromkeys(("G92", "G92.1", "G92.2", "G92.3"), "changes the work offsets"),
    "G93": "is inverse-time feed",
    **dict.fromkeys(("G41", "G42", "G41.1", "G42.1"), "is cutter radius compensation"),
    **dict.fromkeys(("G73", "G76", *(f"G{n}" for n in range(81, 90))), "is a canned cycle"),
}
# The work frames and the P number G10 gives each (P0: the active one). The reader reads
# every position in the sheet frame whichever is active; it tracks which, for G10 L20.
WORK_FRAMES = {
    **{f"G{54 + index}": index + 1 for index in range(6)}, "G59.1": 7, "G59.2": 8, "G59.3": 9,
}  # fmt: skip
# Codes that change nothing the reader tracks: path blending, tool length (programmed Z
# stays the tool tip), coolant, overrides, the tool number the controller believes is
# loaded (M61), digital and analog outputs (M62-M68).
NO_EFFECT = frozenset(
    {
        "G28.1", "G30.1", "G40", "G43", "G43.1", "G49", "G61", "G61.1", "G64", "G94", "G98", "G99",
        "M7", "M8", "M9", "M48", "M49", "M56", *(f"M{n}" for n in range(61, 69)),
    }
)  # fmt: skip
HANDLED = frozenset(
    {
        *MOTION_KINDS, "G80", "G4", "G10", "G17", "G18", "G19", "G20", "G21", "G28", "G30", "G53",
        "G90", "G91", "G90.1", "G91.1", *PROBE_CODES, *WORK_FRAMES,
        "M0", "M1", "M2", "M30", "M3", "M4", "M5", "M6", "M84",
    }
)  # fmt: skip
# G10 L20: the named axes of the current position get the given work coordinates (the
# offset of the frame P moves so); the one G10 form the reader follows, in the active frame.
SET_CURRENT_POSITION = 20
KNOWN_CODES = HANDLED | NO_EFFECT | frozenset(NOT_SIMULATED)
# Codes the reader follows that only some controllers have -- Marlin's M84 frees the
# steppers, LinuxCNC refuses it as an unknown M code: a dialect takes them only when
# its rules list them, even one whose rules accept every code the reader knows.
LISTED_ONLY_CODES = frozenset({"M84"})
# Non-G/M letters: axes, arc centre and radius, feed, speed, tool, and the
# parameters of G4/G10/G43/canned cycles; N line numbers, O program numbers.
KNOWN_LETTERS = frozenset("XYZIJKRFSTPLNHDQO")
ROTARY_AXES = frozenset("ABCUVW")

# RS274NGC modal groups: two codes of one group on a line is an error.
MODAL_GROUPS = {
    **dict.fromkeys(("G0", "G1", "G2", "G3", "G80", "G73", "G76", *PROBE_CODES), "motion"),
    **dict.fromkeys((f"G{n}" for n in range(81, 90)), "motion"),
    **dict.fromkeys(("G17", "G18", "G19"), "plane"),
    **dict.fromkeys(("G90", "G91"), "distance"),
    **dict.fromkeys(("G90.1", "G91.1"), "arc distance"),
    **dict.fromkeys(("G93", "G94"), "feed mode"),
    **dict.fromkeys(("G20", "G21"), "units"),
    **dict.fromkeys(("G40", "G41", "G42", "G41.1", "G42.1"), "cutter compensation"),
    **dict.fromkeys(("G43", "G43.1", "G49"), "tool length"),
    **dict.fromkeys(("G98", "G99"), "retract"),
    **dict.fromkeys((*(f"G{n}" for n in range(54, 60)), "G59.1", "G59.2", "G59.3"), "work frame"),
    **dict.fromkeys(("G61", "G61.1", "G64"), "path control"),
    **dict.fromkeys(
        ("G4", "G10", "G28", "G28.1", "G30", "G30.1", "G53", "G92", "G92.1", "G92.2", "G92.3"), "non-modal"
    ),
    **dict.fromkeys(("M0", "M1", "M2", "M30"), "stop"),
    **dict.fromkeys(("M3", "M4", "M5"), "spindle"),
}
# Codes whose X/Y/Z words are not a move of their own (Marlin's M84 X frees the X stepper).
AXIS_WORD_USERS = frozenset({"G10", "G28", "G30", "G92", "G43.1", "M84"})
# The axes of each arc plane: an arc must name at least one of them.
PLANE_AXES = {"G17": "XY", "G18": "XZ", "G19": "YZ"}
# Words only an arc uses among the codes the reader simulates (canned cycles stop it first).
ARC_WORDS = "IJKR"

_WORD = re.compile(r"([A-Z])([+-]?(?:\d+(?:\.\d*)?|\.\d+))")
# Marlin's "M0 <message>": a stop code, then text that does not start with a word
# (a letter and a number); the text is what the controller shows the operator.
_MESSAGE = re.compile(r"\s*(?P<code>(?:N\d+\s*)?M\s*0*[01])\s+(?P<text>[A-Z]\s*[^\s\d+.-].*?)\s*", re.IGNORECASE)
_CHECKSUM = re.compile(r"\*\d+\s*$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

Point = tuple[float, float, float]


@dataclass(frozen=True)
class Word:
    """One G-code word: a letter and its number, in the line's own units.

    written is the number's text as in the file ("40.", "-.5"): a Fanuc reads
    ``X40`` and ``X40.`` differently. Two words of one letter and value are equal
    however they were written."""

    letter: str
    number: float
    written: str | None = field(default=None, compare=False)

    @cached_property  # asked for several times per word by the checks
    def code(self) -> str:
        """The word written the canonical way: "G01" -> "G1", "g38.2" -> "G38.2"."""
        return self.letter + format_number(self.number, 4)


@dataclass(frozen=True)
class Motion:
    """One move whose start and end are known, in mm and absolute work coordinates.

    feed is mm/min (0 for rapids, which run at the machine's rapid rate);
    spindle_rpm is 0 when the spindle is off. Arcs carry their absolute centre
    and the distances from it to the start and to the end (GRBL checks these).
    """

    line: int  # 1-based line of the file
    kind: str  # "rapid" | "feed" | "arc"
    start: Point
    end: Point
    centre: tuple[float, float] | None
    clockwise: bool
    feed: float
    spindle_rpm: float
    spindle_on: bool
    radius_start: float = 0.0
    radius_end: float = 0.0


@dataclass(frozen=True)
class UntrackedMove:
    """A move whose path is unknown because its start or end is not in the work frame.

    kind: "rapid" (the first moves, from an unknown position), "machine"
    (G28/G30 stored positions, G53 machine coordinates; the routines of an
    OpenSBP control, C9's tool change and C2's Z zeroing) or "probe" (G38).
    The heights are given where known, so safe-Z checks still apply. A probe
    also gives its feed (mm/min) and how far down it goes at most (mm; negative
    going up, None when its target is absolute and its start unknown): it stops
    where it touches, which the program cannot know.
    """

    line: int
    kind: str
    start_z: float | None
    end_z: float | None
    moves_xy: bool
    reason: str
    feed: float = 0.0
    probe_drop: float | None = None


@dataclass(frozen=True)
class Event:
    """Something other than a move: "tool-change", "pause", "dwell", "program-end"."""

    line: int
    kind: str
    detail: str


@dataclass
class GcodeProgram:
    """What a controller does with a program, as far as the reader can follow it."""

    source: str
    lines: list[str]
    motions: list[Motion] = field(default_factory=list)
    untracked_moves: list[UntrackedMove] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    words_used: dict[int, tuple[Word, ...]] = field(default_factory=dict)  # by line number
    messages: dict[int, str] = field(default_factory=dict)  # M0/M1 text by line number
    program_end_line: int | None = None
    # Lines where the spindle starts from standstill (M3/M4; OpenSBP's C6 or SO,1,1): it
    # needs its spin-up time before it cuts. A new speed while it turns is no start.
    spindle_starts: list[int] = field(default_factory=list)


def read_gcode(text: str, *, source: str = "<program>", dwell_seconds_word: str | None = None) -> GcodeProgram:
    """Parse ``text`` with modal state into motions, events and errors (never raises on bad code).

    dwell_seconds_word: a letter that is the dwell time in seconds on a G4 line, not
    an axis (``"X"`` for Fanuc, see :class:`gcode.post.DialectRules`)."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()  # the newline ending the last line does not start another
    interpreter = _Interpreter(GcodeProgram(source=source, lines=lines), dwell_seconds_word)
    for number, raw in enumerate(lines, start=1):
        interpreter.read_line(number, raw)
    return interpreter.program


def arc_sweep(motion: Motion) -> float:
    """The arc's signed angle in radians (counter-clockwise positive); coinciding ends make a full turn."""
    cx, cy = motion.centre
    start_x, start_y = motion.start[0] - cx, motion.start[1] - cy
    end_x, end_y = motion.end[0] - cx, motion.end[1] - cy
    sweep = math.atan2(start_x * end_y - start_y * end_x, start_x * end_x + start_y * end_y)
    if motion.clockwise and sweep >= -FULL_CIRCLE_EPSILON:
        sweep -= 2.0 * math.pi
    elif not motion.clockwise and sweep <= FULL_CIRCLE_EPSILON:
        sweep += 2.0 * math.pi
    return sweep


def arc_points(motion: Motion, chord: float = 0.1) -> list[Point]:
    """Points along the move no more than about ``chord`` mm apart, from start to end.

    Straight moves give their two ends. Along an arc the radius and Z change
    linearly from start to end, as a helix (or a slightly spiralling arc) does.
    """
    if motion.kind != "arc":
        return [motion.start, motion.end]
    cx, cy = motion.centre
    sweep = arc_sweep(motion)
    start_angle = math.atan2(motion.start[1] - cy, motion.start[0] - cx)
    length = abs(sweep) * max(motion.radius_start, motion.radius_end)
    segments = max(1, math.ceil(length / chord))
    points = [motion.start]
    for index in range(1, segments):
        t = index / segments
        angle = start_angle + sweep * t
        radius = motion.radius_start + (motion.radius_end - motion.radius_start) * t
        z = motion.start[2] + (motion.end[2] - motion.start[2]) * t
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle), z))
    points.append(motion.end)
    return points


def motion_bounds(motion: Motion) -> tuple[float, float, float, float]:
    """(xmin, ymin, xmax, ymax) the move sweeps; an arc counts its true extreme points."""
    xs = [motion.start[0], motion.end[0]]
    ys = [motion.start[1], motion.end[1]]
    if motion.kind == "arc":
        cx, cy = motion.centre
        sweep = arc_sweep(motion)
        start_angle = math.atan2(motion.start[1] - cy, motion.start[0] - cx)
        for quarter in range(4):
            angle = quarter * math.pi / 2.0
            turn = angle - start_angle if sweep > 0 else start_angle - angle
            travelled = turn % (2.0 * math.pi)
            if travelled <= abs(sweep):
                # The radius changes linearly along the arc, as in arc_points.
                radius = motion.radius_start + (motion.radius_end - motion.radius_start) * travelled / abs(sweep)
                xs.append(cx + radius * math.cos(angle))
                ys.append(cy + radius * math.sin(angle))
    return min(xs), min(ys), max(xs), max(ys)


def strip_comments(raw: str) -> tuple[str, bool]:
    """The line without its comments -- '(' to ')', ';' to the end -- and whether a '(' stays open."""
    kept = []
    in_comment = False
    for char in raw:
        if in_comment:
            in_comment = char != ")"
        elif char == "(":
            in_comment = True
        elif char == ";":
            break
        else:
            kept.append(char)
    return "".join(kept), in_comment


def _code_text(raw: str) -> tuple[str, str | None, str | None]:
    """The line's code upper-cased without comments, spaces and checksum, its message
    text if it is an ``M0 <message>`` line, and an error or None."""
    if raw.strip() == "%":
        return "", None, None
    kept, unclosed = strip_comments(raw)
    if unclosed:
        return "", None, "comment opened with '(' is never closed"
    code = _CHECKSUM.sub("", kept)
    message = _MESSAGE.fullmatch(code)
    if message is not None:
        return "".join(message.group("code").split()).upper(), message.group("text"), None
    return "".join(code.split()).upper(), None, None


def _split_words(code: str) -> tuple[tuple[Word, ...], str | None]:
    words = []
    position = 0
    while position < len(code):
        match = _WORD.match(code, position)
        if match is None:
            return (), f"cannot read {code[position:]!r}"
        words.append(Word(match.group(1), float(match.group(2)), match.group(2)))
        position = match.end()
    return tuple(words), None


def _word_problem(words: tuple[Word, ...]) -> str | None:
    """Why the controller would reject these words as a line, or None."""
    seen_letters: set[str] = set()
    groups: dict[str, str] = {}
    for word in words:
        if word.letter in "GM":
            if word.code not in KNOWN_CODES:
                return f"unknown code {word.code}"
            group = MODAL_GROUPS.get(word.code)
            if group is not None:
                if group in groups:
                    return f"{groups[group]} and {word.code} are in the same modal group ({group})"
                groups[group] = word.code
        elif word.letter in ROTARY_AXES:
            return f"axis {word.letter} is not supported: plycut drives X, Y and Z only"
        elif word.letter not in KNOWN_LETTERS:
            return f"unknown word {word.code}"
        elif word.letter in seen_letters:
            return f"word {word.letter} appears twice"
        else:
            seen_letters.add(word.letter)
    return None


class _Interpreter:
    """The modal state of a controller reading the program."""

    def __init__(self, program: GcodeProgram, dwell_seconds_word: str | None = None) -> None:
        self.program = program
        self.dwell_seconds_word = dwell_seconds_word
        self.position: list[float | None] = [None, None, None]
        self.mm_per_unit = 1.0
        self.absolute = True
        self.absolute_centres = False
        self.plane = "G17"
        self.motion_mode: str | None = "G0"
        self.feed: float | None = None
        self.spindle_on = False
        self.spindle_speed = 0.0
        self.tool: str | None = None
        self.work_frame = WORK_FRAMES["G54"]  # the power-on default of GRBL and LinuxCNC
        self.simulating = True

    def error(self, line: int, message: str) -> None:
        self.program.errors.append((line, message))

    def read_line(self, number: int, raw: str) -> None:
        code, message, problem = _code_text(raw)
        if problem is None and code:
            words, problem = _split_words(code)
            if problem is None:
                self.program.words_used[number] = words
                problem = _word_problem(words)
            if message is not None:
                self.program.messages[number] = message
        if problem is not None:
            self.error(number, problem)  # a controller rejects the whole line
            return
        if not code:
            return
        end = self.program.program_end_line
        if end is not None:
            self.error(number, f"code after the end of the program on line {end}")
        if self.simulating:
            self.execute(number, words)
        elif end is None:
            # Positions are lost, but where the program ends is still plain to see.
            stop = next((w.code for w in words if w.code in ("M2", "M30")), None)
            if stop is not None:
                self.end_program(number, stop)

    def execute(self, number: int, words: tuple[Word, ...]) -> None:
        """Apply one line in RS274NGC's order of execution."""
        codes = [word.code for word in words if word.letter in "GM"]
        values = {word.letter: word.number for word in words if word.letter not in "GM"}
        for code in codes:
            if code in NOT_SIMULATED:
                self.error(number, f"{code} {NOT_SIMULATED[code]}, which plycut does not simulate: reading stops here")
                self.simulating = False
                return
        if "G10" in codes and (form := self.unsimulated_offset_setting(values)) is not None:
            self.error(number, f"{form} changes the work offsets, which plycut does not simulate: reading stops here")
            self.simulating = False
            return
        if "G20" in codes or "G21" in codes:
            self.mm_per_unit = MM_PER_INCH if "G20" in codes else 1.0
        for code in codes:
            if code in ("G90", "G91"):
                self.absolute = code == "G90"
            elif code in ("G90.1", "G91.1"):
                self.absolute_centres = code == "G90.1"
            elif code in ("G17", "G18", "G19"):
                self.plane = code
                if code != "G17":
                    self.error(number, f"plane {code} is not supported: arcs are read in the XY plane (G17) only")
            elif code in WORK_FRAMES:
                self.work_frame = WORK_FRAMES[code]
        if "F" in values:
            self.feed = values["F"] * self.mm_per_unit
        # G4 takes its time in P (seconds in RS274, milliseconds on Fanuc and Marlin),
        # on Marlin in S (seconds: there S is no spindle speed), on Fanuc in X (seconds:
        # there X is no axis).
        dwell_letters = "PS" + (self.dwell_seconds_word or "")
        dwell_word = next((letter for letter in dwell_letters if letter in values), None) if "G4" in codes else None
        dwell_time = values[dwell_word] if dwell_word is not None else None
        if "G4" in codes and self.dwell_seconds_word is not None:
            values.pop(self.dwell_seconds_word, None)  # a time, not an axis to move
        # M84's S is Marlin's stepper timeout, not a spindle speed.
        if "S" in values and dwell_word != "S" and "M84" not in codes:
            self.spindle_speed = values["S"]
        if "T" in values:
            self.tool = format_number(values["T"], 0)
        if "M6" in codes:
            self.change_tool(number)
        if "M3" in codes or "M4" in codes:
            if not self.spindle_on:
                self.program.spindle_starts.append(number)
            self.spindle_on = True
        elif "M5" in codes:
            self.spindle_on = False
        if "G4" in codes:
            if dwell_word is not None:
                self.program.events.append(Event(number, "dwell", f"{dwell_word}{dwell_time:g}"))
            else:
                self.error(number, f"G4 without {', '.join(dwell_letters[:-1])} or {dwell_letters[-1]}: "
                                   "the dwell time is missing")  # fmt: skip
        if "M84" in codes and "S" not in values:
            # Marlin frees the named steppers, or all, now: nothing holds those axes where they were.
            freed = {axis: 0.0 for axis in "XYZ" if axis in values} or dict.fromkeys("XYZ", 0.0)
            self.leave_work_frame(number, "machine", freed, "M84 frees the steppers: the gantry may be moved by hand")
        if "G10" in codes:
            self.set_current_position(number, values)
        self.move(number, codes, values)
        for code in codes:
            if code in ("M0", "M1"):
                self.program.events.append(Event(number, "pause", code))
            elif code in ("M2", "M30"):
                self.end_program(number, code)

    def move(self, number: int, codes: list[str], values: dict[str, float]) -> None:
        motion_codes = [code for code in codes if MODAL_GROUPS.get(code) == "motion"]
        if motion_codes:
            self.motion_mode = None if motion_codes[0] == "G80" else motion_codes[0]
        axis_words = {axis: values[axis] for axis in "XYZ" if axis in values}
        users = [code for code in codes if code in AXIS_WORD_USERS]
        if users and [code for code in motion_codes if code != "G80"]:
            self.error(number, f"{users[0]} and {motion_codes[0]} both use the axis words")
            return
        arc = self.motion_mode in ("G2", "G3") and bool(axis_words) and not users
        problem = _arc_word_problem(values, arc)
        first, second = PLANE_AXES[self.plane]
        if problem is None and arc and first not in axis_words and second not in axis_words:
            problem = f"{self.motion_mode} without {first} or {second}: no end point in the arc's plane (GRBL error:32)"
        if problem is not None:
            self.error(number, problem)  # the controller rejects the line: no move
            return
        if "G28" in codes or "G30" in codes:
            self.return_to_stored_position(number, "G28" if "G28" in codes else "G30", axis_words)
            return
        if users or not axis_words:
            return
        if self.motion_mode is None:
            self.error(number, f"axis words {', '.join(axis_words)} without a motion mode (G80 is active)")
            return
        if self.motion_mode in PROBE_CODES:
            self.probe(number, axis_words)
            return
        if "G53" in codes:
            if self.motion_mode not in ("G0", "G1"):
                self.error(number, f"G53 needs G0 or G1, not {self.motion_mode}")
                return
            self.leave_work_frame(number, "machine", axis_words, "G53 moves in machine coordinates")
            return
        self.move_to(number, self.motion_mode, axis_words, values)

    def target(self, axis_words: dict[str, float]) -> list[float | None]:
        target = list(self.position)
        for index, axis in enumerate("XYZ"):
            if axis not in axis_words:
                continue
            value = axis_words[axis] * self.mm_per_unit
            if self.absolute:
                target[index] = value
            elif target[index] is not None:
                target[index] += value
        return target

    def move_to(
        self, number: int, mode: str, axis_words: dict[str, float], values: dict[str, float]
    ) -> None:
        kind = MOTION_KINDS[mode]
        start = self.position
        target = self.target(axis_words)
        stays_put_in_xy = None not in start[:2] and target[:2] == start[:2]
        moves_xy = ("X" in axis_words or "Y" in axis_words) and not stays_put_in_xy
        if moves_xy and start[2] is None:
            self.error(number, "XY move before Z is known")
            self.position = target
            return
        if None in start or None in target:
            if kind == "rapid":
                self.program.untracked_moves.append(
                    UntrackedMove(number, "rapid", start[2], target[2], moves_xy, "a move from an unknown position")
                )
            else:
                self.error(number, f"{mode} from an unknown position: set X, Y and Z with G0 first")
            self.position = target
            return
        if kind != "rapid" and (self.feed is None or self.feed <= 0.0):
            self.error(number, f"{mode} without a feed rate (F)")
            return
        if kind == "arc":
            self.arc(number, mode, tuple(start), tuple(target), values)
            return
        feed = 0.0 if kind == "rapid" else self.feed
        self.record(Motion(number, kind, tuple(start), tuple(target), None, False, feed, self.rpm(), self.spindle_on))

    def arc(self, number: int, mode: str, start: Point, end: Point, values: dict[str, float]) -> None:
        clockwise = mode == "G2"
        if self.plane != "G17":
            self.error(number, f"{mode} in plane {self.plane} is not simulated")
            self.position = list(end)
            return
        if "R" in values:
            centre, problem = _centre_from_radius(start, end, values["R"] * self.mm_per_unit, clockwise)
        elif "I" in values or "J" in values:
            offset_x, offset_y = values.get("I", 0.0) * self.mm_per_unit, values.get("J", 0.0) * self.mm_per_unit
            centre = (offset_x, offset_y) if self.absolute_centres else (start[0] + offset_x, start[1] + offset_y)
            problem = None
        else:
            centre, problem = None, f"{mode} without I/J or R"
        if problem is not None:
            self.error(number, problem)
            return
        radius_start = math.hypot(start[0] - centre[0], start[1] - centre[1])
        if radius_start == 0.0:
            self.error(number, f"{mode} with its centre on its start point")
            return
        radius_end = math.hypot(end[0] - centre[0], end[1] - centre[1])
        self.record(Motion(number, "arc", start, end, centre, clockwise, self.feed, self.rpm(), self.spindle_on,
                           radius_start, radius_end))  # fmt: skip

    def record(self, motion: Motion) -> None:
        self.program.motions.append(motion)
        self.position = list(motion.end)

    def rpm(self) -> float:
        return self.spindle_speed if self.spindle_on else 0.0

    def return_to_stored_position(self, number: int, code: str, axis_words: dict[str, float]) -> None:
        """G28/G30: rapid through the optional intermediate point, then the given axes (all if none) go home.

        ``G28 G91 Z0`` (Fanuc's way home) has its intermediate point where the tool
        is: it is one move, home through Z only."""
        if axis_words and self.target(axis_words) != self.position:
            self.move_to(number, "G0", axis_words, {})
        homed = axis_words or dict.fromkeys("XYZ", 0.0)
        self.leave_work_frame(number, "machine", homed, f"{code} moves to a stored machine position")

    def probe(self, number: int, axis_words: dict[str, float]) -> None:
        """G38.x: a feed move that stops where the probe touches -- every moved axis becomes unknown."""
        if self.feed is None or self.feed <= 0.0:
            self.error(number, f"{self.motion_mode} without a feed rate (F)")  # GRBL error:22: no move
            return
        start_z = self.position[2]
        drop = None
        if "Z" in axis_words:
            z = axis_words["Z"] * self.mm_per_unit
            if not self.absolute:
                drop = -z
            elif start_z is not None:
                drop = start_z - z
        moves_xy = "X" in axis_words or "Y" in axis_words
        reason = f"{self.motion_mode} probes: it stops where it touches"
        self.program.untracked_moves.append(
            UntrackedMove(number, "probe", start_z, None if "Z" in axis_words else start_z, moves_xy, reason,
                          self.feed, drop)
        )  # fmt: skip
        for index, axis in enumerate("XYZ"):
            if axis in axis_words:
                self.position[index] = None

    def unsimulated_offset_setting(self, values: dict[str, float]) -> str | None:
        """The G10 form when the reader cannot follow it (anything but L20 on the active frame), else None."""
        form, p = values.get("L"), values.get("P")
        if form is None or p is None:
            return None  # rejected by the controller: set_current_position says why
        if form == SET_CURRENT_POSITION and p in (0, self.work_frame):
            return None
        return f"G10 L{format_number(form, 4)} P{format_number(p, 4)}"

    def set_current_position(self, number: int, values: dict[str, float]) -> None:
        """G10 L20 P0 (or P of the active frame): the current position's named axes become the
        given work coordinates -- known again, whatever they were (a probe left Z unknown)."""
        if "L" not in values or "P" not in values:
            self.error(number, "G10 without L or P (GRBL error:28)")
            return
        axis_words = {axis: values[axis] for axis in "XYZ" if axis in values}
        if not axis_words:
            self.error(number, "G10 without an axis word (GRBL error:26)")
            return
        for index, axis in enumerate("XYZ"):
            if axis in axis_words:
                self.position[index] = axis_words[axis] * self.mm_per_unit

    def change_tool(self, number: int) -> None:
        """M6 may move the machine -- to LinuxCNC's TOOL_CHANGE_POSITION, through an ATC
        macro -- and the controller decides where: every axis becomes unknown."""
        self.program.events.append(Event(number, "tool-change", f"tool {self.tool or '?'}"))
        self.leave_work_frame(number, "machine", dict.fromkeys("XYZ", 0.0), "M6 may move to a tool change position")

    def leave_work_frame(self, number: int, kind: str, axis_words: dict[str, float], reason: str) -> None:
        """A move ending where the work frame cannot say: the moved axes become unknown."""
        start_z = self.position[2]
        end_z = None if "Z" in axis_words else start_z
        moves_xy = "X" in axis_words or "Y" in axis_words
        self.program.untracked_moves.append(UntrackedMove(number, kind, start_z, end_z, moves_xy, reason))
        for index, axis in enumerate("XYZ"):
            if axis in axis_words:
                self.position[index] = None

    def end_program(self, number: int, code: str) -> None:
        """M2/M30: GRBL and LinuxCNC stop the spindle and restore the default modes."""
        self.program.events.append(Event(number, "program-end", code))
        if self.program.program_end_line is None:
            self.program.program_end_line = number
        self.spindle_on = False
        self.motion_mode = "G1"
        self.plane = "G17"
        self.absolute = True
        self.work_frame = WORK_FRAMES["G54"]


def _arc_word_problem(values: dict[str, float], arc: bool) -> str | None:
    """Why the line's I/J/K/R words are unused (GRBL error:36), or None: an arc takes R or I/J/K."""
    if not arc:
        unused = [letter for letter in ARC_WORDS if letter in values]
        reason = "only an arc (G2/G3 with X or Y) uses I, J, K and R"
    else:
        unused = [letter for letter in "IJK" if letter in values] if "R" in values else []
        reason = "an R arc takes no I, J or K"
    return f"unused words {', '.join(unused)}: {reason} (GRBL error:36)" if unused else None


def _centre_from_radius(
    start: Point, end: Point, radius: float, clockwise: bool
) -> tuple[tuple[float, float] | None, str | None]:
    """The centre of an R-format arc: R > 0 the arc of at most 180 degrees, R < 0 the longer one."""
    chord_x, chord_y = end[0] - start[0], end[1] - start[1]
    chord = math.hypot(chord_x, chord_y)
    if chord == 0.0:
        return None, "R arc with the same start and end: the centre is undefined"
    if chord / 2.0 > abs(radius) + R_ARC_TOLERANCE:
        return None, f"R{radius:g} is too small for a chord of {chord:.4f} mm"
    offset = math.sqrt(max(radius * radius - chord * chord / 4.0, 0.0))
    # The centre lies right of the chord for a short clockwise arc, left for counter-clockwise;
    # a negative R (the long way round) swaps the side.
    side = -1.0 if clockwise else 1.0
    if radius < 0.0:
        side = -side
    normal_x, normal_y = -chord_y / chord, chord_x / chord
    mid_x, mid_y = (start[0] + end[0]) / 2.0, (start[1] + end[1]) / 2.0
    return (mid_x + side * offset * normal_x, mid_y + side * offset * normal_y), None
