"""The back-plot SVG of a program read back: well-formed, in mm, Y up, every move where the program puts it."""

from __future__ import annotations

import math
import re
from xml.etree import ElementTree

import pytest

from gcode.backplot_svg import AIR_COLOUR, DEPTH_COLOURS, backplot_svg
from gcode.reader import read_gcode

SVG = "{http://www.w3.org/2000/svg}"
# Lift, travel, engrave 1 mm deep, travel, cut 18 mm deep with a counter-clockwise half
# circle round (60, 60) from (60, 50) to (60, 70), a feed move in the air, and a rapid
# outside the machine's envelope (drawn all the same: the plot shows what the program does).
PROGRAM = """G21 G90 G17
G0 Z5
M3 S12000
G4 P2
G0 X10 Y10
G1 Z-1 F500
G1 X40 Y10 F2000
G0 Z5
G0 X60 Y50
G1 Z-18 F500
G3 X60 Y70 I0 J10 F2000
G1 X20 Y70
G1 Z2 F500
G1 X20 Y90
G0 Z5
G0 X-30 Y140
M5
M2
"""
ENVELOPE = (120.0, 100.0)


def plot(sheet=None, source="<program>"):
    program = read_gcode(PROGRAM, source=source)
    assert program.errors == []
    text = backplot_svg(program, ENVELOPE, sheet=sheet)
    return ElementTree.fromstring(text.encode("utf-8"))


def path_points(element) -> list[list[tuple[float, float]]]:
    """The subpaths of a path element as lists of (x, y), read from its M/L commands."""
    subpaths = []
    for command, x, y in re.findall(r"([ML])(-?[\d.]+) (-?[\d.]+)", element.get("d")):
        if command == "M":
            subpaths.append([])
        subpaths[-1].append((float(x), float(y)))
    return subpaths


def paths(root) -> dict[str, ElementTree.Element]:
    return {p.get("id"): p for p in root.iter(f"{SVG}path")}


def test_the_svg_is_in_mm_with_y_up_and_shows_everything():
    root = plot()
    assert root.tag == f"{SVG}svg"
    left, top, width, height = (float(v) for v in root.get("viewBox").split())
    assert root.get("width") == f"{width:g}mm" and root.get("height") == f"{height:g}mm"  # 1 unit = 1 mm
    group = root.find(f"{SVG}g[@id='plot']")
    assert group.get("transform") == "scale(1 -1)"  # program Y up is SVG Y down
    points = [point for element in paths(root).values() for line in path_points(element) for point in line]
    # Every point, the rapid to (-30, 140) outside the envelope included, is inside the view
    # once Y is flipped; so is the envelope drawn from the origin.
    assert (-30.0, 140.0) in points
    for x, y in [*points, (0.0, 0.0), ENVELOPE]:
        assert left <= x <= left + width and top <= -y <= top + height
    envelope = group.find(f"{SVG}rect[@id='envelope']")
    assert (float(envelope.get("width")), float(envelope.get("height"))) == ENVELOPE
    assert group.find(f"{SVG}rect[@id='sheet']") is None
    assert root.find(f"{SVG}title").text == "<program>"


def test_cuts_are_coloured_by_depth_and_rapids_dashed():
    drawn = paths(plot())
    rapids = drawn["rapids"]
    assert rapids.get("stroke-dasharray")
    # The first rapid, from an unknown position, is no move the reader can place; lifts are points.
    assert path_points(rapids) == [[(40.0, 10.0), (60.0, 50.0)], [(20.0, 90.0), (-30.0, 140.0)]]
    # 1 mm deep of 18: the shallowest band, lightest colour; 18 mm: the deepest, darkest.
    shallow, deep, air = drawn["depth-0"], drawn[f"depth-{len(DEPTH_COLOURS) - 1}"], drawn["air"]
    assert shallow.get("stroke") == DEPTH_COLOURS[0] and deep.get("stroke") == DEPTH_COLOURS[-1]
    assert air.get("stroke") == AIR_COLOUR
    for element in (shallow, deep, air):
        assert element.get("stroke-dasharray") is None
    assert path_points(shallow) == [[(10.0, 10.0), (40.0, 10.0)]]
    assert path_points(air) == [[(20.0, 70.0), (20.0, 90.0)]]
    (deep_line,) = path_points(deep)
    assert deep_line[0] == (60.0, 50.0) and deep_line[-2:] == [(60.0, 70.0), (20.0, 70.0)]
    # The half circle is sampled on its circle, counter-clockwise from (60, 50): out to the right.
    arc = deep_line[:-1]
    assert len(arc) > 20
    for x, y in arc:
        assert math.hypot(x - 60.0, y - 60.0) == pytest.approx(10.0, abs=2e-3)
    assert max(x for x, _ in arc) == pytest.approx(70.0, abs=1e-2)
    assert min(x for x, _ in arc) == pytest.approx(60.0, abs=1e-3)
    legend = "".join(plot().find(f"{SVG}g[@id='legend']").itertext())
    assert "rapid" in legend and "15.00 to 18.00 mm deep" in legend


def test_sheet_outline_and_awkward_titles():
    root = plot(sheet=(100.0, 80.0), source="a<b & c\x01.nc")
    sheet = root.find(f"{SVG}g[@id='plot']/{SVG}rect[@id='sheet']")
    assert (float(sheet.get("width")), float(sheet.get("height"))) == (100.0, 80.0)
    assert root.find(f"{SVG}title").text == "a<b & c.nc"  # escaped, the control character dropped
