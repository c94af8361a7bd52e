"""jagua-rs / sparrow instance JSON: read into a Problem, and write any Problem in that form.

Strip packing: ``{"name", "strip_height", "items"}``; bin packing: ``{"name", "bins",
"items"}``. An item has ``id``, ``demand``, ``shape`` and optionally
``allowed_orientations`` (degrees; absent = any angle). A bin has ``id``, ``stock``,
``cost``, ``shape`` and optionally ``zones`` (``{"quality", "shape"}``). Shapes are
``simple_polygon`` ([[x, y], ...]), ``polygon`` ({"outer", "inner"}), ``rectangle``
({"x_min", "y_min", "width", "height"}) or, for zones only, ``multi_polygon``.

Coordinates carry no unit in these files; they are taken as millimetres.

Not modelled: zone quality. jagua-rs lets an item with a ``min_quality`` overlap
zones of at least that quality; here every zone is a no-go area for every item
(the safe reading for clamps, screws and defects).

The format has no spacing: sparrow takes it on its command line
(``min_item_separation``). Two optional top-level keys, which jagua-rs ignores,
carry it here: ``min_item_separation`` (Problem.spacing) and ``container_margin``
(Problem.margin); item ``name`` is kept the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shapely.geometry import Polygon

from nester.errors import InputError
from nester.json_fields import field, listed, number, optional_number
from nester.formats.geometry import build_polygon, ring_points
from nester.problem import Container, Item, Problem

SPACING_KEY = "min_item_separation"
MARGIN_KEY = "container_margin"


def read_jagua(doc: Any, source: str) -> Problem:
    """The Problem of a jagua-rs/sparrow instance (or of a sparrow solution holding one).

    Items and bins are ordered by id when the ids are 0..n-1, so that Item.id and
    Container.id are the file's ids; otherwise the document maps them.
    """
    if not isinstance(doc, dict):
        raise InputError(f"{source}: expected a JSON object")
    document = {key: value for key, value in doc.items() if key != "solution"}
    warnings: list[str] = []
    raw_items = _by_id(listed(field(doc, "items", source, "instance"), source, "items"), source, "items")
    if not raw_items:
        raise InputError(f"{source}: items: the instance has no items")
    items = tuple(_item(index, raw, source, warnings) for index, raw in enumerate(raw_items))
    strip_height = bins = None
    if "strip_height" in doc:
        strip_height = number(doc["strip_height"], source, "strip_height")
        if strip_height <= 0:
            raise InputError(f"{source}: strip_height: must be positive, got {strip_height:g}")
    elif "bins" in doc:
        raw_bins = _by_id(listed(doc["bins"], source, "bins"), source, "bins")
        if not raw_bins:
            raise InputError(f"{source}: bins: the instance has no bins")
        bins = tuple(_bin(index, raw, source, warnings) for index, raw in enumerate(raw_bins))
    else:
        raise InputError(f"{source}: instance: missing key 'strip_height' (strip packing) or 'bins' (bin packing)")
    return Problem(
        name=str(doc.get("name") or Path(source).stem),
        items=items,
        strip_height=strip_height,
        bins=bins or (),
        spacing=_non_negative(doc, SPACING_KEY, source),
        margin=_non_negative(doc, MARGIN_KEY, source),
        source=source,
        document=document,
        warnings=tuple(warnings),
    )


def read_shape(shape: Any, source: str, what: str, warnings: list[str]) -> list[Polygon]:
    """The polygons of a jagua-rs shape object (one, except for ``multi_polygon``)."""
    kind = field(shape, "type", source, f"{what}.shape")
    data = field(shape, "data", source, f"{what}.shape")
    where = f"{what}.shape.data"
    if kind == "simple_polygon":
        return [build_polygon(_points(data, source, where), [], source, what, warnings)]
    if kind == "polygon":
        return [_polygon(data, source, where, what, warnings)]
    if kind == "multi_polygon":
        parts = listed(data, source, where)
        return [_polygon(part, source, f"{where}[{k}]", what, warnings) for k, part in enumerate(parts)]
    if kind == "rectangle":
        x, y, w, h = (number(field(data, key, source, where), source, f"{where}.{key}")
                      for key in ("x_min", "y_min", "width", "height"))
        return [build_polygon([(x, y), (x + w, y), (x + w, y + h), (x, y + h)], [], source, what, warnings)]
    raise InputError(f"{source}: {what}.shape.type: unknown shape type {kind!r} "
                     "(simple_polygon, polygon, multi_polygon or rectangle)")


def shape_document(polygon: Polygon) -> dict:
    """A polygon as a jagua-rs shape: ``simple_polygon`` without holes, ``polygon`` with."""
    outer = ring_points(polygon.exterior.coords)
    if not polygon.interiors:
        return {"type": "simple_polygon", "data": outer}
    return {"type": "polygon", "data": {"outer": outer, "inner": [ring_points(hole.coords) for hole in polygon.interiors]}}


def instance_document(problem: Problem) -> dict:
    """Any Problem as a jagua-rs instance (ids = positions; coordinates in millimetres).

    A bin of unlimited stock is written with a stock of the total demand, which no
    sensible solution exceeds (the format needs a number).
    """
    document: dict[str, Any] = {"name": problem.name, "items": [_item_document(item) for item in problem.items]}
    if problem.is_strip:
        document["strip_height"] = problem.strip_height
    else:
        document["bins"] = [_bin_document(container, problem.total_demand) for container in problem.bins]
    if problem.spacing > 0:
        document[SPACING_KEY] = problem.spacing
    if problem.margin > 0:
        document[MARGIN_KEY] = problem.margin
    return document


def _by_id(entries: list, source: str, where: str) -> list:
    """Entries sorted by id when their ids are exactly 0..n-1 (the usual case), else as listed."""
    ids = [number(field(entry, "id", source, f"{where}[{k}]"), source, f"{where}[{k}].id", int)
           for k, entry in enumerate(entries)]
    if len(set(ids)) != len(ids):
        duplicate = next(i for i in ids if ids.count(i) > 1)
        raise InputError(f"{source}: {where}: id {duplicate} is used twice")
    if sorted(ids) == list(range(len(ids))):
        return [entry for _, entry in sorted(zip(ids, entries), key=lambda pair: pair[0])]
    return entries


def _item(index: int, raw: dict, source: str, warnings: list[str]) -> Item:
    what = f"item {raw['id']}"
    demand = number(field(raw, "demand", source, what), source, f"{what}.demand", int)
    if demand <= 0:
        raise InputError(f"{source}: {what}.demand: must be at least 1, got {demand}")
    rotations = None
    if raw.get("allowed_orientations") is not None:
        angles = listed(raw["allowed_orientations"], source, f"{what}.allowed_orientations")
        if not angles:
            raise InputError(f"{source}: {what}.allowed_orientations: empty (leave the key out for any angle)")
        rotations = tuple(number(a, source, f"{what}.allowed_orientations", float) for a in angles)
    shape = _single(read_shape(field(raw, "shape", source, what), source, what, warnings), source, what)
    # When the file's ids are not positions, the name keeps the file's id for messages.
    name = str(raw.get("name", "")) or ("" if raw["id"] == index else what)
    return Item(id=index, shape=shape, demand=demand, rotations=rotations, name=name)


def _bin(index: int, raw: dict, source: str, warnings: list[str]) -> Container:
    what = f"bin {raw['id']}"
    stock = number(field(raw, "stock", source, what), source, f"{what}.stock", int)
    if stock < 0:
        raise InputError(f"{source}: {what}.stock: must not be negative, got {stock}")
    cost = number(field(raw, "cost", source, what), source, f"{what}.cost")
    shape = _single(read_shape(field(raw, "shape", source, what), source, what, warnings), source, what)
    zones = []
    for k, zone in enumerate(listed(raw.get("zones", []), source, f"{what}.zones")):
        zones += read_shape(field(zone, "shape", source, f"{what}.zones[{k}]"), source,
                            f"{what} zone {k}", warnings)
    return Container(id=index, shape=shape, stock=stock, cost=cost, zones=tuple(zones), name=str(raw.get("name", "")))


def _single(polygons: list[Polygon], source: str, what: str) -> Polygon:
    if len(polygons) != 1:
        raise InputError(f"{source}: {what}: a multi_polygon of {len(polygons)} pieces; "
                         "one polygon (holes allowed) is needed")
    return polygons[0]


def _polygon(data: Any, source: str, where: str, what: str, warnings: list[str]) -> Polygon:
    outer = _points(field(data, "outer", source, where), source, f"{where}.outer")
    inner = listed(data.get("inner", []), source, f"{where}.inner")
    holes = [_points(ring, source, f"{where}.inner[{k}]") for k, ring in enumerate(inner)]
    return build_polygon(outer, holes, source, what, warnings)


def _points(data: Any, source: str, where: str) -> list[tuple[float, float]]:
    points = []
    for k, point in enumerate(listed(data, source, where)):
        if not (isinstance(point, (list, tuple)) and len(point) == 2):
            raise InputError(f"{source}: {where}[{k}]: expected [x, y], got {point!r}")
        points.append((number(point[0], source, f"{where}[{k}]"), number(point[1], source, f"{where}[{k}]")))
    return points


def _non_negative(doc: dict, key: str, source: str) -> float:
    value = optional_number(doc, key, 0.0, source, "instance")
    if value < 0:
        raise InputError(f"{source}: {key}: must not be negative, got {value:g}")
    return value


def _item_document(item: Item) -> dict:
    entry: dict[str, Any] = {"id": item.id, "demand": item.demand}
    if item.rotations is not None:
        entry["allowed_orientations"] = list(item.rotations)
    entry["shape"] = shape_document(item.shape)
    if item.name:
        entry["name"] = item.name
    return entry


def _bin_document(container: Container, total_demand: int) -> dict:
    entry: dict[str, Any] = {
        "id": container.id,
        "stock": container.stock if container.stock is not None else total_demand,
        "cost": int(container.cost) if float(container.cost).is_integer() else container.cost,
        "shape": shape_document(container.shape),
    }
    if container.zones:
        entry["zones"] = [{"quality": 0, "shape": shape_document(zone)} for zone in container.zones]
    if container.name:
        entry["name"] = container.name
    return entry
