"""DXF plans -> RawShapes in mm, each classified by the layer rules.

ezdxf does the geometry: ``make_path`` knows bulges (the bulge at vertex i
belongs to the segment i -> i+1) and OCS extrusions, B-splines flatten
themselves. Block references are followed by composing ``Insert.matrix44()``
down the nesting and transforming each entity's path, which is exact for any
affine transform: ezdxf's ``virtual_entities()`` re-expresses nested INSERTs as
rotation + scale and, in ezdxf 1.4.5, swaps the scale factors of a rotated
INSERT inside a non-uniformly scaled one (a leg drawn 20 x 10 came out 10 x 40).
This module also resolves layers and colours the way CAD programs draw them,
converts units and refuses what it cannot cut safely.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import ezdxf
import numpy as np
from ezdxf.entities import DXFGraphic
from ezdxf.math import Matrix44, Vec3
from ezdxf.path import make_path

from nester.contours import PlanShapes, RawShape, TextLabel
from nester.errors import InputError
from nester.layers import LayerRules
from nester.model import Operation

MM_PER_UNIT = {"mm": 1.0, "cm": 10.0, "m": 1000.0, "in": 25.4}
_MM_PER_INSUNITS = {1: 25.4, 2: 304.8, 4: 1.0, 5: 10.0, 6: 1000.0}
_INCH_SUSPICION_MM = 50.0  # a whole plan this small was probably drawn in inches

# make_path approximates arcs and bulges by cubic Béziers: a quarter circle per
# curve strays 0.027 % of the radius (0.27 mm at r = 1 m). Asking for sixteen
# curves per arc (make_path turns that into six per polyline bulge) keeps the
# error under 1e-6 of the radius for arcs up to 180 degrees.
_BEZIERS_PER_ARC = 16

_LABELS = frozenset({"TEXT", "MTEXT"})
_CURVES = frozenset({"LINE", "ARC", "CIRCLE", "LWPOLYLINE", "POLYLINE", "SPLINE", "ELLIPSE"})
# Entities whose coordinates live in their object coordinate system (OCS).
_PLANAR = frozenset({"ARC", "CIRCLE", "LWPOLYLINE", "ELLIPSE"})
_TEXT_REASON = "text is not cut; convert it to curves"
_SKIP_REASONS = {
    "TEXT": _TEXT_REASON,
    "MTEXT": _TEXT_REASON,
    "ATTDEF": _TEXT_REASON,
    "ATTRIB": _TEXT_REASON,
    "DIMENSION": "dimensions are not cut",
    "LEADER": "annotations are not cut",
    "MLEADER": "annotations are not cut",
    "HATCH": "fills are not cut; draw their boundary on a cut layer",
    "IMAGE": "images are not cut",
}
_BYBLOCK, _BYLAYER, _WHITE = 0, 256, 7


@dataclass(frozen=True)
class _BlockContext:
    """The INSERT that placed the entities being read: effective layer, colour, block-to-world matrix."""

    layer: str
    aci: int
    where: str
    matrix: Matrix44
    blocks: tuple[str, ...]  # the nesting, outermost first, to refuse a block that contains itself


def _units_scale(doc, units: str | None, file: str) -> tuple[float, bool]:
    """mm per drawing unit, and whether millimetres were only assumed."""
    if units is not None:
        key = units.strip().lower()
        if key not in MM_PER_UNIT:
            raise InputError(f"{file}: unknown units '{units}' (expected mm, cm, m or in)")
        return MM_PER_UNIT[key], False
    code = doc.header.get("$INSUNITS", 0)
    if code == 0:
        return 1.0, True
    if code not in _MM_PER_INSUNITS:
        raise InputError(
            f"{file}: $INSUNITS = {code} is not supported (expected 1 inch, 2 feet, 4 mm, 5 cm or 6 m); "
            "give the plan's units explicitly"
        )
    return _MM_PER_INSUNITS[code], False


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


class _DxfReader:
    """One pass over a document's modelspace, collecting shapes and what was left out."""

    def __init__(self, doc, file: str, rules: LayerRules, scale: float, chord_tolerance: float):
        self.doc = doc
        self.file = file
        self.rules = rules
        self.scale = scale
        self.distance = chord_tolerance / scale  # flattening works in drawing units
        self.shapes: list[RawShape] = []
        self.labels: list[TextLabel] = []
        self.warnings: list[str] = []
        self.unknown_layers: dict[str, None] = {}  # insertion-ordered set
        self.ignored_layers: dict[str, None] = {}
        self.skipped: Counter[tuple[str, str]] = Counter()
        self.hidden: Counter[str] = Counter()

    def _layer_colour(self, layer: str) -> int | None:
        if not self.doc.layers.has_entry(layer):
            return None
        return self.doc.layers.get(layer).color

    def _layer_frozen(self, layer: str) -> bool:
        return self.doc.layers.has_entry(layer) and self.doc.layers.get(layer).is_frozen()

    def _layer_hidden(self, layer: str) -> bool:
        if not self.doc.layers.has_entry(layer):
            return False
        entry = self.doc.layers.get(layer)
        return entry.is_off() or entry.is_frozen()

    def _resolve(self, entity: DXFGraphic, parent: _BlockContext | None) -> tuple[str, int | None]:
        """Effective layer and ACI: block content on layer 0 / BYBLOCK takes the INSERT's."""
        layer = entity.dxf.layer
        if parent is not None and layer == "0":
            layer = parent.layer
        aci = entity.dxf.color
        if aci == _BYBLOCK:
            aci = parent.aci if parent is not None else _WHITE
        elif aci == _BYLAYER:
            aci = self._layer_colour(layer)
        return layer, aci

    def visit(self, entity: DXFGraphic, parent: _BlockContext | None = None) -> None:
        kind = entity.dxftype()
        layer, aci = self._resolve(entity, parent)
        source = f"{kind} #{entity.dxf.handle}" if parent is None else f"{kind} in {parent.where}"
        if kind == "INSERT":
            # A frozen layer hides the whole block reference; an off one only what
            # inherits its layer, which the check below catches entity by entity.
            if self._layer_frozen(layer):
                self.hidden[layer] += 1
            else:
                self._visit_insert(entity, parent, layer, aci, source)
            return
        if self._layer_hidden(layer):
            self.hidden[layer] += 1
            return
        if kind in _LABELS:
            self._collect_label(entity, kind, parent)
        machining = self.rules.classify(layer, aci)
        cuttable = kind == "POINT" or (kind in _CURVES and not _is_mesh(entity))
        if machining is not None and machining.operation is Operation.IGNORE:
            if cuttable:
                self.ignored_layers[layer] = None
        elif cuttable:
            if machining is None:
                self.unknown_layers[layer] = None
            else:
                matrix = None if parent is None else parent.matrix
                for points, closed in self._geometry(entity, kind, layer, source, matrix):
                    self.shapes.append(RawShape(points, closed, layer, machining, source))
        else:
            self.skipped[(layer, kind)] += 1

    def _collect_label(self, entity: DXFGraphic, kind: str, parent: _BlockContext | None) -> None:
        """Text on any layer, even an ignored one, may name the part it sits in."""
        insert = Vec3(entity.dxf.insert)
        if kind == "TEXT":  # TEXT is placed in its object coordinate system, MTEXT in WCS
            insert = entity.ocs().to_wcs(insert)
        if parent is not None:
            insert = parent.matrix.transform(insert)
        self.labels.append(TextLabel(entity.plain_text(), insert.x * self.scale, insert.y * self.scale))

    def _visit_insert(self, insert, parent: _BlockContext | None, layer: str, aci: int | None, source: str) -> None:
        name = insert.dxf.name
        block = insert.block()
        if block is None:
            raise InputError(f"{self.file}: {source} on layer '{layer}' places undefined block '{name}'")
        nesting = (parent.blocks if parent else ()) + (name,)
        if name in nesting[:-1]:
            raise InputError(f"{self.file}: block '{name}' contains itself ({' > '.join(nesting)})")
        where = f"block '{name}' ({source})"
        singles = insert.multi_insert() if insert.mcount > 1 else (insert,)
        for single in singles:
            matrix = single.matrix44() if parent is None else single.matrix44() @ parent.matrix
            if not _keeps_xy_plane(matrix):
                raise InputError(f"{self.file}: {source} on layer '{layer}' tilts its block out of the XY plane")
            context = _BlockContext(layer, _WHITE if aci is None else aci, where, matrix, nesting)
            for child in block:
                self.visit(child, context)

    def _geometry(self, entity: DXFGraphic, kind: str, layer: str, source: str, matrix: Matrix44 | None):
        """Yield (points in mm, closed) for each sub-path of the entity, placed by ``matrix``."""
        if kind == "POINT":
            location = Vec3(entity.dxf.location)
            if matrix is not None:
                location = matrix.transform(location)
            yield np.array([[location.x, location.y]]) * self.scale, False
            return
        if kind in _PLANAR or (kind == "POLYLINE" and entity.is_2d_polyline):
            extrusion = Vec3(entity.dxf.get("extrusion", (0, 0, 1))).normalize()
            if abs(extrusion.z) < 1.0 - 1e-9:
                raise InputError(
                    f"{self.file}: layer '{layer}': {source} is not drawn in the XY plane "
                    f"(extrusion {extrusion.x:.3f}, {extrusion.y:.3f}, {extrusion.z:.3f})"
                )
        if kind == "SPLINE":
            # make_path only converts clamped cubic splines exactly; others (rational
            # NURBS circles, quadratics) it approximates. The B-spline flattens exactly.
            spline = entity.construction_tool()
            if matrix is not None:
                spline = spline.transform(matrix)
            vertices = [(v.x, v.y) for v in spline.flattening(self.distance)]
            points = np.array(vertices, dtype=float) * self.scale
            yield points, bool(np.allclose(points[0], points[-1], rtol=0.0, atol=1e-9))
            return
        path = make_path(entity, segments=_BEZIERS_PER_ARC)
        if matrix is not None:
            path = path.transform(matrix)
        for sub_path in path.sub_paths():
            vertices = [(v.x, v.y) for v in sub_path.flattening(self.distance)]
            if not vertices:  # a zero-size curve: kept so that contours reports and drops it
                vertices = [(sub_path.start.x, sub_path.start.y)] * 2
            yield np.array(vertices, dtype=float) * self.scale, sub_path.is_closed

    def report(self) -> None:
        """Turn what was left out into warnings; refuse unknown layers."""
        if self.unknown_layers:
            names = ", ".join(f"'{name}'" for name in self.unknown_layers)
            raise InputError(
                f"{self.file}: unknown layer(s) {names}: add a [[layers]] rule to the job or rename them"
            )
        for (layer, kind), count in self.skipped.items():
            reason = _SKIP_REASONS.get(kind, "not a cutting path")
            self.warnings.append(
                f"{self.file}: skipped {_plural(count, kind + ' entity', kind + ' entities')} "
                f"on layer '{layer}' ({reason})"
            )
        for layer, count in self.hidden.items():
            self.warnings.append(
                f"{self.file}: skipped {_plural(count, 'entity', 'entities')} on hidden layer '{layer}' "
                "(turned off or frozen)"
            )
        if self.ignored_layers:
            names = ", ".join(f"'{name}'" for name in self.ignored_layers)
            self.warnings.append(f"{self.file}: not machined (ignored by the layer rules): {names}")


def _keeps_xy_plane(matrix: Matrix44) -> bool:
    return all(abs(matrix.transform_direction(axis).z) < 1e-9 for axis in (Vec3(1, 0, 0), Vec3(0, 1, 0)))


def _is_mesh(entity: DXFGraphic) -> bool:
    return entity.dxftype() == "POLYLINE" and (entity.is_poly_face_mesh or entity.is_polygon_mesh)


def _drawing_size(shapes: list[RawShape]) -> tuple[float, float]:
    points = np.concatenate([shape.points for shape in shapes])
    width, height = points.max(axis=0) - points.min(axis=0)
    return float(width), float(height)


def read_dxf(
    path: str | Path,
    *,
    rules: LayerRules,
    units: str | None = None,
    chord_tolerance: float = 0.01,
) -> PlanShapes:
    """Read a DXF plan's modelspace into RawShapes in mm, with text labels and warnings.

    ``units`` ("mm", "cm", "m", "in") overrides ``$INSUNITS``; without either,
    millimetres are assumed and a warning gives the drawing size. Curves are
    flattened to ``chord_tolerance`` mm. Entities on ignored layers are dropped;
    text, hatches and other non-path entities are skipped with a warning;
    entities on a layer no rule knows are an :class:`InputError`.
    """
    file = str(path)
    try:
        doc = ezdxf.readfile(path)
    except Exception as exc:  # ezdxf raises OSError, DXFStructureError, ValueError... on bad files
        raise InputError(f"{file}: not a readable DXF file ({exc})") from None
    scale, assumed_mm = _units_scale(doc, units, file)
    reader = _DxfReader(doc, file, rules, scale, chord_tolerance)
    for entity in doc.modelspace():
        reader.visit(entity)
    reader.report()
    if not reader.shapes:
        raise InputError(f"{file}: empty drawing (nothing to cut)")
    if assumed_mm:
        width, height = _drawing_size(reader.shapes)
        note = f"{file}: $INSUNITS is not set; assuming millimetres (the drawing is {width:.1f} x {height:.1f} mm)"
        if max(width, height) < _INCH_SUSPICION_MM:
            note += '; that looks like inches: set the units to "in" if so'
        reader.warnings.append(note)
    return PlanShapes(reader.shapes, reader.warnings, reader.labels)
