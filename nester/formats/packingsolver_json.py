"""PackingSolver "irregular" JSON (the OpenCutList furniture files) -> Problem, in millimetres.

``{"parameters": {"item_item_minimum_spacing", "item_bin_minimum_spacing"},
"bin_types": [{shape, "copies", "cost", "item_bin_minimum_spacing", "defects"}],
"item_types": [{"shapes": [shape, ...] | shape keys inline, "copies",
"allowed_rotations": [{"start", "end"}], "allow_mirroring"}]}`` -- shapes as in
nester.formats.packingsolver_shapes.

Units: the files carry no unit. ``unit`` says it: "mm", "in", or "auto", which
takes a ``unit`` key of the file (top level or under ``parameters``) if there is
one, else inches when a bin is one of the known OpenCutList inch sheets (96 x 48,
110.24 x 81.50, 98.43 x 47.24, 96.06 x 48.03 in), else millimetres -- with a
warning unless a bin is a common metric sheet (2800 x 2070, 2500 x 1250 ...).
Inches are converted to millimetres (x 25.4); the Problem, its document and
every solution written from it are in millimetres.

Meaning of the keys, following PackingSolver: ``item_item_minimum_spacing`` ->
Problem.spacing; ``item_bin_minimum_spacing`` (of the parameters or of any bin)
-> Problem.margin, the largest; bin ``cost`` absent -> its area in file units;
item ``copies`` absent -> 1; item ``allowed_rotations`` absent -> 0 only; a point
range (start = end) is that angle, a wider range (e.g. 0-360) any angle, with a
warning when it is narrower than a full turn. Bin ``copies`` absent -> unlimited
stock (PackingSolver itself would take 1). ``defects`` become no-go zones.
Mirroring is not modelled (a warning says so when an item allows it).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from shapely.geometry import Polygon
from shapely.geometry.polygon import orient
from shapely.ops import unary_union

from nester.errors import InputError
from nester.json_fields import field, listed, number, optional_number
from nester.formats.geometry import build_polygon
from nester.formats.jagua_json import instance_document
from nester.formats.packingsolver_shapes import ring, shape_rings
from nester.problem import Container, Item, Problem

MM_PER = {"mm": 1.0, "millimeter": 1.0, "millimetre": 1.0, "cm": 10.0, "m": 1000.0,
          "in": 25.4, "inch": 25.4, "inches": 25.4}
INCH_SHEETS = ((96.0, 48.0), (110.24, 81.50), (98.43, 47.24), (96.06, 48.03))
MM_SHEETS = ((2800.0, 2070.0), (2500.0, 1200.0), (2500.0, 1250.0), (2440.0, 1220.0), (3050.0, 1525.0))
SHEET_MATCH = 0.01  # file units: a bin this close to a known sheet is that sheet


def is_packingsolver(doc: Any) -> bool:
    return isinstance(doc, dict) and "item_types" in doc and "bin_types" in doc


def read_packingsolver(doc: Any, source: str, unit: str = "auto") -> Problem:
    """The Problem of a PackingSolver irregular instance, converted to millimetres."""
    if not is_packingsolver(doc):
        raise InputError(f"{source}: not a PackingSolver instance (needs 'item_types' and 'bin_types')")
    warnings: list[str] = []
    parameters = doc.get("parameters") or {}
    raw_bins = listed(doc["bin_types"], source, "bin_types")
    raw_items = listed(doc["item_types"], source, "item_types")
    if not raw_items:
        raise InputError(f"{source}: item_types: the instance has no items")
    if not raw_bins:
        raise InputError(f"{source}: bin_types: the instance has no bins")
    scale = _mm_per_unit(doc, raw_bins, unit, source, warnings)
    bins = tuple(_bin(k, raw, scale, source, warnings) for k, raw in enumerate(raw_bins))
    items = tuple(_item(k, raw, scale, source, warnings) for k, raw in enumerate(raw_items))
    margins = [optional_number(parameters, "item_bin_minimum_spacing", 0.0, source, "parameters")]
    margins += [optional_number(raw, "item_bin_minimum_spacing", 0.0, source, f"bin {k}")
                for k, raw in enumerate(raw_bins)]
    objective = str(doc.get("objective", "bin-packing"))
    if "bin" not in objective.lower():
        warnings.append(f"{source}: objective {objective!r} read as bin packing")
    problem = Problem(
        name=Path(source).stem,
        items=items,
        bins=bins,
        spacing=optional_number(parameters, "item_item_minimum_spacing", 0.0, source, "parameters") * scale,
        margin=max(margins) * scale,
        source=source,
        warnings=tuple(warnings),
    )
    return replace(problem, document=instance_document(problem))


def _mm_per_unit(doc: dict, raw_bins: list, unit: str, source: str, warnings: list[str]) -> float:
    if unit != "auto":
        if unit not in MM_PER:
            raise InputError(f"{source}: unknown unit {unit!r} (mm, cm, m, in or auto)")
        return MM_PER[unit]
    stated = doc.get("unit", (doc.get("parameters") or {}).get("unit"))
    if stated is not None:
        if str(stated).lower() not in MM_PER:
            raise InputError(f"{source}: unit: unknown unit {stated!r} (mm, cm, m or in)")
        return MM_PER[str(stated).lower()]
    sizes = []
    for k, raw in enumerate(raw_bins):
        x0, y0, x1, y1 = Polygon(ring(raw, 1.0, source, f"bin {k}")).bounds
        sizes.append(sorted((x1 - x0, y1 - y0), reverse=True))
    if _any_known(sizes, INCH_SHEETS):
        return MM_PER["in"]
    if not _any_known(sizes, MM_SHEETS):
        warnings.append(f"{source}: no unit given and no known inch sheet: read as millimetres (give unit='in' if not)")
    return 1.0


def _any_known(sizes: list[list[float]], known: tuple[tuple[float, float], ...]) -> bool:
    return any(abs(long - w) <= SHEET_MATCH and abs(short - h) <= SHEET_MATCH
               for long, short in sizes for w, h in known)


def _bin(index: int, raw: dict, scale: float, source: str, warnings: list[str]) -> Container:
    what = f"bin {index}"
    outer, holes = shape_rings(raw, scale, source, what)
    shape = build_polygon(outer, holes, source, what, warnings)
    stock = None
    if "copies" in raw and raw["copies"] != -1:
        stock = number(raw["copies"], source, f"{what}.copies", int)
        if stock <= 0:
            raise InputError(f"{source}: {what}.copies: must be at least 1, got {stock}")
    cost = optional_number(raw, "cost", -1.0, source, what)
    if cost == -1.0:  # PackingSolver's default: the bin's area
        cost = shape.area / scale**2
    zones = []
    for k, defect in enumerate(listed(raw.get("defects", []), source, f"{what}.defects")):
        outer, holes = shape_rings(defect, scale, source, f"{what} defect {k}")
        zones.append(build_polygon(outer, holes, source, f"{what} defect {k}", warnings))
    return Container(id=index, shape=shape, stock=stock, cost=cost, zones=tuple(zones))


def _item(index: int, raw: dict, scale: float, source: str, warnings: list[str]) -> Item:
    what = f"item {index}"
    copies = optional_number(raw, "copies", 1, source, what, int)
    if copies <= 0:
        raise InputError(f"{source}: {what}.copies: must be at least 1, got {copies}")
    # Newer files list shapes; older ones (deer, knight) put the one shape's keys on the item.
    shapes = listed(raw["shapes"], source, f"{what}.shapes") if "shapes" in raw else [raw]
    if not shapes:
        raise InputError(f"{source}: {what}.shapes: empty")
    polygons = [build_polygon(*shape_rings(shape, scale, source, what), source, what, warnings) for shape in shapes]
    shape = polygons[0] if len(polygons) == 1 else unary_union(polygons)
    if not isinstance(shape, Polygon):
        raise InputError(f"{source}: {what}: its {len(polygons)} shapes do not form one piece; "
                         "give each piece its own item type")
    if raw.get("allow_mirroring"):
        warnings.append(f"{source}: {what}: mirroring is not modelled; the item is nested unmirrored")
    rotations = _rotations(raw, source, what, warnings)
    return Item(id=index, shape=orient(shape, sign=1.0), demand=copies, rotations=rotations)


def _rotations(raw: dict, source: str, what: str, warnings: list[str]) -> tuple[float, ...] | None:
    if "allowed_rotations" not in raw:
        return (0.0,)
    ranges = listed(raw["allowed_rotations"], source, f"{what}.allowed_rotations")
    if not ranges:
        return (0.0,)
    angles: list[float] = []
    for k, angle_range in enumerate(ranges):
        where = f"{what}.allowed_rotations[{k}]"
        start = number(field(angle_range, "start", source, where), source, f"{where}.start")
        end = number(field(angle_range, "end", source, where), source, f"{where}.end")
        if end < start:
            raise InputError(f"{source}: {where}: end {end:g} is before start {start:g}")
        if end > start:
            if end - start < 360.0:
                warnings.append(f"{source}: {where}: the range {start:g}-{end:g} degrees is read as any angle")
            return None
        if start not in angles:
            angles.append(start)
    return tuple(angles)
