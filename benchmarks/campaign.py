"""A 1000-unit campaign estimated with 1 and 2 workers: wall time, and sheets against the
area lower bound of every order.

    python -m benchmarks.campaign [--quick] [--units 1000] [--orders 100] [--workers 1 2]
                                  [--time-limit 1] [--json benchmarks/results/campaign.json]

The orders (5 to 20 units each, adding up to --units) are drawn with a fixed seed over
every registered catalog design, French regions and fablabs, on birch 18 mm and poplar
15 mm. Each order is estimated for real (nest, programs, read back, timed), as
`plycut campaign` does. --quick: 30 units in 5 orders, 0.5 s of nesting each (about a minute
per worker count on one core; the full run is about 35 min of CPU per worker count).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
from pathlib import Path

from benchmarks.report import write_report
from nester.catalog.registry import DESIGNS
from plycut.campaign import COLUMNS, read_campaign, run_campaign
from plycut.estimate_order import Order
from plycut.job import NestOptions

REGIONS = {
    "Occitanie": ["Fablab de Nimes", "Artilect Toulouse"],
    "Centre-Val de Loire": ["La FUN Tours", "Fablab Orleans"],
    "Bretagne": ["Labfab Rennes", "Fablab Brest"],
    "Auvergne-Rhone-Alpes": ["La Casemate", "Fabmanager Lyon"],
    "La Reunion": ["Lab 974"],
}
MATERIALS = ("birch-plywood-18mm", "birch-plywood-18mm", "birch-plywood-18mm", "poplar-plywood-15mm")
LOW, HIGH = 5, 20  # units per order


def campaign_rows(units: int, orders: int, seed: int = 0, items: list[str] | None = None) -> list[dict]:
    """``orders`` orders of LOW..HIGH units adding up to exactly ``units``."""
    if not LOW * orders <= units <= HIGH * orders:
        raise SystemExit(f"{units} units cannot be split into {orders} orders of {LOW} to {HIGH}")
    rng = random.Random(seed)
    quantities = [rng.randint(LOW, HIGH) for _ in range(orders)]
    while sum(quantities) != units:
        k = rng.randrange(orders)
        step = 1 if sum(quantities) < units else -1
        if LOW <= quantities[k] + step <= HIGH:
            quantities[k] += step
    names = items or sorted(DESIGNS)
    rows = []
    for k, quantity in enumerate(quantities):
        region = rng.choice(sorted(REGIONS))
        rows.append({"requester": f"Commune {k + 1:03d}", "region": region, "item": rng.choice(names),
                     "quantity": quantity, "material": rng.choice(MATERIALS),
                     "fablab": rng.choice(REGIONS[region])})
    return rows


def write_csv(rows: list[dict], path: Path) -> Path:
    lines = [",".join(COLUMNS)] + [",".join(str(row[c]) for c in COLUMNS) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def bound_figures(orders: list[dict]) -> dict:
    """How far each order's sheets are above parts area / usable sheet area."""
    excess = [o["sheets"] - o["sheets_lower_bound"] for o in orders]
    return {
        "sheets": sum(o["sheets"] for o in orders),
        "sheets_lower_bound": sum(o["sheets_lower_bound"] for o in orders),
        "orders_at_bound": sum(1 for e in excess if e == 0),
        "orders_one_above": sum(1 for e in excess if e == 1),
        "max_excess": max(excess),
        "mean_ratio": round(statistics.mean(o["sheets"] / o["sheets_lower_bound"] for o in orders), 3),
        "yield": round(sum(o["parts_area_m2"] for o in orders) / sum(o["sheet_area_m2"] for o in orders), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="30 units in 5 orders, 0.5 s of nesting each")
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--time-limit", type=float, default=1.0, help="nesting seconds per order")
    parser.add_argument("--items", nargs="+", help="designs to draw from (default: every registered one)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="default: benchmarks/results/campaign.json (-quick.json)")
    args = parser.parse_args()
    if args.quick:
        args.units, args.orders, args.time_limit = 30, 5, 0.5
    json_path = args.json or Path(f"benchmarks/results/campaign{'-quick' if args.quick else ''}.json")
    rows = campaign_rows(args.units, args.orders, args.seed, args.items)
    settings = Order(name="benchmark", items=(), nest=NestOptions(time_limit=args.time_limit))
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        campaign = read_campaign(write_csv(rows, Path(folder) / "campaign.csv"), settings)
        for workers in args.workers:
            load = os.getloadavg()[0]
            document = run_campaign(campaign, workers=workers)
            orders = document["orders"]
            run = {"workers": workers, "wall_time_s": document["run"]["wall_time_s"],
                   "order_cpu_s": round(sum(o["cpu_s"] for o in orders), 1), "load_before": round(load, 2),
                   "order_seconds": round(sum(o["seconds"] for o in orders), 1), **bound_figures(orders),
                   "machine_time_h": document["totals"]["machine_time_h"], "cost_eur": document["totals"]["cost_eur"]}
            runs.append(run)
            print(f"{workers} worker(s): {len(orders)} orders, {args.units} units in {run['wall_time_s']:.1f} s "
                  f"(orders' CPU {run['order_cpu_s']:.1f} s, load before {load:.1f}); {run['sheets']} sheets against "
                  f"an area bound of {run['sheets_lower_bound']} ({run['orders_at_bound']} orders at the bound, "
                  f"{run['orders_one_above']} one above, at most {run['max_excess']} above), yield "
                  f"{run['yield']:.1%}, machine {run['machine_time_h']:.1f} h, {run['cost_eur']:,.0f} EUR")
    if len(runs) > 1:
        print(f"speed-up with {runs[-1]['workers']} workers: {runs[0]['wall_time_s'] / runs[-1]['wall_time_s']:.2f}x")
    items = sorted({row["item"] for row in rows})
    write_report(json_path, "campaign", {"units": args.units, "orders": args.orders, "items": items,
                                         "cores": os.cpu_count(),
                                         "nest_time_limit_s": args.time_limit, "seed": args.seed, "runs": runs})


if __name__ == "__main__":
    main()
