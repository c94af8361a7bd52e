"""The plycut command line. Thin: it parses options, calls the pipeline, reports."""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Iterator, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn
from rich.table import Table

from gcode.backplot_svg import backplot_svg
from gcode.check import DEFAULT_MAX_OVERCUT, check_program, rules_for
from gcode.estimate import estimate_time, format_duration
from gcode.grbl_protocol import ERRORS as GRBL_ERRORS
from gcode.grbl_sim import PtyMachine
from gcode.programs import read_program
from gcode.reader import GcodeProgram
from gcode.tooling import Machine
from gcode.verify import verify_cuts
from nester.errors import InputError
from nester.thickness import FITS, ThicknessSpec
from plycut import __version__, order_commands
from plycut.config import builtin_machines, builtin_profiles, load_machine, load_profile
from plycut.job import (
    DEFAULT_MACHINE,
    DEFAULT_PROFILE,
    DEMO_COPIES,
    UNITS,
    JobSpec,
    PlanSpec,
    SheetSpec,
    build_job,
    demo_spec,
    read_job_file,
)
from plycut.layout_check import load_layout_check
from plycut.outputs import write_atomic
from plycut.send_job import SIMULATED, send_program

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="plycut: flat-pack furniture from open plans (DXF/SVG) to checked CNC router programs.",
)
console = Console()
EXIT_BAD_INPUT = 2


@contextlib.contextmanager
def _reported_errors() -> Iterator[None]:
    """Bad input ends with one line and exit code 2, never a traceback."""
    try:
        yield
    except InputError as exc:
        typer.echo(f"plycut: error: {exc}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"plycut {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    pass


def parse_sheet(text: str) -> SheetSpec:
    """'2500x1250x18' (width x height x thickness, mm) or '2500x1250' (thickness from the profile)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*[xX]\s*(\d+(?:\.\d+)?)\s*(?:[xX]\s*(\d+(?:\.\d+)?))?\s*", text)
    if not match or float(match[1]) <= 0 or float(match[2]) <= 0 or (match[3] and float(match[3]) <= 0):
        raise InputError(f"--sheet '{text}': expected WIDTHxHEIGHTxTHICKNESS in mm, e.g. 2500x1250x18")
    return SheetSpec(width=float(match[1]), height=float(match[2]),
                     thickness=float(match[3]) if match[3] else None)


def _report(result, out: Path) -> None:
    summary = result.summary
    for warning in summary["warnings"]:
        console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
    table = Table(title=f"{summary['job']} -> {out}")
    for column in ("sheet", "program", "parts", "yield", "cut m", "tabs", "time"):
        table.add_column(column, justify="right" if column not in ("program",) else "left")
    for sheet in summary["sheets"]:
        table.add_row(str(sheet["index"]), sheet["program"], str(len(sheet["parts"])),
                      f"{sheet['yield']:.1%}", f"{sheet['cut_length_mm'] / 1000:.1f}", str(sheet["tabs"]),
                      format_duration(sheet["machine_time_s"]))
    console.print(table)
    totals = summary["totals"]
    console.print(f"{totals['sheets']} sheet(s), {totals['parts_placed']} parts, yield {totals['yield']:.1%}, "
                  f"cut {totals['cut_length_m']:.1f} m, machine time {format_duration(totals['machine_time_s'])}, "
                  f"every program read back and checked ({summary['machine']['dialect']}).", highlight=False)
    for item in summary["unplaced"]:
        console.print(f"[red]not placed:[/red] {item['copies']} x {item['part']} (not enough sheets)",
                      highlight=False)


def _run_spec(spec: JobSpec, out: Path) -> None:
    from plycut.pipeline import run_job, write_run  # keeps --help and `machines` quick

    job = build_job(spec)
    result = run_job(job)
    write_run(result, out)
    _report(result, out)


def _job_spec(inputs: list[Path], *, quantity: int, sheet: str | None, machine: str | None,
              profile: str | None, tool: str | None, units: str | None, production: Path | None,
              thickness: ThicknessSpec | None = None) -> JobSpec:
    """A job file, or plan files with the command line's choices."""
    if len(inputs) == 1 and inputs[0].suffix.lower() == ".toml":
        spec = read_job_file(inputs[0])
        overrides = {"machine": machine, "profile": profile, "tool": tool, "thickness": thickness}
        spec = replace(spec, **{key: value for key, value in overrides.items() if value})
        return replace(spec, sheets=(parse_sheet(sheet),)) if sheet else spec
    if any(p.suffix.lower() == ".toml" for p in inputs):
        raise InputError("a job file (.toml) is given alone, not with plan files")
    if units is not None and units not in UNITS:
        raise InputError(f"--units '{units}': expected one of {', '.join(UNITS)}")
    return JobSpec(
        name=inputs[0].stem if len(inputs) == 1 else "plans",
        plans=tuple(PlanSpec(file=p, quantity=quantity, units=units, production=production) for p in inputs),
        sheets=(parse_sheet(sheet),) if sheet else (SheetSpec(),),
        machine=machine or DEFAULT_MACHINE,
        profile=profile or DEFAULT_PROFILE,
        tool=tool,
        thickness=thickness,
    )


NOMINAL_HELP = "Thickness the plans' slots are drawn for, mm (with --measured-thickness)."
MEASURED_HELP = "The sheet as measured, mm: slots of the nominal width are resized to it plus the fit's clearance."
FIT_HELP = f"Clearance of resized slots: {', '.join(f'{k} {v:g} mm' for k, v in FITS.items())} [default: normal]."


@app.command()
def run(
    inputs: list[Path] = typer.Argument(..., help="A job file (.toml), or plan files (.dxf, .svg)."),
    out: Path = typer.Option(..., "-o", "--out", help="Output folder."),
    quantity: int = typer.Option(1, min=1, help="Copies of every part (plan files only)."),
    sheet: Optional[str] = typer.Option(None, help="Sheet WIDTHxHEIGHTxTHICKNESS in mm (default: the profile's)."),
    machine: Optional[str] = typer.Option(None, help=f"Machine name or .toml path [default: {DEFAULT_MACHINE}]."),
    profile: Optional[str] = typer.Option(
        None, help=f"Material profile name or .toml path [default: {DEFAULT_PROFILE}]."),
    tool: Optional[str] = typer.Option(None, help="Tool id within the profile (default: its first tool)."),
    units: Optional[str] = typer.Option(None, help=f"Drawing units when the file does not say: {', '.join(UNITS)}."),
    production: Optional[Path] = typer.Option(None, help="Production list CSV (Label,Quantity) for per-part files."),
    time_limit: Optional[float] = typer.Option(None, min=0.0, help="Nesting time in seconds [default: 5, or the job's]."),
    seed: Optional[int] = typer.Option(None, min=0, help="Seed of the nesting search [default: 0]."),
    workers: Optional[int] = typer.Option(None, min=1, help="Parallel nesting searches [default: 1]."),
    nominal_thickness: Optional[float] = typer.Option(None, help=NOMINAL_HELP),
    measured_thickness: Optional[float] = typer.Option(None, help=MEASURED_HELP),
    fit: Optional[str] = typer.Option(None, help=FIT_HELP),
) -> None:
    """Nest plans onto sheets and write one checked program and preview per sheet."""
    with _reported_errors():
        spec = _job_spec(inputs, quantity=quantity, sheet=sheet, machine=machine, profile=profile, tool=tool,
                         units=units, production=production,
                         thickness=ThicknessSpec.from_options(nominal_thickness, measured_thickness, fit))
        _run_spec(_with_nest_options(spec, time_limit, seed, workers), out)


def _with_nest_options(spec: JobSpec, time_limit: float | None, seed: int | None, workers: int | None) -> JobSpec:
    given = {"time_limit": time_limit, "seed": seed, "workers": workers}
    return replace(spec, nest=replace(spec.nest, **{k: v for k, v in given.items() if v is not None}))


@app.command()
def nest(
    inputs: list[Path] = typer.Argument(..., help="An instance (jagua-rs/sparrow JSON, PackingSolver JSON, "
                                                  "terashima .txt), a job file (.toml) or plan files (.dxf, .svg)."),
    out: Optional[Path] = typer.Option(None, "-o", "--out", help="Solution JSON, sparrow's format "
                                                                   "[default: INPUT.solution.json]."),
    svg: Optional[Path] = typer.Option(None, "--svg", help="Also draw the layouts into this SVG."),
    time_limit: float = typer.Option(10.0, min=0.0, help="Seconds; Ctrl-C stops sooner with the best so far."),
    seed: int = typer.Option(0, min=0, help="Seed of the search."),
    workers: int = typer.Option(min(2, os.cpu_count() or 1), min=1,
                                help="Independent searches in parallel, one per core [default: up to 2]."),
    warm_start: Optional[Path] = typer.Option(None, "--warm-start",
                                              help="Improve this solution (sparrow's or plycut's JSON)."),
    unit: str = typer.Option("auto", help="PackingSolver files: mm, in, or auto (known inch sheets)."),
    quantity: int = typer.Option(1, min=1, help="Copies of every part (plan files only)."),
    sheet: Optional[str] = typer.Option(None, help="Sheet WIDTHxHEIGHTxTHICKNESS in mm (plans and jobs)."),
    profile: Optional[str] = typer.Option(None, help="Material profile (plans and jobs): sheet and tool spacing."),
    tool: Optional[str] = typer.Option(None, help="Tool id within the profile (plans and jobs)."),
    nominal_thickness: Optional[float] = typer.Option(None, help=NOMINAL_HELP),
    measured_thickness: Optional[float] = typer.Option(None, help=MEASURED_HELP),
    fit: Optional[str] = typer.Option(None, help=FIT_HELP),
) -> None:
    """Nest an instance or a job's parts; write the solution (sparrow's JSON) and an SVG."""
    from nester.engine.solve import solve
    from nester.formats import read_solution, write_solution, write_solution_svg
    from plycut.nest_input import load_problem, nest_summary

    with _reported_errors():
        thickness = ThicknessSpec.from_options(nominal_thickness, measured_thickness, fit)
        problem = load_problem(inputs, unit=unit, job_spec=lambda: _job_spec(
            inputs, quantity=quantity, sheet=sheet, machine=None, profile=profile, tool=tool, units=None,
            production=None, thickness=thickness))
        for warning in problem.warnings:
            console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
        target = out or inputs[0].with_name(inputs[0].stem + ".solution.json")
        start = read_solution(warm_start, problem) if warm_start else None
        with _nest_progress(time_limit) as progress:
            solution = solve(problem, time_limit=time_limit, seed=seed, workers=workers, progress=progress,
                             start=start)
        write_solution(target, solution)
        written = [target]
        if svg:
            write_solution_svg(svg, solution)
            written.append(svg)
    for line in nest_summary(solution):
        console.print(line, highlight=False)
    console.print("written: " + ", ".join(str(p) for p in written), highlight=False)


@contextlib.contextmanager
def _nest_progress(time_limit: float) -> Iterator:
    """A bar over the time limit showing the best layout so far."""
    columns = (TextColumn("nesting"), BarColumn(), TaskProgressColumn(), TextColumn("{task.fields[best]}"))
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("nest", total=max(time_limit, 1e-9), best="")

        def update(report) -> None:
            if hasattr(report, "length"):
                best = f"length {report.length:.6g}, density {report.density:.2%} ({report.phase})"
            else:
                best = f"{report.sheets} sheet(s), density {report.density:.2%} ({report.phase})"
            bar.update(task, completed=min(report.elapsed_s, time_limit), best=best)

        yield update


@app.command()
def demo(
    out: Path = typer.Option(Path("out"), "-o", "--out", help="Output folder."),
    machine: str = typer.Option(DEFAULT_MACHINE, help="Machine name or .toml path."),
    copies: int = typer.Option(DEMO_COPIES, min=1, help="How many stools."),
) -> None:
    """Cut the bundled slot-together stool on 2500x1250x18 birch plywood (or the bed of a smaller machine)."""
    with _reported_errors():
        _run_spec(demo_spec(machine, copies), out)


@app.command()
def machines() -> None:
    """List the built-in machines."""
    table = Table(title="Built-in machines")
    for column in ("name", "description", "dialect", "envelope mm", "safe Z"):
        table.add_column(column, no_wrap=column == "name")
    with _reported_errors():
        for name in sorted(builtin_machines()):
            m = load_machine(name)
            table.add_row(name, m.name, m.dialect, " x ".join(f"{v:g}" for v in m.envelope), f"{m.safe_z:g}")
    console.print(table)


@app.command()
def profiles() -> None:
    """List the built-in material profiles: one table per material, one row per tool."""
    with _reported_errors():
        for name in sorted(builtin_profiles()):
            p = load_profile(name)
            density = f", {p.density:g} kg/m3" if p.density else ""
            table = Table(title=f"{name}: {p.name}", title_justify="left", box=None, pad_edge=False,
                          caption=f"nominal {p.thickness:g} mm, sheet {p.sheet[0]:g} x {p.sheet[1]:g} mm, "
                                  f"{p.sheet_cost:g} EUR/sheet (estimate){density}; "
                                  "chip loads and depths in mm, feeds in mm/min before fitting to a machine",
                          caption_justify="left")
            for column in ("T", "tool", "rpm", "chip", "chart", "feed", "plunge", "depth"):
                table.add_column(column, no_wrap=True)
            for r in p.tools:
                chart = f"{r.chip_load_range[0]:g}-{r.chip_load_range[1]:g}" if r.chip_load_range else "-"
                feed = r.rpm * r.tool.flutes * r.chip_load
                table.add_row(str(r.tool.number), r.tool.id, f"{r.rpm:g}", f"{r.chip_load:g}", chart,
                              f"{feed:g}", f"{r.plunge_feed:g}", f"{r.step_down:g}")
            console.print(table)
            console.print()


@app.command()
def check(
    file: Path = typer.Argument(..., help="A G-code program."),
    machine: str = typer.Option(DEFAULT_MACHINE, help="Machine name or .toml path."),
    sheet: Optional[str] = typer.Option(None, help="Sheet WIDTHxHEIGHTxTHICKNESS: also check every cut stays on it."),
    overcut: float = typer.Option(DEFAULT_MAX_OVERCUT, min=0.0,
                                  help="With --sheet: how far below the sheet (mm) a through cut may go."),
    layout: Optional[Path] = typer.Option(None, help="The run's layout.json: also back-plot the program against "
                                          "its parts (outlines cut free but at tabs, features at depth)."),
) -> None:
    """Read a program back and check it against the machine's dialect and safety rules."""
    with _reported_errors():
        target = load_machine(machine)
        bounds = None
        if sheet:
            spec = parse_sheet(sheet)
            if spec.thickness is None:
                raise InputError(f"--sheet '{sheet}': give the thickness too, e.g. 2500x1250x18")
            bounds = (spec.width, spec.height, spec.thickness)
        planned = cut = None
        if layout is not None:
            planned, cut = load_layout_check(layout, file.name)
            if bounds is None:
                bounds = (planned.sheet.width, planned.sheet.height, planned.sheet.thickness)
        program = _read_program_file(file, target)
        problems = [(line, message) for line, message in program.errors]
        rules = rules_for(target.dialect, target, bounds, max_overcut=overcut)
        problems += [(v.line, v.message) for v in check_program(program, rules=rules)]
        if planned is not None:
            problems += [(0, message) for message in verify_cuts(program.motions, planned, cut)]
        for line, message in sorted(problems):
            typer.echo(f"{file}:{line}: {message}" if line else f"{file}: {message}")
        if problems:
            typer.echo(f"{file}: {len(problems)} problem(s) for {target.name}", err=True)
            raise typer.Exit(1)
        typer.echo(f"{file}: OK for {target.name} ({len(program.motions)} moves)")


def _read_program_file(file: Path, machine: Machine) -> GcodeProgram:
    """The program in ``file`` read in the machine's dialect; an unreadable file is bad input."""
    try:
        text = file.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"{file}: cannot read ({exc.strerror or exc})") from None
    return read_program(text, machine.dialect, source=str(file))


def _require_moves(program: GcodeProgram, file: Path, machine: Machine) -> None:
    if not program.motions:
        raise InputError(f"{file}: no moves the reader can follow: is it a {machine.dialect} program?")


@app.command()
def send(
    file: Path = typer.Argument(..., help="A GRBL, grblHAL or Marlin program."),
    port: str = typer.Option(..., help="Serial device, pyserial URL (socket://, rfc2217://) or "
                             "sim://?speed=N[&firmware=marlin]."),
    baud: int = typer.Option(115200, help="Baud rate."),
    machine: str = typer.Option(DEFAULT_MACHINE, help="Machine name or .toml path: its rules are checked first."),
    on_error: str = typer.Option("stop", help="stop: feed hold and reset on error:N; continue: go on."),
    journal: Optional[Path] = typer.Option(None, help="Journal file [default: FILE.journal]."),
    check_mode: bool = typer.Option(False, "--check", help="GRBL check mode ($C): a dry run, every error listed."),
    resume_from: Optional[int] = typer.Option(None, min=1, help="Re-enter at this file line: modal state rebuilt, "
                                              "up to safe Z, across, down at the plunge feed."),
    resume: Optional[Path] = typer.Option(None, help="Re-enter where the last run in this journal stopped: at the "
                                          "first line it did not surely execute (as --resume-from)."),
    window: int = typer.Option(1, min=1, max=4, help="Marlin: lines sent ahead of their ok (1 to 4)."),
    connect_timeout: float = typer.Option(3.0, min=0.1, help="Seconds to wait for the controller's banner."),
) -> None:
    """Stream a program to a GRBL-family or Marlin controller (told by its banner), journaling
    every line sent and answered.

    Keys while it runs (GRBL family): space, p or ! hold, r or ~ resume, s stop (hold, then
    reset), + - f feed override, ] [ o spindle override, 1 2 3 rapids at 25, 50, 100 %.
    Marlin: s stop (M410 quick stop, M5)."""
    with _reported_errors():
        if on_error not in ("stop", "continue"):
            raise InputError(f"--on-error '{on_error}': expected stop or continue")
        if resume is not None and resume_from is not None:
            raise InputError("--resume and --resume-from: give one of them")
        target = load_machine(machine)
        with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                      console=console, transient=True) as bar:
            task = bar.add_task("connecting", total=None)

            def show(report, total, remaining_s):
                status = report.status
                where = ""
                if status is not None and status.work is not None:
                    where = " X{:.1f} Y{:.1f} Z{:.1f}".format(*status.work[:3])
                state = status.state if status is not None else ""
                bar.update(task, total=total, completed=report.acknowledged,
                           description=f"line {report.last_acknowledged or 0} {state}{where} "
                                       f"{format_duration(remaining_s)} left")

            result = send_program(file, target, port, baud=baud, on_error=on_error, journal=journal,
                                  check_mode=check_mode, resume_from=resume_from, resume_journal=resume,
                                  window=window, timeout=connect_timeout, plunge_feed=target.max_feed_z / 2.0,
                                  progress=show,
                                  keys=not check_mode)
    report = result.report
    for warning in result.warnings:
        typer.echo(f"preflight: {warning}")
    for line, code in report.errors:
        said = f"error:{code} ({GRBL_ERRORS.get(code, 'unknown error')})" if isinstance(code, int) else f"Error:{code}"
        typer.echo(f"{file}:{line}: {said}")
    if report.completed and not (check_mode and report.errors):
        typer.echo(f"{file}: {report.sent} lines sent and acknowledged ({result.firmware}); journal {result.journal}")
        return
    if report.completed:
        typer.echo(f"{file}: check mode found {len(report.errors)} error(s) ({result.firmware})")
    else:
        executed = "" if report.last_executed is None else f", last surely executed line {report.last_executed}"
        typer.echo(f"{file}: stopped at line {report.stopped_at}: {report.reason}; last acknowledged line "
                   f"{report.last_acknowledged}{executed}; journal {result.journal}")
    raise typer.Exit(1)


@app.command()
def sim(speed: float = typer.Option(1.0, help="Motion runs this many times faster than real time."),
        firmware: str = typer.Option("grbl", help="grbl (GRBL 1.1) or marlin (Marlin 2.1).")) -> None:
    """Run a simulated controller behind a pseudo-terminal until Ctrl-C; open the path it prints."""
    with _reported_errors():
        if firmware not in SIMULATED:
            raise InputError(f"--firmware '{firmware}': expected {' or '.join(SIMULATED)}")
    with PtyMachine(SIMULATED[firmware](speed=speed)) as machine:
        typer.echo(machine.path)
        try:
            while True:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass


@app.command("estimate-time")
def estimate_time_command(
    file: Path = typer.Argument(..., help="A program in the machine's dialect."),
    machine: str = typer.Option(DEFAULT_MACHINE, help="Machine name or .toml path."),
) -> None:
    """Estimate how long a program runs: acceleration, corners, arcs, dwells and tool changes."""
    with _reported_errors():
        target = load_machine(machine)
        program = _read_program_file(file, target)
        if program.errors:
            line, message = program.errors[0]
            raise InputError(f"{file}:{line}: {message} -- cannot time a program the reader cannot follow "
                             f"({len(program.errors)} problem(s); `plycut check` lists them)")
        _require_moves(program, file, target)
        estimate = estimate_time(program, target)
    typer.echo(f"{file} on {target.name}: {format_duration(estimate.total_s)} ({estimate.total_s:.0f} s)")
    typer.echo(f"  cutting  {format_duration(estimate.cutting_s):>12}  {estimate.cut_length_mm / 1000:10.2f} m")
    typer.echo(f"  rapids   {format_duration(estimate.rapid_s):>12}  {estimate.rapid_length_mm / 1000:10.2f} m")
    typer.echo(f"  other    {format_duration(estimate.other_s):>12}  (dwells, tool changes, probing, spindle spin-up)")
    typer.echo(f"  tool changes: {estimate.tool_changes}, pauses: {estimate.pauses}"
               + (" (the operator's time at a pause is not included)" if estimate.pauses else ""))
    if estimate.untimed_moves:
        typer.echo(f"  not timed: {estimate.untimed_moves} move(s) the reader cannot place "
                   "(from an unknown position, after a tool change, in machine coordinates)")


@app.command()
def backplot(
    file: Path = typer.Argument(..., help="A program in the machine's dialect."),
    machine: str = typer.Option(DEFAULT_MACHINE, help="Machine name or .toml path."),
    out: Optional[Path] = typer.Option(
        None, "-o", "--out", help="The SVG to write (default: FILE.backplot.svg beside the program)."),
    sheet: Optional[str] = typer.Option(
        None, help="Sheet WIDTHxHEIGHT (or WIDTHxHEIGHTxTHICKNESS) in mm: draw its outline too."),
) -> None:
    """Draw the moves of a program over the machine's envelope as an SVG (mm, Y up)."""
    with _reported_errors():
        target = load_machine(machine)
        size = None
        if sheet:
            spec = parse_sheet(sheet)
            size = (spec.width, spec.height)
        program = _read_program_file(file, target)
        _require_moves(program, file, target)
        destination = out or file.with_name(file.stem + ".backplot.svg")
        if destination.resolve() == file.resolve():
            raise InputError(f"{destination}: is the program itself; give another -o")
        svg = backplot_svg(program, target.envelope[:2], sheet=size, title=f"{file.name} on {target.name}")
        try:
            write_atomic(destination, svg)
        except OSError as exc:
            raise InputError(f"{destination}: cannot write ({exc.strerror or exc})") from None
    if program.errors:
        line, message = program.errors[0]
        typer.echo(f"{file}: warning: {len(program.errors)} line(s) the reader could not follow, the first "
                   f"line {line}: {message}; the plot shows the moves it could", err=True)
    typer.echo(f"wrote {destination} ({len(program.motions)} moves)")


app.command()(order_commands.estimate)
app.command()(order_commands.campaign)


def main() -> None:
    app(prog_name="plycut")


if __name__ == "__main__":
    sys.exit(main())
