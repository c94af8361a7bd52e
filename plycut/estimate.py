"""Estimate an order by really making it: nest, toolpaths, programs, read back, timed.

Items are grouped by material and measured thickness; each group is one job through
the pipeline (``run_job``), so sheets, yield, cut length and machine time are those of
the programs a shop would run. Nothing is written here: the caller gets the figures
(a JSON-ready document) and the sheet previews, and writes them once all is done.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from nester.catalog.registry import FitParameters, write_design_plan
from nester.errors import InputError
from nester.model import Layout, Part
from nester.preview import Overlay, sheet_svg
from nester.thickness import ThicknessSpec
from plycut import __version__
from plycut.config import MaterialProfile, load_profile
from plycut.costs import group_costs, operator_hours, order_costs
from plycut.estimate_order import Order, OrderItem
from plycut.job import Job, JobSpec, PlanSpec, SheetSpec, build_job
from plycut.offcuts import area, kept_offcut
from plycut.pipeline import RunResult, run_job

THICKNESS_SPREAD = 0.25  # a measured thickness this far from the profile's nominal is a typo or the wrong profile
OFFCUT_STYLE = "fill: #2ecc71; fill-opacity: 0.25; stroke: #1e8449; stroke-width: 4; stroke-dasharray: 24 12"
M2 = 1e6  # mm2 per m2


@dataclass(frozen=True)
class SheetPreview:
    material: str  # the group's title, e.g. "birch-plywood-18mm, 17.6 mm"
    index: int
    svg: str


@dataclass(frozen=True)
class OrderEstimate:
    document: dict  # everything estimate.json holds
    previews: tuple[SheetPreview, ...] = ()


@dataclass(frozen=True)
class _Group:
    profile_name: str  # as the order names it: built-in name or .toml path
    profile: MaterialProfile
    thickness: float
    items: tuple[OrderItem, ...]

    @property
    def title(self) -> str:
        return f"{self.profile.id}, {self.thickness:g} mm"


def estimate_order(order: Order, *, previews: bool = True, progress: Callable[[str], None] | None = None
                   ) -> OrderEstimate:
    """The figures of ``order``, per material and in total; InputError for bad input."""
    if not order.items:
        raise InputError(f"{order.source}: nothing to estimate (no items)")
    materials, items, areas, drawings = [], [], [], []
    for group in _groups(order):
        if progress:
            progress(group.title)
        job = _group_job(order, group)
        result = run_job(job)
        material, area_pair = _material(order, group, job, result)
        materials.append(material)
        areas.append(area_pair)
        items += _item_figures(order, group, job.parts, material["costs_eur"])
        if previews:
            drawings += _previews(group, job, result, order.min_offcut)
    return OrderEstimate(_document(order, materials, items, areas), tuple(drawings))


def _groups(order: Order) -> list[_Group]:
    """Items by (profile, measured thickness), in order of first appearance."""
    keyed: dict[tuple[str, float], list[OrderItem]] = {}
    profiles: dict[str, MaterialProfile] = {}
    for item in order.items:
        name = item.profile or order.profile
        if name not in profiles:
            profiles[name] = load_profile(name)
        profile = profiles[name]
        thickness = item.thickness
        if thickness is None:
            thickness = order.thickness if name == order.profile and order.thickness else profile.thickness
        if abs(thickness - profile.thickness) > THICKNESS_SPREAD * profile.thickness:
            raise InputError(f"{item.where or order.source}: measured thickness {thickness:g} mm is far from the "
                             f"{profile.thickness:g} mm of profile '{profile.id}' (more than "
                             f"{THICKNESS_SPREAD:.0%}): choose a profile of that thickness")
        keyed.setdefault((name, thickness), []).append(item)
    return [_Group(name, profiles[name], thickness, tuple(items)) for (name, thickness), items in keyed.items()]


def _group_job(order: Order, group: _Group) -> Job:
    """One job for every item of the group; each item's parts named ``label:part``."""
    parts: list[Part] = []
    warnings: list[str] = []
    first: Job | None = None
    tool = group.profile.recipe(order.tool).tool
    fit = FitParameters(thickness=group.thickness, clearance=order.clearance, tool_diameter=tool.diameter)
    with tempfile.TemporaryDirectory(prefix="plycut-estimate-") as folder:
        for item in group.items:
            job = _item_job(order, group, item, fit, Path(folder))
            first = first or job
            parts += [replace(p, name=f"{item.label}:{p.name}", source=_source(item, p)) for p in job.parts]
            warnings += [w.replace(folder + "/", "") for w in job.warnings]
    assert first is not None
    return replace(first, name=f"{order.name} {group.title}", parts=tuple(parts), warnings=tuple(warnings))


def _source(item: OrderItem, part: Part) -> str:
    return f"catalog:{item.design}" if item.design else part.source


def _item_job(order: Order, group: _Group, item: OrderItem, fit: FitParameters, folder: Path) -> Job:
    plans = item.plans
    if item.design:
        plan = folder / f"{item.label}.dxf"
        _draw(item, plan, fit)
        plans = (PlanSpec(file=plan),)
    width, height = order.sheet or (None, None)
    price = order.costs.price_of_sheet(group.profile_name, order.profile, group.profile.sheet_cost)
    # Imported plans drawn for another thickness get their slots resized (catalog designs
    # are drawn for the measured sheet already).
    adapt = (ThicknessSpec(order.plans_nominal_thickness, group.thickness, order.fit)
             if order.plans_nominal_thickness is not None and not item.design else None)
    spec = JobSpec(name=item.label, plans=plans, machine=order.machine, profile=group.profile_name,
                   tool=order.tool, copies=item.quantity, nest=order.nest, thickness=adapt,
                   sheets=(SheetSpec(width=width, height=height, thickness=group.thickness, margin=order.margin,
                                     cost=price),))
    try:
        return build_job(spec)
    except InputError as exc:
        if not item.design:
            raise
        raise InputError(f"{item.where}: {item.design} drawn for {group.thickness:g} mm: "
                         f"{str(exc).replace(str(folder) + '/', '')}") from None


def _draw(item: OrderItem, path: Path, fit: FitParameters) -> None:
    """The design's plan for this fit; a design that cannot be drawn is bad input, in one line."""
    try:
        write_design_plan(item.design, path, fit, dict(item.dimensions), where=item.where)
    except InputError as exc:
        message = str(exc).replace(str(path.parent) + "/", "")
        raise InputError(message if message.startswith(item.where) else f"{item.where}: {message}") from None
    except Exception as exc:  # the design's own geometry broke on these parameters
        raise InputError(f"{item.where}: {item.design} cannot be drawn for a {fit.thickness:g} mm sheet with "
                         f"{fit.clearance:g} mm clearance{_dims(item)}: {type(exc).__name__}: {exc}") from None


def _dims(item: OrderItem) -> str:
    return "".join(f", {k} {v:g} mm" for k, v in item.dimensions)


def _layout_area(layout: Layout) -> float:
    return sum(p.part.area for p in layout.placements)


def _material(order: Order, group: _Group, job: Job, result: RunResult) -> tuple[dict, tuple[float, float]]:
    """The figures of one material, and its parts and sheet areas (mm2) unrounded."""
    if result.nest.unplaced:
        part, count = result.nest.unplaced[0]
        raise InputError(f"{order.source}: {count} x {part.name} could not be placed on "
                         f"{job.stock[0].label()} sheets")
    sheets = []
    for output, summary in zip(result.sheets, result.summary["sheets"]):
        offcut = kept_offcut(output.layout, job.spacing, order.min_offcut)
        sheets.append({
            "index": output.index, "stock": output.layout.sheet.label(), "parts": summary["parts"],
            "yield": summary["yield"], "cut_length_m": round(summary["cut_length_mm"] / 1000.0, 2),
            "machine_time_s": summary["machine_time_s"],
            "offcut_mm": [round(v, 1) for v in offcut] if offcut else None,
            "offcut_m2": round(area(offcut) / M2, 3),
        })
    sheet_area = sum(o.layout.sheet.area for o in result.sheets)
    parts_area = sum(_layout_area(o.layout) for o in result.sheets)
    offcut_area = sum(s["offcut_m2"] for s in sheets) * M2
    totals = result.summary["totals"]
    machine_h = totals["machine_time_s"] / 3600.0
    price = job.stock[0].cost
    stock = job.stock[0]
    usable = (stock.width - 2 * stock.margin) * (stock.height - 2 * stock.margin)
    figures = {
        "material": group.title,
        "profile": group.profile.id,
        "name": group.profile.name,
        "thickness_mm": group.thickness,
        "nominal_thickness_mm": group.profile.thickness,
        "sheet": f"{job.stock[0].width:g}x{job.stock[0].height:g}",
        "sheet_price_eur": price,
        "tool": job.tool.id,
        "items": [item.label for item in group.items],
        "sheets": len(sheets),
        "sheets_lower_bound": math.ceil(parts_area / usable - 1e-9),
        "parts": totals["parts_placed"],
        "yield": round(parts_area / sheet_area, 4) if sheet_area else 0.0,
        "parts_area_m2": round(parts_area / M2, 3),
        "sheet_area_m2": round(sheet_area / M2, 3),
        "offcuts_kept": sum(1 for s in sheets if s["offcut_mm"]),
        "offcut_area_m2": round(offcut_area / M2, 3),
        "waste_area_m2": round((sheet_area - parts_area - offcut_area) / M2, 3),
        "cut_length_m": totals["cut_length_m"],
        "contour_length_m": round(sum(_contour(p) * p.quantity for p in job.parts) / 1000.0, 2),
        "machine_time_s": totals["machine_time_s"],
        "machine_time_h": round(machine_h, 3),
        "operator_time_h": round(operator_hours(order.costs, machine_h, len(sheets)), 3),
        "costs_eur": group_costs(order.costs, sheets=len(sheets), sheet_price=price, machine_h=machine_h),
        "sheet_details": sheets,
        "warnings": result.summary["warnings"],
    }
    return figures, (parts_area, sheet_area)


def _contour(part: Part) -> float:
    """Outline and holes: what the router goes round, a proxy for an item's share of the cutting."""
    return part.outline.length


def _item_figures(order: Order, group: _Group, parts: tuple[Part, ...], costs: dict) -> list[dict]:
    """Each item's parts per unit and its share of the group's costs: sheets by part area,
    machine and operator time by contour length, the job fee by units."""
    group_area = sum(p.area * p.quantity for p in parts) or 1.0
    group_contour = sum(_contour(p) * p.quantity for p in parts) or 1.0
    out = []
    for item in group.items:
        prefix = item.label + ":"
        mine = [p for p in parts if p.name.startswith(prefix)]
        area_share = sum(p.area * p.quantity for p in mine) / group_area
        contour_share = sum(_contour(p) * p.quantity for p in mine) / group_contour
        fee = order.costs.job_fee * item.quantity / order.units
        cost = costs["material"] * area_share + (costs["machine"] + costs["operator"]) * contour_share + fee
        out.append({
            "item": item.label,
            "design": item.design,
            "plans": [str(p.file) for p in item.plans],
            "quantity": item.quantity,
            "material": group.title,
            "dimensions_mm": dict(item.dimensions),
            "parts_per_unit": [_part_per_unit(p, prefix, item.quantity) for p in mine],
            "area_share": round(area_share, 4),
            "cut_share": round(contour_share, 4),
            "cost_eur": round(cost, 2),
            "cost_per_unit_eur": round(cost / item.quantity, 2),
        })
    return out


def _part_per_unit(part: Part, prefix: str, units: int) -> dict:
    x0, y0, x1, y1 = part.outline.bounds
    return {"part": part.name[len(prefix):], "count": part.quantity // units, "width_mm": round(x1 - x0, 1),
            "height_mm": round(y1 - y0, 1), "area_m2": round(part.area / M2, 4)}


def _document(order: Order, materials: list[dict], items: list[dict], areas: list[tuple[float, float]]) -> dict:
    costs = order_costs([m["costs_eur"] for m in materials], order.costs.job_fee)
    parts_area = sum(a[0] for a in areas) / M2
    sheet_area = sum(a[1] for a in areas) / M2
    units = order.units
    return {
        "plycut": __version__,
        "order": order.name,
        "source": order.source,
        "machine": order.machine,
        "settings": {
            "costs": order.costs.as_dict(), "clearance_mm": order.clearance,
            "min_offcut_mm": list(order.min_offcut), "nest_time_limit_s": order.nest.time_limit,
            "nest_seed": order.nest.seed,
        },
        "materials": materials,
        "items": items,
        "totals": {
            "units": units,
            "sheets": sum(m["sheets"] for m in materials),
            "sheets_lower_bound": sum(m["sheets_lower_bound"] for m in materials),
            "parts": sum(m["parts"] for m in materials),
            "yield": round(parts_area / sheet_area, 4) if sheet_area else 0.0,
            "parts_area_m2": round(parts_area, 3),
            "sheet_area_m2": round(sheet_area, 3),
            "offcut_area_m2": round(sum(m["offcut_area_m2"] for m in materials), 3),
            "waste_area_m2": round(sum(m["waste_area_m2"] for m in materials), 3),
            "cut_length_m": round(sum(m["cut_length_m"] for m in materials), 2),
            "machine_time_h": round(sum(m["machine_time_s"] for m in materials) / 3600.0, 3),
            "operator_time_h": round(sum(m["operator_time_h"] for m in materials), 3),
            "costs_eur": costs,
            "cost_per_unit_eur": round(costs["total"] / units, 2) if units else 0.0,
        },
    }


def _previews(group: _Group, job: Job, result: RunResult, minimum: tuple[float, float]) -> list[SheetPreview]:
    """Each sheet as the pipeline's preview draws it (parts, labels, features), without the
    toolpaths (they would make the report ten times larger), with the kept offcut shaded."""
    drawings = []
    for output in result.sheets:
        offcut = kept_offcut(output.layout, job.spacing, minimum)
        overlays = []
        if offcut:
            x0, y0, x1, y1 = offcut
            overlays.append(Overlay("offcut", [[(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]],
                                    style=OFFCUT_STYLE))
        title = f"{group.title} - sheet {output.index} - {len(output.layout.placements)} parts"
        drawings.append(SheetPreview(group.title, output.index, sheet_svg(output.layout, overlays=overlays,
                                                                          title=title)))
    return drawings
