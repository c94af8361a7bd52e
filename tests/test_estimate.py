"""Run-time estimates of real G-code, read back, against cases worked out by hand.

Every expected figure below comes from the kinematics, not from the estimator:
a move from rest to rest that reaches its speed v takes L/v + v/a (v/a to speed
up and to slow down, covering v^2/a between them, the rest at v); one too short
to reach v takes 2*sqrt(L/a). Junctions follow GRBL's junction deviation
(gnea/grbl planner.c): v^2 = a * d * sin(theta/2) / (1 - sin(theta/2)).
"""

from __future__ import annotations

import math
import random
from dataclasses import replace

import pytest

from gcode.estimate import JUNCTION_DEVIATION, dwell_seconds, estimate_time, format_duration
from gcode.post import POSTS, DialectRules
from gcode.programs import read_program
from gcode.tooling import Machine, Tool
from gcode.toolpath import ArcCut, Cut, Dwell, Rapid, SpindleOff, SpindleOn, ToolChange, ToolpathProgram

# 10 000 mm/min and 500 mm/s^2 on every axis unless a test says otherwise.
MACHINE = Machine(
    id="test", name="test router", dialect="grbl", envelope=(2500.0, 1250.0, 150.0),
    max_feed=(10000.0, 10000.0, 10000.0), acceleration=(500.0, 500.0, 500.0),
    spindle_spinup_s=4.0, tool_change_s=30.0,
)  # fmt: skip
# Where every test program starts: its first two moves are from an unknown position, so they are not timed.
START = "G21 G90 G17\nG0 Z0\nG0 X0 Y0\n"


def estimate(body: str, machine: Machine = MACHINE):
    program = read_program(START + body + "M2\n", machine.dialect)
    assert program.errors == []
    return estimate_time(program, machine)


def rest_to_rest(length: float, speed: float, acceleration: float) -> float:
    """Seconds for one move from rest to rest: trapezoid if it reaches ``speed``, else triangle."""
    if speed * speed / acceleration <= length:
        return length / speed + speed / acceleration
    return 2.0 * math.sqrt(length / acceleration)


def test_a_long_move_cruises_at_its_feed():
    result = estimate("G1 X1000 F3000\n")
    # 3000 mm/min = 50 mm/s; t = 1000/50 + 50/500.
    assert result.cutting_s == pytest.approx(20.1, rel=1e-9)
    assert result.cut_length_mm == pytest.approx(1000.0)
    assert result.rapid_s == 0.0 and result.other_s == 0.0
    assert result.untimed_moves == 2  # the first rapids, from nowhere known
    assert result.total_s == pytest.approx(20.1, rel=1e-9)


def test_a_short_move_never_reaches_its_feed():
    result = estimate("G1 X2 F3000\n")
    # Reaching 50 mm/s and stopping again needs 50^2/500 = 5 mm: 2 mm is a triangle.
    assert result.cutting_s == pytest.approx(2.0 * math.sqrt(2.0 / 500.0), rel=1e-9)


def test_a_rapid_runs_as_fast_as_its_slowest_axis_allows():
    machine = Machine(
        id="slow-y", name="slow Y", dialect="grbl", envelope=(2500.0, 1250.0, 150.0),
        max_feed=(12000.0, 6000.0, 3000.0), acceleration=(1000.0, 1000.0, 500.0),
    )  # fmt: skip
    diagonal = estimate("G0 X1000 Y1000\n", machine)
    # At 45 degrees each axis moves at speed/sqrt(2): Y's 100 mm/s caps the speed at
    # 100*sqrt(2) mm/s, and 1000 mm/s^2 per axis allows 1000*sqrt(2) mm/s^2 along the move.
    speed, acceleration = 100.0 * math.sqrt(2.0), 1000.0 * math.sqrt(2.0)
    assert diagonal.rapid_s == pytest.approx(1000.0 * math.sqrt(2.0) / speed + speed / acceleration, rel=1e-9)
    assert diagonal.rapid_s == pytest.approx(10.1, rel=1e-9)
    assert diagonal.rapid_length_mm == pytest.approx(1000.0 * math.sqrt(2.0))
    along_x = estimate("G0 X1000\n", machine)
    assert along_x.rapid_s == pytest.approx(1000.0 / 200.0 + 200.0 / 1000.0, rel=1e-9)
    # A feed faster than an axis allows is capped at that axis's speed too.
    assert estimate("G1 Y1000 F20000\n", machine).cutting_s == pytest.approx(1000.0 / 100.0 + 100.0 / 1000.0)


def test_a_right_angle_corner_slows_down_and_a_straight_line_does_not():
    straight = estimate("G1 X100 F3000\nG1 X200\n")
    assert straight.cutting_s == pytest.approx(rest_to_rest(200.0, 50.0, 500.0), rel=1e-9)

    corner = estimate("G1 X100 F3000\nG1 Y100\n")
    # Along X then Y: the direction changes by (-1, 1)/sqrt(2), along which each axis's
    # 500 mm/s^2 allows 500*sqrt(2); theta = 90 degrees, sin(theta/2) = sqrt(1/2).
    acceleration = 500.0 * math.sqrt(2.0)
    sin_half = math.sqrt(0.5)
    junction = math.sqrt(acceleration * JUNCTION_DEVIATION * sin_half / (1.0 - sin_half))
    assert junction == pytest.approx(4.1317, abs=1e-4)
    # Each leg: 0 -> 50 mm/s over 2.5 mm, cruise, 50 mm/s -> junction speed (or the reverse).
    speed_up, slow_down = 50.0 / 500.0, (50.0 - junction) / 500.0
    cruise = (100.0 - 50.0**2 / 1000.0 - (50.0**2 - junction**2) / 1000.0) / 50.0
    assert corner.cutting_s == pytest.approx(2.0 * (speed_up + cruise + slow_down), rel=1e-9)
    # Slower than the straight line, faster than stopping in the corner.
    assert straight.cutting_s < corner.cutting_s < 2.0 * rest_to_rest(100.0, 50.0, 500.0)

    reversal = estimate("G1 X100 F3000\nG1 X0\n")
    assert reversal.cutting_s == pytest.approx(2.0 * rest_to_rest(100.0, 50.0, 500.0), rel=1e-9)


def test_a_circle_at_high_feed_is_held_to_its_centripetal_limit():
    # A full circle of radius 10 (start = end) at 6000 mm/min = 100 mm/s: the centripetal
    # acceleration v^2/r may not exceed 500 mm/s^2, so v = sqrt(500 * 10) = 70.7 mm/s.
    fast = estimate("G0 X10\nG4 P0\nG2 X10 Y0 I-10 J0 F6000\n")
    circumference = 2.0 * math.pi * 10.0
    limit = math.sqrt(500.0 * 10.0)
    assert fast.cutting_s == pytest.approx(circumference / limit + limit / 500.0, rel=1e-9)
    assert fast.cut_length_mm == pytest.approx(circumference)
    slow = estimate("G0 X10\nG4 P0\nG2 X10 Y0 I-10 J0 F600\n")
    assert slow.cutting_s == pytest.approx(circumference / 10.0 + 10.0 / 500.0, rel=1e-9)


def test_an_arc_tangent_to_a_line_keeps_its_speed():
    # Along +X to (10, 0), then counter-clockwise half round (10, 10): it leaves (10, 0)
    # heading +X, so line and arc are one smooth path at 10 mm/s.
    smooth = estimate("G1 X10 F600\nG3 X10 Y20 I0 J10\n")
    length = 10.0 + math.pi * 10.0
    assert smooth.cutting_s == pytest.approx(length / 10.0 + 10.0 / 500.0, rel=1e-9)
    # Clockwise from the same point it leaves heading -X: a reversal, a full stop.
    reversed_ = estimate("G1 X10 F600\nG2 X10 Y20 I0 J10\n")
    assert reversed_.cutting_s == pytest.approx(length / 10.0 + 2.0 * 10.0 / 500.0, rel=1e-9)


def test_a_helix_is_as_long_as_its_unrolled_path():
    # Half a turn of radius 10 dropping 5 mm at 10 mm/s: sqrt((pi*10)^2 + 5^2) mm.
    result = estimate("G0 X10\nG4 P0\nG3 X-10 Y0 Z-5 I-10 J0 F600\n")
    length = math.hypot(math.pi * 10.0, 5.0)
    assert result.cut_length_mm == pytest.approx(length)
    # Only pi*10/length of the acceleration along the helix is in XY, whose 500 mm/s^2 bounds it.
    acceleration = 500.0 * length / (math.pi * 10.0)
    assert result.cutting_s == pytest.approx(length / 10.0 + 10.0 / acceleration, rel=1e-9)


def test_dwells_tool_changes_spin_up_and_pauses():
    # The spindle starts and a dwell follows: the dwell is the spin-up, nothing is added.
    with_dwell = estimate("M3 S12000\nG4 P2.5\nG1 X1000 F3000\n")
    assert with_dwell.other_s == pytest.approx(2.5)
    # No dwell: the machine's spin-up time is added once.
    without_dwell = estimate("M3 S12000\nG1 X1000 F3000\n")
    assert without_dwell.other_s == pytest.approx(MACHINE.spindle_spinup_s)
    # A tool change costs the machine's tool_change_s; a pause is counted, not timed.
    # M6 may move the machine anywhere: after it the program rapids back to a known place.
    changes = estimate("T2 M6\nG0 Z0\nG0 X0 Y0\nM3 S12000\nG4 P1\nG1 X10 F600\nM5\nM0\n"
                       "T3 M6\nG0 Z0\nG0 X10 Y0\nM3 S12000\nG4 P1\nG1 X20\n")
    assert changes.tool_changes == 2 and changes.pauses == 1
    assert changes.other_s == pytest.approx(2 * MACHINE.tool_change_s + 2 * 1.0)
    assert changes.total_s == pytest.approx(changes.other_s + 2 * rest_to_rest(10.0, 10.0, 500.0))


def test_dwell_words_are_read_in_each_dialects_unit():
    seconds = DialectRules(None, None, None, None)
    fanuc = DialectRules(None, None, None, None, dwell_in_milliseconds=True)
    marlin = DialectRules(None, None, None, None, dwell_word="S")
    assert dwell_seconds("P2.5", seconds) == 2.5  # RS274: GRBL, LinuxCNC
    assert dwell_seconds("P2500", fanuc) == 2.5
    assert dwell_seconds("S2.5", marlin) == 2.5 and dwell_seconds("P2500", marlin) == 2.5
    assert dwell_seconds("2.5 s", seconds) == 2.5  # OpenSBP's PAUSE 2.5
    assert dwell_seconds("X2.5", fanuc) == 2.5  # Fanuc's G4 X: seconds, whatever P counts
    mach3_in_ms = POSTS["mach3"].rules.for_machine(replace(MACHINE, dialect="mach3", dwell_ms=True))
    assert dwell_seconds("P2500", mach3_in_ms) == 2.5
    assert POSTS["mach3"].rules.for_machine(MACHINE) == POSTS["mach3"].rules
    assert POSTS["marlin"].rules.for_machine(replace(MACHINE, dwell_ms=True)) == POSTS["marlin"].rules  # P is ms there
    with pytest.raises(ValueError):
        dwell_seconds("Q1", seconds)


def test_the_machine_says_whether_mach3_reads_g4_p_in_milliseconds():
    body = "G91.1\nM3 S12000\nG4 P4000\nG1 X1000 F3000\n"
    in_ms = estimate(body, replace(MACHINE, dialect="mach3", dwell_ms=True))
    assert in_ms.other_s == pytest.approx(4.0)
    assert estimate(body, replace(MACHINE, dialect="mach3")).other_s == pytest.approx(4000.0)
    fanuc = estimate("M3 S12000\nG4 X2.\nG1 X1000. F3000.\n", replace(MACHINE, dialect="fanuc"))
    assert fanuc.other_s == pytest.approx(2.0)
    assert fanuc.cut_length_mm == pytest.approx(1000.0)  # G4 X2. moved nothing


def test_every_dialect_runs_the_same_toolpath_in_the_same_time():
    """The same steps rendered by every registered post and read back: one run time."""
    tool = Tool(id="t6", name="6 mm end mill", diameter=6.0)
    steps = (
        ToolChange(tool), Rapid(z=5.0), SpindleOn(12000.0), Dwell(3.0), Rapid(x=10.0, y=10.0), Rapid(z=1.0),
        Cut(10.0, 10.0, -3.0, 600.0), Cut(110.0, 10.0, -3.0, 3000.0), Cut(110.0, 60.0, -3.0, 3000.0),
        ArcCut(60.0, 110.0, -3.0, 60.0, 60.0, False, 3000.0), Cut(10.0, 10.0, -3.0, 3000.0),
        Rapid(z=5.0), SpindleOff(),
    )  # fmt: skip
    program = ToolpathProgram(name="square", tool=tool, safe_z=5.0, steps=steps)
    estimates = {}
    for dialect, post in sorted(POSTS.items()):
        machine = replace(MACHINE, dialect=dialect)
        reading = read_program(post.render(program, machine), dialect)
        assert reading.errors == [], dialect
        estimates[dialect] = estimate_time(reading, machine)
    reference = estimates["grbl"]
    # Cut: plunge 4 mm, 100 + 50 mm, a quarter circle of radius 50, the diagonal back.
    length = 4.0 + 100.0 + 50.0 + math.pi * 50.0 / 2.0 + math.dist((60.0, 110.0), (10.0, 10.0))
    assert reference.cut_length_mm == pytest.approx(length)
    for dialect, result in estimates.items():
        # The dwell after M3 and no spin-up on top; an M6 where the dialect writes one for the first tool.
        assert result.tool_changes <= 1, dialect
        assert result.other_s == pytest.approx(3.0 + result.tool_changes * MACHINE.tool_change_s), dialect
        assert result.cut_length_mm == pytest.approx(length), dialect
        assert result.cutting_s == pytest.approx(reference.cutting_s, rel=1e-6), dialect


def test_anything_but_a_move_stops_the_machine():
    straight = rest_to_rest(200.0, 50.0, 500.0)
    assert estimate("G1 X100 F3000\nG1 X200\n").cutting_s == pytest.approx(straight)
    stopped = 2.0 * rest_to_rest(100.0, 50.0, 500.0)
    for between in ("G4 P0\n", "M0\n", "M3 S12000\nG4 P0\n"):
        result = estimate(f"G1 X100 F3000\n{between}G1 X200\n")
        assert result.cutting_s == pytest.approx(stopped), between


def test_rapids_and_cuts_are_timed_apart():
    result = estimate("G0 Z5\nG0 X500\nG0 Z0\nG1 Z-5 F600\nG1 X1000 F3000\nG0 Z5\n")
    assert result.rapid_length_mm == pytest.approx(5.0 + 500.0 + 5.0 + 10.0)
    assert result.cut_length_mm == pytest.approx(5.0 + 500.0)
    # Z rapid, XY rapid and Z rapid meet at right angles (slow corners); at least each leg at speed.
    assert result.rapid_s > 3 * (5.0 / (10000.0 / 60.0)) + 500.0 / (10000.0 / 60.0)
    plunge = rest_to_rest(5.0, 10.0, 500.0)
    assert result.cutting_s > plunge + 500.0 / 50.0


@pytest.mark.parametrize("seed", range(20))
def test_never_faster_than_length_over_feed_nor_slower_than_stopping_everywhere(seed):
    rng = random.Random(seed)
    lines, lower, upper = [], 0.0, 0.0
    x = y = 0.0
    z = 0.0
    for _ in range(rng.randint(1, 40)):
        feed = round(rng.uniform(100.0, 20000.0), 1)
        nx, ny, nz = rng.uniform(0, 500), rng.uniform(0, 500), rng.choice([z, rng.uniform(-10, 0)])
        length = math.dist((x, y, z), (nx, ny, nz))
        if length < 1e-3:
            continue
        lines.append(f"G1 X{nx:.3f} Y{ny:.3f} Z{nz:.3f} F{feed:.1f}")
        nx, ny, nz = round(nx, 3), round(ny, 3), round(nz, 3)
        length = math.dist((x, y, z), (nx, ny, nz))
        direction = [(b - a) / length for a, b in zip((x, y, z), (nx, ny, nz))]
        # What the axes allow along this direction, worked out per axis (10 000 mm/min, 500 mm/s^2 each).
        axis_speed = min(10000.0 / 60.0 / abs(c) for c in direction if abs(c) > 1e-12)
        axis_acceleration = min(500.0 / abs(c) for c in direction if abs(c) > 1e-12)
        speed = min(feed / 60.0, axis_speed)
        lower += length / (feed / 60.0)
        upper += rest_to_rest(length, speed, axis_acceleration)
        x, y, z = nx, ny, nz
    result = estimate("\n".join(lines) + "\n")
    assert lower * (1 - 1e-9) <= result.cutting_s <= upper * (1 + 1e-9)


def test_format_duration():
    assert format_duration(3720.0) == "1 h 02 min"
    assert format_duration(3599.9) == "1 h 00 min"
    assert format_duration(47 * 60 + 10) == "47 min"
    assert format_duration(35.2) == "35 s"
    assert format_duration(59.6) == "1 min"


def test_seconds_by_line_add_up_to_the_total_and_give_the_time_left():
    from gcode.estimate import estimate_time
    from gcode.reader import read_gcode
    from gcode.tooling import Machine

    machine = Machine("router", "Test router", "grbl", (1000.0, 1000.0, 100.0), (5000.0, 5000.0, 1000.0))
    text = "G21 G90\nG0 Z5\nM3 S12000\nG4 P3\nG0 X100 Y100\nG1 Z-2 F300\nG1 X200 F1200\nG2 X300 Y100 I50 J0\nG0 Z5\nM5\nM2\n"
    estimate = estimate_time(read_gcode(text), machine)
    assert sum(s for _, s in estimate.seconds_by_line) == pytest.approx(estimate.total_s)
    assert estimate.remaining_after(0) == pytest.approx(estimate.total_s)
    assert estimate.remaining_after(11) == 0.0
    after_dwell = estimate.remaining_after(4)  # the 3 s dwell is on line 4: done by then
    assert 0.0 < after_dwell <= estimate.total_s - 3.0 + 1e-9
    lines = [n for n, _ in estimate.seconds_by_line]
    assert lines == sorted(lines) and 7 in lines and 8 in lines
