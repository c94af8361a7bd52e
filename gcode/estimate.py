"""How long a program runs: the moves a reader returns, timed with the machine's limits.

The model is GRBL 1.1's motion planner (gnea/grbl planner.c), which other
look-ahead controllers resemble closely enough for a run-time estimate:

* Every move has a trapezoidal velocity profile: it accelerates at constant
  acceleration from its entry speed, cruises at its nominal speed and
  decelerates to its exit speed -- or, when too short to reach its nominal
  speed, accelerates and decelerates only (a triangle).
* Nominal speed and acceleration along a direction u: a feed move runs at its F,
  capped so that no axis exceeds its max_feed; a rapid runs as fast as every
  axis allows, min over the moving axes of max_feed[i] / |u[i]|; the
  acceleration is min over the moving axes of acceleration[i] / |u[i]|.
* Arcs are as long as their sweep times their radius (with any helical Z).
  Their direction turns through the XY plane, so the slower of X and Y bounds
  them, and the centripetal acceleration bounds their speed: v <= sqrt(a * r).
* Junctions: GRBL's junction deviation. Between directions u1 and u2 meeting at
  an angle theta (theta = 180 degrees for a straight continuation),
  v^2 = a * d * sin(theta/2) / (1 - sin(theta/2)), with d = 0.01 mm (GRBL's $11
  default) and a the acceleration along u2 - u1. A right-angle corner at
  500 mm/s^2 passes at about 4 mm/s; a straight continuation keeps its speed; a
  reversal stops. A junction is never faster than either move's nominal speed.
* The machine comes to rest at the start and end of the program and around
  everything that is not a move: a dwell, a tool change, a pause, the program
  end, a move the reader cannot place, and a change of the spindle's state or
  speed between two moves (GRBL empties its planner before it changes the
  spindle).

Time that is not motion ("other"): dwells (G4, or OpenSBP's timed PAUSE), read
in the dialect's unit as the machine's controller is set up (``dwell_ms``: Mach3
reading G4 P in milliseconds); tool changes (M6), each machine.tool_change_s; and the
spindle spin-up, machine.spindle_spinup_s, where the spindle starts -- a move
runs with it on after one without -- and no dwell comes between that move and
the one before: the controller's own spin-up delay, or the operator's wait.
When a dwell follows the M3 (plycut's posts write one), the spin-up is that
dwell, already counted. Pauses (M0/M1) wait for the operator for as long as the
operator takes: they are counted and reported, never timed -- a tool changed by
hand on GRBL is two of them. A probe (G38.x) stops where it touches, which
depends on the new tool's length: it is timed as its whole travel at its feed,
about the longest it can take, in "other" time.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from gcode.post import get_post
from gcode.reader import GcodeProgram, Motion, UntrackedMove, arc_sweep
from gcode.tooling import Machine

JUNCTION_DEVIATION = 0.01  # mm: GRBL's $11 default
# Directions whose cosine is this close to -1 or 1 meet in a straight line or a reversal (GRBL's limits).
STRAIGHT_JUNCTION_COSINE = 0.999999
SHORTEST_MOVE = 1e-9  # mm: a move shorter than this takes no time
SECONDS_PER_MINUTE = 60.0
_DWELL_DETAIL = re.compile(r"([PSX])([+-]?[0-9.]+)|([0-9.eE+-]+) s")

Vector = tuple[float, float, float]

# Order of execution within one line (RS274NGC): a tool change and a dwell come
# before the line's move; a pause, the program end and a move the reader cannot
# place (G28's final leg, M6's trip to the change position) come after it.
BEFORE_MOVE, MOVE, AFTER_MOVE = 0, 1, 2


@dataclass(frozen=True)
class TimeEstimate:
    """A program's estimated run time (seconds) and travel (mm)."""

    cutting_s: float  # feed moves and arcs, in the wood or in the air
    rapid_s: float
    other_s: float  # dwells, tool changes, spindle spin-up, probes
    cut_length_mm: float
    rapid_length_mm: float
    tool_changes: int
    pauses: int  # M0/M1: the operator's time comes on top of total_s
    untimed_moves: int  # moves the reader cannot place (from an unknown position, after M6, G28, G53; C2)
    seconds_by_line: tuple[tuple[int, float], ...] = ()  # (file line, seconds) in program order: for ETAs

    def remaining_after(self, line: int) -> float:
        """Seconds the lines after `line` still take."""
        return sum(seconds for number, seconds in self.seconds_by_line if number > line)

    @property
    def total_s(self) -> float:
        """Every second the machine is busy, pauses excluded."""
        return self.cutting_s + self.rapid_s + self.other_s


class _Profile(NamedTuple):  # a tuple: one is made per move, and a frozen dataclass is slower to make
    """What the planner needs to know about one move; speeds in mm/s, acceleration in mm/s^2."""

    kind: str
    length: float
    nominal_speed: float
    acceleration: float
    start_direction: Vector
    end_direction: Vector
    stop_before: bool  # the machine is at rest when this move starts


def estimate_time(
    program: GcodeProgram, machine: Machine, *, junction_deviation: float = JUNCTION_DEVIATION
) -> TimeEstimate:
    """The run time of ``program`` (as a reader returned it) on ``machine``; see the module's model."""
    limits = _AxisLimits.of(machine)
    other_s = 0.0
    tool_changes = pauses = untimed_moves = 0
    rules = get_post(machine.dialect).rules.for_machine(machine)
    profiles: list[_Profile] = []
    profile_lines: list[int] = []
    other_by_line: list[tuple[int, float]] = []
    stopped = True
    dwelled = False  # a dwell since the last move
    spindle: tuple[bool, float] = (False, 0.0)
    for kind, item in _timeline(program):
        if kind == "motion":
            if item.spindle_on and not spindle[0] and not dwelled:
                other_s += machine.spindle_spinup_s  # the spindle started and the program did not wait
                other_by_line.append((item.line, machine.spindle_spinup_s))
            previous, spindle = spindle, (item.spindle_on, item.spindle_rpm)
            profile = _profile(item, limits, stop_before=stopped or spindle != previous)
            if profile is not None:
                profiles.append(profile)
                profile_lines.append(item.line)
                stopped = dwelled = False
            continue
        stopped = True
        if kind == "dwell":
            seconds = dwell_seconds(item.detail, rules)
            other_s += seconds
            other_by_line.append((item.line, seconds))
            dwelled = True
        elif kind == "tool-change":
            other_s += machine.tool_change_s
            other_by_line.append((item.line, machine.tool_change_s))
            tool_changes += 1
        elif kind == "pause":
            pauses += 1
        elif kind == "untracked":
            probe_s = _probe_seconds(item)
            if probe_s is None:
                untimed_moves += 1
            else:
                other_s += probe_s
                other_by_line.append((item.line, probe_s))
    times = _plan(profiles, limits, junction_deviation)
    by_line = sorted([*zip(profile_lines, times), *other_by_line], key=lambda entry: entry[0])
    cutting = [(p, t) for p, t in zip(profiles, times) if p.kind != "rapid"]
    rapids = [(p, t) for p, t in zip(profiles, times) if p.kind == "rapid"]
    return TimeEstimate(
        cutting_s=sum(t for _, t in cutting),
        rapid_s=sum(t for _, t in rapids),
        other_s=other_s,
        cut_length_mm=sum(p.length for p, _ in cutting),
        rapid_length_mm=sum(p.length for p, _ in rapids),
        tool_changes=tool_changes,
        pauses=pauses,
        untimed_moves=untimed_moves,
        seconds_by_line=tuple(by_line),
    )


def _probe_seconds(move: UntrackedMove) -> float | None:
    """The longest a probe can take, its whole travel at its feed; None for any other untracked move."""
    if move.kind != "probe" or move.probe_drop is None or move.probe_drop <= 0.0 or move.feed <= 0.0:
        return None
    return move.probe_drop / move.feed * SECONDS_PER_MINUTE


def format_duration(seconds: float) -> str:
    """A run time as people read it: "1 h 02 min", "47 min", "35 s"."""
    if seconds < SECONDS_PER_MINUTE - 0.5:
        return f"{round(seconds)} s"
    minutes = round(seconds / SECONDS_PER_MINUTE)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def _timeline(program: GcodeProgram) -> Iterator[tuple[str, object]]:
    """Motions, events ("dwell", "tool-change", "pause", "program-end", ...) and moves
    the reader could not follow ("untracked"), in the order the controller meets them."""
    items: list[tuple[int, int, int, str, object]] = []
    for event in program.events:
        rank = BEFORE_MOVE if event.kind in ("dwell", "tool-change") else AFTER_MOVE
        items.append((event.line, rank, len(items), event.kind, event))
    for untracked in program.untracked_moves:
        items.append((untracked.line, AFTER_MOVE, len(items), "untracked", untracked))
    for motion in program.motions:
        items.append((motion.line, MOVE, len(items), "motion", motion))
    items.sort(key=lambda entry: entry[:3])
    for _line, _rank, _order, kind, item in items:
        yield kind, item


class DwellUnits(Protocol):
    """How a controller reads G4's time: a dialect's rules (gcode.post.DialectRules, for the
    machine) or a program's (gcode.check.ProgramRules)."""

    dwell_word: str
    dwell_in_milliseconds: bool


def dwell_seconds(detail: str, rules: DwellUnits) -> float:
    """The seconds of a dwell as a reader records it: the G4 word ("P2.5"; Marlin's "S3";
    Fanuc's "X2", always seconds) read in the dialect's unit, or OpenSBP's "2.5 s"."""
    match = _DWELL_DETAIL.fullmatch(detail)
    if match is None:
        raise ValueError(f"dwell {detail!r}: expected P<time>, S<time>, X<seconds> or '<seconds> s'")
    letter, number, seconds = match.groups()
    if seconds is not None:
        return float(seconds)
    if letter == "X":  # the reader records X only where it is the time in seconds (Fanuc)
        return float(number)
    if letter == rules.dwell_word:
        return float(number) / 1000.0 if rules.dwell_in_milliseconds else float(number)
    # A controller that takes seconds in S (Marlin) counts milliseconds in P.
    return float(number) if letter == "S" else float(number) / 1000.0


def _unit(x: float, y: float, z: float) -> tuple[Vector, float]:
    """The vector's direction and length; a zero direction for a vector too short to have one."""
    length = math.sqrt(x * x + y * y + z * z)
    if length < SHORTEST_MOVE:
        return (0.0, 0.0, 0.0), 0.0
    return (x / length, y / length, z / length), length


@dataclass(frozen=True)
class _AxisLimits:
    """The machine's per-axis speed (mm/s) and acceleration (mm/s^2)."""

    speed_per_axis: Vector
    acceleration_per_axis: Vector

    @classmethod
    def of(cls, machine: Machine) -> _AxisLimits:
        speed = tuple(feed / SECONDS_PER_MINUTE for feed in machine.max_feed)
        return cls(speed, tuple(machine.acceleration))

    def along(self, direction: Vector) -> tuple[float, float]:
        """(speed, acceleration) along a unit ``direction``: the most every axis allows (GRBL's rule)."""
        x, y, z = abs(direction[0]), abs(direction[1]), abs(direction[2])
        sx, sy, sz = self.speed_per_axis
        ax, ay, az = self.acceleration_per_axis
        return 1.0 / max(x / sx, y / sy, z / sz), 1.0 / max(x / ax, y / ay, z / az)


def _profile(motion: Motion, limits: _AxisLimits, *, stop_before: bool) -> _Profile | None:
    """The move's length, speed limit, acceleration and end directions; None for a move of no length."""
    if motion.kind == "arc":
        return _arc_profile(motion, limits, stop_before)
    (x0, y0, z0), (x1, y1, z1) = motion.start, motion.end
    direction, length = _unit(x1 - x0, y1 - y0, z1 - z0)
    if length == 0.0:
        return None
    speed, acceleration = limits.along(direction)
    if motion.kind != "rapid":
        speed = min(speed, motion.feed / SECONDS_PER_MINUTE)
    return _Profile(motion.kind, length, speed, acceleration, direction, direction, stop_before)


def _arc_profile(motion: Motion, limits: _AxisLimits, stop_before: bool) -> _Profile:
    cx, cy = motion.centre
    sweep = arc_sweep(motion)
    radius = (motion.radius_start + motion.radius_end) / 2.0
    planar = abs(sweep) * radius
    rise = motion.end[2] - motion.start[2]
    length = math.hypot(planar, rise)
    planar_share, rise_share = planar / length, abs(rise) / length
    # The direction turns through every XY angle the arc sweeps: the slower of X and Y bounds
    # its XY part, as if that part ran along that axis; Z bounds the rise of a helix.
    xy_speed, xy_acceleration = min(limits.speed_per_axis[:2]), min(limits.acceleration_per_axis[:2])
    z_speed, z_acceleration = limits.speed_per_axis[2], limits.acceleration_per_axis[2]
    rise_speed = z_speed / rise_share if rise_share > 0.0 else math.inf
    rise_acceleration = z_acceleration / rise_share if rise_share > 0.0 else math.inf
    centripetal = math.sqrt(xy_acceleration * radius)  # v^2 / r <= a, in XY
    speed = min(xy_speed / planar_share, rise_speed, centripetal / planar_share, motion.feed / SECONDS_PER_MINUTE)
    acceleration = min(xy_acceleration / planar_share, rise_acceleration)

    def tangent(point: Sequence[float]) -> Vector:
        """The direction of travel at ``point``: the radius turned +90 degrees counter-clockwise, -90 clockwise."""
        turn = 1.0 if sweep > 0.0 else -1.0
        (rx, ry, _), _ = _unit(point[0] - cx, point[1] - cy, 0.0)
        return (-turn * ry * planar_share, turn * rx * planar_share, math.copysign(rise_share, rise))

    return _Profile("arc", length, speed, acceleration, tangent(motion.start), tangent(motion.end), stop_before)


def _junction_speed(before: _Profile, after: _Profile, limits: _AxisLimits, deviation: float) -> float:
    """The fastest speed at which ``before`` may hand over to ``after`` (GRBL's junction deviation)."""
    if after.stop_before:
        return 0.0
    (x1, y1, z1), (x2, y2, z2) = before.end_direction, after.start_direction
    cosine = -(x1 * x2 + y1 * y2 + z1 * z2)  # cos of the angle between the two moves at the corner
    slowest = min(before.nominal_speed, after.nominal_speed)
    if cosine > STRAIGHT_JUNCTION_COSINE:
        return 0.0  # a reversal
    if cosine < -STRAIGHT_JUNCTION_COSINE:
        return slowest  # a straight line
    change, _ = _unit(x2 - x1, y2 - y1, z2 - z1)
    _, acceleration = limits.along(change)
    sin_half = math.sqrt(0.5 * (1.0 - cosine))
    return min(slowest, math.sqrt(acceleration * deviation * sin_half / (1.0 - sin_half)))


def _plan(profiles: Sequence[_Profile], limits: _AxisLimits, deviation: float) -> list[float]:
    """The seconds each move takes once entry and exit speeds are planned over the whole program."""
    count = len(profiles)
    # entry[i]: the speed at which move i starts; entry[count]: the end of the program, at rest.
    entry = [0.0] * (count + 1)
    for index in range(1, count):
        entry[index] = _junction_speed(profiles[index - 1], profiles[index], limits, deviation)
    for index in range(count - 1, -1, -1):  # no move can brake harder than its acceleration allows...
        entry[index] = min(entry[index], _reachable(entry[index + 1], profiles[index]))
    for index, profile in enumerate(profiles):  # ...nor speed up faster
        entry[index + 1] = min(entry[index + 1], _reachable(entry[index], profile))
    return [_move_seconds(p, entry[i], entry[i + 1]) for i, p in enumerate(profiles)]


def _reachable(speed: float, profile: _Profile) -> float:
    """The speed reached from ``speed`` accelerating over the whole move."""
    return math.sqrt(speed * speed + 2.0 * profile.acceleration * profile.length)


def _move_seconds(profile: _Profile, entry: float, exit_: float) -> float:
    """Trapezoid (accelerate, cruise, decelerate) or, for a short move, triangle."""
    length, cruise, acceleration = profile.length, profile.nominal_speed, profile.acceleration
    speeding_up = (cruise * cruise - entry * entry) / (2.0 * acceleration)
    slowing_down = (cruise * cruise - exit_ * exit_) / (2.0 * acceleration)
    if speeding_up + slowing_down <= length:
        cruising = length - speeding_up - slowing_down
        return (cruise - entry) / acceleration + cruising / cruise + (cruise - exit_) / acceleration
    peak = math.sqrt((2.0 * acceleration * length + entry * entry + exit_ * exit_) / 2.0)
    peak = max(peak, entry, exit_)  # the planner's passes guarantee it, up to rounding
    return (peak - entry) / acceleration + (peak - exit_) / acceleration
