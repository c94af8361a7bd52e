"""A single-stroke font for engraving part labels, and fitting a label inside a part.

Once the sheet is cut, every part looks like every other piece of plywood; a
label engraved on the part ("LEG#3", "CHARIOT-SIDE_L 2/4") is what lets the
person assembling the furniture find it. Outline fonts would have to be
pocketed; a single-stroke font is cut by one pass of a V-bit or a small end mill
along each stroke, which is quick and looks clean.

The glyphs are a small geometric design of our own on a grid GLYPH_WIDTH units
wide and CAP_UNITS units tall (no font files to ship, license or parse, and the
output is exactly reproducible). Points sit on whole or half grid units, and
parallel strokes stay at least a third of the cap height apart (only the tiny
squares drawing "." and ":" are meant to fill in), so the grooves of a tool
about a tenth of the cap height wide still read as separate strokes.
There are no descenders: every glyph lies between the baseline and the cap
height, which keeps the label's footprint a plain rectangle.

All lengths are in mm.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import Polygon
from shapely.ops import polylabel

Point2 = tuple[float, float]
Polyline = list[Point2]

GLYPH_WIDTH = 4.0  # grid units, the widest a glyph may be
CAP_UNITS = 6.0  # grid units from baseline to cap height
LETTER_GAP = 2.0  # grid units of blank between neighbouring glyphs
ADVANCE_UNITS = GLYPH_WIDTH + LETTER_GAP

# Each glyph: polylines separated by "|", each polyline "x,y x,y ..." in grid
# units, origin at the glyph's baseline-left. Round letters are octagons: enough
# to read as curves once a tool's width softens the corners.
GLYPH_TABLE: dict[str, str] = {
    " ": "",
    "A": "0,0 2,6 4,0 | 1,3 3,3",
    "B": "0,3 3,3 4,4 4,5 3,6 0,6 0,0 3,0 4,1 4,2 3,3",
    "C": "4,5 3,6 1,6 0,5 0,1 1,0 3,0 4,1",
    "D": "0,0 0,6 2,6 4,4 4,2 2,0 0,0",
    "E": "4,6 0,6 0,0 4,0 | 0,3 3,3",
    "F": "4,6 0,6 0,0 | 0,3 3,3",
    "G": "4,5 3,6 1,6 0,5 0,1 1,0 3,0 4,1 4,3 2,3",
    "H": "0,0 0,6 | 4,0 4,6 | 0,3 4,3",
    "I": "1,6 3,6 | 2,6 2,0 | 1,0 3,0",
    "J": "1,6 4,6 4,1 3,0 1,0 0,1 0,2",
    "K": "0,0 0,6 | 4,6 0,2 | 1.5,3.5 4,0",
    "L": "0,6 0,0 4,0",
    "M": "0,0 0,6 2,3 4,6 4,0",
    "N": "0,0 0,6 4,0 4,6",
    "O": "1,0 0,1 0,5 1,6 3,6 4,5 4,1 3,0 1,0",
    "P": "0,0 0,6 3,6 4,5 4,4 3,3 0,3",
    "Q": "1,0 0,1 0,5 1,6 3,6 4,5 4,1 3,0 1,0 | 2,2 4,0",
    "R": "0,0 0,6 3,6 4,5 4,4 3,3 0,3 | 2,3 4,0",
    "S": "4,5 3,6 1,6 0,5 0,4 1,3 3,3 4,2 4,1 3,0 1,0 0,1",
    "T": "0,6 4,6 | 2,6 2,0",
    "U": "0,6 0,1 1,0 3,0 4,1 4,6",
    "V": "0,6 2,0 4,6",
    "W": "0,6 1,0 2,4 3,0 4,6",
    "X": "0,0 4,6 | 0,6 4,0",
    "Y": "0,6 2,3 4,6 | 2,3 2,0",
    "Z": "0,6 4,6 0,0 4,0",
    # Digits must never be mistaken for letters on a part count ("2/4"): the zero
    # is narrower than O and slashed, the one has a flag and no top bar unlike I,
    # the five has a square shoulder unlike S.
    "0": "1.5,0 0.5,1 0.5,5 1.5,6 2.5,6 3.5,5 3.5,1 2.5,0 1.5,0 | 0.5,1 3.5,5",
    "1": "1,5 2,6 2,0 | 1,0 3,0",
    "2": "0,5 1,6 3,6 4,5 4,4 0,0 4,0",
    "3": "0,5 1,6 3,6 4,5 4,4 3,3 1,3 | 3,3 4,2 4,1 3,0 1,0 0,1",
    "4": "3,0 3,6 0,2 4,2",
    "5": "4,6 0,6 0,3.5 3,3.5 4,2.5 4,1 3,0 1,0 0,1",
    "6": "4,5 3,6 1,6 0,5 0,1 1,0 3,0 4,1 4,2 3,3 1,3 0,2",
    "7": "0,6 4,6 1,0",
    "8": "1,3 0,4 0,5 1,6 3,6 4,5 4,4 3,3 1,3 0,2 0,1 1,0 3,0 4,1 4,2 3,3",
    "9": "0,1 1,0 3,0 4,1 4,5 3,6 1,6 0,5 0,4 1,3 3,3 4,4",
    "-": "1,3 3,3",
    "_": "0,0 4,0",
    # A dot is a small closed square, not a single point: a point would give a
    # zero-length stroke, and a square still leaves a mark with a fine V-bit.
    ".": "1.5,0 2.5,0 2.5,1 1.5,1 1.5,0",
    ":": "1.5,0 2.5,0 2.5,1 1.5,1 1.5,0 | 1.5,3 2.5,3 2.5,4 1.5,4 1.5,3",
    "#": "1,1 1,5 | 3,1 3,5 | 0,2 4,2 | 0,4 4,4",
    "/": "0,0 4,6",
    "(": "3,6 2,5 1.5,3.5 1.5,2.5 2,1 3,0",
    ")": "1,6 2,5 2.5,3.5 2.5,2.5 2,1 1,0",
    "+": "2,1.5 2,4.5 | 0.5,3 3.5,3",
    "=": "0.5,2 3.5,2 | 0.5,4 3.5,4",
}


def _parse_glyph(spec: str) -> tuple[tuple[Point2, ...], ...]:
    return tuple(
        tuple((float(x), float(y)) for x, y in (pair.split(",") for pair in stroke.split()))
        for stroke in spec.split("|")
        if stroke.strip()
    )


GLYPHS: dict[str, tuple[tuple[Point2, ...], ...]] = {char: _parse_glyph(spec) for char, spec in GLYPH_TABLE.items()}


def supported_characters() -> str:
    """Every character with a glyph of its own (lower case is drawn as upper case)."""
    return "".join(GLYPHS)


def glyph_key(char: str) -> str:
    """The table entry that draws `char`; ValueError naming it if there is none."""
    if char in GLYPHS:
        return char
    upper = char.upper()
    if upper in GLYPHS:
        return upper
    raise ValueError(f"no engraving glyph for character {char!r}")


def advance(height: float) -> float:
    """Distance in mm from one character's left edge to the next at cap height `height`."""
    return height * ADVANCE_UNITS / CAP_UNITS


def text_width(text: str, height: float) -> float:
    """Width in mm of the cells of `text`, without the gap after the last character."""
    if not text:
        return 0.0
    return len(text) * advance(height) - height * LETTER_GAP / CAP_UNITS


def text_strokes(text: str, height: float) -> list[Polyline]:
    """Polylines in mm drawing `text` with its baseline-left at (0, 0) and cap height `height`.

    Every character takes the same advance, so a label's length is known from its
    character count. Raises ValueError naming the first character without a glyph.
    """
    if not height > 0:
        raise ValueError(f"cap height must be positive, got {height}")
    keys = [glyph_key(char) for char in text]
    scale = height / CAP_UNITS
    step = advance(height)
    strokes: list[Polyline] = []
    for index, key in enumerate(keys):
        origin = index * step
        for stroke in GLYPHS[key]:
            polyline: Polyline = []
            for x, y in stroke:
                point = (origin + x * scale, y * scale)
                if not polyline or polyline[-1] != point:
                    polyline.append(point)
            if len(polyline) >= 2:
                strokes.append(polyline)
    return strokes


# --- placing a label on a part ---------------------------------------------

HEIGHT_RESOLUTION = 0.1  # mm; finer cap-height steps than this make no visible difference
POLE_TOLERANCE = 1.0  # mm; polylabel precision, far below any label size
# Turning a label sideways makes it harder to read on the cart, so it only turns
# for a clearly larger cap height, not for a tie or a rounding difference.
VERTICAL_GAIN_REQUIRED = 1.1
# Eroding the region by slightly more than the margin covers the chords by which
# shapely approximates the rounded corners of both the eroded region and the
# buffered strokes, so a fast "strokes inside the eroded region" test implies
# the exact "buffered strokes inside the region" one.
EROSION_ALLOWANCE = 1.01
EROSION_SLACK = 1e-6  # mm


class _LabelShape:
    """A label's unit-height strokes as flat arrays, so that trying a size and place is cheap.

    The search below places the same label dozens of times; building shapely
    geometry from arrays in one call is many times faster than from lists of tuples.
    """

    def __init__(self, unit_strokes: list[Polyline]):
        self.points = np.array([point for stroke in unit_strokes for point in stroke], dtype=float)
        self.stroke_index = np.repeat(np.arange(len(unit_strokes)), [len(s) for s in unit_strokes])
        self.stroke_ends = np.cumsum([len(s) for s in unit_strokes])[:-1]
        low, high = self.points.min(axis=0), self.points.max(axis=0)
        self.ink_centre = (low + high) / 2
        self.ink_size = high - low

    def half_extent(self, scale: float, rotate: bool) -> tuple[float, float]:
        """Half the ink's width and height in mm once placed."""
        half_along, half_across = self.ink_size * scale / 2
        return (half_across, half_along) if rotate else (half_along, half_across)

    def coordinates(self, scale: float, rotate: bool, centre: Point2) -> np.ndarray:
        """Scaled, optionally turned 90° counter-clockwise, ink centre on `centre`."""
        local = (self.points - self.ink_centre) * scale
        if rotate:  # reads bottom to top, the drafting convention for vertical text
            local = np.column_stack((-local[:, 1], local[:, 0]))
        return local + np.asarray(centre, dtype=float)

    def geometry(self, scale: float, rotate: bool, centre: Point2) -> shapely.Geometry:
        lines = shapely.linestrings(self.coordinates(scale, rotate, centre), indices=self.stroke_index)
        return shapely.multilinestrings(lines)

    def polylines(self, scale: float, rotate: bool, centre: Point2) -> list[Polyline]:
        coordinates = self.coordinates(scale, rotate, centre)
        return [[(float(x), float(y)) for x, y in stroke] for stroke in np.split(coordinates, self.stroke_ends)]


def _aspect_pole(region: Polygon, aspect: float, rotate: bool) -> Point2:
    """Centre of the largest inscribed ellipse shaped like the label's bounding box.

    polylabel alone finds the centre of the largest circle, which in an L-shaped
    part is the corner where a long label has no room. Squashing the region along
    the label's length by its aspect ratio turns the label's box into a square, so
    the squashed region's pole is where a box of that shape fits best. The
    tolerance is in squashed units: POLE_TOLERANCE across the label, proportionally
    coarser along it, which keeps the search short for long labels.
    """
    squash = 1.0 / aspect
    xfact, yfact = (1.0, squash) if rotate else (squash, 1.0)
    squashed = affinity.scale(region, xfact=xfact, yfact=yfact, origin=(0.0, 0.0))
    pole = polylabel(squashed, tolerance=POLE_TOLERANCE)
    return (pole.x / xfact, pole.y / yfact)


def _distinct(points: list[Point2]) -> list[Point2]:
    unique: list[Point2] = []
    for point in points:
        if all(math.dist(point, seen) > POLE_TOLERANCE for seen in unique):
            unique.append(point)
    return unique


def fit_text(
    text: str,
    region: Polygon,
    *,
    max_height: float,
    min_height: float,
    margin: float,
) -> list[Polyline] | None:
    """Strokes of `text` placed as large as possible inside `region`, or None if it cannot fit.

    The cap height is the largest in [min_height, max_height] (to HEIGHT_RESOLUTION)
    at which every stroke, buffered by `margin`, lies inside the region, holes
    excluded. `margin` is the tool radius plus some clearance, so the engraving
    never breaks into an edge or a hole. The label is centred on the best of a
    few candidate points (pole of inaccessibility, its aspect-aware variant, the
    centroid) and is horizontal unless turning it 90° allows a clearly larger one.
    A label with nothing to draw (empty or blank) fits as no strokes.
    """
    if not 0 < min_height <= max_height:
        raise ValueError(f"need 0 < min_height <= max_height, got {min_height} and {max_height}")
    if margin < 0:
        raise ValueError(f"margin must not be negative, got {margin}")
    unit_strokes = text_strokes(text, 1.0)
    if not unit_strokes:
        return []
    if region.is_empty or region.area <= 0:
        return None

    allowed = region.buffer(-(margin * EROSION_ALLOWANCE + EROSION_SLACK))
    if allowed.is_empty:
        return None
    shapely.prepare(allowed)
    min_x, min_y, max_x, max_y = allowed.bounds
    label = _LabelShape(unit_strokes)

    def fits(scale: float, rotate: bool, centre: Point2) -> bool:
        half_x, half_y = label.half_extent(scale, rotate)
        # Most misses at large sizes are plain bounding-box misses; skip the geometry.
        if centre[0] - half_x < min_x or centre[0] + half_x > max_x:
            return False
        if centre[1] - half_y < min_y or centre[1] + half_y > max_y:
            return False
        return allowed.contains(label.geometry(scale, rotate, centre))

    def largest_height(rotate: bool, centre: Point2) -> float | None:
        if not fits(min_height, rotate, centre):
            return None
        if fits(max_height, rotate, centre):
            return max_height
        # Not strictly monotonic in a region with holes (a hole can sit between
        # strokes at one size and under them at another), so the answer is a
        # height that was tested to fit, not necessarily the largest one.
        low, high = min_height, max_height
        while high - low > HEIGHT_RESOLUTION:
            middle = (low + high) / 2
            if fits(middle, rotate, centre):
                low = middle
            else:
                high = middle
        return low

    pole = polylabel(region, tolerance=POLE_TOLERANCE)
    shared_centres = [(pole.x, pole.y)]
    centroid = region.centroid
    if region.contains(centroid):
        shared_centres.append((centroid.x, centroid.y))
    # The cells, not the ink, give the label's shape: "-" has no ink height.
    aspect = text_width(text, 1.0)

    best: dict[bool, tuple[float, Point2]] = {}
    for rotate in (False, True):
        centres = shared_centres[:1]
        if aspect > 1.0:
            centres.append(_aspect_pole(region, aspect, rotate))
        for centre in _distinct(centres + shared_centres[1:]):
            height = largest_height(rotate, centre)
            if height is not None and (rotate not in best or height > best[rotate][0]):
                best[rotate] = (height, centre)

    # Horizontal first, unless only the vertical label fits or it is clearly larger.
    choices = [(height, rotate, centre) for rotate, (height, centre) in sorted(best.items())]
    if len(choices) == 2 and choices[1][0] > choices[0][0] * VERTICAL_GAIN_REQUIRED:
        choices.reverse()
    for height, rotate, centre in choices:
        # The promise made to the caller, checked exactly as stated.
        if region.contains(label.geometry(height, rotate, centre).buffer(margin)):
            return label.polylines(height, rotate, centre)
    return None
