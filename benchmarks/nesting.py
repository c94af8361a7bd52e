"""The nesting engine on the public benchmark instances, checked independently, against sparrow when it is installed.

    python -m benchmarks.nesting --suite quick|full [--datasets ../shared/datasets] [--time-limit S]
        [--workers N] [--by-work] [--no-spyrrow] [--scale | --no-scale]
        [--out benchmarks/results/nesting_<suite>.json]
        [--check-baseline benchmarks/baselines/nesting_quick.json] [--write-baseline PATH]
    python -m benchmarks.nesting --instance FILE [--instance FILE ...] --time-limit S ...

Instances (from the dataset folder, by default ``../shared/datasets`` beside the
repository; when it is absent the script says so in one line and exits 0):

* ``esicup``: ESICUP strip packing (jagua-rs JSON), 30 s each in the full suite;
* ``terashima2``: a fixed sample of 30 of the 480 irregular bin-packing instances
  (every 16th file by name, listed below), 10 s each; each has a known optimum;
* ``opencutlist``: the 12 OpenCutList furniture files (PackingSolver JSON), 30 s each.

The quick suite is a subset with shorter limits that runs in about two minutes on
two cores, with time limits counted in work (``by_work``: the same densities on
any machine), so CI can compare them with a committed baseline.

For every instance: plycut's engine (``--workers`` searches, seed 0), then every
layout checked by nester.solution_check (an invalid layout or a crash fails the
run, exit 1, after the report is written); density, strip length or sheets, the
area lower bound (strip: item area / H; sheets: ceil(item area / sheet area)),
unplaced copies, the terashima optimum and the gap to it, the reusable offcut
of the last OpenCutList sheet, wall time and the process's peak RSS during the
instance. When ``spyrrow`` (sparrow's Python binding, ``pip install spyrrow``)
is importable, it runs on the strip instances with the same time limit and
workers, one after the other, its layout is checked the same way (a problem
is shown in the table; it does not fail the run), and the density ratio
plycut / spyrrow is reported with its median.

The full suite (or ``--scale``) also runs a 1000-part order (the stool_x10 test
file with every demand x 20) in two fresh processes sharing an empty numba
cache: the first compiles the kernels, the second loads them; each reports the
time from launch to its first valid layout (time limit 0.1 s: construction),
its peak RSS and its kernels' cache hits and misses.

Output: a Markdown table printed and written next to the JSON (``.md``), the
JSON through benchmarks.report. ``--write-baseline`` writes {instance: density %};
``--check-baseline`` exits 1 with one line per instance more than 1 point below it.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import pkgutil
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, replace
from pathlib import Path

import numba

from benchmarks.report import write_report
from nester.engine.solve import solve
from nester.formats import read_instance, terashima_optimum
from nester.offcut import offcut_rectangle
from nester.problem import BinLayout, PlacedItem, Problem, Solution
from nester.solution_check import solution_problems
from plycut.outputs import write_atomic

try:
    import spyrrow
except ImportError:  # the optional extra: pip install '.[bench]'
    spyrrow = None

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATASETS = ROOT.parent / "shared" / "datasets"
BASELINE_TOLERANCE_PT = 1.0
SEED = 0

ESICUP = ("albano", "dagli", "fu", "jakobs1", "mao", "marques", "shapes0", "shirts")
# Every 16th instance of terashima2, sorted by file name (480 files, from the first).
TERASHIMA2_SAMPLE = (
    "TA001C5", "TA017C10", "TB003C10", "TB019C20", "TC005C6", "TC021C24", "TF007C5", "TF023C15",
    "TH009C6", "TH025C24", "TL011C10", "TL027C15", "TM013C10", "TM029C18", "TO015C10", "TS001C5",
    "TS017C8", "TT003C10", "TT019C15", "TU005C5C5", "TU021C8C15", "TV007C5", "TV023C8", "TW009C8",
    "TW025C12", "TX011C8C10", "TX027C12C15", "TY013C10", "TY029C20", "TZ015C20",
)
OPENCUTLIST = ("adirondack_chair", "chair", "deer", "deer_2", "frame", "knight_armor", "knight_body",
               "sofa_structure", "sofa_structure_r180", "stepladder", "stool_x10", "table")

# The quick suite: limits in work (nominal seconds, see nester.engine.clock), picked so
# that the whole run takes about two minutes of wall time on two cores.
QUICK_ESICUP = (("dagli", 10.0), ("jakobs1", 10.0), ("marques", 10.0), ("shirts", 10.0))
QUICK_TERASHIMA2 = (("TA001C5", 5.0), ("TC021C24", 5.0), ("TL011C10", 5.0), ("TT019C15", 5.0), ("TY029C20", 5.0))
QUICK_OPENCUTLIST = (("chair", 10.0), ("knight_body", 10.0), ("stool_x10", 2.0), ("table", 10.0))

SCALE_SOURCE = ROOT / "tests" / "data" / "nesting" / "stool_x10.json"
SCALE_FACTOR = 20  # 50 parts x 20 = 1000 parts
SCALE_TIME_LIMIT = 0.1


@dataclass(frozen=True)
class Case:
    """One benchmark run: ``key`` names it in reports and baselines (``folder/name``)."""

    key: str
    path: Path
    kind: str  # "strip", "terashima" or "sheets"
    time_limit: float


def suite_cases(suite: str, datasets: Path) -> list[Case]:
    if suite == "full":
        esicup = [(name, 30.0) for name in ESICUP]
        terashima = [(name, 10.0) for name in TERASHIMA2_SAMPLE]
        opencutlist = [(name, 30.0) for name in OPENCUTLIST]
    else:
        esicup, terashima, opencutlist = QUICK_ESICUP, QUICK_TERASHIMA2, QUICK_OPENCUTLIST
    return ([Case(f"esicup/{name}", datasets / "esicup" / "json" / f"{name}.json", "strip", limit)
             for name, limit in esicup]
            + [Case(f"terashima2/{name}", datasets / "terashima2" / f"{name}.txt", "terashima", limit)
               for name, limit in terashima]
            + [Case(f"opencutlist/{name}", datasets / "opencutlist" / f"{name}.json", "sheets", limit)
               for name, limit in opencutlist])


def file_case(path: Path, time_limit: float) -> Case:
    """A case for any instance file: its kind from the file (.txt: terashima)."""
    kind = "terashima" if path.suffix == ".txt" else "strip" if read_instance(path).is_strip else "sheets"
    return Case(f"{path.parent.name}/{path.stem}", path, kind, time_limit)


# --- peak memory -------------------------------------------------------------------

def reset_peak_rss() -> bool:
    """Reset the kernel's high-water mark of this process's RSS (Linux >= 4.0); False when it cannot."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_rss_mb(since_reset: bool) -> float:
    """The process's peak RSS: since the last reset when there was one, else since it started."""
    if since_reset:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# --- one instance --------------------------------------------------------------------

def lower_bound(problem: Problem) -> float:
    """Strip: item area / H (a length); sheets: ceil(item area / the largest sheet's area)."""
    if problem.is_strip:
        return problem.item_area / problem.strip_height
    return math.ceil(problem.item_area / max(b.area for b in problem.bins) - 1e-9)


def optimum_of(case: Case) -> int | None:
    optimum_file = case.path.with_name(f"Op{case.path.name}")
    return terashima_optimum(optimum_file) if case.kind == "terashima" and optimum_file.exists() else None


def run_plycut(problem: Problem, case: Case, workers: int, by_work: bool) -> dict:
    """plycut's engine on one instance, its layout checked; the figures of one table row."""
    row: dict = {}
    reset = reset_peak_rss()
    started = time.perf_counter()
    try:
        solution = solve(problem, time_limit=case.time_limit, seed=SEED, workers=workers, by_work=by_work)
    except Exception as error:  # a crash is a result: recorded, and the run fails at the end
        row["error"] = f"{type(error).__name__}: {error}"
        row["traceback"] = traceback.format_exc(limit=-3)
        row["wall_s"] = round(time.perf_counter() - started, 2)
        return row
    row["wall_s"] = round(time.perf_counter() - started, 2)
    row["engine_run_time_s"] = round(solution.run_time_s, 2)
    row["peak_rss_mb"] = peak_rss_mb(reset)
    problems = solution_problems(solution)
    row["valid"] = not problems
    if problems:
        row["problems"] = problems[:20]
    row["density_pct"] = round(100.0 * solution.density, 3)
    row["unplaced"] = sum(solution.unplaced.values())
    if problem.is_strip:
        row["length"] = round(solution.strip_length, 4)
        return row
    row["sheets"] = len(solution.layouts)
    row["cost"] = round(solution.cost, 4)
    if solution.layouts:
        last = solution.layouts[-1]
        offcut = offcut_rectangle(solution, last)
        sheet_area = problem.bins[last.container_id].area
        area = (offcut[2] - offcut[0]) * (offcut[3] - offcut[1]) if offcut else 0.0
        row["offcut"] = [round(v, 1) for v in offcut] if offcut else None
        row["offcut_m2"] = round(area / 1e6, 3)
        row["offcut_pct_of_sheet"] = round(100.0 * area / sheet_area, 1)
        row["last_sheet_density_pct"] = round(100.0 * solution.layout_density(last), 2)
    return row


def spyrrow_skip_reason(problem: Problem) -> str | None:
    if spyrrow is None:
        return "spyrrow not installed"
    if not problem.is_strip:
        return "spyrrow packs strips only"
    if problem.spacing > 0 or problem.margin > 0:
        return "spacing or margin"
    if any(item.shape.interiors for item in problem.items):
        return "items with holes"
    return None


def run_spyrrow(problem: Problem, time_limit: float, workers: int) -> dict:
    """sparrow (through spyrrow) on a strip instance, its layout checked by the same code as plycut's."""
    items = [spyrrow.Item(str(index), list(item.shape.exterior.coords)[:-1], item.demand,
                          None if item.rotations is None else list(item.rotations))
             for index, item in enumerate(problem.items)]
    instance = spyrrow.StripPackingInstance(problem.name, problem.strip_height, items)
    seconds = max(1, round(time_limit))  # spyrrow takes whole seconds
    config = spyrrow.StripPackingConfig(total_computation_time=seconds, num_workers=workers, seed=SEED)
    reset = reset_peak_rss()
    started = time.perf_counter()
    try:
        result = instance.solve(config)
    except Exception as error:  # sparrow's errors come through pyo3 as assorted types
        return {"error": f"{type(error).__name__}: {error}", "time_limit_s": seconds}
    row = {"time_limit_s": seconds, "wall_s": round(time.perf_counter() - started, 2),
           "peak_rss_mb": peak_rss_mb(reset), "length": round(result.width, 4),
           "density_pct": round(100.0 * problem.item_area / (result.width * problem.strip_height), 3),
           "reported_density_pct": round(100.0 * result.density, 3)}
    placed = tuple(PlacedItem(int(p.id), float(p.rotation), (float(p.translation[0]), float(p.translation[1])))
                   for p in result.placed_items)
    solution = Solution(problem, (BinLayout(0, placed),), strip_length=result.width)
    problems = solution_problems(solution)
    row["valid"] = not problems
    if problems:
        row["problems"] = problems[:20]
    return row


def run_case(case: Case, workers: int, by_work: bool, with_spyrrow: bool) -> dict:
    row = {"instance": case.key, "kind": case.kind, "time_limit_s": case.time_limit, "by_work": by_work}
    try:
        problem = read_instance(case.path)
    except Exception as error:  # an unreadable instance is a result too
        return {**row, "plycut": {"error": f"{type(error).__name__}: {error}"}}
    bound = lower_bound(problem)
    row.update(parts=problem.total_demand, item_types=len(problem.items),
               lower_bound=round(bound, 4) if problem.is_strip else bound)
    if problem.is_strip:
        row["strip_height"] = problem.strip_height
    row["plycut"] = run_plycut(problem, case, workers, by_work)
    optimum = optimum_of(case)
    if optimum is not None:
        row["optimum"] = optimum
        if "sheets" in row["plycut"]:
            row["gap"] = row["plycut"]["sheets"] - optimum
    if problem.is_strip:
        reason = "not asked" if not with_spyrrow else spyrrow_skip_reason(problem)
        row["spyrrow"] = {"skipped": reason} if reason else run_spyrrow(problem, case.time_limit, workers)
        ours, theirs = row["plycut"].get("density_pct"), row["spyrrow"].get("density_pct")
        if ours and theirs:
            row["ratio"] = round(ours / theirs, 4)
    return row


def row_failures(row: dict, engines: tuple[str, ...] = ("plycut",)) -> list[str]:
    """A crash or an invalid layout of these engines: plycut's fail the run, spyrrow's are only shown."""
    failures = []
    for engine in engines:
        result = row.get(engine) or {}
        if "error" in result:
            failures.append(f"{row['instance']}: {engine} failed: {result['error']}")
        elif result.get("valid") is False:
            failures.append(f"{row['instance']}: {engine} made an invalid layout: "
                            + "; ".join(result["problems"][:3]))
    return failures


def overrun(row: dict) -> bool:
    """A wall-clock run that went well past its limit (limits counted in work are not wall time)."""
    wall = row["plycut"].get("wall_s")
    return not row["by_work"] and wall is not None and wall > 1.1 * row["time_limit_s"] + 1.0


# --- summary and tables --------------------------------------------------------------

def summarise(rows: list[dict]) -> dict:
    summary: dict = {}
    strip = [r for r in rows if r["kind"] == "strip" and "density_pct" in r["plycut"]]
    if strip:
        summary["strip"] = {"instances": len(strip),
                            "mean_density_pct": round(statistics.mean(r["plycut"]["density_pct"] for r in strip), 2)}
        ratios = [r["ratio"] for r in strip if "ratio" in r]
        if ratios:
            summary["strip"]["median_ratio"] = round(statistics.median(ratios), 4)
            summary["strip"]["spyrrow_mean_density_pct"] = round(
                statistics.mean(r["spyrrow"]["density_pct"] for r in strip if "ratio" in r), 2)
    terashima = [r for r in rows if "gap" in r]
    if terashima:
        bins = sum(r["plycut"]["sheets"] for r in terashima)
        optimum = sum(r["optimum"] for r in terashima)
        summary["terashima"] = {"instances": len(terashima), "bins": bins, "optimum": optimum,
                                "gap_pct": round(100.0 * (bins - optimum) / optimum, 2),
                                "at_optimum": sum(r["gap"] == 0 for r in terashima)}
    sheets = [r for r in rows if r["kind"] == "sheets" and "sheets" in r["plycut"]]
    if sheets:
        summary["sheets"] = {
            "instances": len(sheets),
            "sheets": sum(r["plycut"]["sheets"] for r in sheets),
            "lower_bound": sum(r["lower_bound"] for r in sheets),
            "all_placed": sum(r["plycut"]["unplaced"] == 0 for r in sheets),
            "within_bound_plus_1": sum(r["plycut"]["sheets"] <= r["lower_bound"] + 1 for r in sheets),
            "offcut_reported": sum(r["plycut"].get("offcut") is not None for r in sheets),
        }
    return summary


def _fmt(value, digits: int = 2) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def _status(row: dict) -> str:
    notes = [f.split(": ", 1)[1] for f in row_failures(row, ("plycut", "spyrrow"))]
    if overrun(row):
        notes.append(f"overran its {row['time_limit_s']:g} s")
    if row["plycut"].get("unplaced"):
        notes.append(f"{row['plycut']['unplaced']} unplaced")
    return "; ".join(notes) or "ok"


def _row(key: str, digits: int = 2):
    return lambda r: _fmt(r.get(key), digits)


def _ours(key: str, digits: int = 2):
    return lambda r: _fmt(r["plycut"].get(key), digits)


def _theirs(key: str, digits: int = 2):
    return lambda r: _fmt((r.get("spyrrow") or {}).get(key), digits)


_FIRST = [("instance", _row("instance")), ("parts", _row("parts")), ("limit", lambda r: f"{r['time_limit_s']:g}")]
_LAST = [("RSS MB", _ours("peak_rss_mb", 0)), ("status", _status)]
TABLES = {
    "strip": ("Strip packing (density = item area / (L x H))", _FIRST + [
        ("plycut L", _ours("length", 3)), ("plycut %", _ours("density_pct")), ("bound L", _row("lower_bound", 3)),
        ("spyrrow L", _theirs("length", 3)), ("spyrrow %", _theirs("density_pct")), ("ratio", _row("ratio", 3)),
        ("plycut wall s", _ours("wall_s", 1)), ("spyrrow wall s", _theirs("wall_s", 1))] + _LAST),
    "terashima": ("Terashima bin packing (1000 x 1000 bins, optimum known)", _FIRST + [
        ("bins", _ours("sheets")), ("optimum", _row("optimum")), ("gap", _row("gap")),
        ("area bound", _row("lower_bound")), ("density %", _ours("density_pct")), ("wall s", _ours("wall_s", 1))]
        + _LAST),
    "sheets": ("Sheets (OpenCutList furniture: fewest sheets, then the largest offcut on the last)", _FIRST + [
        ("sheets", _ours("sheets")), ("area bound", _row("lower_bound")), ("unplaced", _ours("unplaced")),
        ("density %", _ours("density_pct")), ("last sheet %", _ours("last_sheet_density_pct")),
        ("offcut m²", _ours("offcut_m2", 3)), ("offcut % of sheet", _ours("offcut_pct_of_sheet", 1)),
        ("wall s", _ours("wall_s", 1))] + _LAST),
}


def summary_line(kind: str, summary: dict) -> str | None:
    if kind not in summary:
        return None
    s = summary[kind]
    if kind == "strip":
        text = f"Mean plycut density {s['mean_density_pct']} %"
        if "median_ratio" in s:
            text += (f"; spyrrow {s['spyrrow_mean_density_pct']} %; "
                     f"**median ratio plycut/spyrrow {s['median_ratio']:.3f}** (target >= 1.00, milestone 0.97)")
        return text + "."
    if kind == "terashima":
        return (f"Total {s['bins']} bins for an optimum of {s['optimum']}: **gap {s['gap_pct']} %** "
                f"(target <= 2 %); {s['at_optimum']} of {s['instances']} at the optimum.")
    return (f"{s['sheets']} sheets for an area bound of {s['lower_bound']}; all parts placed on {s['all_placed']} "
            f"of {s['instances']}; sheets <= bound + 1 on {s['within_bound_plus_1']}; offcut reported on "
            f"{s['offcut_reported']}.")


def markdown(report: dict) -> str:
    limit = "work (nominal s)" if report["by_work"] else "wall s"
    lines = [f"# Nesting benchmark: {report['suite']} suite", "",
             (f"plycut {report['plycut']}, {report['workers']} worker(s), seed {SEED}, limits in {limit}; "
              f"spyrrow {report['spyrrow'] or 'not run'}."), ""]
    for kind, (title, columns) in TABLES.items():
        rows = [r for r in report["runs"] if r["kind"] == kind]
        if not rows:
            continue
        lines += [f"## {title}", "", "| " + " | ".join(name for name, _ in columns) + " |",
                  "|" + "---|" * len(columns)]
        lines += ["| " + " | ".join(cell(r) for _, cell in columns) + " |" for r in rows]
        line = summary_line(kind, report["summary"])
        lines += ["", line, ""] if line else [""]
    if report.get("scale"):
        lines += scale_markdown(report["scale"])
    return "\n".join(lines).rstrip() + "\n"


# --- the 1000-part order -------------------------------------------------------------

def scale_problem() -> Problem:
    """The stool_x10 furniture order (50 parts) repeated to 1000 parts, on as many sheets as needed."""
    problem = read_instance(SCALE_SOURCE)
    return replace(problem, name=f"{problem.name} x{SCALE_FACTOR}",
                   items=tuple(replace(item, demand=item.demand * SCALE_FACTOR) for item in problem.items),
                   bins=tuple(replace(container, stock=None) for container in problem.bins))


def engine_kernels() -> list:
    """The numba kernels of nester.engine (their stats say whether they were compiled or loaded)."""
    import nester.engine

    kernels = []
    for module_info in pkgutil.iter_modules(nester.engine.__path__, "nester.engine."):
        module = importlib.import_module(module_info.name)
        kernels += [value for value in vars(module).values()
                    if isinstance(value, numba.core.dispatcher.Dispatcher) and value.__module__ == module.__name__]
    return kernels


def scale_child(launched: float) -> dict:
    """In a fresh process: time from launch to the first valid layout of the 1000-part order."""
    imported = time.time() - launched
    problem = scale_problem()
    started = time.perf_counter()
    solution = solve(problem, time_limit=SCALE_TIME_LIMIT, seed=SEED)
    solve_s = time.perf_counter() - started
    first_layout = time.time() - launched
    problems = solution_problems(solution)
    kernels = engine_kernels()
    return {
        "parts": problem.total_demand,
        "import_s": round(imported, 2),
        "solve_s": round(solve_s, 2),
        "launch_to_first_layout_s": round(first_layout, 2),
        "valid": not problems,
        "sheets": len(solution.layouts),
        "lower_bound": lower_bound(problem),
        "unplaced": sum(solution.unplaced.values()),
        "density_pct": round(100.0 * solution.density, 2),
        "peak_rss_mb": peak_rss_mb(False),
        "kernels": len(kernels),
        "kernel_cache_hits": sum(len(k.stats.cache_hits) for k in kernels),
        "kernel_cache_misses": sum(len(k.stats.cache_misses) for k in kernels),
    }


def run_scale() -> dict:
    """Two fresh processes on one empty numba cache: the first compiles, the second should only load."""
    runs = {}
    with tempfile.TemporaryDirectory(prefix="plycut-numba-") as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        for name in ("first_process", "second_process"):
            launched = time.time()
            done = subprocess.run([sys.executable, "-m", "benchmarks.nesting", "--scale-child", repr(launched)],
                                  cwd=ROOT, env=env, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                runs[name] = {"error": (done.stderr.strip().splitlines() or ["no output"])[-1]}
                continue
            runs[name] = {**json.loads(done.stdout.strip().splitlines()[-1]),
                          "process_wall_s": round(time.time() - launched, 2)}
    return {"source": str(SCALE_SOURCE.relative_to(ROOT)), "copies": SCALE_FACTOR,
            "time_limit_s": SCALE_TIME_LIMIT, **runs}


def scale_markdown(scale: dict) -> list[str]:
    lines = [f"## 1000-part order ({scale['source']} x {scale['copies']}, time limit {scale['time_limit_s']} s)", "",
             ("| process (shared numba cache, empty at first) | launch to first valid layout s | import s | solve s "
              "| kernels compiled / loaded | sheets | area bound | density % | peak RSS MB | valid |"),
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name in ("first_process", "second_process"):
        run = scale.get(name, {})
        if "error" in run:
            lines.append(f"| {name.replace('_', ' ')} | failed: {run['error']} |||||||||")
            continue
        lines.append(f"| {name.replace('_', ' ')} | {run['launch_to_first_layout_s']} | {run['import_s']} "
                     f"| {run['solve_s']} | {run['kernel_cache_misses']} / {run['kernel_cache_hits']} "
                     f"| {run['sheets']} | {run['lower_bound']} | {run['density_pct']} | {run['peak_rss_mb']} "
                     f"| {run['valid']} |")
    return lines + ["", "Targets: first valid layout < 10 s, peak memory < 1 GB, no compiling in the second process.",
                    ""]


def scale_failures(scale: dict | None) -> list[str]:
    if not scale:
        return []
    return [f"1000-part order, {name.replace('_', ' ')}: " + (run.get("error") or "invalid layout")
            for name in ("first_process", "second_process")
            if "error" in (run := scale.get(name, {})) or run.get("valid") is False]


# --- baselines -----------------------------------------------------------------------

def baseline_of(rows: list[dict]) -> dict[str, float]:
    return {r["instance"]: r["plycut"]["density_pct"] for r in rows if "density_pct" in r["plycut"]}


def baseline_regressions(rows: list[dict], baseline: dict[str, float],
                         tolerance: float = BASELINE_TOLERANCE_PT) -> list[str]:
    """One line per baseline instance whose density fell more than ``tolerance`` points, or that has none."""
    densities = baseline_of(rows)
    lines = []
    for instance, expected in baseline.items():
        density = densities.get(instance)
        if density is None:
            lines.append(f"{instance}: no density in this run (baseline {expected:.2f} %)")
        elif density < expected - tolerance:
            lines.append(f"{instance}: density {density:.2f} % is {expected - density:.2f} points below "
                         f"the baseline {expected:.2f} %")
    return lines


# --- command line --------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", choices=("quick", "full"), default="quick")
    parser.add_argument("--instance", type=Path, action="append", default=[],
                        help="run this instance file instead of a suite (repeatable; needs --time-limit)")
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    parser.add_argument("--time-limit", type=float, help="seconds per instance, instead of the suite's")
    parser.add_argument("--workers", type=int, default=2, help="searches in parallel, plycut's and spyrrow's")
    parser.add_argument("--by-work", action="store_true",
                        help="count plycut's limits in work, not wall time (always on in the quick suite)")
    parser.add_argument("--no-spyrrow", action="store_true", help="do not run spyrrow even if it is installed")
    scale = parser.add_mutually_exclusive_group()
    scale.add_argument("--scale", dest="scale", action="store_true", default=None,
                       help="run the 1000-part order (default: in the full suite only)")
    scale.add_argument("--no-scale", dest="scale", action="store_false")
    parser.add_argument("--out", type=Path, help="JSON report (default benchmarks/results/nesting_<suite>.json); "
                                                 "the Markdown table goes next to it")
    parser.add_argument("--check-baseline", type=Path, metavar="PATH")
    parser.add_argument("--write-baseline", type=Path, metavar="PATH")
    parser.add_argument("--scale-child", type=float, metavar="LAUNCHED", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.instance and args.time_limit is None:
        parser.error("--instance needs --time-limit")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.scale_child is not None:
        print(json.dumps(scale_child(args.scale_child)))
        return 0
    if args.instance:
        suite, cases = "custom", [file_case(path, args.time_limit) for path in args.instance]
    else:
        if not args.datasets.is_dir():
            print(f"nesting benchmark: no datasets at {args.datasets}, nothing to run")
            return 0
        suite, cases = args.suite, suite_cases(args.suite, args.datasets)
        if args.time_limit is not None:
            cases = [replace(case, time_limit=args.time_limit) for case in cases]
    baseline = None
    if args.check_baseline:
        try:
            baseline = json.loads(args.check_baseline.read_text())
        except (OSError, ValueError) as error:
            print(f"nesting benchmark: cannot read the baseline {args.check_baseline}: {error}")
            return 2
    by_work = args.by_work or suite == "quick"
    with_spyrrow = spyrrow is not None and not args.no_spyrrow
    out = args.out or ROOT / "benchmarks" / "results" / f"nesting_{suite}.json"
    started = time.perf_counter()
    rows = []
    for case in cases:
        row = run_case(case, args.workers, by_work, with_spyrrow)
        rows.append(row)
        p, s = row["plycut"], row.get("spyrrow") or {}
        result = (f"L {p['length']:.3f}" if "length" in p else f"{p['sheets']} sheets" if "sheets" in p
                  else p.get("error", "?"))
        against = f", spyrrow {s['density_pct']:.2f} % (ratio {row['ratio']:.3f})" if "ratio" in row else ""
        print(f"{case.key:<32} {result:>14} {p.get('density_pct', 0.0):6.2f} %  {p.get('wall_s', 0.0):5.1f} s"
              f"{against}  {_status(row)}", flush=True)
    scale = run_scale() if (args.scale if args.scale is not None else suite == "full") else None
    report = {"suite": suite, "datasets": str(args.datasets), "by_work": by_work, "workers": args.workers,
              "seed": SEED, "spyrrow": getattr(spyrrow, "__version__", "installed") if with_spyrrow else None,
              "numba": numba.__version__, "wall_s": round(time.perf_counter() - started, 1),
              "load_average_at_end": [round(load, 2) for load in os.getloadavg()],
              "summary": summarise(rows), "runs": rows, "scale": scale}
    report = write_report(out, "nesting", report)
    table = markdown(report)
    write_atomic(out.with_suffix(".md"), table)
    print(table)
    print(f"suite wall time {report['wall_s']} s; wrote {out.with_suffix('.md')}")
    if args.write_baseline:
        args.write_baseline.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(args.write_baseline, json.dumps(baseline_of(rows), indent=2) + "\n")
        print(f"wrote the baseline {args.write_baseline}")
    failures = [line for row in rows for line in row_failures(row)] + scale_failures(scale)
    if baseline is not None:
        failures += baseline_regressions(rows, baseline)
    for line in failures:
        print(line)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
