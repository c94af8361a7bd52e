"""The program checker: each bad program is caught at the right line; a good one passes."""

from __future__ import annotations

import math
from dataclasses import replace

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
    max_feed=(5000.0, 5000.0, 1000.0),
    safe_z=5.0,
    spindle_spinup_s=0.0,  # the programs here start cutting at once; tests/test_check_dialects.py checks spin-up
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


def test_rapid_down_into_the_sheet():
    # Down to just above the sheet, or back up from inside it, is what rapids are for.
    assert check("G0 Z0.5", "G1 Z-3 F500", "G0 Z-1", "G0 Z2") == []
    violations = check("G0 Z-10", "G1 X100 F1500", "G0 Z-0.5", "G0 Z-2")
    assert lines_and_messages(violations) == [
        (5, "rapid down to Z=-10.000, into the sheet: plunge with a feed move (G1)"),
        (8, "rapid down to Z=-2.000, into the sheet: plunge with a feed move (G1)"),
    ]


def test_first_rapid_into_the_sheet_is_caught_though_untracked():
    text = "G21 G90\nM3 S18000\nG0 Z-20\nG0 Z5\nM5\nM2\n"
    program = read_gcode(text)
    assert program.motions == [] and program.errors == []
    assert lines_and_messages(check_program(program, rules=RULES)) == [
        (3, "rapid down to Z=-20.000, into the sheet: plunge with a feed move (G1)")
    ]


def test_feed_descending_faster_than_the_machine_z_limit():
    # MACHINE.max_feed_z is 1000 mm/min; a move's Z speed is its feed times drop / length.
    within = ["G1 Z-5 F1000", "G1 X50 Z-15 F3000", "G1 X60 Z-3 F6000", "G2 X80 Y10 Z-6 I10 J0 F3000"]
    assert check(*within) == []  # 1000; 3000 x 10 / 41.23 = 728; climbing; 3000 x 3 / 31.56 = 285
    violations = check("G1 Z-18.3 F10000", "G1 Z0 F5000", "G1 X20 Z-10", "G2 X30 Y10 Z-15 I5 J0")
    assert lines_and_messages(violations) == [
        (5, "feed move descends at 10000.0 mm/min in Z (F10000), above the machine's Z limit of 1000 mm/min"),
        (7, "feed move descends at 3535.5 mm/min in Z (F5000), above the machine's Z limit of 1000 mm/min"),
        (8, "arc descends at 1516.6 mm/min in Z (F5000), above the machine's Z limit of 1000 mm/min"),
    ]
    assert check("G1 Z-18.3 F10000", rules=ProgramRules(safe_z=5.0)) == []  # no limit given


def test_cutting_with_the_spindle_at_no_speed_or_below_the_machine_minimum():
    rules = rules_for("grbl", replace(MACHINE, spindle_rpm=(8000.0, 24000.0)), SHEET)
    violations = check("M3 S0", "G1 Z1 F500", "G1 Z-3", "M3 S5000", "G2 X20 Y20 I5 J5", "M3 S8000", "G1 X30",
                       rules=rules)  # fmt: skip
    assert lines_and_messages(violations) == [
        (7, "feed move cuts at Z=-3.000 with the spindle at 0 rpm (M3 without S, or S0)"),
        (9, "arc cuts at Z=-3.000 with the spindle at 5000 rpm, below the machine's minimum of 8000 rpm"),
    ]
    # A spindle with no lower limit still has to turn.
    assert lines_and_messages(check("M3 S0", "G1 Z-3 F500")) == [
        (6, "feed move cuts at Z=-3.000 with the spindle at 0 rpm (M3 without S, or S0)")
    ]


def test_m3_without_s_is_fine_only_on_a_manual_speed_router():
    text = "G21 G90\nG0 Z5\nG0 X10 Y10\nM3\nG1 Z-3 F500\nG1 X20\nG0 Z5\nM5\nM2\n"
    manual = rules_for("grbl", replace(MACHINE, spindle_rpm=(0.0, 0.0)), SHEET)
    assert check_program(read_gcode(text), rules=manual) == []
    assert lines_and_messages(check_program(read_gcode(text), rules=RULES)) == [
        (5, "feed move cuts at Z=-3.000 with the spindle at 0 rpm (M3 without S, or S0)"),
        (6, "feed move cuts at Z=-3.000 with the spindle at 0 rpm (M3 without S, or S0)"),
    ]


def test_rules_for_takes_the_overcut_of_the_job():
    assert RULES.max_overcut == 1.0
    rules = rules_for("grbl", MACHINE, SHEET, max_overcut=0.3)
    assert rules.max_overcut == 0.3
    assert check("G1 Z-18.3 F500", rules=rules) == []
    violations = check("G1 Z-18.3 F500", "G1 Z-19", rules=rules)  # passes with the default 1 mm
    assert lines_and_messages(violations) == [
        (6, "feed move reaches Z=-19.000, below the 18 mm sheet plus 0.3 mm: it would cut the spoilboard")
    ]
    assert check("G1 Z-19.4 F500", rules=rules_for("grbl", MACHINE, SHEET, max_overcut=1.5)) == []


def test_rules_for_takes_the_z_feed_limit_and_minimum_speed_of_the_machine():
    assert RULES.max_feed_z == 1000.0
    assert RULES.min_spindle_rpm == 0.0  # MACHINE keeps the (0, 24000) default
    assert rules_for("grbl", replace(MACHINE, spindle_rpm=(6000.0, 24000.0)), None).min_spindle_rpm == 6000.0
    assert rules_for("grbl", replace(MACHINE, spindle_rpm=(0.0, 0.0)), None).min_spindle_rpm is None
    assert ProgramRules(safe_z=5.0).max_feed_z is None and ProgramRules(safe_z=5.0).min_spindle_rpm is None


def dialect_rules(dialect: str, **machine_changes) -> ProgramRules:
    return rules_for(dialect, replace(MACHINE, dialect=dialect, **machine_changes), SHEET)


def check_text(lines: list[str], rules: ProgramRules) -> list[tuple[int, str]]:
    return lines_and_messages(check_program(read_gcode("\n".join(lines) + "\n"), rules=rules))


MARLIN_HEAD = ["G21", "G90", "G0 Z5", "G0 X10 Y10", "M3 S18000"]  # the body starts on line 6


def test_marlin_runs_one_command_per_line_and_keeps_no_motion_mode():
    rules = dialect_rules("marlin")
    assert rules.one_command_per_line and not rules.must_end
    body = ["G1 Z-3 F500", "G1 X20", "X30", "G21 G90", "G0 Z5", "T1 M6", "M5"]
    assert check_text([*MARLIN_HEAD, *body], rules) == [
        (8, "no G or M command: marlin keeps no motion mode and ignores the line"),
        (9, "2 commands on one line (G21 G90): marlin runs only the first"),
        (11, "T1 is not supported by marlin"),
        (11, "M6 is not supported by marlin"),
        (11, "2 commands on one line (T1 M6): marlin runs only the first"),
    ]


def test_marlin_dwell_is_in_seconds_in_s_and_its_pause_message_must_not_hold_a_timeout():
    rules = dialect_rules("marlin")
    body = ["G4 S2.5", "G4 P3000", "M0 Load tool 2 then resume", "M0 Change tools 2 then resume", "G0 Z5", "M5"]
    assert check_text([*MARLIN_HEAD, *body], rules) == [
        (7, "G4 without S: marlin takes the dwell time in S (seconds)"),
        (9, "marlin reads 's 2' in the message as a timeout: the pause would end by itself"),
    ]


def test_a_line_too_long_for_marlins_command_buffer():
    rules = dialect_rules("marlin")
    long_line = "G1 X20." + "0" * 45 + " Y10." + "0" * 45 + " F500"  # 104 characters once spaces are dropped
    assert check_text([*MARLIN_HEAD, "G1 Z-1 F300", long_line, "G0 Z5", "M5"], rules) == [
        (7, "104 characters once spaces and comments are dropped; marlin accepts at most 95")
    ]


def test_grblhal_takes_m6_canned_cycles_and_outputs_and_256_characters():
    rules = dialect_rules("grblhal")
    assert rules.arc_rule == "grbl" and rules.max_line_length == 256
    assert check("T2 M6", "M64 P0", "G1 Z-3 F500", "M65 P0", "G81 X20 Y20 Z-5 R2 F300", rules=rules) == []
    long_line = "G1 X20." + "0" * 125 + " Y10." + "0" * 125 + " F500"
    assert lines_and_messages(check("G1 Z-3 F500", long_line, rules=rules)) == [
        (6, "264 characters once spaces and comments are dropped; grblhal accepts at most 256")
    ]


def test_dwell_words_and_messages_of_the_other_dialects():
    assert lines_and_messages(check("G4 S3", "M0 change the tool")) == [
        (5, "G4 without P: grbl takes the dwell time in P (seconds)"),
        (6, "M0 followed by text: grbl takes no message"),
    ]
    fanuc = replace(dialect_rules("fanuc"), decimal_point_letters=frozenset())  # HEAD has no decimal points
    assert lines_and_messages(check("G4 P4000", "G4 P1.5", rules=fanuc)) == [
        (6, "G4 P1.5: fanuc takes the dwell time in whole milliseconds")
    ]


def test_arcs_on_a_machine_without_arcs():
    for dialect in ("grbl", "linuxcnc"):
        rules = dialect_rules(dialect, arcs=False)
        assert lines_and_messages(check("G1 Z-3 F500", "G2 X20 Y20 I5 J5", "G3 X10 Y10 I-5 J-5", rules=rules)) == [
            (6, "G2: this machine runs no arcs (arcs = false)"),
            (7, "G3: this machine runs no arcs (arcs = false)"),
        ]


def test_inch_programs_get_the_slack_of_their_resolution():
    # Safe Z 3 mm is 0.11811 in, written 0.1181 (2.99974 mm): a rounding, not a rapid too low.
    text = "G20 G90\nG0 Z0.1181\nG0 X1 Y1\nM3 S18000\nG1 Z-0.04 F20\nG0 Z0.1181\nG0 X2\nM5\nM2\n"
    inch_rules = replace(dialect_rules("grbl", units="in"), safe_z=3.0)
    assert inch_rules.resolution == pytest.approx(0.5e-4 * 25.4)
    assert check_program(read_gcode(text), rules=inch_rules) == []
    exact = check_program(read_gcode(text), rules=ProgramRules(safe_z=3.0))
    assert lines_and_messages(exact) == [
        (3, "XY move at Z=3.000 below safe height 3.000 (a move from an unknown position)"),
        (7, "XY rapid at Z=3.000 below safe height 3.000"),
    ]


def test_a_tool_probed_on_a_plate_passes_with_grbls_g38_2_and_g10_l20():
    # M5, probe 40 mm down at most in G91, absolute again, the plate's top is Z10: all GRBL takes,
    # and every move after it is followed (a cut to Z-1 on the sheet) and checked.
    body = ["M5", "G0 Z40", "M0", "G91 G38.2 Z-40 F100", "G90", "G10 L20 P0 Z10", "G0 Z40", "M0",
            "M3 S18000", "G0 Z5", "G1 Z-1 F300"]  # fmt: skip
    program = read_gcode("\n".join([*HEAD, *body, *TAIL]) + "\n")
    assert program.errors == []
    cut_line = len(HEAD) + len(body)
    assert [(m.start, m.end) for m in program.motions if m.line == cut_line] == [((10, 10, 5), (10, 10, -1))]
    assert check_program(program, rules=RULES) == []


def test_a_probe_goes_straight_down_no_faster_than_z_may_feed():
    violations = check(
        "M5",
        "G91 G38.2 Z10 F100", "G90", "G10 L20 P0 Z10",  # up: away from any plate under the bit
        "G38.2 X20 Z-10 F100", "G10 L20 P0 X20 Z0",  # sideways too
        "G91 G38.2 Z-5 F1500", "G90",  # faster than the machine's 1000 mm/min in Z
        "G38.2 Z-10 F100", "G10 L20 P0 Z0",  # absolute, from the unknown Z the last probe left
        "G0 Z5", "M3 S18000",
    )  # fmt: skip
    assert lines_and_messages(violations) == [
        (6, "probe does not go down: a tool is probed downward, onto a plate"),
        (9, "probe moves X or Y: a tool is probed straight down, in Z alone"),
        (11, "probe at F1500, above the machine's Z limit of 1000 mm/min"),
        (13, "probe to an absolute Z from an unknown height: it may go up; probe down in G91 (G91 G38.2 Z-<travel>)"),
    ]
