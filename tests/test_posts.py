"""The G-code dialects beyond GRBL: each shipped machine's program, rendered and read back.

The golden headers and footers below are written from the dialects' documentation
(see shared notes, cam-and-posts.md sections 3-5): LinuxCNC's and Mach's safe-mode
preamble, Fanuc's % / O-number / G28 G91 Z0 framing, Marlin's one command per line.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

import pytest
from typer.testing import CliRunner

from gcode.backplot import moves
from gcode.check import check_program, rules_for
from gcode.numbers import round_to
from gcode.post import POSTS, get_post
from gcode.post.fanuc import FanucPost
from gcode.programs import read_program
from gcode.tooling import OutputSwitch, Tool
from gcode.toolpath import (
    ArcCut,
    Cut,
    Dwell,
    Rapid,
    SpindleOff,
    SpindleOn,
    ToolChange,
    ToolpathProgram,
)
from nester.catalog.stool import SHIPPED_PLAN
from nester.errors import InputError
from plycut.cli import app
from plycut.config import builtin_machines, load_machine
from plycut.job import DEFAULT_PROFILE, JobSpec, PlanSpec, SheetSpec, build_job
from plycut.pipeline import run_job

TOOL = Tool(id="em6", name="6 mm up-cut", diameter=6.0)
VBIT = Tool(id="v90", name="90° V-bit", diameter=6.0, kind="vbit", number=5, angle=90.0)
SAFE_Z = 10.0
# The shipped machine of each dialect, and the sheet its demo is cut from.
DEMO_MACHINES = {
    "grbl": ("generic-grbl-2500x1250", (2500.0, 1250.0, 18.0)),
    "grblhal": ("grblhal-atc-2500x1250", (2500.0, 1250.0, 18.0)),
    "linuxcnc": ("linuxcnc-router-2500x1250", (2500.0, 1250.0, 18.0)),
    "mach3": ("mach3-router-2500x1250", (2500.0, 1250.0, 18.0)),
    "fanuc": ("fanuc-router-3100x1550", (2500.0, 1250.0, 18.0)),
    "marlin": ("marlin-hobby-600x400", (600.0, 400.0, 18.0)),  # the stool, one part per sheet
}
N_WORD = re.compile(r"^N\d+ ")


def two_tool_program() -> list:
    """A plunge, a line and a quarter arc with one tool; a V-bit after a tool change.

    Each spindle start dwells 5.5 s: as long as the slowest shipped spindle needs (grblHAL's 5 s)."""
    return [
        ToolChange(TOOL), Rapid(z=SAFE_Z), SpindleOn(18000), Dwell(5.5),
        Rapid(x=10.0, y=10.0), Rapid(z=1.0), Cut(10.0, 10.0, -3.0, 600.0), Cut(40.0, 10.0, -3.0, 1500.0),
        ArcCut(50.0, 20.0, -3.0, 40.0, 20.0, False, 1500.0),  # counter-clockwise around (40, 20)
        Rapid(z=SAFE_Z), SpindleOff(),
        ToolChange(VBIT), Rapid(z=SAFE_Z), SpindleOn(16000), Dwell(5.5),
        Rapid(x=60.0, y=30.0), Rapid(z=1.0), Cut(60.0, 30.0, -1.5, 400.0), Rapid(z=SAFE_Z), SpindleOff(),
    ]  # fmt: skip


def one_tool_program() -> list:
    """The first tool's part of two_tool_program: what a machine without a changer is given."""
    steps = two_tool_program()
    return steps[: steps.index(ToolChange(VBIT))]


def render(machine_name: str, steps, **machine_changes) -> str:
    machine = replace(load_machine(machine_name), **machine_changes)
    program = ToolpathProgram(name="sheet-01", tool=TOOL, safe_z=SAFE_Z, steps=tuple(steps))
    return get_post(machine.dialect).render(program, machine)


# -- golden headers and footers ------------------------------------------------------------

COMMENTS = [
    "(program: sheet-01)",
    "(tool: 6 mm up-cut, D6)",
    "(origin: X0 Y0 sheet lower-left corner, Z0 top of sheet)",
]
FIRST_CUTS = ["G0 X10 Y10", "G0 Z1", "G1 Z-3 F600", "G1 X40 F1500", "G3 X50 Y20 I0 J10", "G0 Z10", "M5"]
SECOND_CUT = ["G0 X60 Y30", "G0 Z1", "G1 Z-1.5 F400", "G0 Z10", "M5"]


def test_grblhal_with_a_tool_changer_writes_t_m6_and_switches_vacuum_and_dust_around_the_spindle():
    assert render("grblhal-atc-2500x1250", two_tool_program()).splitlines() == [
        *COMMENTS,
        GRBLHAL_LENGTH_NOTE,  # the shipped machine's macro measures each tool (length_offset = false)
        "G21 G90 G17 G94 G54",
        "(tool 1: 6 mm up-cut, D6)", "T1 M6",  # the changer loads the first tool too
        "G0 Z10",
        "M64 P0", "M8",  # vacuum table, then extraction, before the spindle starts
        "M3 S18000", "G4 P5.5",
        *FIRST_CUTS,
        "(tool 5: 90 V-bit, D6)", "T5 M6",
        "G0 Z10",  # where the changer left Z is unknown: Z first again
        "M3 S16000", "G4 P5.5",
        *SECOND_CUT,
        "M5", "M65 P0", "M9",  # outputs off once the spindle has stopped, at the end only
        "G0 X0 Y1200", "M2",
    ]  # fmt: skip


def test_grblhal_with_tool_length_offsets_takes_each_tools_length_with_g43_h_after_m6():
    machine = replace(load_machine("grblhal-atc-2500x1250"), tool_length_offset=True)
    text = render("grblhal-atc-2500x1250", two_tool_program(), tool_length_offset=True)
    lines = text.splitlines()
    assert GRBLHAL_LENGTH_NOTE not in lines  # the program applies the length itself
    assert lines[lines.index("T1 M6") + 1] == "G43 H1" and lines[lines.index("T5 M6") + 1] == "G43 H5"
    program = read_program(text, "grblhal")
    assert program.errors == []
    assert check_program(program, rules=rules_for("grblhal", machine, (2500.0, 1250.0, 18.0))) == []


def test_grblhal_without_a_tool_changer_or_a_touch_plate_refuses_a_second_tool_and_never_writes_m6():
    # A bare pause could not re-zero Z for the new tool: a longer one would rapid into the sheet.
    # With a touch plate the change is a pause and a probe, as on GRBL (tests/test_tool_change.py).
    with pytest.raises(ValueError, match="no touch plate.*add \\[tool_change\\] probe.*or one program per tool"):
        render("grblhal-atc-2500x1250", two_tool_program(), tool_changer=False)
    lines = render("grblhal-atc-2500x1250", one_tool_program(), tool_changer=False).splitlines()
    assert not any("M6" in line.split() or "M0" in line.split() for line in lines)
    assert "(load tool 1: 6 mm up-cut, D6)" in lines
    assert GRBLHAL_LENGTH_NOTE not in lines  # no macro runs: Z is zeroed on the loaded tool


MACH_DWELL = "(dwell: G4 P in seconds - untick G04 Dwell param in ms in Mach's config)"
GRBLHAL_LENGTH_NOTE = "(tool length: the tool-change macro must apply it - no G43 H here)"


@pytest.mark.parametrize(
    "machine_name, dwell_note, arc_mode",
    [("linuxcnc-router-2500x1250", [], []), ("mach3-router-2500x1250", [MACH_DWELL], ["G91.1"])],
)
def test_linuxcnc_and_mach3_load_every_tool_with_m6_and_take_its_length_with_g43(machine_name, dwell_note, arc_mode):
    assert render(machine_name, two_tool_program()).splitlines() == [
        *COMMENTS,
        *dwell_note,  # Mach's G4 P unit is a setting: the program says which it assumes
        # Cancel compensation, length offset and cycles; mm, absolute; the G54 work offset.
        "G17 G21 G40 G49 G80 G90 G94 G54",
        *arc_mode,  # Mach's I/J mode is a setting: say it
        "(tool 1: 6 mm up-cut, D6)", "T1 M6", "G43 H1",
        "G0 Z10", "M8", "M3 S18000", "G4 P5.5",
        *FIRST_CUTS,
        "(tool 5: 90 V-bit, D6)", "T5 M6", "G43 H5",
        "G0 Z10", "M3 S16000", "G4 P5.5",
        *SECOND_CUT,
        "M5", "M9", "G0 X0 Y1200", "M2",
    ]  # fmt: skip


def test_fanuc_frames_numbers_and_homes_z_around_tool_changes():
    assert render("fanuc-router-3100x1550", two_tool_program()).splitlines() == [
        "%",
        "O0001 (SHEET-01)",
        "(PROGRAM SHEET-01)",
        "(TOOL 6 MM UP-CUT, D6)",
        "(ORIGIN X0 Y0 SHEET LOWER-LEFT CORNER, Z0 TOP OF SHEET)",
        "N10 G21",
        "N20 G17 G40 G49 G80 G90 G94 G54",
        "(TOOL 1 6 MM UP-CUT, D6)",
        "N30 G28 G91 Z0", "N40 G90",  # Z home before the change, absolute again
        "N50 T1 M6",
        "N60 G0 G43 Z10. H1",  # the length offset taken on a move, never alone at the top of Z
        "N70 G0 Z10.",
        "N80 M8", "N90 M3 S18000",
        "N100 G4 P5500",  # milliseconds
        "N110 G0 X10. Y10.", "N120 G0 Z1.", "N130 G1 Z-3. F600.", "N140 G1 X40. F1500.",
        "N150 G3 X50. Y20. I0. J10.",  # every length with its decimal point
        "N160 G0 Z10.", "N170 M5",
        "(TOOL 5 90 V-BIT, D6)",
        "N180 G28 G91 Z0", "N190 G90", "N200 T5 M6", "N210 G0 G43 Z10. H5", "N220 G0 Z10.",
        "N230 M3 S16000", "N240 G4 P5500",
        "N250 G0 X60. Y30.", "N260 G0 Z1.", "N270 G1 Z-1.5 F400.", "N280 G0 Z10.", "N290 M5",
        "N300 M5", "N310 M9", "N320 G0 X0. Y1500.", "N330 G28 G91 Z0", "N340 G90", "N350 M30",
        "%",
    ]  # fmt: skip


def test_marlin_writes_one_command_per_line_keeps_the_steppers_on_and_has_no_end_code():
    lines = render("marlin-hobby-600x400", one_tool_program()).splitlines()
    assert lines[:14] == [
        "; program: sheet-01",
        "; tool: 6 mm up-cut, D6",
        "; origin: X0 Y0 sheet lower-left corner, Z0 top of sheet",
        "G21", "G90",  # the base's "G21 G90 G17 G94", one command a line (no G17, no G94 in Marlin)
        # No idle timeout: stock Marlin frees the steppers 120 s after the last move, origin and all.
        "M84 S0",
        "; load tool 1: 6 mm up-cut, D6",
        "G0 Z10",
        "; set the spindle speed to 18000 rpm by hand", "M3",  # a trim router: speed on its dial
        "G4 S5.5",  # seconds in S: Marlin's P would be milliseconds
        "G0 X10 Y10", "G0 Z1", "G1 Z-3 F600",
    ]  # fmt: skip
    assert "G54" not in lines  # Marlin has work offsets only with CNC_COORDINATE_SYSTEMS
    assert lines[-6:] == [
        "G0 Z10", "M5",  # the toolpath's retract and stop
        "M5", "G0 X0 Y390",  # the postamble's stop, never trusting the body, and park
        "; end of program: Marlin has no M2, and M30 deletes a file",
        # M84 S0 keeps the steppers on while the program runs, not past an SD print's own M84.
        "; stock Marlin ends an SD print with M84: zero X Y Z again for the next sheet",
    ]  # fmt: skip
    program = read_program("\n".join(lines) + "\n", "marlin")
    assert program.errors == []
    assert check_program(program, rules=rules_for("marlin", load_machine("marlin-hobby-600x400"), None)) == []


@pytest.mark.parametrize("tool_changer", [False, True])
def test_marlin_refuses_a_second_tool_it_has_no_m6_and_an_m0_pause_cannot_rezero_z(tool_changer):
    with pytest.raises(ValueError, match="one program per tool"):
        render("marlin-hobby-600x400", two_tool_program(), tool_changer=tool_changer)


def test_mach3_writes_dwells_in_the_unit_its_configuration_reads():
    seconds = render("mach3-router-2500x1250", one_tool_program()).splitlines()
    assert "G4 P5.5" in seconds and MACH_DWELL in seconds
    milliseconds = render("mach3-router-2500x1250", one_tool_program(), dwell_ms=True).splitlines()
    assert "G4 P5500" in milliseconds and "G4 P5.5" not in milliseconds
    assert "(dwell: G4 P in milliseconds - tick G04 Dwell param in ms in Mach's config)" in milliseconds
    assert MACH_DWELL not in milliseconds


@pytest.mark.parametrize("dialect", ["grbl", "grblhal", "linuxcnc", "mach3", "fanuc"])
def test_every_g_code_preamble_but_marlins_selects_the_g54_work_offset(dialect):
    # A previous program or the operator may have left G55..G59 active: the sheet's origin is G54's.
    machine_name, _ = DEMO_MACHINES[dialect]
    lines = render(machine_name, one_tool_program()).splitlines()
    first_move = next(index for index, line in enumerate(lines) if re.search(r"\bG0 ", line))
    assert any("G54" in line.split() for line in lines[:first_move])


def test_registry_and_extensions():
    expected = {"grbl": ".nc", "grblhal": ".nc", "linuxcnc": ".ngc", "mach3": ".tap", "fanuc": ".nc",
                "marlin": ".gcode"}  # fmt: skip
    assert {name: POSTS[name].file_extension for name in expected} == expected
    assert all(get_post(name.upper()).dialect == name for name in expected)


def test_shipped_machines_load_with_their_dialect_and_settings():
    assert set(builtin_machines()) >= {machine for machine, _ in DEMO_MACHINES.values()}
    atc = load_machine("grblhal-atc-2500x1250")
    assert (atc.dialect, atc.tool_changer, atc.vacuum, atc.dust_extraction) == (
        "grblhal", True, OutputSwitch("M64 P0", "M65 P0"), OutputSwitch("M8", "M9"))
    marlin = load_machine("marlin-hobby-600x400")
    assert (marlin.dialect, marlin.manual_spindle, marlin.arcs, marlin.envelope[:2]) == (
        "marlin", True, False, (600.0, 400.0))
    fanuc = load_machine("fanuc-router-3100x1550")
    assert (fanuc.dialect, fanuc.line_numbers, fanuc.envelope[:2]) == ("fanuc", True, (3100.0, 1550.0))
    assert load_machine("linuxcnc-router-2500x1250").dialect == "linuxcnc"
    assert load_machine("mach3-router-2500x1250").dialect == "mach3"
    for name, _ in DEMO_MACHINES.values():
        first_line = builtin_machines()[name].read_text().splitlines()[0]
        assert first_line.startswith("# "), f"{name}: the first line says what the machine is"


# -- the demo of every dialect, read back --------------------------------------------------


@pytest.fixture(scope="module")
def demo_runs():
    """The pipeline's run of the stool demo on each dialect's shipped machine, run once."""
    runs = {}

    def run(dialect: str):
        if dialect not in runs:
            machine_name, (width, height, thickness) = DEMO_MACHINES[dialect]
            spec = JobSpec(name="demo-stool", plans=(PlanSpec(file=SHIPPED_PLAN, quantity=1),),
                           sheets=(SheetSpec(width=width, height=height, thickness=thickness),),
                           machine=machine_name, profile=DEFAULT_PROFILE)  # fmt: skip
            runs[dialect] = run_job(build_job(spec))
        return runs[dialect]

    return run


def ir_moves_as_written(steps, post, machine):
    """The toolpath's moves from a known position that still move once rounded as the post writes."""
    units = post.output_units(machine)
    kept = []
    for move in moves(steps):
        if None in move.start:
            continue
        written = [[round_to(v * units.per_mm, units.coordinate_decimals) for v in point]
                   for point in (move.start, move.end)]  # fmt: skip
        if written[0] != written[1]:
            kept.append(move)
    return kept


def arc_middle(start, end, centre, clockwise) -> tuple[float, float]:
    radius = math.dist(start[:2], centre)
    first = math.atan2(start[1] - centre[1], start[0] - centre[0])
    last = math.atan2(end[1] - centre[1], end[0] - centre[0])
    sweep = (last - first) % (2 * math.pi)
    if clockwise:
        sweep -= 2 * math.pi
    return centre[0] + radius * math.cos(first + sweep / 2), centre[1] + radius * math.sin(first + sweep / 2)


def assert_follows_the_arc(segments, move, tolerance: float) -> None:
    """Straight segments written for an IR arc stay within ``tolerance`` of it everywhere."""
    step = move.step
    centre, radius = (step.cx, step.cy), math.dist(move.end[:2], (step.cx, step.cy))
    for segment in segments:
        assert abs(math.dist(segment.end[:2], centre) - radius) <= tolerance
        # The arc strays furthest from a chord at the chord's middle angle.
        middle = arc_middle(segment.start, segment.end, centre, step.clockwise)
        chord_middle = [(a + b) / 2 for a, b in zip(segment.start[:2], segment.end[:2])]
        assert math.dist(middle, chord_middle) <= tolerance
    assert segments[0].start == pytest.approx(move.start, abs=tolerance)
    assert segments[-1].end == pytest.approx(move.end, abs=tolerance)


def close(a, b, tolerance: float) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def assert_same_path(expected, motions, machine, units) -> list:
    """The read-back motions make the toolpath's moves, one for one (an arc: one or, without
    arcs, several lines); returns the motions left over (the postamble's)."""
    rounding = 1.5 * units.rounding_mm
    feed_rounding = 0.5 * 10.0**-units.feed_decimals / units.per_mm + 1e-9
    index = 0
    for number, move in enumerate(expected):
        step = move.step
        if isinstance(step, ArcCut) and not machine.arcs:
            segments = []
            # Each coordinate is rounded on its own: a helix's end may be sqrt(3) roundings away.
            while not segments or not close(segments[-1].end, move.end, rounding):
                segments.append(motions[index])
                index += 1
            assert all(segment.kind == "feed" and abs(segment.feed - step.feed) <= feed_rounding
                       for segment in segments)  # fmt: skip
            assert_follows_the_arc(segments, move, machine.arc_tolerance)
            continue
        got = motions[index]
        index += 1
        kind = "rapid" if isinstance(step, Rapid) else "arc" if isinstance(step, ArcCut) else "feed"
        assert got.kind == kind, f"move {number}: {move} read as {got}"
        assert close(got.start, move.start, rounding), f"move {number}: {move} read as {got}"
        assert close(got.end, move.end, rounding), f"move {number}: {move} read as {got}"
        if kind != "rapid":
            assert abs(got.feed - step.feed) <= feed_rounding, f"move {number}: {move} read as {got}"
        if kind == "arc":
            # The same arc: same direction, and its middle point on the toolpath's arc.
            assert got.clockwise == step.clockwise
            middle = arc_middle(move.start, move.end, (step.cx, step.cy), step.clockwise)
            assert math.dist(middle, arc_middle(got.start, got.end, got.centre, got.clockwise)) < 0.002
    return motions[index:]


@pytest.mark.parametrize("dialect", sorted(DEMO_MACHINES))
def test_every_dialects_demo_reads_back_as_the_toolpath(dialect, demo_runs):
    result = demo_runs(dialect)
    machine = result.job.machine
    post = get_post(dialect)
    assert {sheet.program_name.rsplit(".", 1)[1] for sheet in result.sheets} == {post.file_extension[1:]}
    for sheet in result.sheets:
        program = read_program(sheet.program_text, dialect, source=sheet.program_name)
        assert program.errors == []
        steps = sheet.toolpaths.program.steps
        motions = [m for m in program.motions if m.start != m.end]
        expected = ir_moves_as_written(steps, post, machine)
        assert any(isinstance(move.step, ArcCut) for move in expected)
        left = assert_same_path(expected, motions, machine, post.output_units(machine))
        (park,) = left  # the postamble adds the park move alone: the toolpath ends at safe Z
        assert park.kind == "rapid" and park.end[:2] == pytest.approx(machine.park, abs=0.001)
        # The pipeline has checked the program against the dialect's rules before handing it over.


def test_marlin_demo_has_no_arcs_and_one_command_per_line(demo_runs):
    for sheet in demo_runs("marlin").sheets:
        words = read_program(sheet.program_text, "marlin").words_used.values()
        assert all(sum(word.letter in "GM" for word in line) == 1 for line in words)
        assert not any(word.code in ("G2", "G3") for line in words for word in line)


def test_inch_output_round_trips(demo_runs):
    # The LinuxCNC demo's toolpath, written for the same machine set to inches.
    (sheet,) = demo_runs("linuxcnc").sheets
    mm_machine = demo_runs("linuxcnc").job.machine
    machine, post = replace(mm_machine, units="in"), get_post("linuxcnc")
    units = post.output_units(machine)
    assert (units.word, units.coordinate_decimals, units.feed_decimals) == ("G20", 4, 3)
    text = post.render(sheet.toolpaths.program, machine)
    lines = text.splitlines()
    assert "G17 G20 G40 G49 G80 G90 G94 G54" in lines
    assert lines[-2:] == ["G0 X0 Y47.2441", "M2"]  # park at Y1200 mm
    program = read_program(text, "linuxcnc")
    assert program.errors == []
    rules = replace(rules_for("linuxcnc", machine, sheet.layout.sheet), safe_z=demo_runs("linuxcnc").job.safe_z)
    assert check_program(program, rules=rules) == []
    expected = ir_moves_as_written(sheet.toolpaths.program.steps, post, machine)
    left = assert_same_path(expected, [m for m in program.motions if m.start != m.end], machine, units)
    assert [m.end[:2] for m in left] == [pytest.approx(machine.park, abs=0.002)]


def test_inch_arcs_keep_grbls_radius_rule():
    steps = [Rapid(z=5.0), Rapid(x=20.0, y=20.0), SpindleOn(18000), Dwell(3.0), Cut(20.0, 20.0, -2.0, 500.0)]
    cx, cy = 21.2345678, 20.0
    for degrees in (37.0, 101.0, 179.0):  # arcs of 1.23 mm radius: rounding matters most
        start = (cx - 1.2345678, cy)
        angle = math.radians(180.0 - degrees)
        end = (cx + 1.2345678 * math.cos(angle), cy + 1.2345678 * math.sin(angle))
        steps += [Cut(*start, -2.0, 500.0), ArcCut(*end, -2.0, cx, cy, True, 900.0)]
    machine = replace(load_machine("generic-grbl-2500x1250"), units="in")
    text = render("generic-grbl-2500x1250", steps, units="in")
    assert text.splitlines()[3] == "G20 G90 G17 G94 G54"
    program = read_program(text, "grbl")
    assert program.errors == [] and sum(m.kind == "arc" for m in program.motions) == 3
    assert check_program(program, rules=rules_for("grbl", machine, (600.0, 400.0, 18.0))) == []
    expected = ir_moves_as_written(steps, get_post("grbl"), machine)
    left = assert_same_path(expected, [m for m in program.motions if m.start != m.end], machine,
                            get_post("grbl").output_units(machine))  # fmt: skip
    assert len(left) == 2  # retract and park


# -- arcs as lines, line numbers, messages, bad machine files ----------------------------


@pytest.mark.parametrize("tolerance", [0.002, 0.01, 0.1])
@pytest.mark.parametrize("machine_name", ["marlin-hobby-600x400", "linuxcnc-router-2500x1250"])
def test_arcs_written_as_lines_stay_within_the_arc_tolerance(machine_name, tolerance):
    cx, cy, radius = 200.123, 150.456, 37.5
    start = (cx + radius, cy)
    steps = [Rapid(z=5.0), Rapid(x=start[0], y=start[1]), SpindleOn(18000), Cut(*start, -3.0, 500.0)]
    arcs = [  # a half turn clockwise, a helix down a quarter turn back, a small arc
        ArcCut(cx - radius, cy, -3.0, cx, cy, True, 1200.0),
        ArcCut(cx, cy + radius, -6.0, cx, cy, True, 1200.0),
        ArcCut(cx + 1.5, cy + radius - 1.5, -6.0, cx + 1.5, cy + radius, False, 800.0),
    ]
    machine = replace(load_machine(machine_name), arcs=False, arc_tolerance=tolerance)
    text = render(machine_name, [*steps, *arcs, Rapid(z=5.0), SpindleOff()], arcs=False, arc_tolerance=tolerance)
    program = read_program(text, machine.dialect)
    assert program.errors == []
    assert not any(word.code in ("G2", "G3") for line in program.words_used.values() for word in line)
    expected = ir_moves_as_written([*steps, *arcs], get_post(machine.dialect), machine)
    assert_same_path(expected, [m for m in program.motions if m.start != m.end], machine,
                     get_post(machine.dialect).output_units(machine))  # fmt: skip
    helix = [m for m in program.motions if m.end[2] < m.start[2] and m.start[2] <= -3.0]
    assert len(helix) > 3 and all(m.end[2] < m.start[2] for m in helix)  # Z goes down along the helix


def test_line_numbers_go_up_by_ten_and_start_again_past_the_largest():
    class ShortNumbers(FanucPost):
        max_line_number = 60

    machine = load_machine("fanuc-router-3100x1550")
    program = ToolpathProgram(name="sheet-07", tool=TOOL, safe_z=SAFE_Z, steps=tuple(two_tool_program()))
    lines = ShortNumbers().render(program, machine).splitlines()
    numbers = [int(line.split()[0][1:]) for line in lines if line.startswith("N")]
    assert numbers[:8] == [10, 20, 30, 40, 50, 60, 10, 20]
    assert lines[1] == "O0007 (SHEET-07)"
    assert not any(N_WORD.match(line) for line in lines if line.startswith(("(", "%", "O")))


def test_a_machine_asking_marlin_for_line_numbers_is_refused():
    with pytest.raises(InputError, match=r"marlin-hobby-600x400: key 'controller.line_numbers': marlin"):
        render("marlin-hobby-600x400", one_tool_program(), line_numbers=True)


def test_an_unknown_dialect_in_a_machine_file_names_the_file_and_the_key(tmp_path):
    shipped = builtin_machines()["generic-grbl-2500x1250"].read_text()
    machine_file = tmp_path / "haas.toml"
    machine_file.write_text(shipped.replace('dialect = "grbl"', 'dialect = "haas"'))
    with pytest.raises(InputError) as caught:
        load_machine(str(machine_file))
    assert str(caught.value).startswith(f"{machine_file}: key 'dialect'") and "haas" in str(caught.value)
    result = CliRunner().invoke(app, ["demo", "--machine", str(machine_file), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"plycut: error: {caught.value}"]
    assert not (tmp_path / "out").exists()
