"""SVG plans -> RawShapes in mm, classified by Inkscape layer name, else by colour.

The XML is walked here (groups, transforms, inherited styles); svgpathtools
parses path data and ezdxf flattens curves to a chord tolerance in mm after the
composed transform has been applied, so scaled-up details stay accurate.

Coordinates: the root's width/height and viewBox give the user-unit size in mm;
SVG's y axis points down, so y is flipped (y_mm = (vb_y + vb_h - y) * scale)
and a drawn part is not mirrored.

Operation of a shape: the innermost enclosing Inkscape layer whose name a layer
rule knows; otherwise its stroke colour (or its fill when it has no stroke)
through the colour table, :data:`DEFAULT_COLOURS` overridden by the job's.
"""

from __future__ import annotations

import re
import warnings as python_warnings
import xml.etree.ElementTree as ElementTree
from collections import Counter
from pathlib import Path

import numpy as np
from ezdxf.math import Matrix44
from ezdxf.path import Path as CurvePath
from svgpathtools import Arc, CubicBezier, Line, QuadraticBezier, parse_path
from svgpathtools.parser import parse_transform
from svgpathtools.svg_to_paths import (
    ellipse2pathd,
    polygon2pathd,
    polyline2pathd,
    rect2pathd,
)

from nester.contours import PlanShapes, RawShape, TextLabel
from nester.errors import InputError
from nester.layers import LayerRules
from nester.model import Machining, Operation

MM_PER_PX = 25.4 / 96.0
_MM_PER_UNIT = {
    "": MM_PER_PX, "px": MM_PER_PX, "mm": 1.0, "cm": 10.0, "q": 0.25, "in": 25.4, "pt": 25.4 / 72.0, "pc": 25.4 / 6.0,
}  # fmt: skip
_LENGTH = re.compile(r"\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([a-zA-Z%]*)\s*")
_INKSCAPE = "{http://www.inkscape.org/namespaces/inkscape}"

DEFAULT_COLOURS: dict[str, Machining] = {
    "#000000": Machining(Operation.CUT),
    "#ff0000": Machining(Operation.CUT_OUTSIDE),
    "#0000ff": Machining(Operation.CUT_INSIDE),
    "#00ff00": Machining(Operation.ENGRAVE, 1.0),
    "#008000": Machining(Operation.ENGRAVE, 1.0),
}
_NAMED_COLOURS = {
    "black": "#000000", "white": "#ffffff", "red": "#ff0000", "lime": "#00ff00", "green": "#008000",
    "blue": "#0000ff", "yellow": "#ffff00", "cyan": "#00ffff", "aqua": "#00ffff", "magenta": "#ff00ff",
    "fuchsia": "#ff00ff", "gray": "#808080", "grey": "#808080", "silver": "#c0c0c0", "maroon": "#800000",
    "olive": "#808000", "navy": "#000080", "purple": "#800080", "teal": "#008080", "orange": "#ffa500",
}  # fmt: skip

_SHAPES = frozenset({"path", "rect", "circle", "ellipse", "line", "polyline", "polygon"})
_GROUPS = frozenset({"g", "a", "switch"})
_NOT_DRAWN = frozenset({
    "defs", "symbol", "clipPath", "mask", "marker", "pattern", "linearGradient", "radialGradient",
    "filter", "metadata", "title", "desc", "style", "script", "namedview",
})  # fmt: skip
_SKIP_REASONS = {
    "text": "text is not cut; convert it to paths",
    "flowRoot": "text is not cut; convert it to paths",
    "image": "images are not cut",
    "use": "clones are not read; unlink them",
    "svg": "nested <svg> viewports are not read; ungroup them",
    "foreignObject": "embedded content is not cut",
}
_STYLE_KEYS = ("stroke", "fill", "display")
_INHERITED = ("stroke", "fill")
# Arcs become cubic Béziers of at most 22.5 degrees: their error is under 1e-7 of the radius.
_DEGREES_PER_BEZIER = 22.5


def parse_colour(text: str) -> str | None:
    """An SVG colour as ``#rrggbb`` (lower case); None for ``none``. ValueError if unreadable."""
    value = text.strip().lower()
    if value in ("none", "transparent"):
        return None
    if value in _NAMED_COLOURS:
        return _NAMED_COLOURS[value]
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        return "#" + "".join(digit * 2 for digit in value[1:])
    if re.fullmatch(r"#[0-9a-f]{6}", value):
        return value
    match = re.fullmatch(r"rgb\(\s*([^,\s]+)\s*,\s*([^,\s]+)\s*,\s*([^,\s)]+)\s*\)", value)
    if match:
        channels = []
        for channel in match.groups():
            number = float(channel[:-1]) * 2.55 if channel.endswith("%") else float(channel)
            channels.append(min(255, max(0, round(number))))
        return "#" + "".join(f"{c:02x}" for c in channels)
    raise ValueError(f"unreadable colour '{text}'")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _length(text: str | None, file: str, what: str) -> tuple[float, str] | None:
    """(number, unit) of an SVG length; None if absent or a percentage."""
    if text is None:
        return None
    match = _LENGTH.fullmatch(text)
    if not match or match.group(2).lower() not in (*_MM_PER_UNIT, "%"):
        raise InputError(f"{file}: {what} '{text}' is not a length in mm, cm, in, pt, pc or px")
    if match.group(2) == "%":
        return None
    return float(match.group(1)), match.group(2).lower()


def _user_length(element, name: str, file: str, source: str) -> float:
    """A shape attribute in user units (a length with units counts in CSS px); 0 when absent."""
    text = element.get(name)
    if text is not None and text.strip().endswith("%"):
        raise InputError(f"{file}: {source}: {name} '{text}' is a percentage; give it in user units")
    value = _length(text, file, f"{source}: {name}")
    if value is None:
        return 0.0
    number, unit = value
    return number * _MM_PER_UNIT[unit] / MM_PER_PX


def _root_transform(root, file: str, warnings: list[str]) -> np.ndarray:
    """The 3x3 matrix from root user units to mm with y up, as SVG's viewport rules place them.

    The viewBox is fitted into the width x height viewport by ``preserveAspectRatio``
    (default ``xMidYMid meet``), so the plan is read at the size a browser shows it."""
    lengths = [_length(root.get(name), file, f"root {name}") for name in ("width", "height")]
    width, height = (None if v is None else v[0] * _MM_PER_UNIT[v[1]] for v in lengths)
    view_box = root.get("viewBox")
    if not view_box:
        page_height = height if height is not None else 0.0
        return np.array([[MM_PER_PX, 0.0, 0.0], [0.0, -MM_PER_PX, page_height], [0.0, 0.0, 1.0]])
    try:
        vx, vy, vw, vh = (float(v) for v in view_box.replace(",", " ").split())
    except ValueError:
        raise InputError(f"{file}: viewBox '{view_box}' is not four numbers") from None
    if vw <= 0 or vh <= 0:
        raise InputError(f"{file}: viewBox '{view_box}' has no area")
    sx = width / vw if width is not None else None
    sy = height / vh if height is not None else None
    sx, sy = (sx or sy or MM_PER_PX), (sy or sx or MM_PER_PX)
    align, fit = _aspect_ratio(root.get("preserveAspectRatio"), file)
    if align != "none":
        sx = sy = min(sx, sy) if fit == "meet" else max(sx, sy)
        if width is not None and height is not None and abs(width / vw - height / vh) > 1e-9 * sx:
            warnings.append(
                f"{file}: width/height and viewBox have different aspect ratios; "
                f"fitted by preserveAspectRatio '{align} {fit}' at {sx:g} mm per unit"
            )
    page_width = width if width is not None else vw * sx
    page_height = height if height is not None else vh * sy
    shift = {"Min": 0.0, "Mid": 0.5, "Max": 1.0}
    tx = shift[align[1:4]] * (page_width - vw * sx) if align != "none" else 0.0
    ty = shift[align[5:8]] * (page_height - vh * sy) if align != "none" else 0.0
    # x_mm = tx + (x - vx) * sx; y down on the page, so y_mm = page_height - (ty + (y - vy) * sy).
    return np.array([[sx, 0.0, tx - vx * sx], [0.0, -sy, page_height - ty + vy * sy], [0.0, 0.0, 1.0]])


_ALIGNMENTS = {"none"} | {f"x{x}Y{y}" for x in ("Min", "Mid", "Max") for y in ("Min", "Mid", "Max")}


def _aspect_ratio(text: str | None, file: str) -> tuple[str, str]:
    """preserveAspectRatio as (alignment, "meet" | "slice"); SVG's default is xMidYMid meet."""
    words = (text or "xMidYMid meet").split()
    align = words[0] if words else "xMidYMid"
    fit = words[1] if len(words) > 1 else "meet"
    if align not in _ALIGNMENTS or fit not in ("meet", "slice") or len(words) > 2:
        raise InputError(f"{file}: preserveAspectRatio '{text}' is not an SVG alignment")
    return align, fit


def _declarations(text: str) -> dict[str, str]:
    declarations = {}
    for item in text.split(";"):
        key, sep, value = item.partition(":")
        if sep:
            declarations[key.strip().lower()] = value.replace("!important", "").strip()
    return declarations


def _class_rules(root, file: str, warnings: list[str]) -> dict[str, dict[str, str]]:
    """``.name { ... }`` rules from <style> elements (what Illustrator writes)."""
    rules: dict[str, dict[str, str]] = {}
    for element in root.iter():
        if _local(element.tag) != "style" or not element.text:
            continue
        css = re.sub(r"/\*.*?\*/", "", element.text, flags=re.DOTALL)
        for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", css):
            for selector in (s.strip() for s in selectors.split(",")):
                if re.fullmatch(r"\.[\w-]+", selector):
                    rules.setdefault(selector[1:], {}).update(_declarations(body))
                else:
                    warnings.append(f"{file}: CSS rule '{selector}' is not applied (only .class rules are)")
    return rules


def _matrix44(matrix: np.ndarray) -> Matrix44:
    (a, c, e), (b, d, f) = matrix[0], matrix[1]
    return Matrix44([a, b, 0, 0, c, d, 0, 0, 0, 0, 1, 0, e, f, 0, 1])


def _curve_path(subpath) -> CurvePath:
    """An svgpathtools continuous sub-path as an ezdxf path (arcs as short cubic curves)."""

    def xy(z: complex) -> tuple[float, float]:
        return (z.real, z.imag)

    path = CurvePath(xy(subpath.start))
    for segment in subpath:
        if isinstance(segment, Line):
            path.line_to(xy(segment.end))
        elif isinstance(segment, QuadraticBezier):
            path.curve3_to(xy(segment.end), xy(segment.control))
        elif isinstance(segment, CubicBezier):
            path.curve4_to(xy(segment.end), xy(segment.control1), xy(segment.control2))
        elif isinstance(segment, Arc):
            count = max(1, int(np.ceil(abs(segment.delta) / _DEGREES_PER_BEZIER)))
            for cubic in segment.as_cubic_curves(count):
                path.curve4_to(xy(cubic.end), xy(cubic.control1), xy(cubic.control2))
    return path


class _Single:
    """One attribute, for length parsing of list-valued attributes such as text x/y."""

    def __init__(self, value: str):
        self.value = value

    def get(self, _name: str) -> str:
        return self.value


class _SvgReader:
    """One walk over the element tree, collecting shapes and what was left out."""

    def __init__(self, file: str, rules: LayerRules, colours: dict[str, Machining], chord_tolerance: float):
        self.file = file
        self.rules = rules
        self.colours = colours
        self.chord_tolerance = chord_tolerance
        self.warnings: list[str] = []
        self.class_rules: dict[str, dict[str, str]] = {}
        self.shapes: list[RawShape] = []
        self.labels: list[TextLabel] = []
        self.skipped: Counter[str] = Counter()
        self.invisible: list[str] = []
        self.tag_counts: Counter[str] = Counter()

    def _style(self, element) -> dict[str, str]:
        style = {key: element.get(key) for key in _STYLE_KEYS if element.get(key) is not None}
        for name in element.get("class", "").split():
            style.update(self.class_rules.get(name, {}))
        style.update(_declarations(element.get("style", "")))
        return style

    def _transform(self, element, source: str) -> np.ndarray:
        try:
            return parse_transform(element.get("transform"), strict=True)
        except ValueError as exc:
            raise InputError(f"{self.file}: {source}: unreadable transform ({exc})") from None

    def read(self, root) -> None:
        """Walk the document from its root element."""
        self.class_rules = _class_rules(root, self.file, self.warnings)
        style = self._style(root)
        if style.get("display", "").strip() == "none":
            return
        matrix = _root_transform(root, self.file, self.warnings) @ self._transform(root, "root <svg>")
        self.walk(root, matrix, {key: style[key] for key in _INHERITED if key in style}, ())

    def walk(self, parent, matrix: np.ndarray, inherited: dict[str, str], layers: tuple[str, ...]) -> None:
        for element in parent:
            tag = _local(element.tag)
            style = self._style(element)
            if tag in _NOT_DRAWN or style.get("display", "").strip() == "none":
                continue
            self.tag_counts[tag] += 1
            element_id = element.get("id")
            source = f"{tag} id='{element_id}'" if element_id else f"{tag} #{self.tag_counts[tag]}"
            own = {key: style[key] for key in _INHERITED if key in style and style[key] != "inherit"}
            merged = {**inherited, **own}
            if tag in _GROUPS:
                is_layer = element.get(f"{_INKSCAPE}groupmode") == "layer"
                label = element.get(f"{_INKSCAPE}label") or element_id or ""
                inner = layers + (label,) if is_layer else layers
                self.walk(element, matrix @ self._transform(element, source), merged, inner)
            elif tag in _SHAPES:
                self._read_shape(element, tag, matrix @ self._transform(element, source), merged, layers, source)
            elif tag in _SKIP_REASONS:
                self.skipped[tag] += 1
                if tag == "text":
                    self._collect_label(element, matrix @ self._transform(element, source), source)

    def _collect_label(self, element, matrix: np.ndarray, source: str) -> None:
        """A <text> may name the part it sits in; its anchor is its first x, y."""
        def first(name: str) -> float:
            values = (element.get(name) or "0").replace(",", " ").split()
            return _user_length(_Single(values[0] if values else "0"), "v", self.file, source)

        x, y, _ = matrix @ np.array([first("x"), first("y"), 1.0])
        self.labels.append(TextLabel("".join(element.itertext()), float(x), float(y)))

    def _classify(self, style: dict[str, str], layers: tuple[str, ...], source: str) -> tuple[Machining, str] | None:
        """(machining, layer label for messages), or None for a shape drawn with neither stroke nor fill."""
        for label in reversed(layers):
            match = self.rules.match_name(label)
            if match is None:
                continue
            if match.machining is None:
                raise InputError(
                    f"{self.file}: layer '{label}': the machining cannot be guessed from the name "
                    "(a pocket needs its depth, e.g. POCKET_6MM); add a [[layers]] rule to the job"
                )
            return match.machining, label
        try:
            stroke = parse_colour(style.get("stroke", "none"))
            colour = stroke if stroke is not None else parse_colour(style.get("fill", "black"))
        except ValueError as exc:
            raise InputError(f"{self.file}: {source}: {exc}") from None
        if colour is None:
            return None
        if colour not in self.colours:
            known = ", ".join(f"{c} {m.describe()}" for c, m in self.colours.items())
            raise InputError(
                f"{self.file}: {source}: colour {colour} is not in the colour table ({known}); "
                "recolour it or add it to the job's colours"
            )
        return self.colours[colour], f"colour {colour}"

    def _path_data(self, element, tag: str, source: str) -> str:
        def length(name: str) -> float:
            return _user_length(element, name, self.file, source)

        if tag == "path":
            return element.get("d", "")
        if tag == "rect":
            width, height = length("width"), length("height")
            if width <= 0 or height <= 0:
                return ""
            rect = {"x": length("x"), "y": length("y"), "width": width, "height": height}
            rx, ry = length("rx"), length("ry")
            rx, ry = (rx or ry), (ry or rx)  # one radius given: both corners use it
            if rx > 0 and ry > 0:
                rect.update(rx=min(rx, width / 2), ry=min(ry, height / 2))
            return rect2pathd(rect)
        if tag in ("circle", "ellipse"):
            rx, ry = (length("r"),) * 2 if tag == "circle" else (length("rx"), length("ry"))
            if rx <= 0 or ry <= 0:
                return ""
            return ellipse2pathd({"cx": length("cx"), "cy": length("cy"), "rx": rx, "ry": ry})
        if tag == "line":
            return f"M {length('x1')} {length('y1')} L {length('x2')} {length('y2')}"
        points = {"points": element.get("points", "")}
        return polygon2pathd(points) if tag == "polygon" else polyline2pathd(points)

    def _read_shape(self, element, tag, matrix, style, layers, source) -> None:
        classified = self._classify(style, layers, source)
        if classified is None:
            self.invisible.append(source)
            return
        machining, layer = classified
        if machining.operation is Operation.IGNORE:
            return
        data = self._path_data(element, tag, source)
        if not data.strip():
            return
        try:
            with python_warnings.catch_warnings():
                python_warnings.simplefilter("ignore")  # svgpathtools warns about zero-radius arcs it fixes
                path = parse_path(data)
        except Exception as exc:  # svgpathtools raises assorted errors on malformed path data
            raise InputError(f"{self.file}: {source}: unreadable path data ({exc})") from None
        to_mm = _matrix44(matrix)
        for subpath in path.continuous_subpaths():
            curve = _curve_path(subpath).transform(to_mm)
            vertices = [(v.x, v.y) for v in curve.flattening(self.chord_tolerance)]
            if vertices:
                points = np.array(vertices, dtype=float)
                self.shapes.append(RawShape(points, subpath.isclosed(), layer, machining, source))

    def report(self) -> None:
        for tag, count in self.skipped.items():
            self.warnings.append(f"{self.file}: skipped {count} <{tag}> element(s) ({_SKIP_REASONS[tag]})")
        if self.invisible:
            shown = ", ".join(self.invisible[:5]) + (" ..." if len(self.invisible) > 5 else "")
            self.warnings.append(
                f"{self.file}: skipped {len(self.invisible)} shape(s) with neither stroke nor fill: {shown}"
            )


def _colour_table(colours: dict[str, Machining] | None, file: str) -> dict[str, Machining]:
    table = dict(DEFAULT_COLOURS)
    for text, machining in (colours or {}).items():
        try:
            colour = parse_colour(text)
        except ValueError as exc:
            raise InputError(f"{file}: colour table: {exc}") from None
        if colour is None:
            raise InputError(f"{file}: colour table: '{text}' is not a colour")
        table[colour] = machining
    return table


def read_svg(
    path: str | Path,
    *,
    rules: LayerRules,
    colours: dict[str, Machining] | None = None,
    chord_tolerance: float = 0.01,
) -> PlanShapes:
    """Read an SVG plan into RawShapes in mm (y up), with text labels and warnings.

    ``colours`` maps SVG colours (``#f00``, ``red``, ``rgb(...)``) to machining
    and overrides :data:`DEFAULT_COLOURS`. Hidden elements and ``<defs>`` are
    skipped; text, images and clones are skipped with a warning; a shape whose
    colour is not in the table is an :class:`InputError`.
    """
    file = str(path)
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError as exc:
        raise InputError(f"{file}: not a readable SVG file ({exc})") from None
    if _local(root.tag) != "svg":
        raise InputError(f"{file}: not a readable SVG file (the root element is <{_local(root.tag)}>)")
    reader = _SvgReader(file, rules, _colour_table(colours, file), chord_tolerance)
    reader.read(root)
    reader.report()
    if not reader.shapes:
        raise InputError(f"{file}: empty drawing (nothing to cut)")
    return PlanShapes(reader.shapes, reader.warnings, reader.labels)
