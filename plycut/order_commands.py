"""`plycut estimate` and `plycut campaign`: options in, report files and a table out.

Registered on the app by plycut.cli; the work is in plycut.estimate and plycut.campaign,
imported when a command runs so that `plycut --help` stays quick.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Optional

import typer
from rich import box
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from nester.errors import InputError
from nester.thickness import ThicknessSpec
from plycut.estimate_order import Order, parse_item_option, plan_item, read_order_file, unique_labels
from plycut.job import DEFAULT_MACHINE, DEFAULT_PROFILE, UNITS


def _cli():
    from plycut import cli  # the app's console and error reporting (cli imports this module)

    return cli


def _hours(h: float) -> str:
    from gcode.estimate import format_duration

    return format_duration(h * 3600.0)


def _overrides(order: Order, *, machine, profile, tool, thickness, clearance, sheet_price, time_limit,
               seed) -> Order:
    given = {"machine": machine, "profile": profile, "tool": tool, "thickness": thickness, "clearance": clearance}
    order = replace(order, **{k: v for k, v in given.items() if v is not None})
    if sheet_price is not None:
        order = replace(order, costs=replace(order.costs, sheet_price=sheet_price))
    nest = {"time_limit": time_limit, "seed": seed}
    return replace(order, nest=replace(order.nest, **{k: v for k, v in nest.items() if v is not None}))


def _with_plan_thickness(order: Order, nominal: float | None, fit: str | None) -> Order:
    """--nominal-thickness (with --measured-thickness) resizes the slots of the plan files."""
    if nominal is None:
        if fit is not None:
            raise InputError("--fit goes with --nominal-thickness and --measured-thickness")
        return order
    _positive(nominal, "--nominal-thickness")
    if order.thickness is None:
        raise InputError("--nominal-thickness needs --measured-thickness (the sheets' measured thickness)")
    ThicknessSpec(nominal, order.thickness, fit or "normal")  # refuses a bad fit or a typing slip now
    return replace(order, plans_nominal_thickness=nominal, fit=fit or "normal")


def _positive(value: float | None, option: str) -> None:
    if value is not None and not value > 0:
        raise InputError(f"{option} {value:g}: must be greater than 0")


def build_order(inputs: list[Path], items: list[str], *, quantity: int, units: str | None,
                production: Path | None) -> Order:
    """An ORDER.toml (plus any --item), or --item options and plan files."""
    extra = [parse_item_option(text) for text in items]
    if len(inputs) == 1 and inputs[0].suffix.lower() == ".toml":
        order = read_order_file(inputs[0])
        return replace(order, items=unique_labels([*order.items, *extra]))
    if any(p.suffix.lower() == ".toml" for p in inputs):
        raise InputError("an order file (.toml) is given alone, not with plan files")
    if units is not None and units not in UNITS:
        raise InputError(f"--units '{units}': expected one of {', '.join(UNITS)}")
    if inputs:
        extra.append(plan_item(list(inputs), quantity, units=units, production=production,
                               where=f"--quantity {quantity}"))
    if not extra:
        raise InputError("nothing to estimate: give an ORDER.toml, --item NAME=QUANTITY or plan files")
    return Order(name=inputs[0].stem if len(inputs) == 1 and not items else "estimate", items=unique_labels(extra))


def estimate(
    inputs: list[Path] = typer.Argument(None, help="An ORDER.toml, or plan files (.dxf, .svg)."),
    out: Path = typer.Option(..., "-o", "--out", help="Report folder: estimate.html, .json, .csv."),
    item: list[str] = typer.Option([], "--item", help="A catalog design and how many: chariot=12 (repeatable)."),
    quantity: int = typer.Option(1, help="Units of the plan files."),
    production: Optional[Path] = typer.Option(None, help="Production list CSV (Label,Quantity) for per-part files."),
    units: Optional[str] = typer.Option(None, help=f"Drawing units when a file does not say: {', '.join(UNITS)}."),
    machine: Optional[str] = typer.Option(None, help=f"Machine name or .toml (default: {DEFAULT_MACHINE})."),
    profile: Optional[str] = typer.Option(None, help=f"Material profile or .toml (default: {DEFAULT_PROFILE})."),
    tool: Optional[str] = typer.Option(None, help="Tool id within the profile (default: its first tool)."),
    measured_thickness: Optional[float] = typer.Option(None, help="The sheets' measured thickness, mm."),
    nominal_thickness: Optional[float] = typer.Option(
        None, help="Thickness the plan files' slots are drawn for, mm: they are resized to the measured one."),
    fit: Optional[str] = typer.Option(None, help="Joint fit of resized slots: tight, normal or loose."),
    clearance: Optional[float] = typer.Option(None, help="Fit clearance of the catalog designs' slots, mm."),
    sheet_price: Optional[float] = typer.Option(None, help="EUR per sheet (default: the profile's)."),
    time_limit: Optional[float] = typer.Option(None, help="Nesting seconds per material (default: 2)."),
    seed: Optional[int] = typer.Option(None, min=0, help="Seed of the nesting search (default: 0)."),
) -> None:
    """Estimate an order: sheets, yield, offcuts, cut length, machine time and costs per material,
    and per unit of furniture, by making (and checking) every program."""
    from plycut.estimate import estimate_order
    from plycut.report_files import ESTIMATE_JSON, estimate_files, write_report_files

    cli = _cli()
    with cli._reported_errors():
        _positive(measured_thickness, "--measured-thickness")
        for value, option in ((clearance, "--clearance"), (sheet_price, "--sheet-price"),
                              (time_limit, "--time-limit")):
            if value is not None and value < 0:
                raise InputError(f"{option} {value:g}: must be at least 0")
        order = build_order(list(inputs or []), item, quantity=quantity, units=units, production=production)
        order = _overrides(order, machine=machine, profile=profile, tool=tool, thickness=measured_thickness,
                           clearance=clearance, sheet_price=sheet_price, time_limit=time_limit, seed=seed)
        order = _with_plan_thickness(order, nominal_thickness, fit)
        with cli.console.status("estimating") as status:
            result = estimate_order(order, progress=lambda title: status.update(f"estimating {title}"))
        written = write_report_files(out, estimate_files(result), ESTIMATE_JSON)
    _print_estimate(cli.console, result.document)
    cli.console.print("wrote " + ", ".join(str(p) for p in written), highlight=False)


def _print_estimate(console, document: dict) -> None:
    for material in document["materials"]:
        for warning in material["warnings"]:
            console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
    table = Table(title=f"Estimate: {document['order']} ({document['machine']})", box=box.SIMPLE_HEAD, pad_edge=False)
    table.caption = "sheets >= their area bound; offcuts kept and waste in m2; EUR excl. VAT"
    for column in ("material", "sheets", "yield", "offcut", "waste", "cut m", "machine", "EUR"):
        table.add_column(column, justify="left" if column == "material" else "right")
    for name, m in [(f"{m['profile']}\n{m['thickness_mm']:g} mm", m) for m in document["materials"]] + [
            ("total", document["totals"])]:
        if name == "total":
            table.add_section()
        table.add_row(name, f"{m['sheets']} >= {m['sheets_lower_bound']}", f"{m['yield']:.1%}",
                      f"{m['offcut_area_m2']:.2f}", f"{m['waste_area_m2']:.2f}", f"{m['cut_length_m']:.1f}",
                      _hours(m["machine_time_h"]), f"{m['costs_eur']['total']:,.2f}")
    console.print(table)
    items = Table(title="Per item (EUR excl. VAT)", box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("item", "units", "material", "cost", "per unit"):
        items.add_column(column, justify="left" if column in ("item", "material") else "right")
    for i in document["items"]:
        items.add_row(i["item"], str(i["quantity"]), i["material"], f"{i['cost_eur']:,.2f}",
                      f"{i['cost_per_unit_eur']:,.2f}")
    console.print(items)
    t = document["totals"]
    console.print(f"{t['units']} unit(s): {t['sheets']} sheet(s), machine {_hours(t['machine_time_h'])}, "
                  f"operator {_hours(t['operator_time_h'])}, "
                  f"{t['costs_eur']['total']:,.2f} EUR, {t['cost_per_unit_eur']:,.2f} EUR per unit "
                  "(estimates, excl. VAT)", highlight=False)


def campaign(
    orders: Path = typer.Argument(..., help="CSV: requester, region, item, quantity, material, fablab."),
    out: Path = typer.Option(..., "-o", "--out", help="Report folder: campaign.html, .json, .csv."),
    settings: Optional[Path] = typer.Option(None, help="An ORDER.toml whose machine, rates, nesting and offcut "
                                            "settings apply to every order (its items are not used)."),
    machine: Optional[str] = typer.Option(None, help=f"Machine name or .toml (default: {DEFAULT_MACHINE})."),
    time_limit: Optional[float] = typer.Option(None, help="Nesting seconds per order (default: 2)."),
    workers: Optional[int] = typer.Option(None, help="Local processes (default: every core)."),
    scheduler: Optional[str] = typer.Option(None, help="Run on a Dask cluster: tcp://HOST:PORT (plycut[dask])."),
) -> None:
    """Estimate every order of a campaign in parallel; totals per region and per fablab."""
    from plycut.campaign import read_campaign, run_campaign
    from plycut.report_files import CAMPAIGN_JSON, campaign_files, write_report_files

    cli = _cli()
    with cli._reported_errors():
        if workers is not None and workers < 1:
            raise InputError(f"--workers {workers}: must be at least 1")
        if time_limit is not None and time_limit < 0:
            raise InputError(f"--time-limit {time_limit:g}: must be at least 0")
        base = read_order_file(settings, items_required=False) if settings else Order(name="campaign", items=())
        if settings and base.items:
            raise InputError(f"{settings}: campaign settings hold no [[items]]: the orders come from {orders}")
        base = _overrides(base, machine=machine, profile=None, tool=None, thickness=None, clearance=None,
                          sheet_price=None, time_limit=time_limit, seed=None)
        plan = read_campaign(orders, base)
        columns = (TextColumn("orders"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[last]}"))
        with Progress(*columns, console=cli.console, transient=True, disable=not cli.console.is_terminal) as bar:
            task = bar.add_task("orders", total=len(plan.orders), last="")
            document = run_campaign(plan, workers=workers, scheduler=scheduler, progress=lambda r: bar.update(
                task, advance=1, last=f"line {r['row']}: {r['sheets']} sheet(s)"))
        written = write_report_files(out, campaign_files(document), CAMPAIGN_JSON)
    _print_campaign(cli.console, document)
    cli.console.print("wrote " + ", ".join(str(p) for p in written), highlight=False)


def _print_campaign(console, document: dict) -> None:
    for key, title in (("by_region", "region"), ("by_fablab", "fablab")):
        table = Table(title=f"{document['name']}: per {title} (EUR excl. VAT)", box=box.SIMPLE_HEAD, pad_edge=False)
        table.add_column(title, min_width=14)
        for column in ("orders", "units", "sheets", "yield", "machine", "EUR", "per unit"):
            table.add_column(column, justify="right")
        for name, s in [*document[key].items(), ("total", document["totals"])]:
            if name == "total":
                table.add_section()
            table.add_row(name, str(s["orders"]), str(s["units"]), f"{s['sheets']} >= {s['sheets_lower_bound']}",
                          f"{s['yield']:.1%}", _hours(s["machine_time_h"]), f"{s['cost_eur']:,.2f}",
                          f"{s['cost_per_unit_eur']:,.2f}")
        console.print(table)
    run = document["run"]
    console.print(f"{len(document['orders'])} orders in {run['wall_time_s']:.1f} s ({run['executor']}"
                  + (f", {run['workers']} workers)" if run["workers"] else ")"), highlight=False)

