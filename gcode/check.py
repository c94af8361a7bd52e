"""Check a program read back from G-code against a machine, a sheet and a dialect.

The last line of defence before the router: every violation names the line a
maker can find in the file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from gcode.estimate import dwell_seconds
from gcode.post import get_post
from gcode.post.marlin import TIMEOUT_IN_MESSAGE
from gcode.reader import (
    KNOWN_CODES,
    KNOWN_LETTERS,
    LISTED_ONLY_CODES,
    GcodeProgram,
    Motion,
    UntrackedMove,
    Word,
    arc_sweep,
    motion_bounds,
    strip_comments,
)
from gcode.tooling import Machine
from nester.model import Sheet

Z_TOLERANCE = 1e-6
XY_TOLERANCE = 1e-3
FEED_TOLERANCE = 0.05  # mm/min: feeds are written to 0.1 mm/min
# A feed may exceed the machine's XY limit by this share: the rounding of a written feed
# (a ShopBot speed in in/s to 4 places is 0.15 mm/min), a limit the controller clamps to
# anyway. A unit mistake -- mm/min typed as mm/s, inches as mm -- is a factor of 25 or 60.
XY_FEED_SLACK = 0.01
# A rapid going down stops at least this high above the sheet (plycut's CAM stops at +1.0):
# lower, the rapid's overshoot, a warped sheet or a Z a little off reach the wood.
MIN_RAPID_HEIGHT = 0.5
SPIN_UP_TOLERANCE = 0.0005  # s: a dwell written in whole milliseconds
RPM_TOLERANCE = 0.5  # rpm: spindle speeds are written as whole numbers
DEFAULT_MAX_OVERCUT = 1.0  # mm below the sheet when the job does not say
# GRBL's arc check (gcode.c, error:33): radii may differ by 0.005 mm, or by
# up to 0.5 mm when that is within 0.1 % of the radius.
GRBL_ARC_SLACK = 0.005
GRBL_ARC_LIMIT = 0.5
GRBL_ARC_RELATIVE = 0.001
ARC_CODES = frozenset({"G2", "G3"})
COMMAND_LETTERS = "GMT"  # the letters that start a command on a one-command-per-line controller


@dataclass(frozen=True)
class Violation:
    """One thing wrong with a program, at a 1-based line of its file."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class ProgramRules:
    """What a program must respect. mm, sheet frame (X0 Y0 lower-left, Z0 top of sheet).

    sheet: (width, height, thickness); cuts stay on it and no deeper than its
    thickness plus ``max_overcut`` (the spoilboard). envelope: machine travel.
    max_feed_z: the fastest a feed move may descend, mm/min. min_spindle_rpm:
    the slowest the spindle may turn while cutting below Z0 (a turning spindle
    is needed even when it is 0). None leaves either unchecked (a router with
    a manual speed dial has no S to check).
    max_feed_xy: the fastest a feed move may run in XY, mm/min (None: unchecked).
    spindle_spinup_s: the seconds of dwell a spindle started from standstill needs
    before its first cut (0: unchecked).
    max_line_length: characters the controller keeps after dropping spaces and
    comments. allowed_codes/allowed_letters: None accepts anything the reader knows
    but gcode.reader.LISTED_ONLY_CODES. arcs: the machine runs G2/G3.
    one_command_per_line, message_codes, dwell_word, dwell_in_milliseconds,
    dwell_seconds_word, paren_comments, decimal_point_letters, arc_centre_mode_required:
    as in :class:`gcode.post.DialectRules` for the machine. resolution: mm a
    written coordinate may be off the value meant (half its last digit, 0.0013 mm in
    inches to 4 places), the slack of the height and edge checks.
    """

    safe_z: float
    sheet: tuple[float, float, float] | None = None
    envelope: tuple[float, float, float] | None = None
    max_line_length: int | None = None
    allowed_codes: frozenset[str] | None = None
    allowed_letters: frozenset[str] | None = None
    arc_rule: str | None = None
    must_end: bool = True
    max_overcut: float = DEFAULT_MAX_OVERCUT
    max_feed_z: float | None = None
    min_spindle_rpm: float | None = None
    dialect: str = "this controller"
    arcs: bool = True
    one_command_per_line: bool = False
    message_codes: frozenset[str] = frozenset()
    dwell_word: str = "P"
    dwell_in_milliseconds: bool = False
    resolution: float = 0.0
    max_feed_xy: float | None = None
    spindle_spinup_s: float = 0.0
    dwell_seconds_word: str | None = None
    paren_comments: bool = True
    decimal_point_letters: frozenset[str] = frozenset()
    arc_centre_mode_required: bool = False


def rules_for(
    dialect: str,
    machine: Machine,
    sheet: Sheet | tuple[float, float, float] | None,
    *,
    max_overcut: float = DEFAULT_MAX_OVERCUT,
) -> ProgramRules:
    """The rules for a program in ``dialect`` run on ``machine`` over ``sheet``, cutting
    at most ``max_overcut`` mm below it."""
    post = get_post(dialect)
    dialect_rules = post.rules.for_machine(machine)
    if isinstance(sheet, Sheet):
        sheet = (sheet.width, sheet.height, sheet.thickness)
    return ProgramRules(
        safe_z=machine.safe_z,
        sheet=sheet,
        envelope=machine.envelope,
        max_line_length=dialect_rules.max_line_length,
        allowed_codes=dialect_rules.allowed_codes,
        allowed_letters=dialect_rules.allowed_letters,
        arc_rule=dialect_rules.arc_rule,
        must_end=dialect_rules.must_end,
        max_overcut=max_overcut,
        max_feed_z=machine.max_feed_z,
        min_spindle_rpm=None if machine.manual_spindle else machine.spindle_rpm[0],
        dialect=dialect,
        arcs=machine.arcs,
        one_command_per_line=dialect_rules.one_command_per_line,
        message_codes=dialect_rules.message_codes,
        dwell_word=dialect_rules.dwell_word,
        dwell_in_milliseconds=dialect_rules.dwell_in_milliseconds,
        resolution=post.output_units(machine).rounding_mm,
        max_feed_xy=machine.max_feed_xy,
        spindle_spinup_s=machine.spindle_spinup_s,
        dwell_seconds_word=dialect_rules.dwell_seconds_word,
        paren_comments=dialect_rules.paren_comments,
        decimal_point_letters=dialect_rules.decimal_point_letters,
        arc_centre_mode_required=dialect_rules.arc_centre_mode_required,
    )


def check_program(program: GcodeProgram, *, rules: ProgramRules) -> list[Violation]:
    """Every violation of ``rules`` in ``program``, in line order.

    The reader's own errors (``program.errors``) are not repeated here: a caller
    reports both, and a program with either is not fit to run.
    """
    violations = _line_violations(program, rules)
    for motion in program.motions:
        violations += _motion_violations(motion, rules)
    violations += _arc_centre_mode_violations(program, rules)
    violations += _spin_up_violations(program, rules)
    for move in program.untracked_moves:
        if move.kind == "rapid":
            violations += _rapid_into_sheet(move.line, move.start_z, move.end_z)
        elif move.kind == "probe":
            violations += _probe_violations(move, rules)
        low_z = min((z for z in (move.start_z, move.end_z) if z is not None), default=None)
        below_safe_z = low_z is not None and low_z < rules.safe_z - Z_TOLERANCE - rules.resolution
        if move.kind != "probe" and move.moves_xy and below_safe_z:
            violations.append(
                Violation(move.line, f"XY move at Z={low_z:.3f} below safe height {rules.safe_z:.3f} ({move.reason})")
            )
    if rules.must_end and program.program_end_line is None:
        violations.append(Violation(max(len(program.lines), 1), "the program does not end with M2 or M30"))
    return sorted(violations, key=lambda violation: violation.line)


def controller_line_length(raw: str) -> int:
    """Characters a GRBL-style controller keeps of a line (gnea/grbl protocol.c).

    Spaces and control characters, '/' and comments -- '(' to ')' or to the end
    of the line, ';' to the end -- are dropped before the line buffer counts.
    """
    code, _ = strip_comments(raw)
    return sum(1 for char in code if char > " " and char != "/")


def _line_violations(program: GcodeProgram, rules: ProgramRules) -> list[Violation]:
    violations = []
    if not rules.paren_comments:
        for number, raw in enumerate(program.lines, start=1):
            if "(" in raw.split(";", 1)[0]:
                violations.append(
                    Violation(number, f"'(' starts no comment on {rules.dialect} (PAREN_COMMENTS is off by "
                                      "default): the words after it are read as parameters; comment with ';'")
                )  # fmt: skip
    if rules.max_line_length is not None:
        for number, raw in enumerate(program.lines, start=1):
            length = controller_line_length(raw)
            if length > rules.max_line_length:
                violations.append(
                    Violation(
                        number,
                        f"{length} characters once spaces and comments are dropped; "
                        f"{rules.dialect} accepts at most {rules.max_line_length}",
                    )
                )
    for number, words in program.words_used.items():
        for word in words:
            # Words the reader does not know are already its errors.
            if word.letter in "GM":
                if rules.allowed_codes is None:
                    unsupported = word.code in LISTED_ONLY_CODES
                else:
                    unsupported = word.code in KNOWN_CODES and word.code not in rules.allowed_codes
            else:
                unsupported = word.letter in KNOWN_LETTERS and rules.allowed_letters is not None and (
                    word.letter not in rules.allowed_letters
                )
            if unsupported:
                violations.append(Violation(number, f"{word.code} is not supported by {rules.dialect}"))
            elif not rules.arcs and word.letter == "G" and word.code in ARC_CODES:
                violations.append(Violation(number, f"{word.code}: this machine runs no arcs (arcs = false)"))
        violations += _command_violations(number, words, rules)
        violations += _dwell_violations(number, words, rules)
        violations += _decimal_point_violations(number, words, rules)
    for number, message in program.messages.items():
        violations += _message_violations(number, message, program.words_used.get(number, ()), rules)
    return violations


def _command_violations(number: int, words: tuple[Word, ...], rules: ProgramRules) -> list[Violation]:
    """On a one-command-per-line controller: exactly one command, named on its own line."""
    if not rules.one_command_per_line:
        return []
    commands = [word.code for word in words if word.letter in COMMAND_LETTERS]
    if len(commands) > 1:
        return [Violation(number, f"{len(commands)} commands on one line ({' '.join(commands)}): "
                                  f"{rules.dialect} runs only the first")]  # fmt: skip
    if not commands and any(word.letter != "N" for word in words):
        return [Violation(number, f"no G or M command: {rules.dialect} keeps no motion mode and ignores the line")]
    return []


def _dwell_violations(number: int, words: tuple[Word, ...], rules: ProgramRules) -> list[Violation]:
    """G4 must give its time in the dialect's word, in whole milliseconds where it counts them."""
    if not any(word.letter == "G" and word.code == "G4" for word in words):
        return []
    unit = "whole milliseconds" if rules.dwell_in_milliseconds else "seconds"
    if rules.dwell_seconds_word is not None and any(word.letter == rules.dwell_seconds_word for word in words):
        return []  # Fanuc's G4 X: seconds, with the decimal point every X needs
    time = next((word for word in words if word.letter == rules.dwell_word), None)
    if time is None:
        return [Violation(number, f"G4 without {rules.dwell_word}: {rules.dialect} takes the dwell time "
                                  f"in {rules.dwell_word} ({unit})")]  # fmt: skip
    if rules.dwell_in_milliseconds and time.number != int(time.number):
        return [Violation(number, f"G4 {time.code}: {rules.dialect} takes the dwell time in {unit}")]
    return []


def _decimal_point_violations(number: int, words: tuple[Word, ...], rules: ProgramRules) -> list[Violation]:
    """Lengths and feeds without a decimal point, on a controller that then counts least increments.

    A zero is the same in any unit (Fanuc's own ``G28 G91 Z0``)."""
    bare = [
        word.letter + word.written
        for word in words
        if word.letter in rules.decimal_point_letters
        and word.written is not None
        and "." not in word.written
        and word.number != 0.0
    ]
    if not bare:
        return []
    return [Violation(number, f"{' '.join(bare)} without a decimal point: unless calculator-style input is on, "
                              f"{rules.dialect} reads them in least input increments (0.001 mm in G21, "
                              "0.0001 in in G20)")]  # fmt: skip


def _message_violations(number: int, message: str, words: tuple[Word, ...], rules: ProgramRules) -> list[Violation]:
    """Text after M0/M1: only some controllers show it, and Marlin reads numbers out of it."""
    code = next((word.code for word in words if word.letter == "M"), "M0")
    if code not in rules.message_codes:
        return [Violation(number, f"{code} followed by text: {rules.dialect} takes no message")]
    timeout = TIMEOUT_IN_MESSAGE.search(message)
    if timeout is not None:
        return [Violation(number, f"{rules.dialect} reads {timeout.group()!r} in the message as a timeout: "
                                  f"the pause would end by itself")]  # fmt: skip
    return []


def _motion_violations(motion: Motion, rules: ProgramRules) -> list[Violation]:
    violations = []
    off_sheet: list[Violation] = []
    line = motion.line
    low_z = min(motion.start[2], motion.end[2])
    xmin, ymin, xmax, ymax = motion_bounds(motion)
    if motion.kind == "rapid":
        moves_xy = motion.start[:2] != motion.end[:2]
        if moves_xy and low_z < rules.safe_z - Z_TOLERANCE - rules.resolution:
            violations.append(Violation(line, f"XY rapid at Z={low_z:.3f} below safe height {rules.safe_z:.3f}"))
        violations += _rapid_into_sheet(line, motion.start[2], motion.end[2])
    else:
        name = "arc" if motion.kind == "arc" else "feed move"
        if low_z < -Z_TOLERANCE:
            violations += _spindle_violations(motion, f"{name} cuts at Z={low_z:.3f}", rules.min_spindle_rpm)
        if rules.max_feed_z is not None:
            violations += _z_feed_violations(motion, name, rules.max_feed_z)
        if rules.max_feed_xy is not None:
            violations += _xy_feed_violations(motion, name, rules.max_feed_xy)
        if rules.sheet is not None:
            width, height, thickness = rules.sheet
            off_sheet = _outside(
                line, f"{name} leaves the sheet", (xmin, ymin, xmax, ymax), (width, height), rules.resolution
            )
            violations += off_sheet
            floor = -(thickness + rules.max_overcut)
            if low_z < floor - Z_TOLERANCE - rules.resolution:
                violations.append(
                    Violation(
                        line,
                        f"{name} reaches Z={low_z:.3f}, below the {thickness:g} mm sheet plus "
                        f"{rules.max_overcut:g} mm: it would cut the spoilboard",
                    )
                )
        if motion.kind == "arc" and rules.arc_rule is not None:
            violations += _arc_radius_violations(motion, rules)
    if rules.envelope is not None and not off_sheet:  # one message per stray cut is enough
        travel_x, travel_y, _ = rules.envelope
        violations += _outside(
            line, "move leaves the machine travel", (xmin, ymin, xmax, ymax), (travel_x, travel_y), rules.resolution
        )
    return violations


def _rapid_into_sheet(line: int, start_z: float | None, end_z: float | None) -> list[Violation]:
    """A rapid going down (from an unknown height too) into the sheet, or to less than
    MIN_RAPID_HEIGHT above it: only a feed may go that low."""
    if end_z is None or end_z >= MIN_RAPID_HEIGHT - Z_TOLERANCE:
        return []
    if start_z is not None and end_z >= start_z - Z_TOLERANCE:
        return []  # going up, or level: out of the cut
    if end_z < -Z_TOLERANCE:
        return [Violation(line, f"rapid down to Z={end_z:.3f}, into the sheet: plunge with a feed move (G1)")]
    return [Violation(line, f"rapid down to Z={end_z:.3f}, less than {MIN_RAPID_HEIGHT:g} mm above the sheet: "
                            "stop higher and feed down (G1)")]  # fmt: skip


def _probe_violations(move: UntrackedMove, rules: ProgramRules) -> list[Violation]:
    """A probe measures a tool on a plate under it: straight down, at most as fast as Z may feed.

    Down means a G91 move with a negative Z, or an absolute Z below a known start: from
    an unknown Z an absolute target may lie above the tool as well as below."""
    violations = []
    if move.moves_xy:
        violations.append(Violation(move.line, "probe moves X or Y: a tool is probed straight down, in Z alone"))
    if move.probe_drop is None:
        violations.append(Violation(move.line, "probe to an absolute Z from an unknown height: it may go up; "
                                               "probe down in G91 (G91 G38.2 Z-<travel>)"))  # fmt: skip
    elif move.probe_drop <= 0.0:
        violations.append(Violation(move.line, "probe does not go down: a tool is probed downward, onto a plate"))
    if rules.max_feed_z is not None and move.feed > rules.max_feed_z + FEED_TOLERANCE:
        violations.append(Violation(move.line, f"probe at F{move.feed:g}, above the machine's Z limit of "
                                               f"{rules.max_feed_z:g} mm/min"))  # fmt: skip
    return violations


def _spindle_violations(motion: Motion, what: str, min_rpm: float | None) -> list[Violation]:
    """A cut needs the spindle on and, unless its speed is set by hand, turning fast enough."""
    if not motion.spindle_on:
        return [Violation(motion.line, f"{what} with the spindle off")]
    if min_rpm is None:
        return []
    if motion.spindle_rpm <= 0.0:
        return [Violation(motion.line, f"{what} with the spindle at 0 rpm (M3 without S, or S0)")]
    if motion.spindle_rpm < min_rpm - RPM_TOLERANCE:
        below = f"below the machine's minimum of {min_rpm:g} rpm"
        return [Violation(motion.line, f"{what} with the spindle at {motion.spindle_rpm:g} rpm, {below}")]
    return []


def _z_feed_violations(motion: Motion, name: str, max_feed_z: float) -> list[Violation]:
    """A descending feed move's Z speed -- its feed times drop / length -- above the machine's Z limit."""
    drop = motion.start[2] - motion.end[2]
    if drop <= 0.0:
        return []
    if motion.kind == "arc":
        # A helix: the XY length of the arc, its radius changing linearly from start to end.
        planar = abs(arc_sweep(motion)) * (motion.radius_start + motion.radius_end) / 2.0
        length = math.hypot(planar, drop)
    else:
        length = math.dist(motion.start, motion.end)
    z_speed = motion.feed * drop / length
    if z_speed <= max_feed_z + FEED_TOLERANCE:
        return []
    return [
        Violation(
            motion.line,
            f"{name} descends at {z_speed:.1f} mm/min in Z (F{motion.feed:g}), "
            f"above the machine's Z limit of {max_feed_z:g} mm/min",
        )
    ]


def _xy_feed_violations(motion: Motion, name: str, max_feed_xy: float) -> list[Violation]:
    """A feed move's XY speed -- its feed times its XY share of the length -- above the machine's XY limit."""
    drop = abs(motion.end[2] - motion.start[2])
    if motion.kind == "arc":
        planar = abs(arc_sweep(motion)) * (motion.radius_start + motion.radius_end) / 2.0
    else:
        planar = math.dist(motion.start[:2], motion.end[:2])
    if planar == 0.0:
        return []
    xy_speed = motion.feed * planar / math.hypot(planar, drop)
    if xy_speed <= max_feed_xy * (1.0 + XY_FEED_SLACK):
        return []
    return [
        Violation(
            motion.line,
            f"{name} runs at {xy_speed:.1f} mm/min in XY (F{motion.feed:g}), "
            f"above the machine's XY limit of {max_feed_xy:g} mm/min",
        )
    ]


def _outside(
    line: int, what: str, bounds: tuple[float, float, float, float], size: tuple[float, float], slack: float
) -> list[Violation]:
    xmin, ymin, xmax, ymax = bounds
    violations = []
    tolerance = XY_TOLERANCE + slack
    for axis, low, high, limit in (("X", xmin, xmax, size[0]), ("Y", ymin, ymax, size[1])):
        if low < -tolerance:
            violations.append(Violation(line, f"{what}: reaches {axis}={low:.3f}, outside 0..{limit:g}"))
        if high > limit + tolerance:
            violations.append(Violation(line, f"{what}: reaches {axis}={high:.3f}, outside 0..{limit:g}"))
    return violations


def _arc_radius_violations(motion: Motion, rules: ProgramRules) -> list[Violation]:
    """An arc whose ends are not on one circle, by GRBL's thresholds: GRBL says error:33,
    rs274ngc "Radius to end of arc differs", Fanuc PS0020; Marlin cuts another path."""
    delta = abs(motion.radius_end - motion.radius_start)
    if delta <= GRBL_ARC_SLACK or (delta <= GRBL_ARC_LIMIT and delta <= GRBL_ARC_RELATIVE * motion.radius_start):
        return []
    if rules.arc_rule == "grbl":
        consequence = "GRBL rejects it with error:33"
    else:
        consequence = f"its ends are not on one circle, which {rules.dialect} rejects or cuts as another path"
    radii = f"arc radius {motion.radius_start:.4f} at the start but {motion.radius_end:.4f} at the end"
    return [Violation(motion.line, f"{radii} (differs by {delta:.4f} mm): {consequence}")]


def _arc_centre_mode_violations(program: GcodeProgram, rules: ProgramRules) -> list[Violation]:
    """The first arc, if it comes before the program says how it gives arc centres (G90.1/G91.1)."""
    if not rules.arc_centre_mode_required:
        return []
    mode_lines = [
        number for number, words in program.words_used.items()
        if any(word.letter == "G" and word.code in ("G90.1", "G91.1") for word in words)
    ]  # fmt: skip
    first_mode = min(mode_lines, default=None)
    for number, words in sorted(program.words_used.items()):
        arc = next((word.code for word in words if word.letter == "G" and word.code in ARC_CODES), None)
        if arc is None:
            continue
        if first_mode is None or first_mode > number:
            return [Violation(number, f"{arc} before any G90.1 or G91.1: {rules.dialect} reads I and J in the IJ "
                                      "mode of its configuration; set it in the program (G91.1: offsets from "
                                      "the start)")]  # fmt: skip
        return []
    return []


def _spin_up_violations(program: GcodeProgram, rules: ProgramRules) -> list[Violation]:
    """Each spindle start whose dwells before its first cut add up to less than the spin-up time.

    Only dwells count: a pause ends when the operator resumes, maybe at once, and a
    controller does not wait for the spindle by itself. A dwell on the start's line
    counts (RS274 starts the spindle before it dwells), and so does one on the cut's
    line (it dwells before it moves)."""
    if rules.spindle_spinup_s <= 0.0 or not program.spindle_starts:
        return []
    cuts = [
        motion for motion in program.motions
        if motion.kind != "rapid" and min(motion.start[2], motion.end[2]) < -Z_TOLERANCE
    ]  # fmt: skip
    dwells = [(event.line, dwell_seconds(event.detail, rules)) for event in program.events if event.kind == "dwell"]
    starts = sorted(program.spindle_starts)
    violations = []
    for start, next_start in zip(starts, [*starts[1:], math.inf]):
        cut = next((motion for motion in cuts if start <= motion.line < next_start), None)
        if cut is None or not cut.spindle_on:
            continue  # no cut, or one with the spindle stopped again: another rule's business
        waited = sum(seconds for line, seconds in dwells if start <= line <= cut.line)
        if waited < rules.spindle_spinup_s - SPIN_UP_TOLERANCE:
            violations.append(
                Violation(start, f"the spindle starts here and gets {waited:g} s of dwell before it cuts on line "
                                 f"{cut.line}; the machine needs {rules.spindle_spinup_s:g} s to reach speed "
                                 "(spindle_spinup_s)")
            )  # fmt: skip
    return violations
