"""Solutions in sparrow's output format: written from a Solution, and read back (to check or warm-start).

Strip packing::

    {"instance": <instance>, "solution": {"strip_width": L, "layout": {"container_id": 0,
     "placed_items": [{"item_id": k, "transformation": {"rotation": deg, "translation": [x, y]}}],
     "density": d}, "density": d, "run_time_sec": s}}

Bin packing: ``"layouts": [...]`` (one per used bin, ``container_id`` = the bin's id)
and ``"cost"`` instead of ``strip_width`` and ``layout``.

Units: the instance is the Problem's document, in millimetres (a PackingSolver file
in inches is written converted), so translations are millimetres too and a round
trip is exact. ``run_time_sec`` is whole seconds, as jagua-rs reads it. Copies the
engine could not place are listed under ``"unplaced"`` ([{"item_id", "count"}]), a
key sparrow ignores. sparrow itself writes the instance's keys at the top level
beside ``"solution"`` (``flat=True`` writes that form, which sparrow can
warm-start from); :func:`read_solution` reads both.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nester.errors import InputError
from nester.files import write_atomic
from nester.json_fields import field, listed, number
from nester.formats.jagua_json import instance_document, read_jagua
from nester.layout_json import read_layout_document
from nester.problem import BinLayout, PlacedItem, Problem, Solution


def solution_document(solution: Solution, *, flat: bool = False) -> dict:
    """The sparrow-format document of a solution, with its instance."""
    problem = solution.problem
    instance = problem.document if problem.document is not None else instance_document(problem)
    item_ids, bin_ids = _file_ids(instance, "items"), _file_ids(instance, "bins")
    layouts = [
        {
            "container_id": 0 if problem.is_strip else bin_ids[layout.container_id],
            "placed_items": [
                {"item_id": item_ids[p.item_id],
                 "transformation": {"rotation": p.rotation, "translation": [p.translation[0], p.translation[1]]}}
                for p in layout.placed
            ],
            "density": solution.layout_density(layout),
        }
        for layout in solution.layouts
    ]
    body: dict[str, Any] = {}
    if problem.is_strip and len(layouts) > 1:
        raise ValueError(f"a strip-packing solution has one layout, this one has {len(layouts)}")
    if problem.is_strip:
        body["strip_width"] = solution.strip_length
        body["layout"] = layouts[0] if layouts else {"container_id": 0, "placed_items": [], "density": 0.0}
    else:
        body["cost"] = solution.cost
        body["layouts"] = layouts
    body["density"] = solution.density
    body["run_time_sec"] = round(solution.run_time_s)
    unplaced = [{"item_id": item_ids[k], "count": n} for k, n in sorted(solution.unplaced.items()) if n > 0]
    if unplaced:
        body["unplaced"] = unplaced
    return {**instance, "solution": body} if flat else {"instance": instance, "solution": body}


def write_solution(path: str | Path, solution: Solution, *, flat: bool = False) -> None:
    """Write :func:`solution_document` atomically (a crash never leaves half a file)."""
    write_atomic(Path(path), json.dumps(solution_document(solution, flat=flat), indent=1) + "\n")


def read_solution(path_or_doc: str | Path | dict, problem: Problem | None = None) -> Solution:
    """The Solution in a sparrow-format document (a path or the parsed JSON).

    ``problem``: the instance the solution is for; by default the one the document
    holds. Item and bin ids are the file's ids, mapped to the problem's positions.
    """
    source, doc = _load(path_or_doc)
    instance = doc["instance"] if isinstance(doc.get("instance"), dict) else doc
    if problem is None:
        problem = read_jagua(instance, source)
    ids_from = problem.document if problem.document is not None else instance
    item_index = {file_id: k for k, file_id in _file_ids(ids_from, "items").items()}
    bin_index = {file_id: k for k, file_id in _file_ids(ids_from, "bins").items()}
    body = field(doc, "solution", source, "document")
    strip_length = None
    layouts_body = body
    if problem.is_strip:
        strip_length = number(field(body, "strip_width", source, "solution"), source, "solution.strip_width")
        layouts_body = {"layouts": [field(body, "layout", source, "solution")]}
    elif "layouts" not in body:
        raise InputError(f"{source}: solution: missing key 'layouts' (a bin-packing solution)")
    layouts = []
    for k, (container, placed) in enumerate(read_layout_document({"solution": layouts_body}, source=source)):
        if not problem.is_strip and container not in bin_index:
            raise InputError(f"{source}: solution.layouts[{k}].container_id: no bin has id {container}")
        placed_items = []
        for item_id, rotation, translation in placed:
            if item_id not in item_index:
                raise InputError(f"{source}: solution.layouts[{k}]: no item has id {item_id}")
            placed_items.append(PlacedItem(item_index[item_id], rotation, translation))
        layouts.append(BinLayout(0 if problem.is_strip else bin_index[container], tuple(placed_items)))
    return Solution(problem=problem, layouts=tuple(layouts), strip_length=strip_length,
                    unplaced=_unplaced(body, item_index, source),
                    run_time_s=float(number(body.get("run_time_sec", 0), source, "solution.run_time_sec")))


def _load(path_or_doc: str | Path | dict) -> tuple[str, dict]:
    if isinstance(path_or_doc, dict):
        return "solution", path_or_doc
    path = Path(path_or_doc)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror or error}") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: not a JSON file: {error}") from error
    if not isinstance(doc, dict):
        raise InputError(f"{path}: expected a JSON object")
    return str(path), doc


def _file_ids(instance: dict, key: str) -> dict[int, Any]:
    """Position in the Problem -> id in the file, as the jagua reader ordered them."""
    entries = instance.get(key) or []
    ids = [entry["id"] for entry in entries]
    if sorted(ids) == list(range(len(ids))):
        return {i: i for i in ids}
    return dict(enumerate(ids))


def _unplaced(body: dict, item_index: dict, source: str) -> dict[int, int]:
    unplaced: dict[int, int] = {}
    for k, entry in enumerate(listed(body.get("unplaced", []), source, "solution.unplaced")):
        where = f"solution.unplaced[{k}]"
        item_id = number(field(entry, "item_id", source, where), source, f"{where}.item_id", int)
        if item_id not in item_index:
            raise InputError(f"{source}: {where}: no item has id {item_id}")
        unplaced[item_index[item_id]] = number(field(entry, "count", source, where), source, f"{where}.count", int)
    return unplaced
