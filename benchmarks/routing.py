"""Rapid travel saved by gcode.route over plain nearest neighbour, and what the search costs, as JSON.

    python -m benchmarks.routing [--out benchmarks/results/routing.json]

Random instances with a fixed seed on a 2500 x 1250 mm sheet, the tool starting
at the sheet's corner (0, 0):

* 50, 200 and 1000 closed loops (outside profiles: start == end);
* 200 directed jobs (pockets: each ends at its wall, up to 150 mm from where it
  started, in any direction).

For each: nearest neighbour's travel, the improved travel, the share saved and
the time of improve_order on nearest neighbour's order (best of --repeats). The
process's first call, on three jobs, is the warm-up and is timed on its own: it
loads the compiled kernels from numba's cache, or compiles them when there is no
cache yet, and the report says which. Every instance has the argument types of
that call, so no timing below it includes compiling.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numba
import numpy as np

from benchmarks.report import write_report
from gcode.route import improve_order, nearest_neighbour_order, order_indices, route_length

SHEET_MM = (2500.0, 1250.0)
ORIGIN = np.array([0.0, 0.0])
POCKET_REACH_MM = 150.0
SEED = 20240611
KERNELS = (route_length, nearest_neighbour_order, improve_order)


def closed_loops(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    starts = rng.uniform((0.0, 0.0), SHEET_MM, size=(n, 2))
    return starts, starts.copy()


def pockets(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    starts = rng.uniform((0.0, 0.0), SHEET_MM, size=(n, 2))
    ends = np.clip(starts + rng.uniform(-POCKET_REACH_MM, POCKET_REACH_MM, size=(n, 2)), (0.0, 0.0), SHEET_MM)
    return starts, ends


def first_call() -> dict:
    """Time the process's first call of the kernels, and say whether it compiled them or loaded them."""
    loaded_before = sum(len(kernel.stats.cache_hits) for kernel in KERNELS)
    started = time.perf_counter()
    order_indices([(10.0, 10.0), (20.0, 5.0), (5.0, 20.0)], [(10.0, 10.0), (25.0, 5.0), (5.0, 20.0)], (0.0, 0.0))
    seconds = time.perf_counter() - started
    loaded = sum(len(kernel.stats.cache_hits) for kernel in KERNELS) > loaded_before
    return {"seconds": round(seconds, 3), "source": "numba cache" if loaded else "compiled"}


def run(name: str, starts: np.ndarray, ends: np.ndarray, repeats: int) -> dict:
    started = time.perf_counter()
    greedy = nearest_neighbour_order(starts, ends, ORIGIN)
    greedy_seconds = time.perf_counter() - started
    improve_seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        improved = improve_order(greedy, starts, ends, ORIGIN)
        improve_seconds.append(time.perf_counter() - started)
    greedy_mm = route_length(greedy, starts, ends, ORIGIN)
    improved_mm = route_length(improved, starts, ends, ORIGIN)
    return {
        "instance": name,
        "jobs": len(starts),
        "nearest_neighbour_mm": round(greedy_mm, 1),
        "improved_mm": round(improved_mm, 1),
        "saved_percent": round(100.0 * (1.0 - improved_mm / greedy_mm), 2),
        "nearest_neighbour_ms": round(1000.0 * greedy_seconds, 2),
        "improve_order_ms": round(1000.0 * min(improve_seconds), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/routing.json"))
    parser.add_argument("--repeats", type=int, default=3, help="improve_order timings per instance; the best counts")
    args = parser.parse_args()
    first = first_call()
    print(f"first call (kernels from {first['source']}): {first['seconds']:.3f}s")
    rng = np.random.default_rng(SEED)
    instances = [(f"{n} closed loops", *closed_loops(rng, n)) for n in (50, 200, 1000)]
    instances.append(("200 pockets", *pockets(rng, 200)))
    runs = [run(name, starts, ends, args.repeats) for name, starts, ends in instances]
    for r in runs:
        print(f"{r['instance']:>17}: nearest neighbour {r['nearest_neighbour_mm']:>9.1f} mm, "
              f"improved {r['improved_mm']:>9.1f} mm, saved {r['saved_percent']:5.2f}%, "
              f"improve_order {r['improve_order_ms']:8.2f} ms (nearest neighbour {r['nearest_neighbour_ms']:.2f} ms)")
    write_report(args.out, "routing", {"numba": numba.__version__, "seed": SEED, "first_call": first, "runs": runs})


if __name__ == "__main__":
    main()
