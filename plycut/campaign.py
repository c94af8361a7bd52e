"""A campaign: many independent orders (one CSV row each), estimated in parallel.

``estimate_campaign_order`` turns one row into one result dict and touches nothing
else, so it runs the same in this process, in a local process pool or on a Dask
cluster (the dask.distributed client used as a concurrent.futures executor). The
numba kernels of the nesting engine are cached on disk: a worker loads them, it
does not compile them again.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import csv
import math
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from nester.errors import InputError
from nester.production import read_text
from plycut import __version__
from plycut.config import load_machine, load_profile
from plycut.estimate import estimate_order
from plycut.estimate_order import Order, catalog_item

COLUMNS = ("requester", "region", "item", "quantity", "material", "fablab")
OPTIONAL_COLUMNS = ("machine", "thickness")  # per order, when fablabs differ


@dataclass(frozen=True)
class CampaignOrder:
    """One row. line: its line in the file; material and machine: "" for the campaign's."""

    line: int
    requester: str
    region: str
    item: str
    quantity: int
    material: str
    fablab: str
    machine: str = ""
    thickness: float | None = None


@dataclass(frozen=True)
class Campaign:
    name: str
    source: str
    orders: tuple[CampaignOrder, ...]
    settings: Order  # machine, rates, nesting, offcuts for every order (its items are not used)


def _delimiter(header_line: str) -> str:
    """French spreadsheets write ';', some exports tabs."""
    return max((";", "\t", ","), key=header_line.count) if header_line else ","


def read_campaign(path: Path, settings: Order) -> Campaign:
    """Every row checked before anything runs: columns, items, quantities, materials, machines."""
    text = read_text(path, str(path))
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InputError(f"{path}: empty file; expected a header with {', '.join(COLUMNS)}")
    reader = csv.reader(lines, delimiter=_delimiter(lines[0]))
    header = [cell.strip().lower() for cell in next(reader)]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InputError(f"{path}: line 1: missing column '{missing[0]}' (expected {', '.join(COLUMNS)}; "
                         f"got {', '.join(header)})")
    index = {name: header.index(name) for name in (*COLUMNS, *OPTIONAL_COLUMNS) if name in header}
    orders = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        orders.append(_order(path, reader.line_num, cells, index))
    if not orders:
        raise InputError(f"{path}: no orders below the header")
    _check_names(path, orders, settings)
    return Campaign(name=path.stem, source=str(path), orders=tuple(orders), settings=settings)


def _order(path: Path, line: int, cells: list[str], index: dict[str, int]) -> CampaignOrder:
    where = f"{path}: line {line}"
    values = {name: (cells[i].strip() if i < len(cells) else "") for name, i in index.items()}
    for name in ("requester", "region", "item", "quantity", "fablab"):
        if not values[name]:
            raise InputError(f"{where}: empty '{name}'")
    try:
        quantity = int(values["quantity"])
    except ValueError:
        raise InputError(f"{where}: quantity {values['quantity']!r}: expected a whole number") from None
    catalog_item(values["item"], quantity, where=where)  # known item, quantity of at least 1
    thickness = None
    if values.get("thickness"):
        try:
            thickness = float(values["thickness"].replace(",", "."))
        except ValueError:
            thickness = -1.0
        if not 0 < thickness < math.inf:
            raise InputError(f"{where}: thickness {values['thickness']!r}: expected a measured thickness in mm")
    return CampaignOrder(line=line, requester=values["requester"], region=values["region"], item=values["item"],
                         quantity=quantity, material=values["material"], fablab=values["fablab"],
                         machine=values.get("machine", ""), thickness=thickness)


def _check_names(path: Path, orders: list[CampaignOrder], settings: Order) -> None:
    """Each material and machine named is loaded once, so a typo names its first row."""
    seen: set[tuple[str, str]] = set()
    for order in orders:
        for kind, name, load in (("material", order.material, load_profile), ("machine", order.machine, load_machine)):
            if not name or (kind, name) in seen:
                continue
            seen.add((kind, name))
            try:
                load(name)
            except InputError as exc:
                raise InputError(f"{path}: line {order.line}: {kind}: {exc}") from None


def order_for(row: CampaignOrder, settings: Order, source: str) -> Order:
    """The estimate order of one row, under the campaign's settings."""
    where = f"{source}: line {row.line}"
    profile = row.material or settings.profile
    thickness = row.thickness if row.thickness is not None else (
        settings.thickness if profile == settings.profile else None)
    return replace(settings, name=f"{row.requester} ({row.item} x {row.quantity})", source=where,
                   items=(catalog_item(row.item, row.quantity, where=where),), profile=profile, thickness=thickness,
                   machine=row.machine or settings.machine)


def estimate_campaign_order(row: CampaignOrder, settings: Order, source: str) -> dict:
    """One order's figures: a pure function of the row and the settings (no file written)."""
    started, cpu = time.perf_counter(), time.process_time()
    document = estimate_order(order_for(row, settings, source), previews=False).document
    totals = document["totals"]
    (material,) = document["materials"]
    return {
        "row": row.line, "requester": row.requester, "region": row.region, "fablab": row.fablab,
        "item": row.item, "quantity": row.quantity, "material": material["material"],
        "machine": row.machine or settings.machine,
        **{key: totals[key] for key in ("sheets", "yield", "parts_area_m2", "sheet_area_m2", "offcut_area_m2",
                                        "waste_area_m2", "cut_length_m", "machine_time_h", "operator_time_h",
                                        "costs_eur", "cost_per_unit_eur")},
        "sheets_lower_bound": material["sheets_lower_bound"],
        "cost_eur": totals["costs_eur"]["total"],
        "warnings": material["warnings"],
        "seconds": round(time.perf_counter() - started, 2),
        "cpu_s": round(time.process_time() - cpu, 2),  # of the process that ran it, wherever that was
    }


def _context() -> multiprocessing.context.BaseContext:
    """Fork from a clean server process that has already imported plycut (no threads of
    this process copied, no second import per task); spawn where there is no forkserver."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")


@contextlib.contextmanager
def executor(workers: int | None, scheduler: str | None) -> Iterator[concurrent.futures.Executor | None]:
    """A Dask cluster's executor, a local process pool, or None (in this process) for one worker."""
    if scheduler:
        with _dask_executor(scheduler) as pool:
            yield pool
        return
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        yield None
        return
    pool = concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=_context())
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _dask_executor(scheduler: str) -> Iterator[concurrent.futures.Executor]:
    try:
        from dask.distributed import Client
    except ImportError:
        raise InputError(f"--scheduler {scheduler}: Dask is not installed (pip install 'plycut[dask]')") from None
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise InputError(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({exc})") from None
    with client:
        pool = client.get_executor()
        try:
            yield pool
        finally:
            pool.shutdown(wait=False)


def estimate_all(campaign: Campaign, *, workers: int | None = None, scheduler: str | None = None,
                 progress: Callable[[dict], None] | None = None) -> list[dict]:
    """Every order's result, in file order. The first bad order stops the campaign: its
    InputError is raised and the orders still waiting are cancelled."""
    run = [(row, campaign.settings, campaign.source) for row in
           sorted(campaign.orders, key=lambda r: -r.quantity)]  # the longest first: the pool ends together
    results = []
    with executor(workers, scheduler) as pool:
        if pool is None:
            for args in run:
                results.append(estimate_campaign_order(*args))
                if progress:
                    progress(results[-1])
        else:
            futures = [pool.submit(estimate_campaign_order, *args) for args in run]
            try:
                for future in concurrent.futures.as_completed(futures):
                    results.append(future.result())
                    if progress:
                        progress(results[-1])
            finally:
                for future in futures:
                    future.cancel()
    return sorted(results, key=lambda r: r["row"])


def _summary(orders: list[dict]) -> dict:
    sheet_area = sum(o["sheet_area_m2"] for o in orders)
    units = sum(o["quantity"] for o in orders)
    cost = round(sum(o["cost_eur"] for o in orders), 2)
    items: dict[str, int] = {}
    for o in orders:
        items[o["item"]] = items.get(o["item"], 0) + o["quantity"]
    return {
        "orders": len(orders), "units": units, "items": dict(sorted(items.items())),
        "sheets": sum(o["sheets"] for o in orders),
        "sheets_lower_bound": sum(o["sheets_lower_bound"] for o in orders),
        "yield": round(sum(o["parts_area_m2"] for o in orders) / sheet_area, 4) if sheet_area else 0.0,
        "sheet_area_m2": round(sheet_area, 3),
        "parts_area_m2": round(sum(o["parts_area_m2"] for o in orders), 3),
        "cut_length_m": round(sum(o["cut_length_m"] for o in orders), 1),
        "machine_time_h": round(sum(o["machine_time_h"] for o in orders), 2),
        "operator_time_h": round(sum(o["operator_time_h"] for o in orders), 2),
        "cost_eur": cost,
        "cost_per_unit_eur": round(cost / units, 2) if units else 0.0,
    }


def _by(orders: list[dict], key: str) -> dict[str, dict]:
    names = sorted({o[key] for o in orders})
    return {name: _summary([o for o in orders if o[key] == name]) for name in names}


def campaign_document(campaign: Campaign, orders: list[dict], *, run: dict) -> dict:
    """campaign.json: every order, totals per region, per fablab and overall."""
    settings = campaign.settings
    return {
        "plycut": __version__,
        "name": campaign.name,
        "source": campaign.source,
        "machine": settings.machine,
        "nest_time_limit_s": settings.nest.time_limit,
        "costs": settings.costs.as_dict(),
        "run": run,
        "totals": _summary(orders),
        "by_region": _by(orders, "region"),
        "by_fablab": _by(orders, "fablab"),
        "orders": orders,
    }


def run_campaign(campaign: Campaign, *, workers: int | None = None, scheduler: str | None = None,
                 progress: Callable[[dict], None] | None = None) -> dict:
    started = time.perf_counter()
    orders = estimate_all(campaign, workers=workers, scheduler=scheduler, progress=progress)
    executor_name = f"dask {scheduler}" if scheduler else (
        "in-process" if (workers or os.cpu_count()) == 1 else "local processes")
    run = {"executor": executor_name, "workers": None if scheduler else (workers or os.cpu_count()),
           "wall_time_s": round(time.perf_counter() - started, 2)}
    return campaign_document(campaign, orders, run=run)
