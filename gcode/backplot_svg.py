"""A back-plot of any program: the moves a reader traced, drawn as an SVG in mm with y up.

Feed moves are coloured by how deep they cut (the deeper, the darker), feed
moves above the top of the sheet (Z >= 0) are grey, rapids are dashed. The
machine's envelope and, when given, the sheet are drawn under them, with a
legend below. The drawing uses the program's own coordinates, flipped by one
transform so that Y points up, so a path in the file reads as the program does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from xml.etree import ElementTree

from gcode.numbers import format_number
from gcode.reader import GcodeProgram, Motion, arc_points, motion_bounds

ARC_SPACING = 0.5  # mm between the points drawn along an arc
DECIMALS = 3
# Shallow to deep (viridis, reversed): light for a scribe, dark for a through cut.
DEPTH_COLOURS = ("#fde725", "#7ad151", "#22a884", "#2a788e", "#414487", "#440154")
AIR_COLOUR = "#9e9e9e"  # feed moves at or above the top of the sheet
RAPID_COLOUR = "#d62728"
ENVELOPE_FILL = "#f5f5f5"
SHEET_FILL = "#f3e5c8"  # plywood
MARGIN_SHARE = 0.02  # of the drawing's larger side, around it
FONT_SHARE = 0.015
LINE_SHARE = 0.0008


def backplot_svg(
    program: GcodeProgram,
    envelope: Sequence[float],
    *,
    sheet: Sequence[float] | None = None,
    title: str | None = None,
) -> str:
    """The SVG text of ``program``'s moves over the machine's ``envelope`` (X, Y travel, mm)
    and the ``sheet`` (width, height, mm) when given, its origin at X0 Y0."""
    xmin, ymin, xmax, ymax = _bounds(program.motions, envelope, sheet)
    size = max(xmax - xmin, ymax - ymin)
    margin, font, line = size * MARGIN_SHARE, size * FONT_SHARE, size * LINE_SHARE
    deepest = min((min(m.start[2], m.end[2]) for m in program.motions if m.kind != "rapid"), default=0.0)
    legend = _legend_entries(deepest)
    legend_height = (len(legend) + 1) * font * 1.6
    # SVG's Y points down: the drawing spans -ymax..-ymin there, and the legend sits below it.
    left, top = xmin - margin, -ymax - margin
    width, height = xmax - xmin + 2 * margin, ymax - ymin + 2 * margin + legend_height
    svg = ElementTree.Element("svg", {
        "xmlns": "http://www.w3.org/2000/svg",
        "width": f"{_number(width)}mm",
        "height": f"{_number(height)}mm",
        "viewBox": " ".join(_number(v) for v in (left, top, width, height)),
    })  # fmt: skip
    # XML 1.0 cannot hold control characters, which a file name may.
    ElementTree.SubElement(svg, "title").text = "".join(ch for ch in title or program.source if ch.isprintable())
    plot = ElementTree.SubElement(svg, "g", {"id": "plot", "transform": "scale(1 -1)", "fill": "none"})
    _rectangle(plot, "envelope", envelope[0], envelope[1], ENVELOPE_FILL, line)
    if sheet is not None:
        _rectangle(plot, "sheet", sheet[0], sheet[1], SHEET_FILL, line)
    paths = _paths_by_class(program.motions, deepest)
    for name, data in paths.items():
        if not data:
            continue
        attributes = {"id": name, "d": " ".join(data), "stroke": _class_colour(name), "stroke-width": _number(line)}
        if name == "rapids":
            attributes["stroke-dasharray"] = f"{_number(4 * line)} {_number(3 * line)}"
        else:
            attributes["stroke-width"] = _number(2 * line)
        ElementTree.SubElement(plot, "path", attributes)
    if program.motions:
        x, y, _ = program.motions[0].start
        ElementTree.SubElement(plot, "circle", {"id": "start", "cx": _number(x), "cy": _number(y),
                                                "r": _number(4 * line), "fill": RAPID_COLOUR})
    _draw_legend(svg, legend, left + margin, -ymin + margin + font * 1.6, font)
    return ElementTree.tostring(svg, encoding="unicode", xml_declaration=True) + "\n"


def _depth_class(z: float, deepest: float) -> str:
    """The drawing class of a feed move whose lowest point is ``z``: "air" or "depth-<n>", 0 shallowest."""
    if z >= 0.0 or deepest >= 0.0:
        return "air"
    band = min(len(DEPTH_COLOURS) - 1, int(len(DEPTH_COLOURS) * z / deepest))
    return f"depth-{band}"


def _bounds(motions: Sequence[Motion], envelope: Sequence[float], sheet: Sequence[float] | None):
    """What the drawing must show: the envelope, the sheet and every move, even one outside them."""
    xmin, ymin, xmax, ymax = 0.0, 0.0, float(envelope[0]), float(envelope[1])
    if sheet is not None:
        xmax, ymax = max(xmax, sheet[0]), max(ymax, sheet[1])
    for motion in motions:
        left, bottom, right, top = motion_bounds(motion)
        xmin, ymin, xmax, ymax = min(xmin, left), min(ymin, bottom), max(xmax, right), max(ymax, top)
    return xmin, ymin, xmax, ymax


def _paths_by_class(motions: Sequence[Motion], deepest: float) -> dict[str, list[str]]:
    """Path data per class ("rapids", "air", "depth-0".."depth-n"); a move continues the last
    subpath of its class when it starts where that ended."""
    paths: dict[str, list[str]] = {"rapids": [], "air": []}
    paths.update((f"depth-{band}", []) for band in range(len(DEPTH_COLOURS)))
    ends: dict[str, tuple[float, float]] = {}
    for motion in motions:
        if motion.kind != "arc" and motion.start[:2] == motion.end[:2]:
            continue  # a plunge or a lift: a point in plan, and the subpath around it goes on
        if motion.kind == "rapid":
            name = "rapids"
        else:
            name = _depth_class(min(motion.start[2], motion.end[2]), deepest)
        points = arc_points(motion, ARC_SPACING)
        data = paths[name]
        if ends.get(name) != motion.start[:2]:
            data.append(f"M{_number(points[0][0])} {_number(points[0][1])}")
        data.extend(f"L{_number(x)} {_number(y)}" for x, y, _ in points[1:])
        ends[name] = motion.end[:2]
    return paths


def _legend_entries(deepest: float) -> list[tuple[str, str, bool]]:
    """(colour, text, dashed) for every class, the depth bands in mm below the top of the sheet."""
    entries = [(RAPID_COLOUR, "rapid", True), (AIR_COLOUR, "feed above the sheet (Z >= 0)", False)]
    if deepest < 0.0:
        step = -deepest / len(DEPTH_COLOURS)
        for band, colour in enumerate(DEPTH_COLOURS):
            low, high = band * step, (band + 1) * step
            entries.append((colour, f"cut {low:.2f} to {high:.2f} mm deep", False))
    return entries


def _draw_legend(svg: ElementTree.Element, entries, x: float, y: float, font: float) -> None:
    legend = ElementTree.SubElement(svg, "g", {"id": "legend", "font-family": "sans-serif",
                                               "font-size": _number(font)})
    for row, (colour, text, dashed) in enumerate(entries):
        baseline = y + row * font * 1.6
        attributes = {"x1": _number(x), "y1": _number(baseline - font / 3), "x2": _number(x + 3 * font),
                      "y2": _number(baseline - font / 3), "stroke": colour, "stroke-width": _number(font / 4)}
        if dashed:
            attributes["stroke-dasharray"] = f"{_number(font / 2)} {_number(font / 3)}"
        ElementTree.SubElement(legend, "line", attributes)
        label = ElementTree.SubElement(legend, "text", {"x": _number(x + 3.5 * font), "y": _number(baseline)})
        label.text = text


def _rectangle(parent: ElementTree.Element, name: str, width: float, height: float, fill: str, line: float) -> None:
    ElementTree.SubElement(parent, "rect", {"id": name, "x": "0", "y": "0", "width": _number(width),
                                            "height": _number(height), "fill": fill, "stroke": "#616161",
                                            "stroke-width": _number(line)})


def _class_colour(name: str) -> str:
    if name == "rapids":
        return RAPID_COLOUR
    if name == "air":
        return AIR_COLOUR
    return DEPTH_COLOURS[int(name.removeprefix("depth-"))]


def _number(value: float) -> str:
    if not math.isfinite(value):
        raise ValueError(f"cannot draw {value!r}")
    return format_number(value, DECIMALS)
