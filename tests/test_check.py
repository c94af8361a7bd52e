"""The program checker: each bad program is caught at the right line; a good one passes."""

from __future__ import annotations

import math

import pytest

from gcode.check import (
    ProgramRules,
    Violation,
    check_program,
    controller_line_length,
    rules_for,
)
from gcode.post import get_post
from gcode.post.grbl import GRBL_RULES
from gcode.reader import read_gcode
from gcode.tooling import Machine, Tool
from gcode.toolpath import (
    ArcCut,
    Cut,
    Dwell,
    Rapid,
    SpindleOff,
    SpindleOn,
    ToolpathProgram,
)
from nester.model import Sheet

MACHINE = Machine(
    id="test",
    name="Test router",
    dialect="grbl",
    envelope=(800.0, 600.0, 100.0),
    max_feed_xy=5000.0,
    max_feed_z=1000.0,
    safe_z=5.0,
)
SHEET = Sheet(width=600.0, height=400.0, thickness=18.0)
RULES = rules_for("grbl", MACHINE, SHEET)

HEAD = ["G21 G90 G17 G94", "G0 Z5", "G0 X10 Y10", "M3 S18000"]  # the body starts on line 5
TAIL = ["G0 Z5", "M5", "G0 X0 Y0", "M2"]


def check(*body: str, tail=TAIL, rules=RULES) -> list[Violation]:
    text = "\n".join([*HEAD, *body, *tail]) + "\n"
    return check_program(read_gcode(text, source="test.nc"), rules=rules)


def lines_and_messages(violations):
    return [(v.line, v.message) for v in violations]


def test_a_clean_program_has_no_violations():
    assert check("G1 Z-18.5 F500", "G1 X100 F1500", "G2 X110 Y20 I5 J5", "G1 Y10") == []


def test_a_rendered_program_passes():
    cx, cy, radius = 200.123, 150.987, 2.345
    start = (cx + radius, cy)
    end = (cx + radius * math.cos(2.5), cy + radius * math.sin(2.5))
    steps = (Rapid(z=5.0), Rapid(x=start[0], y=start[1]), SpindleOn(18000), Dwell(2.0),
             Cut(start[0], start[1], -6.0, 600.0), ArcCut(end[0], end[1], -6.5, cx, cy, False, 1800.0),
             Cut(50.0, 60.0, -6.5, 1800.0), Rapid(z=5.0), SpindleOff())  # fmt: skip
    program = ToolpathProgram(name="sheet 1", tool=Tool("em6", "6 mm", 6.0), safe_z=5.0, steps=steps)
    text = get_post("grbl").render(program, MACHINE)
    assert check_program(read_gcode(text), rules=RULES) == []


def test_xy_rapid_below_safe_height():
    violations = check("G1 Z-3 F500", "G0 X50", "G1 X60")
    assert lines_and_messages(violations) == [(6, "XY rapid at Z=-3.000 below safe height 5.000")]
    assert str(violations[0]) == "line 6: XY rapid at Z=-3.000 below safe height 5.000"


def test_first_xy_rapid_below_safe_height_is_caught_though_untracked():
    text = "G21 G90\nG0 Z2\nG0 X10 Y10\nM3 S18000\nG1 Z-1 F300\nG0 Z5\nM5\nM2\n"
    violations = check_program(read_gcode(text), rules=RULES)
    assert lines_and_messages(violations) == [
        (3, "XY move at Z=2.000 below safe height 5.000 (a move from an unknown position)")
    ]


def test_feed_outside_the_sheet():
    violations = check("G1 Z-3 F500", "G1 X-2", "G1 X10 Y400.5")
    assert lines_and_messages(violations) == [
        (6, "feed move leaves the sheet: reaches X=-2.000, outside 0..600"),
        (7, "feed move leaves the sheet: reaches X=-2.000, outside 0..600"),  # it starts there
        (7, "feed move leaves the sheet: reaches Y=400.500, outside 0..400"),
    ]


def test_arc_bulging_outside_the_sheet_with_its_ends_inside():
    # Half circles from (2, 5) to (2, 15) around (2, 10): counter-clockwise they pass X=7,
    # clockwise (6 o'clock, 9 o'clock, 12 o'clock) they reach X=-3, off the sheet.
    assert check("G1 Z-3 F500", "G1 X2 Y5", "G3 X2 Y15 I0 J5") == []
    violations = check("G1 Z-3 F500", "G1 X2 Y5", "G2 X2 Y15 I0 J5")
    assert lines_and_messages(violations) == [(7, "arc leaves the sheet: reaches X=-3.000, outside 0..600")]


def test_cutting_with_the_spindle_off():
    violations = check("M5", "G1 Z-3 F500", "G1 X20", "M3", "G1 X30")
    assert lines_and_messages(violations) == [
        (6, "feed move cuts at Z=-3.000 with the spindle off"),
        (7, "feed move cuts at Z=-3.000 with the spindle off"),
    ]


def test_cutting_into_the_spoilboard():
    violations = check("G1 Z-19 F500", "G1 Z-19.2")
    assert lines_and_messages(violations) == [
        (6, "feed move reaches Z=-19.200, below the 18 mm sheet plus 1 mm: it would cut the spoilboard")
    ]


def test_move_beyond_the_machine_travel():
    rules = ProgramRules(safe_z=5.0, envelope=(800.0, 600.0, 100.0))
    violations = check("G0 X810", "G0 X10", rules=rules)
    assert lines_and_messages(violations) == [
        (5, "move leaves the machine travel: reaches X=810.000, outside 0..800"),
        (6, "move leaves the machine travel: reaches X=810.000, outside 0..800"),
    ]


def test_m6_and_g81_are_not_grbl():
    violations = check("T2 M6", "G1 Z-3 F500")
    assert lines_and_messages(violations) == [(5, "M6 is not supported by grbl")]
    assert lines_and_messages(check("G81 X20 Y20 Z-5 R2 F300")) == [(5, "G81 is not supported by grbl")]


def test_line_too_long_for_grbls_line_buffer():
    long_line = "G1 X20." + "0" * 36 + " Y10." + "0" * 37 + " F500"  # 90 characters, 87 without spaces
    assert len(long_line) == 90 and controller_line_length(long_line) == 87
    violations = check(long_line)
    assert lines_and_messages(violations) == [
        (5, "87 characters once spaces and comments are dropped; grbl accepts at most 79")
    ]
    # A long comment costs nothing: GRBL drops it before counting.
    assert check("G1 X20 F500 (" + "x" * 100 + ")") == []


def test_grbl_arc_radius_rule():
    start = ["G0 Z5", "G0 X0 Y0", "M3 S18000", "G1 Z-1 F300"]
    rejected = check_program(read_gcode("\n".join([*start, "G2 X12.02 Y0 I6 J0", "G0 Z5", "M2"])), rules=RULES)
    assert lines_and_messages(rejected) == [
        (5, "arc radius 6.0000 at the start but 6.0200 at the end (differs by 0.0200 mm): "
         "GRBL rejects it with error:33")
    ]
    accepted = check_program(read_gcode("\n".join([*start, "G2 X12.004 Y0 I6 J0", "G0 Z5", "M2"])), rules=RULES)
    assert accepted == []
    lenient = ProgramRules(safe_z=5.0)
    assert check_program(read_gcode("\n".join([*start, "G2 X12.02 Y0 I6 J0", "G0 Z5", "M2"])), rules=lenient) == []


def test_missing_program_end():
    violations = check("G1 Z-3 F500", tail=["G0 Z5", "M5"])
    assert lines_and_messages(violations) == [(7, "the program does not end with M2 or M30")]


def test_words_the_reader_rejects_are_left_to_its_errors():
    text = "\n".join([*HEAD, "G1 Z-3 F500", "G5 X1 E2", *TAIL]) + "\n"
    program = read_gcode(text)
    assert program.errors == [(6, "unknown code G5")]
    assert check_program(program, rules=RULES) == []


def test_rules_for_takes_the_machine_sheet_and_dialect():
    assert RULES.safe_z == 5.0
    assert RULES.sheet == (600.0, 400.0, 18.0)
    assert RULES.envelope == (800.0, 600.0, 100.0)
    assert RULES.max_line_length == GRBL_RULES.max_line_length == 79
    assert RULES.arc_rule == "grbl" and RULES.must_end
    assert "M6" not in RULES.allowed_codes and "G1" in RULES.allowed_codes
    assert rules_for("grbl", MACHINE, None).sheet is None


@pytest.mark.parametrize("code", ["G43 H1", "G41 D1", "G18", "M7", "G38.2 Z-10 F100"])
def test_dialect_code_list(code):
    messages = [v.message for v in check(code)]
    first_word = code.split()[0]
    assert (f"{first_word} is not supported by grbl" in messages) == (first_word in ("G43", "G41"))
