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

from gcode.reader import read_gcode
from plycut.cli import app

RS274 = shutil.which("rs274")
pytestmark = pytest.mark.skipif(
    RS274 is None, reason="LinuxCNC's rs274 interpreter is not installed (Debian package linuxcnc-uspace)"
)
CANONICAL = re.compile(r"(STRAIGHT_TRAVERSE|STRAIGHT_FEED|ARC_FEED)\(([^)]*)\)")


def canonical_moves(program: Path) -> list[tuple]:
    """(kind, end x, y, z, centre or None, clockwise or None) of every move rs274 makes."""
    run = subprocess.run([RS274, "-g", "-n", "2", str(program)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    moves = []
    for kind, arguments in CANONICAL.findall(run.stdout):
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


@pytest.mark.parametrize(
    "machine, program_name",
    [("generic-grbl-2500x1250", "sheet-01.nc"), ("linuxcnc-router-2500x1250", "sheet-01.ngc")],
)
def test_rs274_accepts_the_demo_and_traces_the_same_moves(tmp_path, machine, program_name):
    out = tmp_path / "out"
    assert CliRunner().invoke(app, ["demo", "--copies", "1", "--machine", machine, "-o", str(out)]).exit_code == 0
    text = (out / program_name).read_text()
    program = tmp_path / "rs274-input.ngc"  # rs274 wants the .ngc extension
    program.write_text(text)
    theirs, ours = canonical_moves(program), our_moves(text)
    assert len(ours) > 1000 and any(m[0] == "arc" for m in ours)
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
