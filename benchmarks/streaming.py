"""Streaming throughput on the simulated GRBL: lines/s and receive-buffer use, at 115200 baud and unthrottled.

    python -m benchmarks.streaming [--json benchmarks/results/streaming.json]

Streams the demo's first sheet (the bundled stool, GRBL) through a pseudo-terminal
to gcode.grbl_sim with motion 10 000 times faster than real time, so the serial
line and the protocol are what is measured, not the machine.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import serial

from benchmarks.report import write_report
from gcode.grbl_sim import PtyMachine, SimulatedGrbl
from gcode.sender import GrblStreamer, program_lines
from plycut.job import build_job, demo_spec
from plycut.pipeline import run_job


def stream_once(lines, baud: int | None) -> dict:
    machine = SimulatedGrbl(speed=10000.0)
    occupancy = []
    with PtyMachine(machine, baud=baud) as pty:
        port = serial.Serial(pty.path, 115200, timeout=0.02)
        streamer = GrblStreamer(port)
        streamer.connect(timeout=3.0)
        started = time.perf_counter()
        report = streamer.stream(lines, progress=lambda r: occupancy.append(
            128 - r.status.rx_free if r.status and r.status.rx_free is not None else None))
        seconds = time.perf_counter() - started
        port.close()
    used = [o for o in occupancy if o is not None]
    return {
        "baud": baud or "unthrottled",
        "lines": len(lines),
        "completed": report.completed,
        "seconds": round(seconds, 3),
        "lines_per_s": round(len(lines) / seconds, 1),
        "max_in_flight_bytes": report.max_in_flight,
        "mean_rx_buffer_used_bytes": round(sum(used) / len(used), 1) if used else None,
        "dropped_bytes": machine.dropped_bytes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/streaming.json"))
    args = parser.parse_args()
    result = run_job(build_job(demo_spec()))
    lines = program_lines(result.sheets[0].program_text)
    runs = [stream_once(lines, 115200), stream_once(lines, None)]
    for r in runs:
        print(f"baud {r['baud']}: {r['lines']} lines in {r['seconds']:.2f}s, {r['lines_per_s']:.0f} lines/s, "
              f"in flight up to {r['max_in_flight_bytes']} of 128 bytes, receive buffer {r['mean_rx_buffer_used_bytes']} "
              f"bytes used on average, {r['dropped_bytes']} bytes dropped")
    write_report(args.json, "streaming", {"runs": runs})


if __name__ == "__main__":
    main()
