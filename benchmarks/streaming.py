"""Streaming throughput on the simulated controllers, at 115200 baud and unthrottled.

    python -m benchmarks.streaming [--json benchmarks/results/streaming.json]

Streams the demo's first sheet (the bundled stool, GRBL) through a pseudo-terminal
with motion 10 000 times faster than real time, so the serial line and the protocol
are what is measured, not the machine:

- to the simulated GRBL with character counting: lines/s, receive-buffer use;
- to the simulated GRBL in check mode ($C, a dry run: nothing moves, every line parsed);
- to the simulated Marlin with numbered, checksummed lines, one line in flight
  (send-response) and four (Marlin's command queue);
- and how far a resume from the journal lands before where the machine really got
  when the cable comes out mid-sheet (motion 100 times faster than real time, so the
  planner fills as on a real machine): the executed mark's safety margin.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from tempfile import TemporaryDirectory

import serial

from benchmarks.report import write_report
from gcode.executed import is_motion
from gcode.grbl_sim import Faults, PtyMachine, SimulatedGrbl
from gcode.journal import read_journal
from gcode.marlin_sender import MarlinStreamer
from gcode.marlin_sim import SimulatedMarlin
from gcode.sender import GrblStreamer, program_lines
from plycut.job import build_job, demo_spec
from plycut.pipeline import run_job

SPEED = 10000.0
UNPLUG_AT = 3000  # G-code lines into the sheet


def _timed_stream(machine, streamer, lines, baud: int | None, progress=None) -> dict:
    started = time.perf_counter()
    report = streamer.stream(lines, progress=progress)
    seconds = time.perf_counter() - started
    return {
        "baud": baud or "unthrottled",
        "lines": len(lines),
        "completed": report.completed,
        "seconds": round(seconds, 3),
        "lines_per_s": round(len(lines) / seconds, 1),
        "max_in_flight_bytes": report.max_in_flight,
        "dropped_bytes": machine.dropped_bytes,
    }


def stream_grbl(lines, baud: int | None, check: bool = False) -> dict:
    machine = SimulatedGrbl(speed=SPEED)
    occupancy = []
    with PtyMachine(machine, baud=baud) as pty:
        port = serial.Serial(pty.path, 115200, timeout=0.02)
        streamer = GrblStreamer(port, on_error="continue" if check else "stop", record_executed=not check)
        streamer.connect(timeout=3.0)
        if check:
            streamer.command("$C")
        run = _timed_stream(machine, streamer, lines, baud, progress=lambda r: occupancy.append(
            128 - r.status.rx_free if r.status and r.status.rx_free is not None else None))
        if check:
            streamer.command("$C")
        port.close()
    used = [o for o in occupancy if o is not None]
    run["mean_rx_buffer_used_bytes"] = round(sum(used) / len(used), 1) if used else None
    run["moved"] = not check and len(machine.executed) == len(lines)
    return {"controller": "grbl", "mode": "check ($C)" if check else "stream", **run}


def stream_marlin(lines, baud: int | None, window: int) -> dict:
    machine = SimulatedMarlin(speed=SPEED)
    with PtyMachine(machine, baud=baud) as pty:
        port = serial.Serial(pty.path, 115200, timeout=0.02)
        streamer = MarlinStreamer(port, window=window)
        streamer.connect(timeout=3.0)
        run = _timed_stream(machine, streamer, lines, baud)
        port.close()
    return {"controller": "marlin", "mode": f"{window} line(s) in flight", **run,
            "commands_run": len(machine.executed) - 1}  # less M110


def resume_bound(lines) -> dict:
    """Unplug mid-sheet, then compare the journal's resume line with the simulator's first unfinished line."""
    machine = SimulatedGrbl(speed=100.0, faults=Faults(unplug_after=UNPLUG_AT))
    with TemporaryDirectory() as folder, PtyMachine(machine) as pty:
        journal = Path(folder) / "sheet.journal"
        port = serial.Serial(pty.path, 115200, timeout=0.02)
        streamer = GrblStreamer(port, journal=journal)
        streamer.connect(timeout=3.0)
        report = streamer.stream(lines)
        streamer.close()
        record = read_journal(journal)
    numbers = [number for number, _ in lines]
    unfinished = machine.first_unfinished - 1  # index in `lines`
    resume = next(i for i, number in enumerate(numbers) if number > record.last_executed)
    acknowledged = numbers.index(record.last_acknowledged)
    return {
        "unplugged_after_lines": UNPLUG_AT,
        "reason": report.reason,
        "resume_line": numbers[resume],
        "first_unfinished_line": numbers[unfinished],
        "last_acknowledged_line": record.last_acknowledged,
        "resume_before_unfinished_lines": unfinished - resume,
        "resume_before_unfinished_motion_lines": sum(is_motion(t) for _, t in lines[resume:unfinished]),
        "acknowledged_past_unfinished_lines": acknowledged + 1 - unfinished,
        "safe": resume <= unfinished,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/streaming.json"))
    args = parser.parse_args()
    result = run_job(build_job(demo_spec()))
    lines = program_lines(result.sheets[0].program_text)
    runs = [stream_grbl(lines, 115200), stream_grbl(lines, None),
            stream_grbl(lines, 115200, check=True), stream_grbl(lines, None, check=True),
            stream_marlin(lines, 115200, 1), stream_marlin(lines, 115200, 4),
            stream_marlin(lines, None, 1), stream_marlin(lines, None, 4)]
    for r in runs:
        print(f"{r['controller']} {r['mode']}, baud {r['baud']}: {r['lines']} lines in {r['seconds']:.2f}s, "
              f"{r['lines_per_s']:.0f} lines/s, in flight up to {r['max_in_flight_bytes']} bytes, "
              f"{r['dropped_bytes']} bytes dropped")
    bound = resume_bound(lines)
    print(f"resume after the cable came out at line {bound['unplugged_after_lines']}: resume at line "
          f"{bound['resume_line']}, the machine's first unfinished line {bound['first_unfinished_line']} "
          f"({bound['resume_before_unfinished_motion_lines']} motion lines earlier), last acknowledged "
          f"{bound['last_acknowledged_line']} ({bound['acknowledged_past_unfinished_lines']} lines past it)")
    write_report(args.json, "streaming", {"runs": runs, "resume": bound})


if __name__ == "__main__":
    main()
