"""A sheet preview as a self-contained SVG: parts, labels, features and toolpath overlays.

Drawn in millimetres with y up, as on the machine: the geometry sits in a group
that flips y, while labels are written outside it (at flipped positions) so the
text reads the right way up. Styles live in one <style> block keyed by class.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence
from xml.sax.saxutils import escape, quoteattr

import shapely
from shapely.geometry import LinearRing, LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from nester.model import Feature, Layout, Operation, Placement


@dataclass(frozen=True)
class Overlay:
    """Lines drawn over the sheet, in sheet coordinates (mm).

    kind: "cut", "rapid" or "tab" have their own styles; any other text becomes
    the CSS class. Each polyline of one point is drawn as a marker (tabs are
    usually points or short polylines). style: inline CSS that overrides the class.
    """

    kind: str
    polylines: Sequence[Sequence[tuple[float, float]]]
    style: str | None = None


FEATURE_CLASSES = {
    Operation.POCKET: "pocket",
    Operation.ENGRAVE: "engrave",
    Operation.CUT_ON_LINE: "cut-on-line",
    Operation.DRILL: "drill",
}


def sheet_svg(layout: Layout, *, overlays: Sequence[Overlay] = (), title: str = "") -> str:
    """An SVG document (as text) showing one sheet: margin, parts with holes, labels, features, overlays."""
    width, height = layout.sheet.width, layout.sheet.height
    line = max(width, height) / 1000  # stroke width that stays visible on any sheet size
    margin = layout.sheet.margin
    body = [
        f'<rect class="sheet" x="0" y="0" width="{_n(width)}" height="{_n(height)}"/>',
    ]
    if margin > 0:
        body.append(
            f'<rect class="margin" x="{_n(margin)}" y="{_n(margin)}" '
            f'width="{_n(width - 2 * margin)}" height="{_n(height - 2 * margin)}"/>'
        )
    for placement in layout.placements:
        body.append(f'<path class="part" fill-rule="evenodd" d="{path_data(placement.outline())}"/>')
        for feature in placement.part.features:
            body += _feature_elements(feature, placement, line)
    for overlay in overlays:
        body += _overlay_elements(overlay, line)
    labels = [_label_element(placement, height, max(width, height)) for placement in layout.placements]
    lines = [
        '<svg xmlns="http://www.w3.org/2000/svg" version="1.1" '
        f'width="{_n(width)}mm" height="{_n(height)}mm" viewBox="0 0 {_n(width)} {_n(height)}">',
    ]
    if title:
        lines.append(f"<title>{escape(title)}</title>")
    lines.append(f"<style>{_stylesheet(line)}</style>")
    lines.append(f'<g class="sheet-frame" transform="matrix(1 0 0 -1 0 {_n(height)})">')
    lines += body
    lines.append("</g>")
    lines.append('<g class="labels">')
    lines += labels
    lines.append("</g>")
    lines.append("</svg>")
    return "\n".join(lines) + "\n"


def _stylesheet(line: float) -> str:
    return " ".join(
        [
            f".sheet {{ fill: #f3e9d2; stroke: #6b5a3a; stroke-width: {_n(2 * line)}; }}",
            f".margin {{ fill: none; stroke: #a08c60; stroke-width: {_n(line)}; "
            f"stroke-dasharray: {_n(8 * line)} {_n(5 * line)}; }}",
            f".part {{ fill: #d8b47a; stroke: #3a2c10; stroke-width: {_n(1.5 * line)}; }}",
            f".pocket {{ fill: #4f86c6; fill-opacity: 0.45; stroke: #2d5d94; stroke-width: {_n(line)}; }}",
            f".engrave {{ fill: none; stroke: #7a1f6b; stroke-width: {_n(0.6 * line)}; }}",
            f".cut-on-line {{ fill: none; stroke: #a3332b; stroke-width: {_n(line)}; }}",
            f".drill {{ fill: #ffffff; stroke: #222222; stroke-width: {_n(line)}; }}",
            f".cut {{ fill: none; stroke: #c0392b; stroke-width: {_n(1.2 * line)}; }}",
            f".rapid {{ fill: none; stroke: #2e86de; stroke-width: {_n(0.8 * line)}; "
            f"stroke-dasharray: {_n(6 * line)} {_n(4 * line)}; }}",
            f".tab {{ fill: #27ae60; stroke: #145a32; stroke-width: {_n(4 * line)}; stroke-linecap: round; }}",
            ".label { font-family: sans-serif; text-anchor: middle; dominant-baseline: central; fill: #1d1d1d; }",
        ]
    )


def _feature_elements(feature: Feature, placement: Placement, line: float) -> list[str]:
    css_class = FEATURE_CLASSES.get(feature.operation, feature.operation.value.replace("_", "-"))
    elements = []
    for geometry in _simple_parts(placement.place(feature.geometry)):
        if isinstance(geometry, Polygon):
            elements.append(f'<path class="{css_class}" fill-rule="evenodd" d="{path_data(geometry)}"/>')
        elif isinstance(geometry, (LineString, LinearRing)):
            elements.append(f'<polyline class="{css_class}" points="{_points(geometry.coords)}"/>')
        elif isinstance(geometry, Point):
            radius = feature.diameter / 2 if feature.diameter else 3 * line
            elements.append(_circle(f'class="{css_class}"', geometry.x, geometry.y, radius))
    return elements


def _overlay_elements(overlay: Overlay, line: float) -> list[str]:
    attributes = f"class={quoteattr(overlay.kind)}"
    if overlay.style:
        attributes += f" style={quoteattr(overlay.style)}"
    elements = []
    for polyline in overlay.polylines:
        points = list(polyline)
        if len(points) == 1:
            elements.append(_circle(attributes, points[0][0], points[0][1], 4 * line))
        elif points:
            elements.append(f'<polyline {attributes} points="{_points(points)}"/>')
    return elements


def _label_element(placement: Placement, sheet_height: float, sheet_size: float) -> str:
    outline = placement.outline()
    x0, y0, x1, y1 = outline.bounds
    # The centre of the largest inscribed circle (polylabel's point) and its radius.
    circle = shapely.maximum_inscribed_circle(outline, max(x1 - x0, y1 - y0) / 100)
    anchor, room = shapely.get_point(circle, 0), circle.length
    if room == 0:  # degenerate outline: any point inside will do
        anchor = outline.representative_point()
    text = placement.label()
    fits = min(room, 1.8 * room / (0.6 * max(len(text), 1)))
    font_size = min(max(fits, sheet_size / 150), sheet_size / 30)
    return (
        f'<text class="label" x="{_n(anchor.x)}" y="{_n(sheet_height - anchor.y)}" '
        f'font-size="{_n(font_size)}">{escape(text)}</text>'
    )


def _circle(attributes: str, x: float, y: float, radius: float) -> str:
    return f'<circle {attributes} cx="{_n(x)}" cy="{_n(y)}" r="{_n(radius)}"/>'


def _simple_parts(geometry: BaseGeometry) -> Iterable[BaseGeometry]:
    return shapely.get_parts(geometry).tolist() if not geometry.is_empty else []


def path_data(polygon: Polygon) -> str:
    """SVG path data of a polygon and its holes (draw with fill-rule evenodd)."""
    rings = [polygon.exterior, *polygon.interiors]
    return " ".join(f"M {_points(list(ring.coords)[:-1], separator=' L ')} Z" for ring in rings)


def _points(coords: Iterable[Sequence[float]], separator: str = " ") -> str:
    return separator.join(f"{_n(c[0])},{_n(c[1])}" for c in coords)


def svg_number(value: float) -> str:
    """A coordinate to 0.001 mm without trailing zeros."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


_n = svg_number  # short name for the many f-strings above
