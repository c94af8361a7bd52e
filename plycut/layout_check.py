"""How each sheet was meant to be cut, kept in layout.json so `plycut check --layout` can back-plot later.

The sparrow format holds the parts' outlines and where they lie; plycut adds,
under its own "plycut" key that other tools ignore, what the back-plot also
needs: each part's pockets, drills and lines, the tool, and where the tabs and
bones of each sheet's program are.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shapely import wkt
from shapely.errors import ShapelyError
from shapely.geometry import Polygon

from gcode.verify import CutSpec
from nester.errors import InputError
from nester.layout_json import read_layout_document
from nester.model import Feature, Layout, Operation, Part, Placement, Sheet

KEY = "plycut"


def cut_record(program_name: str, layout: Layout, spec: CutSpec) -> dict:
    return {
        "program": program_name,
        "copies": [p.copy for p in layout.placements],
        "tool_radius": spec.tool_radius,
        "thickness": spec.thickness,
        "overcut": spec.overcut,
        "tabs": [list(t) for t in spec.tabs],
        "tab_reach": spec.tab_reach,
        "bones": [list(b) for b in spec.bones],
    }


def item_records(parts: list[Part]) -> list[dict]:
    return [{"name": part.name, "features": [
        {"operation": f.operation.value, "depth": f.depth, "diameter": f.diameter, "layer": f.layer,
         "wkt": f.geometry.wkt} for f in part.features]} for part in parts]


def add_cut_records(document: dict, parts: list[Part], sheets: list[tuple[str, Layout, CutSpec]]) -> None:
    """Put the "plycut" key in a layout document: item ids are the indexes of `parts`, sheets in order."""
    document[KEY] = {
        "items": item_records(parts),
        "sheets": [cut_record(name, layout, spec) for name, layout, spec in sheets],
    }


def load_layout_check(path: Path, program: str) -> tuple[Layout, CutSpec]:
    """The layout and cut of the sheet whose program is named `program`, from a plycut layout.json."""
    source = str(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{source}: cannot read ({exc.strerror or exc})") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{source}: not JSON (line {exc.lineno}: {exc.msg})") from None
    extension = _get(document, KEY, source, "document")
    records = _get(extension, "sheets", source, KEY)
    names = [r.get("program") if isinstance(r, dict) else None for r in records] if isinstance(records, list) else []
    if program not in names:
        raise InputError(f"{source}: no sheet with the program '{program}' (it has {', '.join(map(str, names))})")
    index = names.index(program)
    record = records[index]
    where = f"{KEY}.sheets[{index}]"
    spec = CutSpec(
        tool_radius=float(_get(record, "tool_radius", source, where)),
        thickness=float(_get(record, "thickness", source, where)),
        overcut=float(_get(record, "overcut", source, where)),
        tabs=tuple((float(x), float(y)) for x, y in _get(record, "tabs", source, where)),
        tab_reach=float(_get(record, "tab_reach", source, where)),
        bones=tuple((float(x), float(y)) for x, y in _get(record, "bones", source, where)),
    )
    instance = _get(document, "instance", source, "document")
    items = _get(instance, "items", source, "instance")
    bins = _get(instance, "bins", source, "instance")
    extras = _get(extension, "items", source, KEY)
    if not isinstance(extras, list) or len(extras) != len(items):
        raise InputError(f"{source}: {KEY}.items: expected one entry per instance item")
    parts = [_part(item, extra, source, k) for k, (item, extra) in enumerate(zip(items, extras))]
    container, placed = read_layout_document(document, source=source)[index]
    outline = _get(_get(bins[container], "shape", source, f"instance.bins[{container}]"), "data", source, "shape")
    width = max(x for x, _ in outline)
    height = max(y for _, y in outline)
    sheet = Sheet(width, height, spec.thickness, margin=0.0)
    copies = _get(record, "copies", source, where)
    if not isinstance(copies, list) or len(copies) != len(placed):
        raise InputError(f"{source}: {where}.copies: expected one copy number per placed item")
    placements = []
    for (item_id, rotation, translation), copy in zip(placed, copies):
        if not 0 <= item_id < len(parts):
            raise InputError(f"{source}: sheet '{program}': item {item_id} is not in instance.items")
        placements.append(Placement(parts[item_id], rotation, translation, copy=int(copy)))
    return Layout(sheet, tuple(placements)), spec


def _part(item: dict, extra: dict, source: str, index: int) -> Part:
    where = f"instance.items[{index}]"
    shape = _get(_get(item, "shape", source, where), "data", source, f"{where}.shape")
    outline = Polygon(_get(shape, "outer", source, f"{where}.shape.data"), shape.get("inner", []))
    read = []
    for k, record in enumerate(_get(extra, "features", source, f"{KEY}.items[{index}]")):
        try:
            geometry = wkt.loads(record["wkt"])
            read.append(Feature(Operation(record["operation"]), geometry, record.get("depth"), record.get("diameter"),
                                record.get("layer", "")))
        except (KeyError, ValueError, TypeError, ShapelyError) as exc:
            raise InputError(f"{source}: {KEY}.items[{index}].features[{k}]: not a feature ({exc})") from None
    name = str(_get(extra, "name", source, f"{KEY}.items[{index}]"))
    return Part(name, outline, tuple(read), quantity=int(item.get("demand", 1)))


def _get(container: Any, key: str, source: str, where: str) -> Any:
    if not isinstance(container, dict) or key not in container:
        raise InputError(f"{source}: {where}: missing '{key}' (is this a plycut layout.json?)")
    return container[key]
