"""ShopBot OpenSBP: the post, the OpenSBP reader, the machine, and the pipeline end to end.

Expected texts follow the OpenSBP conventions of /work/shared/notes/cam-and-posts.md §4
(Vectric and Autodesk ShopBot posts): speeds in units per second, %(25) = 0 inches /
1 millimetres, CG,,x,y,I,J,T,1 clockwise / -1 counter-clockwise with I/J from the start.
"""

from __future__ import annotations

import math

import pytest

from gcode.backplot import moves
from gcode.check import check_program, rules_for
from gcode.opensbp import read_opensbp
from gcode.post import POSTS
from gcode.post.shopbot import ShopBotPost
from gcode.programs import read_program
from gcode.reader import read_gcode
from gcode.tooling import Machine, Tool, TouchPlate
from gcode.toolpath import ArcCut, Comment, Cut, Dwell, Rapid, SpindleOff, SpindleOn, ToolChange, ToolpathProgram
from nester.catalog.stool import SHIPPED_PLAN
from plycut.config import load_machine
from plycut.job import DEFAULT_PROFILE, JobSpec, PlanSpec, SheetSpec, build_job
from plycut.pipeline import program_rules, run_job, write_run

POST = ShopBotPost()
TOOL = Tool(id="em6", name="6 mm up-cut", diameter=6.0)
MACHINE = Machine(
    id="shopbot-test",
    name="ShopBot test",
    dialect="shopbot",
    envelope=(2440.0, 1220.0, 150.0),
    max_feed=(12000.0, 12000.0, 3000.0),
    safe_z=10.0,
    park=(0.0, 1200.0),
    spindle_rpm=(7000.0, 18000.0),
)
INCH_MACHINE = Machine(**{**MACHINE.__dict__, "units": "in"})
SHEET = (2440.0, 1220.0, 18.0)
MOVE_COMMANDS = {"J2": "XY", "J3": "XYZ", "JZ": "Z", "M2": "XY", "M3": "XYZ", "MZ": "Z"}


@pytest.fixture(autouse=True)
def shopbot_registered(monkeypatch):
    """gcode/post/__init__.py belongs to another change: register the post for these tests only."""
    monkeypatch.setitem(POSTS, "shopbot", POST)


def render(steps, machine=MACHINE, header=(("job", "demo"),)) -> str:
    program = ToolpathProgram(name="sheet 1", tool=TOOL, safe_z=10.0, steps=tuple(steps), header=tuple(header))
    return POST.render(program, machine)


def on_circle(cx: float, cy: float, radius: float, degrees: float) -> tuple[float, float]:
    return cx + radius * math.cos(math.radians(degrees)), cy + radius * math.sin(math.radians(degrees))


def simple_program() -> list:
    return [
        ToolChange(TOOL), Rapid(z=10.0), SpindleOn(18000), Dwell(4.0), Rapid(x=100.0, y=50.0), Rapid(z=1.0),
        Cut(100.0, 50.0, -6.0, 600.0), Cut(300.0, 50.0, -6.0, 7200.0), Rapid(z=10.0), SpindleOff(),
    ]  # fmt: skip


def text_moves(text: str) -> list[tuple[str, tuple, tuple, list[str]]]:
    """(command, start, end, fields) of every move line, positions tracked from the text alone (mm file, SA)."""
    position = [None, None, None]
    result = []
    for line in text.splitlines():
        fields = [field.strip() for field in line.split(",")]
        command = fields[0]
        if command not in MOVE_COMMANDS and command != "CG":
            continue
        start = tuple(position)
        if command == "CG":
            position[0], position[1] = float(fields[2]), float(fields[3])
        else:
            for axis, value in zip(MOVE_COMMANDS[command], fields[1:]):
                position["XYZ".index(axis)] = float(value)
        result.append((command, start, tuple(position), fields))
    return result


def ir_motions(steps) -> list:
    """The toolpath's moves from a known position, with their exact geometry."""
    return [move for move in moves(steps) if None not in move.start]


# -- the post ------------------------------------------------------------------------------


def test_golden_program_header_moves_and_footer():
    assert render(simple_program()).splitlines() == [
        "'program: sheet 1",
        "'job: demo",
        "'tool 1: 6 mm up-cut, diameter 6 mm",
        "'origin: X0 Y0 sheet lower-left corner, Z0 top of sheet",
        "'SHOPBOT ROUTER FILE IN MM",
        "SA",
        "CN,90 'custom cut 90: load the control's user variables and offsets",
        "IF %(25)=0 THEN GOTO UNIT_ERROR",  # %(25) = 0: the control runs in inches
        "JS,200,50",  # 12000 and 3000 mm/min as mm per second
        "'load tool 1: 6 mm up-cut, diameter 6 mm",
        "JZ,10",
        "TR,18000",
        "C6",
        "PAUSE 4",
        "J2,100,50",
        "JZ,1",
        "MS,10,10",  # the plunge at 600 mm/min; XY had no speed yet
        "MZ,-6",
        "MS,120,10",  # 7200 mm/min
        "M2,300,50",
        "JZ,10",
        "C7",
        "C7",
        "J2,0,1200",
        "END",
        "UNIT_ERROR:",
        "'this file is in millimetres: set the control to millimetres, then run it again",
        "CN,91 'custom cut 91: the control explains the unit error",
        "END",
    ]


def test_inch_machine_gets_an_inch_file_that_reads_back_in_mm():
    text = render(simple_program(), machine=INCH_MACHINE)
    lines = text.splitlines()
    assert "'SHOPBOT ROUTER FILE IN INCHES" in lines
    assert "IF %(25)=1 THEN GOTO UNIT_ERROR" in lines  # %(25) = 1: the control runs in millimetres
    # 12000 mm/min = 7.874 in/s, 3000 mm/min = 1.9685 in/s; 100 x 50 mm = 3.937 x 1.9685 in.
    assert "JS,7.874,1.9685" in lines and "J2,3.937,1.9685" in lines
    assert "MS,4.7244,0.3937" in lines  # 7200 and 600 mm/min, rounded down: never faster than asked
    program = read_opensbp(text)
    assert program.errors == []
    cut = next(m for m in program.motions if m.kind == "feed" and m.start[0] != m.end[0])
    assert cut.start == pytest.approx((100.0, 50.0, -6.0), abs=0.0013)
    assert cut.end == pytest.approx((300.0, 50.0, -6.0), abs=0.0013)
    assert cut.feed == pytest.approx(7200.0, abs=0.16)  # 0.0001 in/s is 0.15 mm/min


def test_speeds_are_units_per_second_and_written_only_when_they_change():
    steps = [Rapid(z=10.0), Rapid(x=10.0, y=10.0), SpindleOn(18000), Cut(10.0, 10.0, -3.0, 600.0),
             Cut(20.0, 10.0, -3.0, 7200.0), Cut(20.0, 20.0, -3.0, 7200.0), Cut(10.0, 20.0, -3.0, 7200.00001),
             Cut(10.0, 10.0, -3.0, 6000.0), Cut(10.0, 10.0, -6.0, 600.0)]  # fmt: skip
    lines = render(steps).splitlines()
    start = lines.index("C6") + 1
    assert lines[start:lines.index("JZ,10", start)] == [
        "MS,10,10", "MZ,-3", "MS,120,10", "M2,20,10", "M2,20,20", "M2,10,20", "MS,100,10", "M2,10,10", "MZ,-6",
    ]  # fmt: skip
    feeds = [m.feed for m in read_opensbp(render(steps)).motions if m.kind == "feed"]
    assert feeds == [600.0, 7200.0, 7200.0, 7200.0, 6000.0, 600.0]


def test_a_ramp_runs_at_its_feed_and_its_z_component_is_let_through():
    """M3 runs at the XY speed unless the Z speed caps its Z component: the post makes room for it."""
    steps = [Rapid(z=10.0), Rapid(x=0.0, y=0.0), SpindleOn(18000), Cut(0.0, 0.0, -1.0, 60.0),
             Cut(10.0, 0.0, -11.0, 6000.0), Cut(20.0, 0.0, -12.0, 6000.0)]  # fmt: skip
    lines = render(steps).splitlines()
    # 45 degrees down at 100 mm/s: 70.7107 mm/s of Z, rounded up; the Z speed was 1 mm/s.
    assert lines[lines.index("MZ,-1") + 1:lines.index("C7") - 1] == ["MS,100,70.711", "M3,10,0,-11", "M3,20,0,-12"]
    program = read_opensbp(render(steps))
    assert [m.feed for m in program.motions if m.kind == "feed"] == pytest.approx([60.0, 6000.0, 6000.0])


def test_cg_arcs_direction_and_offsets_recomputed_from_the_text():
    steps = [Rapid(z=10.0), Rapid(x=400.0, y=400.0), SpindleOn(18000), Cut(400.0, 400.0, -3.0, 600.0)]
    arcs = []
    cases = [(1.2345678, 13.37, 179.0, False), (50.0, 101.1, 90.0, True), (3.0, 359.77, 47.1, False),
             (250.123456, 200.5, 3.3, True), (7.5, 77.7777, 120.0, True)]  # fmt: skip
    for index, (radius, first, sweep, clockwise) in enumerate(cases):
        cx, cy = 300.0 + 10.123456789 * index, 500.987654321 + 3.3333333 * index
        start = on_circle(cx, cy, radius, first)
        end = on_circle(cx, cy, radius, first - sweep if clockwise else first + sweep)
        arc = ArcCut(end[0], end[1], -3.0, cx, cy, clockwise, 7200.0)
        arcs.append(arc)
        steps += [Rapid(z=10.0), Rapid(x=start[0], y=start[1]), Cut(start[0], start[1], -3.0, 600.0), arc]
    cg_lines = [entry for entry in text_moves(render(steps)) if entry[0] == "CG"]
    assert len(cg_lines) == len(arcs)
    for (_, start, end, fields), arc in zip(cg_lines, arcs):
        assert fields[1] == "" and fields[6] == "T" and len(fields) == 8
        centre = (start[0] + float(fields[4]), start[1] + float(fields[5]))
        assert end[:2] == pytest.approx((arc.x, arc.y), abs=0.0005)
        radius_start, radius_end = math.dist(start[:2], centre), math.dist(end[:2], centre)
        assert radius_start == pytest.approx(radius_end, abs=0.0001)
        # Every arc here sweeps less than 180 degrees: clockwise turns right, cross product < 0.
        cross = (start[0] - centre[0]) * (end[1] - centre[1]) - (start[1] - centre[1]) * (end[0] - centre[0])
        assert fields[7] == ("1" if arc.clockwise else "-1")
        assert (cross < 0) == arc.clockwise
        # The written arc follows the toolpath's: its middle point is on the toolpath's circle. (Its
        # centre may move further: rounding a short chord of a large circle turns the bisector.)
        bisector = math.atan2((start[1] + end[1]) / 2 - centre[1], (start[0] + end[0]) / 2 - centre[0])
        middle = (centre[0] + radius_start * math.cos(bisector), centre[1] + radius_start * math.sin(bisector))
        radius = math.hypot(arc.x - arc.cx, arc.y - arc.cy)
        assert math.dist(middle, (arc.cx, arc.cy)) == pytest.approx(radius, abs=0.001)
    read_arcs = [m for m in read_opensbp(render(steps)).motions if m.kind == "arc"]
    assert [m.clockwise for m in read_arcs] == [arc.clockwise for arc in arcs]
    assert all(m.feed == 7200.0 for m in read_arcs)


def test_helix_is_linearised_within_the_machine_tolerance():
    cx, cy, radius = 500.0, 400.0, 20.0
    start, end = on_circle(cx, cy, radius, 10.0), on_circle(cx, cy, radius, 170.0)
    helix = ArcCut(end[0], end[1], -5.0, cx, cy, False, 3000.0)
    steps = [Rapid(z=10.0), Rapid(x=start[0], y=start[1]), SpindleOn(18000), Cut(start[0], start[1], -2.0, 600.0),
             helix, Rapid(z=10.0)]  # fmt: skip
    text = render(steps)
    entries = text_moves(text)
    assert not [entry for entry in entries if entry[0] == "CG"]
    segments = [(s, e) for command, s, e, _ in entries if command == "M3"]
    tolerance, rounding = MACHINE.arc_tolerance, 0.0005 * math.sqrt(2)
    assert len(segments) >= math.ceil(math.radians(160.0) / (2 * math.acos(1 - tolerance / radius)))
    for segment_start, segment_end in segments:
        for point in (segment_start, segment_end):
            assert math.dist(point[:2], (cx, cy)) == pytest.approx(radius, abs=rounding)
            # Z falls in proportion to the angle turned from the start: a helix, not a staircase.
            turned = math.degrees(math.atan2(point[1] - cy, point[0] - cx)) - 10.0
            assert point[2] == pytest.approx(-2.0 - 3.0 * turned / 160.0, abs=0.002)
        middle = ((segment_start[0] + segment_end[0]) / 2, (segment_start[1] + segment_end[1]) / 2)
        assert radius - math.dist(middle, (cx, cy)) <= tolerance + rounding
    assert segments[-1][1] == pytest.approx((*end, -5.0), abs=0.0005)
    program = read_opensbp(text)
    assert program.errors == []
    assert [m.feed for m in program.motions if m.kind == "feed"][1:] == pytest.approx([3000.0] * len(segments))


def test_spindle_is_tr_and_c6_never_m3_and_a_dial_router_gets_a_note():
    lines = render(simple_program()).splitlines()
    assert lines[lines.index("TR,18000") + 1] == "C6"
    assert not [line for line in lines if line.startswith("M3")]  # no M3 in a program without a ramp
    dial = Machine(**{**MACHINE.__dict__, "spindle_rpm": (0.0, 0.0)})
    lines = render(simple_program(), machine=dial).splitlines()
    assert "'set the spindle speed to 18000 rpm by hand" in lines and not [line for line in lines if "TR" in line]
    with pytest.raises(ValueError, match="clockwise only"):
        render([Rapid(z=10.0), SpindleOn(18000, clockwise=False)])
    with pytest.raises(ValueError, match="outside"):
        render([Rapid(z=10.0), SpindleOn(24000)])


def test_tool_changes_refused_without_a_changer_and_automatic_c9_with_one():
    second = Tool(id="em3", name="3 mm end mill", diameter=3.0, number=2)
    # After a change the position is forgotten (the macro drives to the rack): the toolpath sets Z first.
    steps = [*simple_program(), ToolChange(second), Rapid(z=10.0), SpindleOn(18000), Dwell(4.0),
             Rapid(x=50.0, y=50.0), Rapid(z=1.0), Cut(50.0, 50.0, -2.0, 600.0), Rapid(z=10.0), SpindleOff()]  # fmt: skip
    # Without a changer or a declared zero plate a PAUSE would resume with the new tool's Z never
    # zeroed: one program per tool (with the plate, C2 zeroes it: the next test).
    with pytest.raises(ValueError, match=r"change to tool 2 .*add \[tool_change\] probe.*one program per tool"):
        render(steps)
    manual = render(simple_program()).splitlines()
    assert "'load tool 1: 6 mm up-cut, diameter 6 mm" in manual and "PAUSE" not in manual

    changer = Machine(**{**MACHINE.__dict__, "tool_changer": True})
    text = render(steps, machine=changer)
    lines = text.splitlines()
    assert lines.count("C9") == 2 and "&Tool=1" in lines and "&Tool=2" in lines
    second_change = len(lines) - 1 - lines[::-1].index("C9")
    # Z first, then XY, and the speeds again: the macro may have changed them.
    assert lines[second_change + 1:] [:8] == ["JZ,10", "TR,18000", "C6", "PAUSE 4", "J2,50,50", "JZ,1", "MS,10,10",
                                             "MZ,-2"]  # fmt: skip
    program = read_opensbp(text)
    assert program.errors == []
    assert [e.detail for e in program.events if e.kind == "tool-change"] == ["tool 1", "tool 2"]
    assert check_program(program, rules=rules_for("shopbot", changer, SHEET)) == []


def test_a_change_by_hand_zeroes_z_with_the_controls_c2_routine_on_a_machine_declaring_the_plate():
    plate = TouchPlate(thickness=3.0, travel=40.0, feed=300.0)
    machine = Machine(**{**MACHINE.__dict__, "tool_change_probe": plate, "tool_change_position": (100.0, 1100.0)})
    second = Tool(id="em3", name="3 mm end mill", diameter=3.0, number=2)
    steps = [*simple_program(), ToolChange(second), Rapid(z=10.0), SpindleOn(18000), Dwell(4.0),
             Rapid(x=50.0, y=50.0), Rapid(z=1.0), Cut(50.0, 50.0, -2.0, 600.0), Rapid(z=10.0), SpindleOff()]  # fmt: skip
    text = render(steps, machine=machine)
    lines = text.splitlines()
    change = lines.index("C7")
    assert lines[change:change + 19] == [
        "C7",  # the toolpath's SpindleOff
        "C7",  # again: the operator's hands go to the collet
        "JZ,40",  # the plate's travel above the sheet: room for the plate under the bit
        "J2,100,1100",  # over the sheet, at the machine's tool change position
        "'tool change: load tool 2: 3 mm end mill, diameter 3 mm",
        "'lay the zero plate on the sheet under the bit, clip on, then continue",
        "PAUSE",  # no time: waits for the operator
        # The control's Z-zero routine: plunges onto the plate and sets Z with its own plate settings.
        "C2 'custom cut 2: zero Z on the plate with the control's plate settings",
        "JZ,40",  # in the new tool's coordinates: off the plate
        "'remove the zero plate and its clip, then continue",
        "PAUSE",
        # The toolpath again, Z first; MS again: the routine may have left other speeds.
        "JZ,10", "TR,18000", "C6", "PAUSE 4", "J2,50,50", "JZ,1", "MS,10,10", "MZ,-2",
    ]  # fmt: skip
    program = read_opensbp(text)
    assert program.errors == []
    zero_line = lines.index("C2 'custom cut 2: zero Z on the plate with the control's plate settings") + 1
    (zeroing,) = [move for move in program.untracked_moves if move.line == zero_line]
    assert (zeroing.kind, zeroing.start_z, zeroing.end_z, zeroing.moves_xy) == ("machine", 40.0, None, False)
    # X and Y stay known; the next jog sets Z, and every later move is tracked.
    assert [(m.start, m.end) for m in program.motions if m.line > zero_line + 1][:2] == [
        ((100.0, 1100.0, 40.0), (100.0, 1100.0, 10.0)), ((100.0, 1100.0, 10.0), (50.0, 50.0, 10.0))]
    assert [e.kind for e in program.events].count("pause") == 2
    assert check_program(program, rules=rules_for("shopbot", machine, SHEET)) == []


def test_refuses_what_no_controller_should_receive():
    with pytest.raises(ValueError, match="before Z is known"):
        render([Rapid(x=1.0, y=2.0)])
    with pytest.raises(ValueError, match="unknown position"):
        render([Rapid(z=10.0), Cut(1.0, 1.0, -1.0, 600.0)])
    with pytest.raises(ValueError, match="coincide"):
        render([Rapid(z=10.0), Rapid(x=10.0, y=10.0), Cut(10.0, 10.0, -1.0, 600.0),
                ArcCut(10.0001, 10.0, -1.0, 15.0, 10.0, True, 600.0)])  # fmt: skip
    with pytest.raises(ValueError, match="neither"):
        render(simple_program(), machine=Machine(**{**MACHINE.__dict__, "units": "cm"}))


def test_comments_are_ascii_quote_lines_and_zero_dwells_vanish():
    text = render([Rapid(z=10.0), Comment("Étagère (côté gauche)\nligne 2"), Dwell(0.001)],
                  header=(("job", "Chaise n°2 — été"),))  # fmt: skip
    assert text.isascii()
    assert "'Etagere [cote gauche] ligne 2" in text.splitlines() and "'job: Chaise n2 ete" in text.splitlines()
    assert "PAUSE" not in text


# -- the reader ------------------------------------------------------------------------------

VECTRIC_STYLE = (
    "'File created in VCarve Wizard\r\n"
    "'\r\n"
    "'UNITS:MM\r\n"
    "'For ShopBot Control: SB3 Alpha\r\n"
    "IF %(25)=0 THEN GOTO UNIT_ERROR\t'check to see software is set to standard\r\n"
    "SA                             \t'Set program to absolute coordinate mode\r\n"
    "'Toolpath Name = Profile 1\r\n"
    "'Tool Name   = End Mill (6 mm)\r\n"
    "&Tool =1                    'Jog Z axis to safe height\r\n"
    "c9\r\n"
    "TR, 18000\r\n"
    "C6                   'Return tool to home in x and y\r\n"
    "PAUSE,2\r\n"
    "MS,100.0,25.0\r\n"
    "JZ,20.000000\r\n"
    "J2,0.000000,0.000000\r\n"
    "J3,150.000000,40.000000,20.000000\r\n"
    "M3,150.000000,40.000000,-6.000000\r\n"
    "CG, ,200.000000,90.000000,0.000000,50.000000,T,-1\r\n"
    "M3,200.000000,140.000000,-6.000000\r\n"
    "CG, ,150.000000,190.000000,-50.000000,0.000000,T,-1\r\n"
    "M3,50.000000,190.000000,-6.000000\r\n"
    "J3,50.000000,190.000000,20.000000\r\n"
    "JZ,20.000000\r\n"
    "J2,0.000000,0.000000\r\n"
    "'Turning router OFF\r\n"
    "C7\r\n"
    "END\r\n"
    "'\r\n"
    "UNIT_ERROR:\t\t\t\t\r\n"
    "C#,91                            'Run file explaining unit error\r\n"
    "END\r\n"
)


def test_reads_a_hand_written_vectric_style_file():
    program = read_opensbp(VECTRIC_STYLE)
    assert program.errors == []
    assert program.program_end_line == 28
    kinds = [(e.kind, e.detail) for e in program.events]
    assert kinds == [("assignment", "&TOOL = 1"), ("tool-change", "tool 1"), ("dwell", "2 s"),
                     ("program-end", "END")]  # fmt: skip
    tracked = program.motions
    assert [m.line for m in tracked] == [17, 18, 19, 20, 21, 22, 23, 24, 25]
    plunge, first_arc, line, second_arc = tracked[1:5]
    assert plunge.kind == "feed" and plunge.feed == 1500.0  # straight down: the Z speed, 25 mm/s
    assert plunge.spindle_on and plunge.spindle_rpm == 18000.0
    assert line.feed == 6000.0  # 100 mm/s
    for arc, centre in ((first_arc, (150.0, 90.0)), (second_arc, (150.0, 140.0))):
        assert arc.kind == "arc" and not arc.clockwise and arc.feed == 6000.0
        assert arc.centre == pytest.approx(centre) and arc.radius_start == pytest.approx(arc.radius_end)
    assert tracked[-1].end == (0.0, 0.0, 20.0)
    two_second_spin_up = Machine(**{**MACHINE.__dict__, "spindle_spinup_s": 2.0})  # the file's PAUSE,2 after C6
    rules = rules_for("shopbot", two_second_spin_up, (300.0, 300.0, 18.0))
    assert check_program(program, rules=rules) == []
    assert [v.line for v in check_program(program, rules=rules_for("shopbot", MACHINE, (300.0, 300.0, 18.0)))] == [12]


def test_reads_an_inch_file_in_mm():
    text = "'SHOPBOT ROUTER FILE IN INCHES\nIF %(25)=1 THEN GOTO UNIT_ERROR\nSA\nMS,2,0.5\nJZ,1\nJ2,1,2\n" \
           "C6\nMZ,-0.25\nM2,3,2\nCG,,4,3,0,1,T,1\nEND\nUNIT_ERROR:\nCN,91\nEND\n"  # fmt: skip
    program = read_opensbp(text)
    assert program.errors == []
    plunge, line, arc = program.motions[-3:]
    assert plunge.end == pytest.approx((25.4, 50.8, -6.35)) and plunge.feed == pytest.approx(0.5 * 25.4 * 60)
    assert line.end == pytest.approx((76.2, 50.8, -6.35)) and line.feed == pytest.approx(2 * 25.4 * 60)
    assert arc.centre == pytest.approx((76.2, 76.2)) and arc.clockwise and arc.end == pytest.approx((101.6, 76.2, -6.35))


def test_relative_moves_older_spindle_switch_and_error_handlers():
    text = (
        "'UNITS:MM\nSA\nMS,20,5\nJZ,10\nJ2,100,100\nSO,1,1\nIF &ready=0 THEN GOTO NOT_READY\n"
        "SR\nMZ,-13\nM2,50,0\nCG,,0,20,0,10,T,1\nSA\nJZ,10\nSO,1,0\nEND\nNOT_READY:\nJ2,0,0\nEND\n"
    )
    program = read_opensbp(text)
    assert program.errors == []  # the jump into the handler after END is not the program's path
    plunge, line, arc, lift = program.motions[-4:]
    assert plunge.end == (100.0, 100.0, -3.0) and plunge.feed == 300.0 and plunge.spindle_on
    assert line.end == (150.0, 100.0, -3.0)
    assert arc.end == (150.0, 120.0, -3.0) and arc.centre == (150.0, 110.0) and arc.clockwise
    assert lift.end == (150.0, 120.0, 10.0)
    assert program.program_end_line == 15


def test_unknown_commands_are_errors_with_their_line_even_after_end():
    text = "'SHOPBOT ROUTER FILE IN MM\nSA\nJZ,10\nXX,1,2\nMSGBOX(hello,OKONLY)\nEND\nHANDLER:\nQQ,3\nEND\n"
    errors = read_opensbp(text).errors
    assert errors == [(4, "unknown command XX"), (5, "cannot read 'MSGBOX(hello,OKONLY)'"), (8, "unknown command QQ")]


def test_m3_is_a_three_axis_move_never_a_spindle():
    text = "'SHOPBOT ROUTER FILE IN MM\nSA\nMS,100,5\nJZ,10\nJ2,0,0\nM3,10,0,-10\nEND\n"
    program = read_opensbp(text)
    assert program.errors == []
    (move,) = program.motions[-1:]
    assert move.kind == "feed" and move.end == (10.0, 0.0, -10.0) and not move.spindle_on
    # XY speed 100 mm/s capped so Z moves at most 5 mm/s: the whole move at 5 * length / drop mm/s.
    assert move.feed == pytest.approx(5.0 * 60.0 * math.hypot(10.0, 20.0) / 20.0)
    violations = check_program(program, rules=rules_for("shopbot", MACHINE, SHEET))
    assert [v.message for v in violations] == ["feed move cuts at Z=-10.000 with the spindle off"]


def test_checker_rules_catch_a_jog_below_safe_z_and_a_cut_before_the_spindle():
    text = render(simple_program())
    assert check_program(read_opensbp(text), rules=rules_for("shopbot", MACHINE, SHEET)) == []
    low_jog = text.replace("M2,300,50\nJZ,10\n", "M2,300,50\nJ2,300,100\nJZ,10\n")
    spindle_late = text.replace("C6\n", "").replace("M2,300,50\n", "M2,300,50\nC6\n")
    violations = check_program(read_opensbp(low_jog), rules=rules_for("shopbot", MACHINE, SHEET))
    assert [v.message for v in violations] == ["XY rapid at Z=-6.000 below safe height 10.000"]
    violations = check_program(read_opensbp(spindle_late), rules=rules_for("shopbot", MACHINE, SHEET))
    assert {v.message.split(" with ")[1] for v in violations} == {"the spindle off"}


def test_units_must_be_declared_once_and_agree():
    undeclared = read_opensbp("SA\nJZ,10\nEND\n")
    assert [line for line, _ in undeclared.errors] == [2] and "does not say its units" in undeclared.errors[0][1]
    conflicting = read_opensbp("'SHOPBOT ROUTER FILE IN MM\nIF %(25)=1 THEN GOTO UNIT_ERROR\nEND\nUNIT_ERROR:\nEND\n")
    assert conflicting.errors == [(2, "the file is declared in in here but in mm on line 1")]
    by_display_setting = read_opensbp("VD,,0\nJZ,1\nEND\n")
    assert by_display_setting.errors == [] and by_display_setting.untracked_moves[0].end_z == pytest.approx(25.4)


def test_control_flow_goto_gosub_and_conditions():
    text = (
        "'SHOPBOT ROUTER FILE IN MM\nSA\nJZ,10\nJ2,0,0\nGOTO SKIP\nJ2,500,500\nSKIP:\n"
        "GOSUB MOVE_TO_5\nIF &x=1 THEN J2,9,9\nEND\nMOVE_TO_5:\nJ2,5,5\nRETURN\n"
    )
    program = read_opensbp(text)
    assert [m.end[:2] for m in program.motions] == [(5.0, 5.0)]  # GOTO skipped line 6, GOSUB ran line 12
    assert program.errors == [(9, "IF &x=1 THEN ...: plycut cannot tell whether it runs; it is skipped")]
    assert program.program_end_line == 10
    loop = read_opensbp("'UNITS:MM\nTOP:\nJZ,10\nGOTO TOP\nEND\n")
    assert loop.errors == [(4, "GOTO TOP jumps back to line 2: a loop plycut does not simulate: reading stops here")]
    assert loop.program_end_line == 5


def test_unsupported_arcs_and_expressions_are_errors():
    text = "'UNITS:MM\nSA\nMS,10,10\nJZ,10\nJ2,0,0\nC6\nMZ,-1\nCG,20,,,,,T,1\nCG,,10,0,5,0,O,1\nEND\n"
    program = read_opensbp(text)
    assert [line for line, _ in program.errors] == [8, 9]
    assert "diameter" in program.errors[0][1] and "tool compensation" in program.errors[1][1]
    expression = read_opensbp("'UNITS:MM\n&z = 5\n&d = &z * 2\nJZ,&z\nJZ,&d\nEND\n")
    assert expression.errors == [(5, "JZ Z '&d': plycut reads literal numbers and variables set to one")]
    assert expression.untracked_moves[0].end_z == 5.0


def test_read_program_picks_the_reader_by_dialect():
    text = render(simple_program())
    assert read_program(text, "shopbot").motions == read_opensbp(text).motions
    assert read_program(text, "ShopBot ").errors == []
    assert read_program("G21\nG0 Z5\nM2\n", "grbl").program_end_line == read_gcode("G21\nG0 Z5\nM2\n").program_end_line


# -- the machine and the pipeline ------------------------------------------------------------


def test_builtin_shopbot_machine():
    machine = load_machine("shopbot-prs-96x48")
    assert machine.dialect == "shopbot" and machine.units == "mm"
    assert machine.envelope == (2440.0, 1220.0, 150.0)
    assert machine.spindle_rpm == (7000.0, 18000.0) and not machine.tool_changer and machine.arcs


def test_demo_stool_sheet_on_the_shopbot_round_trips_and_passes_its_check(tmp_path):
    spec = JobSpec(
        name="demo-stool",
        plans=(PlanSpec(file=SHIPPED_PLAN, quantity=1),),
        sheets=(SheetSpec(width=2440.0, height=1220.0, thickness=18.0),),  # the demo's 2500 x 1250 does not fit
        machine="shopbot-prs-96x48",
        profile=DEFAULT_PROFILE,
        copies=1,
    )
    job = build_job(spec)
    result = run_job(job)
    write_run(result, tmp_path)
    (sheet,) = result.sheets
    text = (tmp_path / "sheet-01.sbp").read_text()
    assert text == sheet.program_text and sheet.program_name == "sheet-01.sbp"

    program = read_program(text, "shopbot", source="sheet-01.sbp")
    assert program.errors == []
    assert check_program(program, rules=program_rules(job, sheet.layout)) == []

    expected = ir_motions(sheet.toolpaths.program.steps)
    read = program.motions
    assert len(expected) > 100 and any(m.kind == "arc" for m in read)
    park = read[-1]
    assert park.kind == "rapid" and park.end[:2] == job.machine.park
    read = iter(read[:-1])
    helices = 0
    for want in expected:
        kind = "rapid" if want.is_rapid else "arc" if isinstance(want.step, ArcCut) else "feed"
        if kind == "arc" and abs(want.end[2] - want.start[2]) > 1e-9:
            # CG cannot change Z: a helix (a ramp on a circle) comes back as chords along it.
            helices += 1
            centre = (want.step.cx, want.step.cy)
            radius = math.dist(want.start[:2], centre)
            got = next(read)
            while got.end != pytest.approx(want.end, abs=0.0006):
                assert got.kind == "feed" and math.dist(got.end[:2], centre) == pytest.approx(radius, abs=0.002)
                got = next(read)
            continue
        got = next(read)
        assert got.kind == kind, got
        assert got.start == pytest.approx(want.start, abs=0.0006) and got.end == pytest.approx(want.end, abs=0.0006)
        if kind != "rapid":
            assert got.feed == pytest.approx(want.step.feed, abs=0.07), got  # speeds are written to 0.001 mm/s
        if kind == "arc":
            assert got.clockwise == want.step.clockwise
            # The centre comes from the rounded endpoints: on a short piece of a wide arc it moves
            # a little more than they do, while the arc itself stays put.
            assert got.centre == pytest.approx((want.step.cx, want.step.cy), abs=0.01), (got, want)
    assert next(read, None) is None
    assert helices > 0
