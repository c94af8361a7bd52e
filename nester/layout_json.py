"""layout.json: a nest in the jagua-rs/sparrow solution format, for their tools and viewers.

The document holds the instance (bins = stock sheets, items = parts with their
outlines) and the solution (one layout per sheet, each placed item as a rotation
about the origin then a translation -- the convention of nester.model, so the
numbers are written as they are).
"""

from __future__ import annotations

from typing import Any, Sequence

from shapely.geometry import Polygon

from nester.errors import InputError
from nester.json_fields import field as _field  # shared with nester.formats
from nester.json_fields import number as _number
from nester.model import NestResult, Part, Sheet

PlacedItem = tuple[int, float, tuple[float, float]]  # item id, rotation (degrees), translation


def layout_document(
    result: NestResult, parts: Sequence[Part], *, name: str, stock: Sequence[Sheet] = ()
) -> dict:
    """The sparrow-format document of a nest: {"instance": ..., "solution": ...}.

    Items are the parts (id = index in ``parts``). Bins are the ``stock`` sheets
    (id = index in ``stock``); without a stock list, the distinct sheets the
    layouts use, in order of first use. A bin's stock is its quantity, or the
    number of sheets used when unlimited. Densities are fractions of the full
    sheet area.
    """
    bins = list(stock) or _distinct_sheets(result)
    sheets_used = [sum(layout.sheet == sheet for layout in result.layouts) for sheet in bins]
    item_ids = {part: index for index, part in enumerate(parts)}
    layouts = []
    for number, layout in enumerate(result.layouts, start=1):
        if layout.sheet not in bins:
            raise ValueError(f"sheet {number} ({layout.sheet.label()}) is not in the stock list")
        placed_items = []
        for placement in layout.placements:
            if placement.part not in item_ids:
                raise ValueError(f"sheet {number}: {placement.label()!r} is not in the parts list")
            placed_items.append(
                {
                    "item_id": item_ids[placement.part],
                    "transformation": {
                        "rotation": placement.rotation,
                        "translation": [placement.translation[0], placement.translation[1]],
                    },
                }
            )
        layouts.append(
            {"container_id": bins.index(layout.sheet), "placed_items": placed_items, "density": layout.density}
        )
    return {
        "instance": {
            "name": name,
            "bins": [_bin(index, sheet, used) for index, (sheet, used) in enumerate(zip(bins, sheets_used))],
            "items": [_item(index, part) for index, part in enumerate(parts)],
        },
        "solution": {"layouts": layouts, "density": result.density, "run_time_sec": result.run_time_s},
    }


def read_layout_document(doc: Any, *, source: str = "layout.json") -> list[tuple[int, list[PlacedItem]]]:
    """The layouts of a sparrow-format document: (container id, [(item id, rotation, translation)]).

    Raises InputError naming ``source`` and the first missing or malformed key.
    """
    layouts = _field(_field(doc, "solution", source, "document"), "layouts", source, "solution")
    if not isinstance(layouts, list):
        raise InputError(f"{source}: solution.layouts: expected a list")
    read = []
    for k, layout in enumerate(layouts):
        where = f"solution.layouts[{k}]"
        container = _number(_field(layout, "container_id", source, where), source, f"{where}.container_id", int)
        placed_items = _field(layout, "placed_items", source, where)
        if not isinstance(placed_items, list):
            raise InputError(f"{source}: {where}.placed_items: expected a list")
        items = []
        for i, placed in enumerate(placed_items):
            at = f"{where}.placed_items[{i}]"
            item_id = _number(_field(placed, "item_id", source, at), source, f"{at}.item_id", int)
            transformation = _field(placed, "transformation", source, at)
            at = f"{at}.transformation"
            rotation = _number(_field(transformation, "rotation", source, at), source, f"{at}.rotation", float)
            translation = _field(transformation, "translation", source, at)
            if not (isinstance(translation, list) and len(translation) == 2):
                raise InputError(f"{source}: {at}.translation: expected [x, y]")
            x, y = (_number(v, source, f"{at}.translation", float) for v in translation)
            items.append((item_id, rotation, (x, y)))
        read.append((container, items))
    return read


def _distinct_sheets(result: NestResult) -> list[Sheet]:
    sheets: list[Sheet] = []
    for layout in result.layouts:
        if layout.sheet not in sheets:
            sheets.append(layout.sheet)
    return sheets


def _bin(index: int, sheet: Sheet, used: int) -> dict:
    w, h = float(sheet.width), float(sheet.height)
    return {
        "id": index,
        "stock": sheet.quantity if sheet.quantity is not None else used,
        "cost": sheet.cost,
        "shape": {"type": "simple_polygon", "data": [[0.0, 0.0], [w, 0.0], [w, h], [0.0, h]]},
    }


def _item(index: int, part: Part) -> dict:
    item: dict[str, Any] = {"id": index, "demand": part.quantity}
    allowed = part.allowed_rotations()
    if allowed is not None:
        item["allowed_orientations"] = list(allowed)
    item["shape"] = {"type": "polygon", "data": _polygon_data(part.outline)}
    return item


def _polygon_data(polygon: Polygon) -> dict:
    return {"outer": _ring(polygon.exterior.coords), "inner": [_ring(hole.coords) for hole in polygon.interiors]}


def _ring(coords) -> list[list[float]]:
    points = [[x, y] for x, y, *_ in coords]
    return points[:-1]  # shapely repeats the first point; the format does not
