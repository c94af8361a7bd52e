"""An independent oracle: LinuxCNC's stand-alone interpreter rs274 reads the demo programs.

The GRBL and the LinuxCNC dialect are both RS274NGC: rs274 must accept each demo program, and the moves it traces (its canonical STRAIGHT_TRAVERSE,
STRAIGHT_FEED and ARC_FEED calls) must match what plycut's own reader traces -- so a
mistake shared by our post and our reader (say, G2 read as counter-clockwise) cannot
hide. rs274 comes with Debian's linuxcnc-uspace, which .ci/run installs.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gcode.post import get_post
from gcode.reader import read_gcode
from gcode.tooling import Tool
from gcode.toolpath import Cut, Dwell, Rapid, SpindleOff, SpindleOn, ToolChange, ToolpathProgram
from plycut.cli import app
from plycut.config import load_machine

RS274 = shutil.which("rs274")
pytestmark = pytest.mark.skipif(
    RS274 is None, reason="LinuxCNC's rs274 interpreter is not installed (Debian package linuxcnc-uspace)"
)
CANONICAL = re.compile(r"(STRAIGHT_TRAVERSE|STRAIGHT_FEED|ARC_FEED)\(([^)]*)\)")


def rs274_trace(program: Path) -> str:
    """The canonical calls rs274 makes running ``program``, which it must accept."""
    run = subprocess.run([RS274, "-g", "-n", "2", str(program)], check=False, capture_output=True, text=True,
                         timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr
    return run.stdout


def canonical_moves(program: Path) -> list[tuple]:
    """(kind, end x, y, z, centre or None, clockwise or None) of every move rs274 makes."""
    moves = []
    for kind, arguments in CANONICAL.findall(rs274_trace(program)):
        values = [float(v) for v in arguments.split(",")]
        if kind == "ARC_FEED":
            # ARC_FEED(first_end, second_end, first_axis, second_axis, rotation, axis_end_point, a, b, c)
            end_x, end_y, centre_x, centre_y, rotation, end_z = values[:6]
            moves.append(("arc", end_x, end_y, end_z, (centre_x, centre_y), rotation < 0))
        else:
            moves.append(("rapid" if kind == "STRAIGHT_TRAVERSE" else "feed", *values[:3], None, None))
    return moves


def our_moves(text: str) -> list[tuple]:
    moves = []
    for m in read_gcode(text).motions:
        centre = m.centre if m.kind == "arc" else None
        moves.append((m.kind, *m.end, centre, m.clockwise if m.kind == "arc" else None))
    return moves


RS274_DEMOS = pytest.mark.parametrize(
    "machine, program_name",
    [("generic-grbl-2500x1250", "sheet-01.nc"), ("linuxcnc-router-2500x1250", "sheet-01.ngc")],
)


def demo_text(tmp_path: Path, machine: str, program_name: str) -> str:
    out = tmp_path / "out"
    assert CliRunner().invoke(app, ["demo", "--copies", "1", "--machine", machine, "-o", str(out)]).exit_code == 0
    return (out / program_name).read_text()


@RS274_DEMOS
def test_rs274_runs_the_demo_in_g54_whatever_work_offset_was_left_active(tmp_path, machine, program_name):
    program = tmp_path / "after-g55.ngc"
    program.write_text("G55\n" + demo_text(tmp_path, machine, program_name))  # as a previous job may leave it
    before_first_move = re.split(r"STRAIGHT_TRAVERSE|STRAIGHT_FEED", rs274_trace(program), maxsplit=1)[0]
    assert re.findall(r"SET_G5X_OFFSET\((\d+),", before_first_move)[-1] == "1"  # G54 is offset 1


@RS274_DEMOS
def test_rs274_accepts_the_demo_and_traces_the_same_moves(tmp_path, machine, program_name):
    text = demo_text(tmp_path, machine, program_name)
    program = tmp_path / "rs274-input.ngc"  # rs274 wants the .ngc extension
    program.write_text(text)
    theirs, ours = canonical_moves(program), our_moves(text)
    assert len(ours) > 500 and any(m[0] == "arc" for m in ours)
    # rs274 starts from a known origin, our reader only once each axis has been set (and
    # again after M6, which may move the machine): the moves we trace must be the last
    # ones rs274 traces, one for one.
    assert len(theirs) >= len(ours)
    theirs = theirs[len(theirs) - len(ours):]
    for index, (mine, other) in enumerate(zip(ours, theirs)):
        assert mine[0] == other[0], f"move {index}: {mine} vs {other}"
        assert mine[1:4] == pytest.approx(other[1:4], abs=1e-3), f"move {index}: {mine} vs {other}"
        if mine[0] == "arc":
            assert mine[4] == pytest.approx(other[4], abs=1e-3), f"arc {index}: centre {mine} vs {other}"
            assert mine[5] == other[5], f"arc {index}: direction {mine} vs {other}"


def test_rs274_accepts_a_grbl_tool_change_by_hand_and_traces_the_same_moves_around_it(tmp_path):
    """G38.2 and G10 L20 P0 are LinuxCNC's codes too: rs274 runs the probe against its simulated
    probe input (no hardware: it reports a contact, STRAIGHT_PROBE, not a move we trace) and then
    the same moves, in the new tool's coordinates, as our reader once G10 has set Z again."""
    machine = load_machine("generic-grbl-2500x1250")  # it has a touch plate
    first, second = Tool("em6", "6 mm up-cut", 6.0), Tool("v90", "V-bit", 6.0, kind="vbit", number=5, angle=90.0)
    steps = (
        ToolChange(first), Rapid(z=5.0), SpindleOn(18000), Dwell(3.0), Rapid(x=10.0, y=10.0), Rapid(z=1.0),
        Cut(10.0, 10.0, -3.0, 600.0), Rapid(z=5.0), SpindleOff(),
        ToolChange(second), Rapid(z=5.0), SpindleOn(16000), Dwell(3.0), Rapid(x=60.0, y=30.0), Rapid(z=1.0),
        Cut(60.0, 30.0, -1.5, 400.0), Rapid(z=5.0), SpindleOff(),
    )  # fmt: skip
    text = get_post("grbl").render(ToolpathProgram(name="two tools", tool=first, safe_z=5.0, steps=steps), machine)
    program = tmp_path / "tool-change.ngc"
    program.write_text(text)
    trace = rs274_trace(program)
    assert "STRAIGHT_PROBE(" in trace and trace.count("PROGRAM_STOP()") == 2  # the probe and both M0
    theirs, ours = canonical_moves(program), our_moves(text)
    assert len(theirs) >= len(ours) > 10
    for mine, other in zip(ours, theirs[len(theirs) - len(ours):]):
        assert mine[0] == other[0] and mine[1:4] == pytest.approx(other[1:4], abs=1e-3), f"{mine} vs {other}"
