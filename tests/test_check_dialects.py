"""The checker holds each dialect to its controller: the bad programs of review 5 are caught, good ones pass.

Each program is read the way ``plycut check`` reads it (``read_program`` in the machine's
dialect) and checked with ``rules_for`` that machine; the reader's errors and the checker's
violations come back together, as the command prints them.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from gcode.check import check_program, rules_for
from gcode.programs import read_program
from gcode.tooling import Machine

MACHINE = Machine(
    id="test",
    name="Test router",
    dialect="grbl",
    envelope=(2500.0, 1250.0, 150.0),
    max_feed=(10000.0, 10000.0, 3000.0),
    safe_z=5.0,
    spindle_rpm=(6000.0, 24000.0),
    spindle_spinup_s=3.0,
)
SHEET = (2500.0, 1250.0, 18.0)
END = {"marlin": []}  # Marlin has no program end; every other dialect ends with M2


def problems(dialect: str, lines: list[str], **machine_changes) -> list[tuple[int, str]]:
    """What ``plycut check`` reports for ``lines`` on the test machine speaking ``dialect``."""
    machine = replace(MACHINE, dialect=dialect, **machine_changes)
    program = read_program("\n".join(lines) + "\n", dialect)
    violations = check_program(program, rules=rules_for(dialect, machine, SHEET))
    return sorted([*program.errors, *((v.line, v.message) for v in violations)])


def messages(found: list[tuple[int, str]]) -> list[str]:
    return [message for _, message in found]


def spin_up(waited: str, cut_line: int, needed: str) -> str:
    """The checker's message for a spindle start with too little dwell before its first cut."""
    return (
        f"the spindle starts here and gets {waited} s of dwell before it cuts on line {cut_line}; "
        f"the machine needs {needed} s to reach speed (spindle_spinup_s)"
    )


def off_circle(radii: str, delta: str, dialect: str) -> str:
    """The checker's message for an arc whose ends are not on one circle, outside GRBL."""
    start, end = radii.split()
    return (
        f"arc radius {start} at the start but {end} at the end (differs by {delta} mm): its ends are "
        f"not on one circle, which {dialect} rejects or cuts as another path"
    )


# -- Marlin: parentheses are not comments ---------------------------------------------------

PAREN_MESSAGE = (
    "'(' starts no comment on marlin (PAREN_COMMENTS is off by default): "
    "the words after it are read as parameters; comment with ';'"
)


def test_marlin_reads_on_after_a_parenthesis_so_the_checker_flags_it():
    # review5/bad/k1.gcode: "(plunge to Z-18 now)" plunges to Z-18 on a stock Marlin.
    k1 = ["G21", "G90", "G0 Z5", "M3", "G4 S3", "G0 X10 Y10", "G0 Z1", "G1 Z-1 F300 (plunge to Z-18 now)",
          "G1 X40 F1500 ; Z-30", "G0 Z5", "M5", "M0 Swap to tool 2 S5", "G0 X0 Y390"]  # fmt: skip
    assert problems("marlin", k1, spindle_rpm=(0.0, 0.0)) == [
        (8, PAREN_MESSAGE),
        (12, "marlin reads 'S5' in the message as a timeout: the pause would end by itself"),
    ]


def test_a_parenthesis_inside_a_semicolon_comment_is_fine_on_marlin_and_parentheses_elsewhere():
    marlin = ["G21", "G90", "G0 Z5", "M3", "G4 S3", "G0 X10 Y10", "G1 Z-1 F300 ; plunge (1 mm)", "G0 Z5", "M5"]
    assert problems("marlin", marlin, spindle_rpm=(0.0, 0.0)) == []
    unclosed = [*marlin[:6], "G1 Z-1 F300 ( plunge"]
    assert (7, PAREN_MESSAGE) in problems("marlin", unclosed, spindle_rpm=(0.0, 0.0))
    grbl = ["G21 G90", "G0 Z5", "G0 X10 Y10", "M3 S12000", "G4 P3", "G1 Z-1 F300 (plunge)", "G0 Z5", "M5", "M2"]
    assert problems("grbl", grbl) == []


# -- Marlin: M84 --------------------------------------------------------------------------


def test_marlin_takes_m84_s0_and_other_dialects_do_not():
    body = ["G0 Z5", "M3", "G4 S3", "G0 X10 Y10", "G1 Z-1 F300", "G0 Z5", "M5"]
    assert problems("marlin", ["G21", "G90", "M84 S0", *body], spindle_rpm=(0.0, 0.0)) == []
    rs274 = ["G21 G90", "M84 S0", "G0 Z5", "M3 S12000", "G4 P3", "G0 X10 Y10", "G1 Z-1 F300", "G0 Z5", "M5", "M2"]
    for dialect in ("grbl", "grblhal", "linuxcnc", "mach3"):
        assert problems(dialect, rs274) == [(2, f"M84 is not supported by {dialect}")], dialect


# -- Arcs whose ends are not on one circle -----------------------------------------------------


def arc_program(dialect: str, arc: str) -> list[str]:
    dwell = {"marlin": "G4 S3", "fanuc": "G4 P3000"}.get(dialect, "G4 P3")
    end = END.get(dialect, ["M2"])
    point = "." if dialect == "fanuc" else ""  # Fanuc wants its decimal points
    units = "G21 G91.1" if dialect == "mach3" else "G21"  # Mach3 wants its I/J mode set
    return [units, "G90", f"G0 Z5{point}", f"G0 X40{point} Y10{point}", "M3 S12000", dwell, f"G0 Z1{point}",
            f"G1 Z-3{point} F600{point}", arc, f"G0 Z5{point}", "M5", *end]  # fmt: skip


@pytest.mark.parametrize("dialect", ["linuxcnc", "mach3", "fanuc", "marlin"])
def test_every_gcode_dialect_gets_the_arc_radius_check(dialect):
    # review5/bad/l2.ngc: rs274 says "Radius to end of arc differs from radius to start".
    arc = "G3 X50. Y20. I0 J10.5" if dialect == "fanuc" else "G3 X50 Y20 I0 J10.5"
    assert problems(dialect, arc_program(dialect, arc)) == [(9, off_circle("10.5000 10.0125", "0.4875", dialect))]
    # Within GRBL's thresholds (0.005 mm): the rounding of written coordinates.
    near = "G3 X50.004 Y20. I0 J10." if dialect == "fanuc" else "G3 X50.004 Y20 I0 J10"
    assert problems(dialect, arc_program(dialect, near)) == []


def test_grbl_keeps_its_error_33_wording():
    assert messages(problems("grblhal", arc_program("grblhal", "G3 X50 Y20 I0 J10.5"))) == [
        "arc radius 10.5000 at the start but 10.0125 at the end (differs by 0.4875 mm): GRBL rejects it with error:33"
    ]


def test_linuxcnc_with_absolute_arc_centres():
    # review5/bad/m1.ngc: G90.1, then I0 J10 is the point (0, 10), 40 mm from the start.
    m1 = ["G17 G21 G40 G49 G80 G90 G94", "G90.1", "T1 M6", "G43 H1", "G0 Z5", "M3 S12000", "G4 P4", "G0 X40 Y10",
          "G0 Z1", "G1 Z-3 F600", "G3 X50 Y20 I0 J10 F1500", "G0 Z5", "M5", "M2"]  # fmt: skip
    assert problems("linuxcnc", m1) == [(11, off_circle("40.0000 50.9902", "10.9902", "linuxcnc"))]


# -- Mach3: the I/J mode is a setting -----------------------------------------------------------

MACH3_ARC_MODE = (
    "G3 before any G90.1 or G91.1: mach3 reads I and J in the IJ mode of its configuration; "
    "set it in the program (G91.1: offsets from the start)"
)


def test_mach3_needs_the_arc_centre_mode_before_the_first_arc():
    # review5/bad/m2.tap: no G90.1/G91.1, so the arc's centre depends on Mach's "IJ mode".
    m2 = ["G17 G21 G40 G49 G80 G90 G94", "T1 M6", "G43 H1", "G0 Z5", "M3 S12000", "G4 P4", "G0 X40 Y10", "G0 Z1",
          "G1 Z-3 F600", "G3 X50 Y20 I10 J0 F1500", "G2 X40 Y10 I-10 J0", "G0 Z5", "M5", "M2"]  # fmt: skip
    assert problems("mach3", m2) == [(10, MACH3_ARC_MODE)]  # the first arc only
    late = [*m2[:9], "G3 X50 Y20 I10 J0 F1500", "G91.1", *m2[10:]]
    assert problems("mach3", late) == [(10, MACH3_ARC_MODE)]
    assert problems("mach3", [m2[0], "G91.1", *m2[1:]]) == []
    assert problems("linuxcnc", m2) == []  # LinuxCNC's I/J are offsets unless the program says G90.1


# -- Dwell units and the spindle's spin-up -----------------------------------------------------------

FANUC = ["%", "O0001", "G21", "G17 G40 G49 G80 G90 G94", "G28 G91 Z0", "G90", "T1 M6", "G0 G43 Z10. H1",
         "M3 S12000"]  # fmt: skip
FANUC_CUT = [
    "G0 X40. Y40.",
    "G0 Z1.",
    "G1 Z-1. F600.",
    "G1 X50. F1000.",
    "G0 Z10.",
    "M5",
    "G28 G91 Z0",
    "G90",
    "M30",
    "%",
]


def test_a_fanuc_dwell_in_p_is_milliseconds_so_p4_is_no_spin_up():
    # review5/bad/f4.nc: G4 P4 is 4 ms on a Fanuc; the spindle needs 4 s.
    assert problems("fanuc", [*FANUC, "G4 P4", *FANUC_CUT], spindle_spinup_s=4.0) == [(9, spin_up("0.004", 13, "4"))]
    assert problems("fanuc", [*FANUC, "G4 P4000", *FANUC_CUT], spindle_spinup_s=4.0) == []


def test_fanuc_g4_x_is_seconds_and_no_move():
    # review5/bad/f1.nc: X on a G4 line is the dwell time in seconds on a Fanuc.
    assert problems("fanuc", [*FANUC, "G4 X2.", *FANUC_CUT], spindle_spinup_s=2.0) == []
    assert problems("fanuc", [*FANUC, "G4 X2.", *FANUC_CUT], spindle_spinup_s=4.0) == [(9, spin_up("2", 13, "4"))]


def test_mach3_reads_g4_p_in_the_unit_its_machine_is_set_to():
    lines = ["G17 G21 G40 G49 G80 G90 G94", "G91.1", "G0 Z5", "M3 S12000", "G4 P4000", "G0 X40 Y10", "G0 Z1",
             "G1 Z-3 F600", "G0 Z5", "M5", "M2"]  # fmt: skip
    assert rules_for("mach3", replace(MACHINE, dialect="mach3", dwell_ms=True), SHEET).dwell_in_milliseconds
    assert not rules_for("mach3", replace(MACHINE, dialect="mach3"), SHEET).dwell_in_milliseconds
    assert problems("mach3", lines, dwell_ms=True, spindle_spinup_s=4.0) == []
    assert problems("mach3", lines, spindle_spinup_s=4.0) == []  # 4000 s: slow, but the spindle is up to speed
    seconds = [*lines[:4], "G4 P4", *lines[5:]]
    assert problems("mach3", seconds, spindle_spinup_s=4.0) == []
    assert problems("mach3", seconds, dwell_ms=True, spindle_spinup_s=4.0) == [(4, spin_up("0.004", 8, "4"))]
    fraction = [*lines[:4], "G4 P4000.5", *lines[5:]]
    assert problems("mach3", fraction, dwell_ms=True) == [
        (5, "G4 P4000.5: mach3 takes the dwell time in whole milliseconds")
    ]


GRBL_HEAD = ["G21 G90 G17 G94", "G0 Z5", "G0 X10 Y10"]  # the spindle starts on line 4


def test_spin_up_counts_every_dwell_between_the_start_and_the_first_cut():
    cut = ["G0 Z1", "G1 Z-3 F600", "G1 X40 F1500", "G0 Z5", "M5", "M2"]
    assert problems("grbl", [*GRBL_HEAD, "M3 S12000", "G4 P1.5", "G4 P1.5", *cut]) == []
    assert problems("grbl", [*GRBL_HEAD, "M3 S12000 G4 P3", *cut]) == []  # on one line: M3 runs before G4
    # A dwell before the spindle starts does not count, nor a pause (the operator may resume at once).
    assert problems("grbl", [*GRBL_HEAD, "G4 P3", "M3 S12000", "M0", *cut]) == [(5, spin_up("0", 8, "3"))]
    # Every start needs its own dwell, a change of speed with the spindle running none.
    restart = ["G0 Z5", "M5", "M3 S12000", "G1 Z-3", "M3 S18000", "G1 X50", "G0 Z5", "M5", "M2"]
    assert problems("grbl", [*GRBL_HEAD, "M3 S12000", "G4 P3", *cut[:3], *restart]) == [(11, spin_up("0", 12, "3"))]
    # No rule where the machine has no spin-up time, nor for a start that never cuts.
    assert problems("grbl", [*GRBL_HEAD, "M3 S12000", *cut], spindle_spinup_s=0.0) == []
    assert problems("grbl", [*GRBL_HEAD, "M3 S12000", "G0 Z10", "M5", "M2"]) == []


def test_shopbot_pause_is_the_spin_up_dwell():
    head = ["'SHOPBOT ROUTER FILE IN MM", "SA", "IF %(25)=0 THEN GOTO UNIT_ERROR", "JZ,10", "TR,12000", "C6"]
    tail = ["J2,40,310", "JZ,1", "MS,25,25", "MZ,-4", "M2,60,310", "JZ,10", "C7", "END", "UNIT_ERROR:", "CN,91", "END"]
    assert problems("shopbot", [*head, "PAUSE 4", *tail], spindle_spinup_s=4.0) == []
    assert read_program("\n".join([*head, "PAUSE 4", *tail]) + "\n", "shopbot").spindle_starts == [6]
    assert problems("shopbot", [*head, "PAUSE 1", *tail], spindle_spinup_s=4.0) == [(6, spin_up("1", 11, "4"))]
    older = [*head[:5], "SO,1,1", *tail]  # the router relay on output 1
    assert problems("shopbot", older, spindle_spinup_s=4.0) == [(6, spin_up("0", 10, "4"))]


# -- Feeds above the machine's XY limit --------------------------------------------------------------


def test_a_feed_above_the_xy_limit():
    # review5/bad/g3.nc: F60000 on a 10 m/min machine.
    head = [*GRBL_HEAD, "M3 S12000", "G4 P3", "G0 Z1", "G1 Z-3 F600"]
    assert problems("grbl", [*head, "G1 X400 F60000", "G0 Z5", "M5", "M2"]) == [
        (8, "feed move runs at 60000.0 mm/min in XY (F60000), above the machine's XY limit of 10000 mm/min")
    ]
    # Within 1 %: the rounding of a written feed, or a controller's own clamp; a unit mistake is 25 or 60 times.
    assert problems("grbl", [*head, "G1 X400 F10090", "G0 Z5", "M5", "M2"]) == []
    # A ramp or a helix runs its feed along the slope: only the XY part counts against the XY limit.
    ramp = "G1 X30 Z-13 F12000"  # 20 mm across, 10 down: 10733 in XY
    assert messages(problems("grbl", [*head, ramp, "G0 Z5", "M5", "M2"], max_feed=(10000.0, 10000.0, 6000.0))) == [
        "feed move runs at 10733.1 mm/min in XY (F12000), above the machine's XY limit of 10000 mm/min"
    ]
    helix = "G2 X10 Y10 Z-6 I1 J0 F11000"  # a full turn of 6.28 mm dropping 3 mm: 9926 in XY
    assert problems("grbl", [*head, helix, "G0 Z5", "M5", "M2"], max_feed=(10000.0, 10000.0, 6000.0)) == []
    slow_y = replace(MACHINE, max_feed=(10000.0, 8000.0, 3000.0))
    assert rules_for("grbl", slow_y, SHEET).max_feed_xy == 8000.0


def test_shopbot_speeds_typed_in_mm_per_minute():
    # review5/bad/s4.sbp: MS,3120,26 -- 3120 mm/s is 187 200 mm/min.
    s4 = ["'SHOPBOT ROUTER FILE IN MM", "SA", "IF %(25)=0 THEN GOTO UNIT_ERROR", "JS,200,50", "JZ,10", "TR,12000",
          "C6", "PAUSE 4", "J2,40,310", "JZ,1", "MS,3120,26", "MZ,-4", "M2,400,310", "CG,,424,310,12,0,T,-1",
          "JZ,10", "C7", "END", "UNIT_ERROR:", "CN,91", "END"]  # fmt: skip
    limit = "above the machine's XY limit of 12000 mm/min"
    assert problems("shopbot", s4, max_feed=(12000.0, 12000.0, 3000.0), spindle_spinup_s=4.0) == [
        (13, f"feed move runs at 187200.0 mm/min in XY (F187200), {limit}"),
        (14, f"arc runs at 187200.0 mm/min in XY (F187200), {limit}"),
    ]


# -- Rapids down to the top of the sheet ----------------------------------------------------------------


def test_a_rapid_must_stop_half_a_millimetre_above_the_sheet():
    # review5/bad/g2.nc: G0 Z0 rapids onto the sheet, then across it.
    g2 = [*GRBL_HEAD, "M3 S12000", "G4 P3", "G0 Z0", "G0 X20", "G91", "G1 Z-3 F600", "G90", "G1 X40 F1500",
          "G0 Z5", "M5", "M2"]  # fmt: skip
    assert problems("grbl", g2) == [
        (6, "rapid down to Z=0.000, less than 0.5 mm above the sheet: stop higher and feed down (G1)"),
        (7, "XY rapid at Z=0.000 below safe height 5.000"),
    ]
    fine = [*GRBL_HEAD, "M3 S12000", "G4 P3", "G0 Z0.5", "G1 Z-3 F600", "G0 Z0.2", "G0 Z5", "M5", "M2"]
    assert problems("grbl", fine) == []  # 0.5 mm is enough, and going up to Z0.2 is no descent


def test_fanuc_g28_z0_without_g91_rapids_to_the_top_of_the_sheet_first():
    # review5/bad/f2.nc: in G90, G28 Z0 goes through Z0 of the work frame on its way home.
    f2 = ["%", "O0001", "G21", "G17 G40 G49 G80 G90 G94", "G28 Z0", "G90", "T1 M6", "G0 G43 Z10. H1", "M3 S12000",
          "G4 P4000", "G0 X40. Y40.", "G0 Z1.", "G1 Z-1. F600.", "G1 X50. F1000.", "G0 Z10.", "M5", "G28 Z0", "G90",
          "M30", "%"]  # fmt: skip
    rapid = "rapid down to Z=0.000, less than 0.5 mm above the sheet: stop higher and feed down (G1)"
    assert problems("fanuc", f2, spindle_spinup_s=4.0) == [(5, rapid), (17, rapid)]


# -- Fanuc decimal points ------------------------------------------------------------------------------


def test_fanuc_lengths_and_feeds_need_a_decimal_point():
    # review5/bad/f3.nc: G0 X40 Y40 is 0.04 mm on a Fanuc without calculator-style input.
    lines = [*FANUC, "G4 P4000", "G0 X40 Y40", "G0 Z1.", "G1 Z-1. F600", "G2 X60. Y40. I10 J0", *FANUC_CUT[4:]]
    increments = (
        "without a decimal point: unless calculator-style input is on, fanuc reads them in least "
        "input increments (0.001 mm in G21, 0.0001 in in G20)"
    )
    found = problems("fanuc", lines, spindle_spinup_s=4.0)
    assert [entry for entry in found if "decimal point" in entry[1]] == [
        (11, f"X40 Y40 {increments}"),
        (13, f"F600 {increments}"),
        (14, f"I10 {increments}"),  # zeros (J0, G28 G91 Z0) are the same in any unit
    ]
    assert problems("fanuc", [*FANUC, "G4 X2", *FANUC_CUT], spindle_spinup_s=0.0) == [(10, f"X2 {increments}")]
    assert problems("linuxcnc", ["G21 G90", "G0 Z5", "G0 X40 Y40", "G0 Z10", "M2"]) == []
