"""Orders to estimate: furniture from the catalog or from plan files, with quantities and rates.

An order comes from an ORDER.toml file (README, "Estimating an order"), from ``--item
NAME=QUANTITY`` options, or from plan files named on the command line. Everything is
checked here, before any nesting: unknown items and dimensions, quantities below 1,
bad keys, each named with its file and key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from nester.catalog.registry import FitParameters, design
from nester.errors import InputError
from nester.thickness import FITS
from plycut.costs import CostSettings
from plycut.job import DEFAULT_MACHINE, DEFAULT_PROFILE, UNITS, NestOptions, PlanSpec
from plycut.toml_reader import TableReader, load_toml

DEFAULT_TIME_LIMIT = 2.0  # seconds of nesting per material: estimates answer quickly
DEFAULT_MIN_OFFCUT = (200.0, 200.0)  # mm: CutOptim's default threshold for a sheet offcut to keep


@dataclass(frozen=True)
class OrderItem:
    """One line of an order: ``quantity`` units of a catalog design or of one's own plans.

    label: unique within the order, prefixes its part names; plans: per unit (PlanSpec
    quantities and production lists are for one unit); profile/thickness: None takes the
    order's."""

    label: str
    quantity: int
    design: str | None = None
    dimensions: tuple[tuple[str, float], ...] = ()
    plans: tuple[PlanSpec, ...] = ()
    profile: str | None = None
    thickness: float | None = None
    where: str = ""


@dataclass(frozen=True)
class Order:
    """thickness: measured, of the order's profile; clearance: the catalog designs' fit
    clearance (mm added to every slot); sheet: (width, height) or None for the profile's."""

    name: str
    items: tuple[OrderItem, ...]
    machine: str = DEFAULT_MACHINE
    profile: str = DEFAULT_PROFILE
    tool: str | None = None
    thickness: float | None = None
    clearance: float = FitParameters().clearance
    sheet: tuple[float, float] | None = None
    margin: float = 10.0
    costs: CostSettings = CostSettings()
    nest: NestOptions = NestOptions(time_limit=DEFAULT_TIME_LIMIT)
    min_offcut: tuple[float, float] = DEFAULT_MIN_OFFCUT
    source: str = "command line"
    plans_nominal_thickness: float | None = None  # imported plans drawn for this: slots resized
    fit: str = "normal"

    @property
    def units(self) -> int:
        return sum(item.quantity for item in self.items)


def catalog_item(name: str, quantity: int, *, where: str, dimensions: dict[str, float] | None = None,
                 profile: str | None = None, thickness: float | None = None, label: str | None = None) -> OrderItem:
    """A catalog design checked now: known name and dimensions, quantity of at least 1."""
    known = design(name, where=where)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise InputError(f"{where}: quantity of {name!r} must be a whole number of at least 1, got {quantity!r}")
    given = dict(dimensions or {})
    for key, value in given.items():
        if key not in known.dimensions:
            raise InputError(f"{where}: {name}: unknown dimension {key!r}; known: "
                             f"{', '.join(sorted(known.dimensions)) or 'none'}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise InputError(f"{where}: {name}: dimension {key!r} must be a number above 0 (mm), got {value!r}")
    return OrderItem(label=label or name, quantity=quantity, design=name,
                     dimensions=tuple(sorted((k, float(v)) for k, v in given.items())),
                     profile=profile, thickness=thickness, where=where)


def parse_item_option(text: str) -> OrderItem:
    """``--item chariot=12``."""
    match = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*=\s*(-?\d+)\s*", text)
    if not match:
        raise InputError(f"--item '{text}': expected NAME=QUANTITY, e.g. chariot=12")
    return catalog_item(match[1], int(match[2]), where=f"--item '{text}'")


def plan_item(files: list[Path], quantity: int, *, units: str | None = None, production: Path | None = None,
              label: str | None = None, where: str = "command line") -> OrderItem:
    """Plan files (DXF, SVG) as one item: ``quantity`` units of every part they hold."""
    if quantity < 1:
        raise InputError(f"{where}: quantity must be at least 1, got {quantity}")
    if units is not None and units not in UNITS:
        raise InputError(f"{where}: units '{units}': expected one of {', '.join(UNITS)}")
    plans = tuple(PlanSpec(file=f, quantity=1, units=units, production=production) for f in files)
    name = label or (files[0].stem if len(files) == 1 else "plans")
    return OrderItem(label=name, quantity=quantity, plans=plans, where=where)


def unique_labels(items: list[OrderItem]) -> tuple[OrderItem, ...]:
    """stool, stool-2, ...: every item's parts are told apart by its label."""
    seen: dict[str, int] = {}
    out = []
    for item in items:
        count = seen.get(item.label, 0) + 1
        seen[item.label] = count
        out.append(item if count == 1 else replace(item, label=f"{item.label}-{count}"))
    return tuple(out)


def _resolved(name: str, folder: Path) -> str:
    """Machine and profile paths in an order file are relative to it."""
    return str(folder / name) if name.lower().endswith(".toml") else name


def _item(table: TableReader, folder: Path, index: int) -> OrderItem:
    where = f"{table.file}: items[{index}]"
    has_design, has_plan = table.has("item"), table.has("plan")
    if has_design == has_plan:
        raise InputError(f"{where}: give either item (a catalog design) or plan (your own files)")
    quantity = table.integer("quantity", minimum=1)
    profile = table.string("profile", None)
    profile = _resolved(profile, folder) if profile else None
    thickness = table.number("thickness", None, positive=True)
    if has_design:
        dims = table.table("dimensions")
        dimensions = {key: dims.raw(key) for key in dims.keys()}
        item = catalog_item(table.string("item"), quantity, where=f"{table.file}: key 'items[{index}].item'",
                            dimensions=dimensions, profile=profile, thickness=thickness,
                            label=table.string("name", None))
    else:
        production = table.string("production", None)
        item = plan_item([folder / table.string("plan")], quantity, units=table.string("units", None, choices=UNITS),
                         production=folder / production if production else None,
                         label=table.string("name", None), where=where)
        grain = table.boolean("grain", False)
        item = replace(item, profile=profile, thickness=thickness,
                       plans=tuple(replace(p, grain=grain) for p in item.plans))
    table.done()
    return item


def _costs(table: TableReader) -> CostSettings:
    d = CostSettings()
    prices = table.table("sheet_prices")
    costs = CostSettings(
        machine_rate=table.number("machine_rate", d.machine_rate, minimum=0.0),
        operator_rate=table.number("operator_rate", d.operator_rate, minimum=0.0),
        operator_share=table.number("operator_share", d.operator_share, minimum=0.0),
        setup_minutes_per_sheet=table.number("setup_minutes_per_sheet", d.setup_minutes_per_sheet, minimum=0.0),
        job_fee=table.number("job_fee", d.job_fee, minimum=0.0),
        sheet_price=table.number("sheet_price", None, minimum=0.0),
        sheet_prices=tuple((name, prices.number(name, minimum=0.0)) for name in prices.keys()),
    )
    prices.done()
    table.done()
    return costs


def _nest(table: TableReader) -> NestOptions:
    options = NestOptions(time_limit=table.number("time_limit", DEFAULT_TIME_LIMIT, minimum=0.0),
                          seed=table.integer("seed", 0, minimum=0), workers=table.integer("workers", 1, minimum=1))
    table.done()
    return options


def read_order_file(path: Path, *, items_required: bool = True) -> Order:
    """Parse an ORDER.toml; paths inside it are relative to the file. Without
    ``items_required`` (campaign settings) it may hold no [[items]]."""
    top = TableReader(load_toml(path), path)
    folder = path.parent
    items = unique_labels([_item(t, folder, k) for k, t in enumerate(top.tables("items"))])
    if items_required and not items:
        raise InputError(f"{path}: no [[items]] to estimate")
    sheet = top.numbers("sheet", None, length=2)
    if sheet is not None and min(sheet) <= 0:
        raise top.error("sheet", f"expected [width, height] in mm above 0, got {list(sheet)}")
    offcut = top.numbers("min_offcut", DEFAULT_MIN_OFFCUT, length=2)
    if min(offcut) < 0:
        raise top.error("min_offcut", f"expected [width, height] in mm, at least 0, got {list(offcut)}")
    order = Order(
        name=top.string("name", path.stem),
        items=items,
        machine=_resolved(top.string("machine", DEFAULT_MACHINE), folder),
        profile=_resolved(top.string("profile", DEFAULT_PROFILE), folder),
        tool=top.string("tool", None),
        thickness=top.number("thickness", None, positive=True),
        clearance=top.number("clearance", FitParameters().clearance, minimum=0.0),
        sheet=sheet,
        margin=top.number("margin", 10.0, minimum=0.0),
        costs=_costs(top.table("costs")),
        nest=_nest(top.table("nest")),
        min_offcut=offcut,
        source=str(path),
        plans_nominal_thickness=top.number("nominal_thickness", None, positive=True),
        fit=top.string("fit", "normal", choices=FITS),
    )
    if order.plans_nominal_thickness is not None and order.thickness is None:
        raise top.error("nominal_thickness", "goes with thickness (the sheets' measured thickness)")
    top.done()
    return order
