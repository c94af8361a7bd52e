"""The GRBL post: toolpath programs rendered, then read back and checked line by line."""

from __future__ import annotations

import math
import re
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gcode.check import check_program, rules_for
from gcode.post import POSTS, get_post
from gcode.reader import read_gcode
from gcode.tooling import Machine, OutputSwitch, Tool
from gcode.toolpath import (
    ArcCut,
    Comment,
    Cut,
    Dwell,
    Rapid,
    SpindleOff,
    SpindleOn,
    ToolChange,
    ToolpathProgram,
)
from nester.errors import InputError

TOOL = Tool(id="em6", name="6 mm up-cut", diameter=6.0)
MACHINE = Machine(
    id="test",
    name="Test router",
    dialect="grbl",
    envelope=(800.0, 600.0, 100.0),
    max_feed=(5000.0, 5000.0, 1000.0),
    park=(0.0, 590.0),
    spindle_rpm=(8000.0, 24000.0),
)
POST = get_post("grbl")
# A number as the post must write it: no trailing zeros, a leading zero, never "-0".
CLEAN_NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d*[1-9])?")
WORD = re.compile(r"([A-Z])(\S+)")


def on_circle(cx: float, cy: float, radius: float, degrees: float) -> tuple[float, float]:
    return cx + radius * math.cos(math.radians(degrees)), cy + radius * math.sin(math.radians(degrees))


def render(steps, header=(), machine=MACHINE, safe_z=5.0) -> str:
    program = ToolpathProgram(name="sheet 1", tool=TOOL, safe_z=safe_z, steps=tuple(steps), header=tuple(header))
    return POST.render(program, machine)


def small_arcs_program() -> list:
    """Arcs of radius 1..3 mm at awkward angles and centres with many decimals, and a helix."""
    steps = [Comment("Étagère (côté gauche) — coupe n°2"), Rapid(z=5.0), SpindleOn(18000), Dwell(2.5)]
    z = -3.1234567
    for index, (radius, first, sweep, clockwise) in enumerate(
        [
            (1.0, 13.37, 179.9, False),
            (1.2345678, 101.111, 180.0, True),
            (2.0000001, 359.77, 47.123, False),
            (2.71828, 200.5, 3.3, True),
            (3.0, 77.7777, 120.0001, True),
            (1.4142136, 45.0, 90.0, False),
        ]
    ):
        cx, cy = 100.0 + 10.123456789 * index, 50.987654321 + 3.3333333 * index
        start = on_circle(cx, cy, radius, first)
        end = on_circle(cx, cy, radius, first - sweep if clockwise else first + sweep)
        steps += [
            Rapid(x=start[0], y=start[1]),
            Cut(start[0], start[1], z, 600.0),
            ArcCut(end[0], end[1], z, cx, cy, clockwise, 1500.0),
            Rapid(z=5.0),
        ]
    # A helix segment: a half turn going down 1.5 mm.
    cx, cy, radius = 180.456789, 120.123456, 2.5
    start, end = on_circle(cx, cy, radius, 33.3), on_circle(cx, cy, radius, 213.3)
    steps += [
        Rapid(x=start[0], y=start[1]),
        Cut(start[0], start[1], -1.0, 600.0),
        ArcCut(end[0], end[1], -2.5, cx, cy, False, 1200.0),
        Cut(end[0] + 10.0004, end[1], -2.5, 1200.0),
        Rapid(z=5.0),
        SpindleOff(),
    ]
    return steps


def expected_motions(steps) -> list[dict]:
    """The IR moves that start from a known position, with their exact geometry."""
    position = [None, None, None]
    expected = []
    for step in steps:
        if isinstance(step, Rapid):
            target = [v if v is not None else p for v, p in zip((step.x, step.y, step.z), position)]
        elif isinstance(step, (Cut, ArcCut)):
            target = [step.x, step.y, step.z]
        else:
            continue
        if None not in position:
            kind = "rapid" if isinstance(step, Rapid) else "arc" if isinstance(step, ArcCut) else "feed"
            expected.append({"kind": kind, "start": tuple(position), "end": tuple(target), "step": step})
        position = target
    return expected


def signed_sweep(start_angle: float, end_angle: float, clockwise: bool) -> float:
    sweep = (end_angle - start_angle) % (2 * math.pi)
    return sweep - 2 * math.pi if clockwise else sweep


def ir_arc_middle(start, step: ArcCut) -> tuple[float, float]:
    start_angle = math.atan2(start[1] - step.cy, start[0] - step.cx)
    end_angle = math.atan2(step.y - step.cy, step.x - step.cx)
    middle = start_angle + signed_sweep(start_angle, end_angle, step.clockwise) / 2
    radius = math.hypot(step.x - step.cx, step.y - step.cy)
    return step.cx + radius * math.cos(middle), step.cy + radius * math.sin(middle)


def read_arc_middle(motion) -> tuple[float, float]:
    cx, cy = motion.centre
    start_angle = math.atan2(motion.start[1] - cy, motion.start[0] - cx)
    end_angle = math.atan2(motion.end[1] - cy, motion.end[0] - cx)
    middle = start_angle + signed_sweep(start_angle, end_angle, motion.clockwise) / 2
    return cx + motion.radius_start * math.cos(middle), cy + motion.radius_start * math.sin(middle)


def grbl_arc_delta(start: tuple[float, float], line: str) -> float:
    """GRBL's radius difference for an I/J arc line, recomputed from the text alone."""
    words = dict(WORD.findall(line))
    end_x = float(words.get("X", start[0]))
    end_y = float(words.get("Y", start[1]))
    i, j = float(words.get("I", 0.0)), float(words.get("J", 0.0))
    centre = (start[0] + i, start[1] + j)
    return abs(math.hypot(i, j) - math.hypot(end_x - centre[0], end_y - centre[1]))


def grbl_accepts(delta: float, radius: float) -> bool:
    return not (delta > 0.005 and (delta > 0.5 or delta > 0.001 * radius))


def written_xy_per_line(text: str) -> list[tuple[str, tuple[float, float]]]:
    """Each motion line with the XY position it starts from, tracked from the text."""
    x = y = 0.0
    result = []
    for line in text.splitlines():
        if not line.startswith("G") or line.startswith("G4"):
            continue
        result.append((line, (x, y)))
        words = dict(WORD.findall(line))
        x, y = float(words.get("X", x)), float(words.get("Y", y))
    return result


def test_round_trip_small_arcs_match_the_toolpath():
    steps = small_arcs_program()
    text = render(steps)
    program = read_gcode(text)
    assert program.errors == []

    expected = expected_motions(steps)
    motions = program.motions
    park = motions[-1]
    assert park.kind == "rapid" and park.end[:2] == MACHINE.park
    assert len(motions) - 1 == len(expected)
    for want, got in zip(expected, motions):
        assert got.kind == want["kind"]
        for a, b in zip(want["start"] + want["end"], got.start + got.end):
            assert a == pytest.approx(b, abs=0.0006)
        if want["kind"] == "arc":
            step = want["step"]
            assert got.clockwise == step.clockwise
            assert got.feed == step.feed
            # The read arc follows the toolpath's arc: its middle point is on it too.
            assert math.dist(ir_arc_middle(want["start"], step), read_arc_middle(got)) < 0.001


def test_arcs_pass_grbls_radius_check_recomputed_from_the_text():
    text = render(small_arcs_program())
    arc_lines = [(line, start) for line, start in written_xy_per_line(text) if line.startswith(("G2 ", "G3 "))]
    assert len(arc_lines) == 7
    for line, start in arc_lines:
        words = dict(WORD.findall(line))
        radius = math.hypot(float(words["I"]), float(words["J"]))
        assert grbl_accepts(grbl_arc_delta(start, line), radius), line
        assert grbl_arc_delta(start, line) < 0.0002, line


@settings(max_examples=150, deadline=None)
@given(
    radius=st.one_of(st.floats(0.5, 3.0), st.floats(3.0, 400.0)),
    first=st.floats(0.0, 360.0),
    sweep=st.floats(1.0, 180.0),
    clockwise=st.booleans(),
    cx=st.floats(20.0, 500.0),
    cy=st.floats(20.0, 500.0),
)
def test_any_small_arc_passes_grbls_radius_check(radius, first, sweep, clockwise, cx, cy):
    start = on_circle(cx, cy, radius, first)
    end = on_circle(cx, cy, radius, first - sweep if clockwise else first + sweep)
    steps = [Rapid(z=5.0), Rapid(x=start[0], y=start[1]), SpindleOn(18000), Cut(start[0], start[1], -2.0, 500.0),
             ArcCut(end[0], end[1], -2.0, cx, cy, clockwise, 1000.0)]  # fmt: skip
    text = render(steps)
    (line, written_start), = [(ln, s) for ln, s in written_xy_per_line(text) if ln.startswith(("G2 ", "G3 "))]
    assert grbl_arc_delta(written_start, line) < 0.0002
    (arc,) = [m for m in read_gcode(text).motions if m.kind == "arc"]
    assert arc.end[:2] == pytest.approx(end, abs=0.0006)
    ir_arc = ArcCut(end[0], end[1], -2.0, cx, cy, clockwise, 1000.0)
    assert math.dist(ir_arc_middle(start, ir_arc), read_arc_middle(arc)) < 0.001


def test_semicircle_of_large_radius_stays_on_its_circle():
    """Rounding shortens this chord by 0.0008 mm; keeping the radius would move the centre 0.28 mm."""
    cx, cy, radius = 300.0, 250.0002, 100.0004
    start, end = (cx - radius, cy), (cx + radius, cy)
    steps = [Rapid(z=5.0), Rapid(x=start[0], y=start[1]), SpindleOn(18000), Cut(start[0], start[1], -2.0, 500.0),
             ArcCut(end[0], end[1], -2.0, cx, cy, True, 1000.0)]  # fmt: skip
    (arc,) = [m for m in read_gcode(render(steps)).motions if m.kind == "arc"]
    assert read_arc_middle(arc) == pytest.approx((cx, cy + radius), abs=0.001)


def test_every_line_is_short_ascii_and_numbers_are_written_clean():
    long_name = "Très longue étiquette " * 8
    text = render(small_arcs_program(), header=(("plycut", "0.1.0"), ("job", long_name)))
    assert text.endswith("\n")
    for line in text.splitlines():
        assert len(line) <= 80
        assert line.isascii()
        if line.startswith("("):
            assert line.endswith(")") and "(" not in line[1:] and ")" not in line[:-1]
            continue
        for _letter, number in WORD.findall(line):
            assert CLEAN_NUMBER.fullmatch(number), line
    assert "(job: Tres longue etiquette Tres" in text


def test_header_preamble_and_comments():
    text = render([Rapid(z=5.0), Comment("Étagère (côté gauche)\nligne 2")], header=(("plycut", "0.1.0"),))
    lines = text.splitlines()
    assert lines[:6] == [
        "(program: sheet 1)",
        "(plycut: 0.1.0)",
        "(tool: 6 mm up-cut, D6)",
        "(origin: X0 Y0 sheet lower-left corner, Z0 top of sheet)",
        "G21 G90 G17 G94 G54",  # G54: the work offset the operator zeroed, whatever was left active
        "G0 Z5",
    ]
    assert "(Etagere [cote gauche] ligne 2)" in lines


def test_feed_is_written_only_when_it_changes():
    steps = [Rapid(z=5.0), Rapid(x=10.0, y=10.0), SpindleOn(18000), Cut(10.0, 10.0, -3.0, 500.0),
             Cut(20.0, 10.0, -3.0, 1500.0), Cut(20.0, 20.0, -3.0, 1500.0), Cut(10.0, 20.0, -3.0, 1500.00001),
             Cut(10.0, 10.0, -3.0, 1200.0)]  # fmt: skip
    text = render(steps)
    feed_lines = [line for line in text.splitlines() if line.startswith("G1")]
    assert feed_lines == ["G1 Z-3 F500", "G1 X20 F1500", "G1 Y20", "G1 X10", "G1 Y10 F1200"]
    assert [m.feed for m in read_gcode(text).motions if m.kind == "feed"] == [500, 1500, 1500, 1500, 1200]


def test_rapid_moves_only_the_given_axes_and_zero_length_moves_are_dropped():
    steps = [Rapid(z=5.0), Rapid(x=10.0), Rapid(y=20.0), Rapid(x=10.0002, y=20.0001), SpindleOn(18000),
             Cut(10.0, 20.0, -1.0, 400.0), Cut(10.0001, 20.0004, -1.0002, 400.0),
             Cut(12.0, 20.0, -1.0, 400.0)]  # fmt: skip
    lines = render(steps).splitlines()
    body = lines[lines.index("G21 G90 G17 G94 G54") + 1 :]
    assert body == ["G0 Z5", "G0 X10", "G0 Y20", "M3 S18000", "G1 Z-1 F400", "G1 X12",
                    "G0 Z5", "M5", "G0 X0 Y590", "M2"]  # fmt: skip


def test_postamble_does_not_retract_twice_and_parks():
    text = render([Rapid(z=7.0), Rapid(x=3.0, y=4.0), SpindleOn(9000), SpindleOff()], safe_z=5.0)
    # Already above safe Z: no retract, but M5 again (the postamble never trusts the body).
    assert text.splitlines()[-7:] == ["G0 Z7", "G0 X3 Y4", "M3 S9000", "M5", "M5", "G0 X0 Y590", "M2"]
    low = render([Rapid(z=5.0), Rapid(x=3.0, y=4.0), SpindleOn(9000), Cut(3.0, 4.0, -2.0, 300.0)])
    assert low.splitlines()[-5:] == ["G1 Z-2 F300", "G0 Z5", "M5", "G0 X0 Y590", "M2"]


def test_spindle_counter_clockwise_dwell_and_manual_router():
    text = render([Rapid(z=5.0), SpindleOn(12000.4, clockwise=False), Dwell(1.25)])
    assert "M4 S12000" in text.splitlines()
    assert "G4 P1.25" in text.splitlines()
    manual = Machine(id="m", name="Trim router", dialect="grbl", envelope=(600, 400, 80), max_feed=(2000, 2000, 500),
                     spindle_rpm=(0.0, 0.0))  # fmt: skip
    lines = render([Rapid(z=5.0), SpindleOn(18000)], machine=manual).splitlines()
    index = lines.index("M3")
    assert lines[index - 1] == "(set the spindle speed to 18000 rpm by hand)"


def test_spindle_speed_outside_the_machine_range_is_refused():
    with pytest.raises(ValueError, match=r"30000 rpm is outside Test router's range 8000\.\.24000"):
        render([Rapid(z=5.0), SpindleOn(30000)])


def test_arc_closing_on_itself_once_rounded_is_refused():
    steps = [Rapid(z=5.0), Rapid(x=10.0, y=10.0), SpindleOn(18000), Cut(10.0, 10.0, -1.0, 500.0),
             ArcCut(10.0002, 10.0001, -1.0, 12.0, 10.0, True, 800.0)]  # fmt: skip
    with pytest.raises(ValueError, match="full circles"):
        render(steps)


def test_motion_before_the_position_is_known_is_refused():
    with pytest.raises(ValueError, match="before Z is known"):
        render([Rapid(x=1.0, y=2.0, z=5.0)])
    with pytest.raises(ValueError, match="unknown position"):
        render([Rapid(z=5.0), Cut(1.0, 2.0, -1.0, 500.0)])


def test_registry():
    assert POSTS["grbl"] is POST
    assert POST.dialect == "grbl" and POST.file_extension == ".nc"
    assert get_post(" GRBL ") is POST
    with pytest.raises(InputError, match="'fanuk'.*grbl"):
        get_post("fanuk")


def test_a_line_too_long_for_the_controller_is_refused():
    with pytest.raises(ValueError, match="longer than 80 characters"):
        render([Rapid(z=5.0), Rapid(x=1e40, y=1e40)])


@pytest.mark.parametrize("spindle_rpm", [(8000.0, 24000.0), (0.0, 0.0)])
def test_rendered_program_meets_the_machine_rules(spindle_rpm):
    # Slowest spindle, plunge at the Z feed limit, a helix down: the post's own output passes,
    # with M3 S8000 on a speed-controlled spindle and a bare M3 on a manual-speed router.
    machine = Machine(id="m", name="Router", dialect="grbl", envelope=(800, 600, 80), max_feed=(5000, 5000, 1000),
                      spindle_rpm=spindle_rpm)  # fmt: skip
    start = on_circle(200.0, 150.0, 20.0, 0.0)
    end = on_circle(200.0, 150.0, 20.0, 90.0)
    text = render([Rapid(z=5.0), Rapid(x=start[0], y=start[1]), SpindleOn(8000), Dwell(3.0), Cut(*start, -6.0, 1000.0),
                   ArcCut(*end, -9.0, 200.0, 150.0, False, 1800.0), Rapid(z=5.0), SpindleOff()],
                  machine=machine)  # fmt: skip
    assert ("M3 S8000" in text.splitlines()) == (spindle_rpm != (0.0, 0.0))
    program = read_gcode(text)
    assert program.errors == []
    rules = rules_for("grbl", machine, (600.0, 400.0, 18.0))
    assert (rules.max_feed_z, rules.min_spindle_rpm) == (1000, None if spindle_rpm == (0.0, 0.0) else 8000)
    assert check_program(program, rules=rules) == []


VBIT = Tool(id="v90", name="90° V-bit", diameter=6.0, kind="vbit", number=5, angle=90.0)


def test_the_first_tool_is_loaded_before_the_start_and_a_second_one_is_refused():
    # GRBL has no M6, and during an M0 hold it refuses jogging ($J only in Idle or Jog): a pause
    # cannot re-zero Z for a new tool, so a longer one would rapid into the sheet. One program per tool.
    text = render([ToolChange(TOOL), Rapid(z=5.0), SpindleOn(18000), SpindleOff()])
    lines = text.splitlines()
    assert "(load tool 1: 6 mm up-cut, D6)" in lines  # the first tool: loaded and zeroed before starting
    assert not any(word in ("M0", "M6") for line in lines for word in line.split())
    two_tools = [ToolChange(TOOL), Rapid(z=5.0), SpindleOn(18000), SpindleOff(), ToolChange(VBIT),
                 Rapid(z=5.0), SpindleOn(16000), SpindleOff()]  # fmt: skip
    # A machine file claiming a changer changes nothing: GRBL cannot command one.
    for machine in (MACHINE, replace(MACHINE, tool_changer=True)):
        with pytest.raises(ValueError, match="change to tool 5 .*one program per tool"):
            render(two_tools, machine=machine)


def test_outputs_and_line_numbers():
    machine = replace(MACHINE, line_numbers=True, vacuum=OutputSwitch("M7", "M9"),
                      dust_extraction=OutputSwitch("M8", "M9"))  # fmt: skip
    steps = [ToolChange(TOOL), Rapid(z=5.0), SpindleOn(18000), Dwell(3.0), Rapid(x=10.0, y=10.0),
             Cut(10.0, 10.0, -1.0, 300.0), Rapid(z=5.0), SpindleOff(), SpindleOn(16000), Rapid(x=20.0, y=20.0),
             SpindleOff()]  # fmt: skip
    text = render(steps, machine=machine)
    assert text.splitlines()[3:] == [
        "N10 G21 G90 G17 G94 G54",
        "(load tool 1: 6 mm up-cut, D6)",
        "N20 G0 Z5",
        "N30 M7", "N40 M8",  # vacuum, then extraction, before the spindle starts
        "N50 M3 S18000", "N60 G4 P3",
        "N70 G0 X10 Y10", "N80 G1 Z-1 F300", "N90 G0 Z5", "N100 M5",
        "N110 M3 S16000",  # the outputs stay on while the spindle stops and starts again
        "N120 G0 X20 Y20", "N130 M5",
        "N140 M5", "N150 M9", "N160 M9",  # outputs off once the spindle has stopped
        "N170 G0 X0 Y590", "N180 M2",
    ]  # fmt: skip
    program = read_gcode(text)
    assert program.errors == []
    assert check_program(program, rules=rules_for("grbl", machine, (600.0, 400.0, 18.0))) == []
