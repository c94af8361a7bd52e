"""The G-code reader: modal state, units, arcs, and what it refuses to guess."""

from __future__ import annotations

import math

import pytest

from gcode.reader import arc_points, arc_sweep, motion_bounds, read_gcode


def read(*lines: str):
    return read_gcode("\n".join(lines) + "\n", source="test.nc")


def ends(program):
    return [motion.end for motion in program.motions]


def test_absolute_moves_with_modal_motion_and_feed():
    program = read("G21 G90", "G0 Z5", "X10 Y20", "M3 S12000", "G1 Z-2 F300", "X30", "Y25 F900", "G0 Z5")
    assert program.errors == []
    assert [(m.kind, m.start, m.end, m.feed) for m in program.motions] == [
        ("feed", (10, 20, 5), (10, 20, -2), 300),
        ("feed", (10, 20, -2), (30, 20, -2), 300),  # "X30": still G1, still F300
        ("feed", (30, 20, -2), (30, 25, -2), 900),
        ("rapid", (30, 25, -2), (30, 25, 5), 0),
    ]
    assert [m.line for m in program.motions] == [5, 6, 7, 8]
    assert all(m.spindle_on and m.spindle_rpm == 12000 for m in program.motions)


def test_first_moves_are_untracked_until_every_axis_is_known():
    program = read("G0 Z5", "G0 X1", "G0 Y2", "G0 X3")
    assert program.errors == []
    assert [(u.line, u.moves_xy, u.start_z, u.end_z) for u in program.untracked_moves] == [
        (1, False, None, 5),
        (2, True, 5, 5),
        (3, True, 5, 5),
    ]
    assert ends(program) == [(3, 2, 5)]


def test_incremental_moves():
    program = read("G90 G0 Z5", "X10 Y10", "G91", "G1 X5 Y-2.5 Z-8 F500", "X-1", "G90 G0 Z5")
    assert program.errors == []
    assert ends(program) == [(15, 7.5, -3), (14, 7.5, -3), (14, 7.5, 5)]


def test_inches_are_converted_to_mm():
    program = read("G20 G90", "G0 Z0.2", "X1 Y2", "G1 Z-0.125 F10", "G2 X1.5 Y2.5 I0.5 J0", "G21 G1 X10")
    assert program.errors == []
    plunge, arc, back_in_mm = program.motions
    assert plunge.end == pytest.approx((25.4, 50.8, -3.175))
    assert plunge.feed == pytest.approx(254.0)
    assert arc.centre == pytest.approx((38.1, 50.8))
    assert arc.end == pytest.approx((38.1, 63.5, -3.175))
    assert arc.radius_start == pytest.approx(12.7) and arc.radius_end == pytest.approx(12.7)
    assert back_in_mm.end == pytest.approx((10.0, 63.5, -3.175))
    assert back_in_mm.feed == pytest.approx(254.0)  # F was set in inches/min, GRBL keeps it as mm/min


@pytest.mark.parametrize(
    "code, clockwise, centre_above",
    [("G2", True, False), ("G3", False, True)],
)
def test_r_arcs_positive_take_the_short_way_negative_the_long_way(code, clockwise, centre_above):
    start, end, radius = (0.0, 0.0), (10.0, 0.0), 10.0
    height = math.sqrt(radius**2 - 5.0**2)
    for r_word, above in ((f"R{radius:g}", centre_above), (f"R-{radius:g}", not centre_above)):
        program = read("G0 Z1", "G0 X0 Y0", f"F100 {code} X10 Y0 {r_word}")
        assert program.errors == []
        (arc,) = program.motions
        assert arc.clockwise is clockwise
        assert arc.centre == pytest.approx((5.0, height if above else -height))
        assert math.dist(arc.centre, start) == pytest.approx(radius)
        assert math.dist(arc.centre, end) == pytest.approx(radius)
        expected_sweep = math.radians(60.0) if r_word[1] != "-" else math.radians(300.0)
        assert abs(arc_sweep(arc)) == pytest.approx(expected_sweep)


def test_r_arc_too_small_for_its_chord_is_an_error():
    program = read("G0 Z1", "G0 X0 Y0", "G2 X10 Y0 R4.9 F100")
    assert program.errors == [(3, "R4.9 is too small for a chord of 10.0000 mm")]
    assert program.motions == []


def test_arc_centre_modes():
    program = read("G0 Z1", "G0 X10 Y0", "G3 X0 Y10 I-10 J0 F100", "G90.1", "G2 X10 Y0 I0 J0")
    assert program.errors == []
    first, second = program.motions
    assert first.centre == (0, 0) and second.centre == (0, 0)
    assert arc_sweep(first) == pytest.approx(math.pi / 2)
    assert arc_sweep(second) == pytest.approx(-math.pi / 2)


def test_comments_percent_line_numbers_checksums_and_spaces_inside_words():
    program = read(
        "%",
        "(header comment) ; more",
        "N10 G0 (inline) Z5 ; trailing (with parens)",
        "n20 g0 x 1 0 . 5 y-.5*57",
        "N30 G1 Z-1 F 2 0 0 (plunge)",
        "%",
    )
    assert program.errors == []
    assert ends(program) == [(10.5, -0.5, -1)]
    assert [w.code for w in program.words_used[4]] == ["N20", "G0", "X10.5", "Y-0.5"]
    assert 2 not in program.words_used


def test_unknown_code_is_reported_with_its_line_and_the_line_is_not_run():
    program = read("G0 Z5", "G0 X0 Y0", "G5 X20 Y20", "G0 X3 Q2 E4", "G0 A90")
    assert program.errors == [
        (3, "unknown code G5"),
        (4, "unknown word E4"),
        (5, "axis A is not supported: plycut drives X, Y and Z only"),
    ]
    assert program.motions == []


def test_unreadable_words_and_unclosed_comments():
    program = read("G0 Z5", "G0 X1..5", "G0 X2 (oops", "G0 X3 X4", "G0 G1 X5")
    assert program.errors == [
        (2, "cannot read '.5'"),
        (3, "comment opened with '(' is never closed"),
        (4, "word X appears twice"),
        (5, "G0 and G1 are in the same modal group (motion)"),
    ]


def test_moves_from_unknown_positions_are_errors():
    program = read("G0 X10 Y10", "G1 Z-1 F100", "G0 Z5", "G1 X1 Y1 Z-1")
    assert program.errors == [
        (1, "XY move before Z is known"),
        (2, "G1 from an unknown position: set X, Y and Z with G0 first"),
    ]
    # Both lines still set their axes, as the controller does: Z5 completes the position.
    assert [(m.start, m.end) for m in program.motions] == [((10, 10, -1), (10, 10, 5)), ((10, 10, 5), (1, 1, -1))]


def test_feed_move_without_feed_rate_is_an_error_and_does_not_move():
    program = read("G0 Z5", "G0 X0 Y0", "G1 X10", "G1 X20 F100")
    assert program.errors == [(3, "G1 without a feed rate (F)")]
    assert [m.start for m in program.motions] == [(0, 0, 5)]


def test_machine_positions_make_axes_unknown():
    program = read("G0 Z5", "G0 X5 Y5", "G53 G0 Z-1", "G1 X6 F100", "G0 Z5", "G28", "G0 X1 Y1", "M2")
    machine_moves = [u for u in program.untracked_moves if u.kind == "machine"]
    assert [(u.line, u.start_z, u.end_z, u.moves_xy) for u in machine_moves] == [
        (3, 5, None, False),
        (6, 5, None, True),
    ]
    assert program.errors == [(4, "XY move before Z is known"), (7, "XY move before Z is known")]


def test_g28_with_an_intermediate_point_moves_there_first():
    program = read("G0 Z2", "G0 X5 Y5", "G0 Z1", "G28 Z6", "G0 Z3")
    assert [(m.line, m.start, m.end) for m in program.motions] == [(3, (5, 5, 2), (5, 5, 1)), (4, (5, 5, 1), (5, 5, 6))]
    (home,) = [u for u in program.untracked_moves if u.kind == "machine"]
    assert (home.line, home.start_z, home.end_z, home.moves_xy) == (4, 6, None, False)
    assert program.untracked_moves[-1].line == 5  # Z3 from the unknown home height


def test_g28_g91_z0_goes_home_through_z_alone():
    # Fanuc's way home: the intermediate point is where the tool is, so the only move is Z going home.
    program = read("G0 Z5", "G0 X5 Y5", "G1 Z-1 F100", "G0 Z5", "G28 G91 Z0", "G90", "G0 Z3", "G0 X1 Y1")
    assert program.errors == []
    assert [m.line for m in program.motions] == [3, 4, 8]
    assert [(u.line, u.kind, u.start_z, u.end_z, u.moves_xy) for u in program.untracked_moves[-2:]] == [
        (5, "machine", 5, None, False),
        (7, "rapid", None, 3, False),
    ]
    assert program.motions[-1].start == (5, 5, 3)  # X and Y stayed known through the Z-only home move
    unknown_z = read("G28 G91 Z0", "G90", "G0 Z5")  # at the start of a program, as Fanuc posts write it
    assert unknown_z.errors == [] and [u.kind for u in unknown_z.untracked_moves] == ["machine", "rapid"]


def test_program_end_spindle_and_events():
    program = read("G0 Z5", "G0 X0 Y0", "T2 M6", "G0 Z5", "G0 X0 Y0", "M3 S9000", "G4 P1.5", "M0",
                   "G1 Z-1 F100", "M5", "G1 X1", "M30", "G0 Z5")  # fmt: skip
    assert program.program_end_line == 12
    assert [(e.line, e.kind, e.detail) for e in program.events] == [
        (3, "tool-change", "tool 2"),
        (7, "dwell", "P1.5"),  # the word as written: its unit is the dialect's
        (8, "pause", "M0"),
        (12, "program-end", "M30"),
    ]
    assert [(m.spindle_on, m.spindle_rpm) for m in program.motions] == [(True, 9000), (False, 0), (False, 0)]
    assert program.errors == [(13, "code after the end of the program on line 12")]


def test_m6_may_move_the_machine_so_every_axis_becomes_unknown():
    program = read("G0 Z5", "G0 X10 Y10", "T2 M6", "G0 X20 Y20", "G0 Z5", "G1 Z-1 F100")
    assert program.errors == [(4, "XY move before Z is known")]
    change = program.untracked_moves[2]
    assert (change.line, change.kind, change.start_z, change.end_z, change.moves_xy) == (3, "machine", 5, None, True)
    assert [(m.line, m.start, m.end) for m in program.motions] == [(6, (20, 20, 5), (20, 20, -1))]


def test_dwell_in_p_or_in_marlins_s_and_marlins_pause_message():
    program = read("G0 Z5", "G0 X0 Y0", "M3 S12000", "G4 S2.5", "M0 Load tool 2 then resume", "m1 p500",
                   "G1 Z-1 F100", "G4")  # fmt: skip
    assert program.errors == [(8, "G4 without P or S: the dwell time is missing")]
    assert [(e.line, e.kind, e.detail) for e in program.events] == [
        (4, "dwell", "S2.5"),
        (5, "pause", "M0"),
        (6, "pause", "M1"),
    ]
    assert program.messages == {5: "Load tool 2 then resume"}
    assert [w.code for w in program.words_used[5]] == ["M0"]
    (plunge,) = program.motions
    assert plunge.spindle_rpm == 12000  # G4's S is the dwell, not a spindle speed


def test_fanuc_framing_program_number_and_block_numbers():
    program = read("%", "O0001 (SHEET-01)", "N10 G21", "N20 G17 G40 G49 G80 G90 G94", "N30 G28 G91 Z0",
                   "N40 G90", "N50 T1 M6", "N60 G0 G43 Z10. H1", "N70 G0 X5. Y5.", "N80 M3 S12000",
                   "N90 G4 P4000", "N100 G1 Z-1. F600.", "N110 G0 Z10.", "N120 M5", "N130 G28 G91 Z0", "N140 G90",
                   "N150 M30", "%")  # fmt: skip
    assert program.errors == []
    assert [(m.line, m.kind, m.end, m.feed) for m in program.motions] == [
        (12, "feed", (5, 5, -1), 600),
        (13, "rapid", (5, 5, 10), 0),
    ]
    assert [(u.line, u.kind) for u in program.untracked_moves] == [
        (5, "machine"), (7, "machine"), (8, "rapid"), (9, "rapid"), (15, "machine"),
    ]  # fmt: skip
    assert [(e.line, e.kind, e.detail) for e in program.events] == [
        (7, "tool-change", "tool 1"),
        (11, "dwell", "P4000"),
        (17, "program-end", "M30"),
    ]
    assert [w.code for w in program.words_used[2]] == ["O1"]


def test_codes_it_cannot_simulate_stop_the_reading():
    program = read("G0 Z5", "G0 X0 Y0", "G81 X10 Y10 Z-5 R2 F100", "G0 X50 Y50", "G5 X1", "M2")
    assert program.errors == [
        (3, "G81 is a canned cycle, which plycut does not simulate: reading stops here"),
        (5, "unknown code G5"),
    ]
    assert program.motions == []
    assert program.program_end_line == 6
    assert 4 in program.words_used  # still tokenised for the dialect checks


def test_other_planes_are_errors():
    program = read("G0 Z5", "G0 X0 Y0", "G18", "G2 X10 Z-5 I5 K0 F100")
    assert program.errors == [
        (3, "plane G18 is not supported: arcs are read in the XY plane (G17) only"),
        (4, "G2 in plane G18 is not simulated"),
    ]


def test_arc_points_follow_the_arc_and_the_helix():
    program = read("G0 Z0", "G0 X10 Y0", "G3 X-10 Y0 Z-2 I-10 J0 F100")
    (arc,) = program.motions
    points = arc_points(arc, chord=0.5)
    assert points[0] == arc.start and points[-1] == arc.end
    assert len(points) == math.ceil(math.pi * 10 / 0.5) + 1
    for (x, y, z), (nx, ny, nz) in zip(points, points[1:]):
        assert math.hypot(x, y) == pytest.approx(10.0)
        assert y >= -1e-9  # counter-clockwise from +X: over the top
        assert nz < z
        assert math.dist((x, y), (nx, ny)) <= 0.5
    assert points[len(points) // 2][2] == pytest.approx(-1.0, abs=0.05)


def test_full_circle_when_ends_coincide():
    program = read("G0 Z0", "G0 X10 Y0", "G2 X10 Y0 I-10 J0 F100")
    (circle,) = program.motions
    assert arc_sweep(circle) == pytest.approx(-2 * math.pi)
    assert motion_bounds(circle) == pytest.approx((-10, -10, 10, 10))


def test_bounds_of_an_arc_include_its_bulge():
    # From (10, 0) counter-clockwise to (0, 10) around the origin: passes no axis extreme
    # but its ends; clockwise the long way round it reaches -10 on both axes.
    short = read("G0 Z0", "G0 X10 Y0", "G3 X0 Y10 I-10 J0 F100").motions[0]
    long_way = read("G0 Z0", "G0 X10 Y0", "G2 X0 Y10 I-10 J0 F100").motions[0]
    assert motion_bounds(short) == pytest.approx((0, 0, 10, 10))
    assert motion_bounds(long_way) == pytest.approx((-10, -10, 10, 10))


def test_arc_without_an_end_point_in_its_plane_is_an_error():
    program = read("G0 Z1", "G0 X0 Y0", "G1 Z-1 F100", "G2 I10 J0 F3000", "G2 Z-2 I10 J0", "G3 X0 Y0 I10 J0")
    assert program.errors == [
        (4, "unused words I, J: only an arc (G2/G3 with X or Y) uses I, J, K and R (GRBL error:36)"),
        (5, "G2 without X or Y: no end point in the arc's plane (GRBL error:32)"),
    ]
    # Neither line moves: the full circle on line 6 starts where line 3 left the tool.
    _, circle = program.motions
    assert (circle.line, circle.start, circle.centre) == (6, (0, 0, -1), (10, 0))


def test_arc_words_a_line_does_not_use_are_errors():
    program = read("G0 Z1", "G0 X0 Y0", "G0 Z2 R2", "G1 X5 I1 F100", "G2 X10 Y0 R5 I2", "G2 X10 Y0 I5 J0 K7 F200",
                   "J3")  # fmt: skip
    assert program.errors == [
        (3, "unused words R: only an arc (G2/G3 with X or Y) uses I, J, K and R (GRBL error:36)"),
        (4, "unused words I: only an arc (G2/G3 with X or Y) uses I, J, K and R (GRBL error:36)"),
        (5, "unused words I: an R arc takes no I, J or K (GRBL error:36)"),
        (7, "unused words J: only an arc (G2/G3 with X or Y) uses I, J, K and R (GRBL error:36)"),
    ]
    # The rejected lines do not move; the I/J arc on line 6 does (GRBL takes K as the
    # third offset and ignores it in G17).
    assert [(m.line, m.kind, m.start, m.end, m.centre) for m in program.motions] == [
        (6, "arc", (0, 0, 1), (10, 0, 1), (5, 0))
    ]


def test_words_keep_their_numbers_as_written():
    # Fanuc reads X40 and X40. differently: the checker needs the text, not only the value.
    program = read("G0 X40. Y-.5 Z+3 F600")
    assert [(w.code, w.written) for w in program.words_used[1]] == [
        ("G0", "0"), ("X40", "40."), ("Y-0.5", "-.5"), ("Z3", "+3"), ("F600", "600"),
    ]  # fmt: skip


def test_fanuc_g4_x_is_the_dwell_in_seconds_not_a_move():
    text = "G0 Z5\nG0 X0 Y0\nG4 X2.\nG4 P500\nG1 Z-1 F100\n"
    fanuc = read_gcode(text, dwell_seconds_word="X")
    assert fanuc.errors == []
    assert [(e.line, e.kind, e.detail) for e in fanuc.events] == [(3, "dwell", "X2"), (4, "dwell", "P500")]
    assert [(m.line, m.start, m.end) for m in fanuc.motions] == [(5, (0, 0, 5), (0, 0, -1))]  # X stayed at 0
    rs274 = read_gcode(text)  # elsewhere X on a G4 line is an axis word, and G4 lacks its time
    assert rs274.errors == [(3, "G4 without P or S: the dwell time is missing")]
    assert read_gcode("G4\n", dwell_seconds_word="X").errors == [(1, "G4 without P, S or X: the dwell time is missing")]


def test_marlins_m84_sets_the_stepper_timeout_with_s_and_frees_the_steppers_without():
    program = read("G0 Z5", "G0 X0 Y0", "M3 S12000", "M84 S0", "G1 Z-1 F100", "G0 Z5", "M84", "G0 X10 Y10")
    assert program.errors == [(8, "XY move before Z is known")]
    assert program.motions[0].spindle_rpm == 12000  # M84's S is its timeout, not a spindle speed
    assert [u.line for u in program.untracked_moves] == [1, 2, 7]  # nothing at line 4: M84 S0 moves nothing
    freed = program.untracked_moves[-1]
    assert (freed.kind, freed.start_z, freed.end_z, freed.moves_xy) == ("machine", 5, None, True)
    assert freed.reason == "M84 frees the steppers: the gantry may be moved by hand"


def test_spindle_starts_are_where_the_spindle_goes_from_off_to_on():
    program = read("G0 Z5", "M3 S10000", "M3 S12000", "M4", "M5", "G0 Z6", "M5", "M4 S9000 G4 P1", "M2")
    assert program.spindle_starts == [2, 8]  # a new speed or direction while it turns is no start


def test_a_probe_leaves_z_unknown_until_g10_l20_sets_it_and_moves_are_tracked_again():
    program = read("G21 G90 G54", "G0 Z5", "G0 X100 Y200", "G91 G38.2 Z-60 F100", "G90", "G10 L20 P0 Z20",
                   "G0 Z60", "G1 Z-1 F300", "M2")  # fmt: skip
    assert program.errors == []
    (probe,) = [move for move in program.untracked_moves if move.kind == "probe"]
    # It stops where it touches: its end is unknown; it goes down 60 mm at most, at F100.
    assert (probe.line, probe.start_z, probe.end_z, probe.moves_xy, probe.feed, probe.probe_drop) == (
        4, 5.0, None, False, 100.0, 60.0)
    # G10 L20: the current position's work Z is now 20; X and Y are unchanged.
    assert [(m.line, m.start, m.end) for m in program.motions if m.line > 4] == [
        (7, (100, 200, 20), (100, 200, 60)), (8, (100, 200, 60), (100, 200, -1))]


def test_an_absolute_probe_goes_down_from_its_start_to_its_target():
    program = read("G0 Z5", "G0 X0 Y0", "G38.3 Z-10 F50", "G10 L20 P0 Z0", "G0 Z5")
    (probe,) = program.untracked_moves[-1:]
    assert (probe.kind, probe.probe_drop, probe.feed) == ("probe", 15.0, 50.0)
    from_unknown = read("G38.2 Z-10 F50")
    assert from_unknown.untracked_moves[0].probe_drop is None  # up or down: the start is unknown


def test_a_probe_without_a_feed_is_an_error_and_does_not_move():
    program = read("G0 Z5", "G0 X0 Y0", "G38.2 Z-10", "G1 Z0 F100")
    assert program.errors == [(3, "G38.2 without a feed rate (F)")]
    assert [move.kind for move in program.untracked_moves] == ["rapid", "rapid"]
    assert program.motions[-1].start == (0, 0, 5)  # Z still known


def test_an_xy_move_between_a_probe_and_g10_is_an_error():
    program = read("G0 Z60", "G0 X0 Y0", "G91 G38.2 Z-60 F100", "G90", "G0 X50 Y50", "G10 L20 P0 Z20")
    assert program.errors == [(5, "XY move before Z is known")]


def test_g10_l20_sets_the_axes_it_names_in_the_active_frame_and_in_the_lines_units():
    program = read("G10 L20 P0 X5 Y6 Z7", "G1 X10 F100", "G20", "G10 L20 P1 Z1", "G1 X1")
    assert program.errors == []
    assert [(m.start, m.end) for m in program.motions] == [
        ((5, 6, 7), (10, 6, 7)), ((10, 6, 25.4), (25.4, 6, 25.4))]  # P1 is G54, active by default
    g55 = read("G55", "G0 Z5", "G0 X0 Y0", "G10 L20 P2 Z3", "G0 Z6")
    assert g55.errors == [] and g55.motions[-1].start == (0, 0, 3)


@pytest.mark.parametrize(
    "line, form",
    [("G10 L2 P1 Z0", "G10 L2 P1"), ("G10 L20 P2 Z0", "G10 L20 P2")],  # an offset table entry; another frame
)
def test_other_g10_forms_stop_the_reading(line, form):
    program = read("G0 Z5", "G0 X0 Y0", line, "G0 X10 Y10", "M2")
    stop = f"{form} changes the work offsets, which plycut does not simulate: reading stops here"
    assert program.errors == [(3, stop)]
    assert program.motions == [] and program.program_end_line == 5


def test_g10_missing_its_words_is_rejected_like_the_controller_does():
    program = read("G0 Z5", "G10 L20 Z0", "G10 L20 P0", "G0 Z6")
    assert program.errors == [(2, "G10 without L or P (GRBL error:28)"), (3, "G10 without an axis word (GRBL error:26)")]
    assert program.untracked_moves[-1].start_z == 5  # Z was never set to 0


def test_program_end_selects_g54_again():
    # M2 restores G54 (GRBL's gcode.c, as LinuxCNC): P2 is no longer the active frame.
    program = read("G55", "M2", "G10 L20 P2 Z0")
    assert program.errors == [
        (3, "code after the end of the program on line 2"),
        (3, "G10 L20 P2 changes the work offsets, which plycut does not simulate: reading stops here"),
    ]
